"""``nextround db``: upgrade a database, say which revision it is at, copy one into another.

For whoever looks after a database: a counsellor moving their laptop's
clients into the organisation's PostgreSQL, or a service upgrading its
schema before a new version goes live. Every problem a person can fix (a
mistyped path or URL, a server that does not answer, a missing driver) is
one line naming the database, with any password hidden.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .errors import NextRoundError

if TYPE_CHECKING:
    from .store.migrations import SchemaState


def _say(text: str) -> None:
    print(text, flush=True)


def _warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- naming a database in messages ----------------------------------------------


def shown(target: str | None) -> str:
    """A database as a message names it: a URL without its password, or the path."""
    from .store import default_target

    text = str(default_target() if target is None else target)
    if "://" not in text:
        return text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(text).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", text)


@contextlib.contextmanager
def plain_errors(target: str | None) -> Iterator[None]:
    """Turn what goes wrong reaching a database into one line naming it."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    try:
        yield
    except NoSuchModuleError:
        raise NextRoundError(
            f"{shown(target)} is not a kind of database NextRound knows; use a file path, "
            "sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME") from None
    except ArgumentError:
        raise NextRoundError(f"{shown(target)} is not a database URL; use a file path, "
                             "sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME") from None
    except ImportError as exc:
        raise NextRoundError(
            f"the database driver for {shown(target)} is not installed ({exc.name}); for "
            "PostgreSQL install nextround[postgresql] and use postgresql+psycopg://") from None
    except OSError as exc:  # a folder that cannot be made for a new SQLite file
        raise NextRoundError(f"cannot use the database {shown(target)}: "
                             f"{exc.strerror or exc}") from None
    except DBAPIError as exc:
        reason = " ".join(str(exc.orig or exc).split()) or type(exc.orig).__name__
        raise NextRoundError(f"cannot use the database {shown(target)}: {reason}") from None


def _must_exist(target: str | None) -> None:
    """A command that upgrades or reads refuses an SQLite file that is not there,
    so a mistyped path never becomes a new, empty database."""
    from .store import NoDatabase, sqlite_file

    file = sqlite_file(target)
    if file is not None and not file.exists():
        raise NoDatabase(f"there is no database at {file}; check the path")


# --- where a schema stands, in words ----------------------------------------------


def schema_status(state: SchemaState, known: int) -> tuple[str, bool]:
    """What ``nextround db current`` prints for a database, and whether it is up to date."""
    from .store.migrations import migration_number, revision_id

    head = revision_id(known)
    if state.revision is None and state.version == 0:
        return (f"no schema yet (an empty database); 'nextround db upgrade' creates it "
                f"at revision {head}", False)
    if state.newest_known() > known:
        if state.revision is not None and migration_number(state.revision) is None:
            return (f"revision {state.revision!r} is not one of NextRound's; is this another "
                    "application's database?", False)
        return (f"revision {revision_id(state.newest_known())} (schema version "
                f"{state.newest_known()}): newer than this version of NextRound, which knows "
                f"up to {head}; upgrade NextRound", False)
    if state.revision is None:
        up_to_date = state.version == known
        then = (f"records it as revision {head}" if up_to_date
                else f"brings it to revision {head}")
        return (f"schema version {state.version}, written before NextRound used Alembic: "
                + ("up to date; " if up_to_date else "behind; ")
                + f"'nextround db upgrade' {then}", up_to_date)
    if state.is_at(known):
        return f"revision {head} (schema version {known}): up to date", True
    return (f"revision {state.revision} (schema version {state.version}): behind this version "
            f"of NextRound ({head}); run 'nextround db upgrade'", False)


def _read_state(target: str | None) -> tuple[SchemaState, str]:
    """Both records of a database's schema, and where it is, changing nothing."""
    from .store.connection import Database, default_db_url, sqlite_file, url_for
    from .store.migrations import read_state

    _must_exist(target)
    database = Database(default_db_url() if target is None else url_for(target),
                        file=sqlite_file(target))
    try:
        return database.read(read_state), database.describe()
    finally:
        database.close()


