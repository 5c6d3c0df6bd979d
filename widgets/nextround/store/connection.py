"""Where the database lives, and running work on it one transaction at a time.

The rest of the store hands :class:`Database` a function of a connection and
gets its result back; this module decides which database that is (a path, a
URL, ``NEXTROUND_DB`` or the user data folder), opens it, and makes each
call one transaction that either commits whole or leaves nothing behind.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import platformdirs
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, IntegrityError, NoSuchModuleError

from ..errors import NextRoundError
from ..i18n import _
from . import postgres, sqlite
from .postgres import PostgresSettings
from .sqlite import FOLDER_MODE, SQLiteSettings

T = TypeVar("T")


class NoDatabase(NextRoundError):
    """A command that only reads was pointed at a database that does not exist."""


# --- where the database lives ------------------------------------------------


def default_target() -> str | Path:
    """The database to use when none is given.

    ``NEXTROUND_DB`` wins (a path or a URL such as ``postgresql://...``, for a
    shared deployment); otherwise an SQLite file in the user data directory,
    which is where a desktop user expects private data to be kept.
    """
    configured = os.environ.get("NEXTROUND_DB", "").strip()
    if configured:
        return configured
    return Path(platformdirs.user_data_dir("nextround", appauthor=False)) / "nextround.db"


def default_db_url() -> str:
    """:func:`default_target` as a URL, creating the folder of an SQLite file."""
    return url_for(default_target())


def sqlite_file(target: str | Path | None) -> Path | None:
    """The SQLite file a target names (``None``: the default), creating nothing.

    ``None`` comes back for a server URL, and for SQLite in memory.
    """
    target = default_target() if target is None else target
    if isinstance(target, str) and "://" in target:
        url = parse_url(target)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database).expanduser().resolve()
    return Path(target).expanduser().resolve()


def url_for(target: str | Path) -> str:
    """A database URL for a path or a URL; only text with ``://`` is a URL."""
    if isinstance(target, str) and "://" in target:
        return target
    return _sqlite_url(Path(target))


def _sqlite_url(path: Path) -> str:
    """An SQLite URL for a file, creating its folder (private) so the first run works."""
    path = path.expanduser().resolve()
    if not path.parent.exists():
        path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    return URL.create("sqlite", database=str(path)).render_as_string()


def parse_url(url: str) -> URL:
    """A database URL, parsed; one line (never echoing a password) if it cannot be."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise NextRoundError("the database URL cannot be read; use a file path, or a URL such "
                             "as postgresql://USER:PASSWORD@HOST:PORT/DATABASE (the port a "
                             "number)") from None


def _engine(url: str) -> Engine:
    """An engine for a database URL, or one line saying why there cannot be one."""
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return create_engine(parsed)
    if backend != "postgresql":
        raise NextRoundError(f"NextRound keeps its data in SQLite or PostgreSQL, not "
                             f"{backend!r}; use a file path or a postgresql:// URL")
    try:
        return create_engine(postgres.driver_url(parsed), pool_pre_ping=True)
    except (ImportError, NoSuchModuleError):
        raise NextRoundError("PostgreSQL needs the psycopg driver, which is not installed; "
                             "install it with: pip install 'nextround[postgresql]'") from None


# --- one transaction at a time -----------------------------------------------


class Database:
    """An engine, and the one way the store runs work on it: a transaction per call.

    ``file`` is the SQLite file behind ``url`` (``None`` for a server or for
    memory); it names the file in messages about a damaged database.
    ``retries`` counts the transactions run again after losing a race to
    another writer (SQLite's lock, PostgreSQL's serialization failures).
    """

    def __init__(self, url: str, *, file: Path | None = None,
                 sqlite_settings: SQLiteSettings | None = None,
                 postgres_settings: PostgresSettings | None = None):
        self.url = url
        self.file = file
        self.sqlite_settings = sqlite_settings or SQLiteSettings()
        self.postgres_settings = postgres_settings or PostgresSettings()
        self.retries = 0
        self.engine: Engine = _engine(url)
        if self.is_sqlite:
            sqlite.configure(self.engine, self.sqlite_settings)
        #: An erase whose WAL could not be emptied yet (another connection
        #: was reading); the next write tries again.
        self._scrub_pending = False

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def read(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one read transaction (one consistent snapshot)."""
        return self._run(work, write=False)

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction: all of it commits, or none of it.

        On SQLite the transaction holds the write lock from its first
        statement; on PostgreSQL it is serializable. ``work`` must only touch
        the database, since it runs again if it lost a race to another
        writer (SQLite still locked after the busy timeout, or PostgreSQL
        refusing it as not serializable).
        """
        result = self._run(work, write=True)
        if self._scrub_pending:
            self._scrub_pending = not sqlite.checkpoint(self.engine, self.sqlite_settings,
                                                        attempts=1, wait_ms=0)
        return result

    def _run(self, work: Callable[[Connection], T], *, write: bool) -> T:
        """Run ``work`` in one transaction, again if it lost a race to another writer."""
        if not self.is_sqlite:
            return self._run_on_server(work, write=write)
        for attempt in itertools.count():
            try:
                with self.engine.connect() as conn:
                    conn.execution_options(**{sqlite.WRITE_OPTION: write})
                    with conn.begin():
                        return work(conn)
            except IntegrityError:
                raise
            except DatabaseError as exc:
                if not sqlite.is_locked(exc):
                    if sqlite.is_unreadable(exc):
                        raise sqlite.damaged(self.file, exc) from None
                    raise
                if attempt + 1 >= self.sqlite_settings.lock_retries:
                    raise NextRoundError(_("The database stayed busy for too long; "
                                           "please try again in a moment.")) from exc
                self.retries += 1
                time.sleep(0.1 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _run_on_server(self, work: Callable[[Connection], T], *, write: bool) -> T:
        """PostgreSQL: serializable writes and repeatable-read reads, each retried
        while it loses races to concurrent transactions, within the time allowed."""
        settings = self.postgres_settings
        isolation = postgres.WRITE_ISOLATION if write else postgres.READ_ISOLATION
        deadline = time.monotonic() + settings.retry_seconds
        for attempt in itertools.count():
            try:
                conn = self.engine.connect()
            except DatabaseError as exc:
                raise postgres.connection_problem(self.engine.url, exc) from None
            try:
                with conn:
                    conn.execution_options(isolation_level=isolation)
                    with conn.begin():
                        return work(conn)
            except DatabaseError as exc:
                if exc.connection_invalidated:
                    raise postgres.lost_connection(self.engine.url, exc) from None
                if not postgres.should_retry(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise postgres.still_clashing(settings.retry_seconds) from exc
                self.retries += 1
                time.sleep(settings.pause(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def erase_traces(self, tables: list[str]) -> None:
        """After an erase: on SQLite, rebuild the file and empty the WAL, so the
        rows are gone from every database file, not only from the tables; on
        PostgreSQL, VACUUM ``tables`` so the space the rows held is reclaimed."""
        if not self.is_sqlite:
            postgres.vacuum(self.engine, tables)
            return
        sqlite.vacuum(self.engine)
        self._scrub_pending = not sqlite.checkpoint(self.engine, self.sqlite_settings)

    def describe(self) -> str:
        """Where the data is kept, in words a counsellor can act on."""
        url = self.engine.url
        if self.is_sqlite:
            where = url.database or ":memory:"
            if where == ":memory:":
                return _("Data is kept in memory only and is lost when NextRound stops.")
            return _("Data is kept in the SQLite file {path}").format(path=where)
        shown = url.render_as_string(hide_password=True)
        return _("Data is kept in the {kind} database {address}").format(
            kind=url.get_backend_name(), address=shown)

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()