# --- commands --------------------------------------------------------------------


def cmd_db_current(args: argparse.Namespace) -> int:
    """Print the revision a database is at; exit 0 only when it is up to date."""
    from .store import MIGRATIONS

    with plain_errors(args.db):
        state, where = _read_state(args.db)
    text, up_to_date = schema_status(state, len(MIGRATIONS))
    _say(text)
    _warn(where)
    return 0 if up_to_date else 1


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Bring a database's schema up to this version (a new PostgreSQL database gets it)."""
    from .store import MIGRATIONS, Store
    from .store.migrations import revision_id

    head = revision_id(len(MIGRATIONS))
    with plain_errors(args.db):
        before, _ = _read_state(args.db)
        with Store(args.db, create=False) as store:
            where = store.describe()
    if before.is_at(len(MIGRATIONS)):
        _say(f"Already up to date at revision {head}.")
    elif before.version == 0 and before.revision is None:
        _say(f"Created the schema at revision {head}.")
    elif before.revision is None and before.version == len(MIGRATIONS):
        _say(f"Recorded revision {head} for a database written before NextRound used "
             "Alembic; no table or record changed.")
    else:
        _say(f"Upgraded from schema version {before.version} to revision {head}.")
    _warn(where)
    return 0


def cmd_db_copy(args: argparse.Namespace) -> int:
    """Copy every client of FROM into TO, which must hold none; report what was copied."""
    from .store import Store
    from .store.copying import copy_store

    with (plain_errors(args.source), Store(args.source, create=False) as source,
          plain_errors(args.target), Store(args.target) as target):
        if target.created:
            _warn(f"Created a new database: {target.describe()}")
        report = copy_store(source, target)
    _say(f"Copied {report.describe()} from {shown(args.source)} to {shown(args.target)}.")
    return 0


def cmd_db_secure(args: argparse.Namespace) -> int:
    """Give a PostgreSQL database its roles and row-level security (the owner runs it)."""
    from .store.access import secure

    url = args.url or args.db or os.environ.get("NEXTROUND_DB")
    if not url:
        raise NextRoundError("give the owner's PostgreSQL URL, as URL or --db")
    with plain_errors(url):
        tables = secure(url)
    _say(f"Secured {len(tables)} tables of {shown(url)} with row-level security.")
    return 0


# --- parser ------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``nextround db`` and its actions to the command's parser."""
    parser = sub.add_parser("db", help="upgrade a database, show its revision, or copy it")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    p = actions.add_parser("upgrade", help="bring the schema up to this version")
    _add_db(p)
    p.set_defaults(func=cmd_db_upgrade, command="db upgrade")

    p = actions.add_parser("current", help="print the revision and whether it is up to date "
                           "(exit 0 only if it is)")
    _add_db(p)
    p.set_defaults(func=cmd_db_current, command="db current")

    p = actions.add_parser("copy", help="copy every client of FROM into TO, which must "
                           "hold none")
    p.add_argument("source", metavar="FROM", help="database file or URL to copy from")
    p.add_argument("target", metavar="TO", help="database file or URL to copy into, "
                   "holding no client (a file that is not there yet is created)")
    p.set_defaults(func=cmd_db_copy, command="db copy")

    p = actions.add_parser("secure", help="give a PostgreSQL database its roles and "
                           "row-level security (run as its owner, after every upgrade)")
    p.add_argument("url", metavar="URL", nargs="?", help="the database owner's PostgreSQL "
                   "URL (or give it as --db, like the other db actions)")
    p.add_argument("--db", dest="db", help="the same URL, for scripts that give every "
                   "db action --db")
    p.set_defaults(func=cmd_db_secure, command="db secure")


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database file or URL (default: NEXTROUND_DB or the "
                        "user data folder)")
