"""What the store does only on PostgreSQL: isolation, retries, plain connection errors, erasing.

PostgreSQL is the database of a service: many counsellors' processes write
to it at once, over a network, to a server that may be down or may refuse
a password. So:

* every write transaction runs at ``SERIALIZABLE``: the result of any set
  of concurrent writes is one some order of them would give (no lost
  update, no answer saved twice), and PostgreSQL refuses, rather than
  allows, a write that would break this. The refused one is run again, with
  a short random pause, until it commits (see :func:`should_retry`);
* every read runs at ``REPEATABLE READ``, one snapshot for the whole call,
  so an export or a caseload never mixes two moments;
* a server that cannot be reached, a wrong password or a missing database
  becomes one line naming the server and what to check, never a driver
  traceback (:func:`connection_problem`);
* erasing a client deletes the rows in one transaction, then VACUUMs the
  tables so the space they held is reclaimed (:func:`vacuum`).

Everything here is only called when the engine is PostgreSQL.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError

from ..errors import NextRoundError
from ..i18n import _

#: Isolation of write transactions, and of read ones.
WRITE_ISOLATION = "SERIALIZABLE"
READ_ISOLATION = "REPEATABLE READ"

#: SQLSTATEs that mean "this transaction lost a race; run it again":
#: serialization_failure and deadlock_detected.
RETRY_STATES = frozenset({"40001", "40P01"})
#: SQLSTATEs of a schema change that another process made first (duplicate
#: table, object or column). Serializable isolation does not cover the
#: catalog, so two processes opening a new database at once both try to
#: create its tables; the one that loses runs again, and then finds the
#: tables there (migrations check before they create).
SCHEMA_CLASH_STATES = frozenset({"42P07", "42710", "42701"})

#: What a failed connection asks the person to check, by the server's reason.
#: libpq reports these before a session exists, so there is no SQLSTATE to
#: go by: the reason's words are matched instead.
_CONNECT_HINTS = (
    ("password authentication failed", "check the user name and password in the database URL"),
    ("no password supplied", "add the password to the database URL"),
    ("role", "check the user name in the database URL"),
    ("pg_hba.conf", "ask the server's administrator to let this user connect from here"),
    ("database", "create the database first (createdb), or check its name in the URL"),
    ("starting up", "the server is starting up or shutting down; try again in a moment"),
    ("shutting down", "the server is starting up or shutting down; try again in a moment"),
    ("too many clients", "the server has no free connections; try again in a moment"),
)
_UNREACHABLE_HINT = ("check that the PostgreSQL server is running and that the host and port "
                     "in the database URL are right")


@dataclass(frozen=True)
class PostgresSettings:
    """How long a write keeps retrying after losing races to other writers.

    A write is retried until it commits or ``retry_seconds`` have passed; the
    pause before each retry is random, between zero and a cap that doubles
    from ``first_pause_seconds`` up to ``max_pause_seconds``, so writers that
    clashed once do not clash again in step.
    """

    retry_seconds: float = 60.0
    first_pause_seconds: float = 0.002
    max_pause_seconds: float = 0.1

    def pause(self, attempt: int) -> float:
        """The pause before retry number ``attempt`` (0 for the first)."""
        cap = min(self.max_pause_seconds, self.first_pause_seconds * 2**attempt)
        return random.uniform(0, cap)


def driver_url(url: URL) -> URL:
    """``postgresql://`` means psycopg (version 3), the driver NextRound installs;
    SQLAlchemy would otherwise look for psycopg2."""
    if url.drivername == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    return url


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE code PostgreSQL gave for an error, if any."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    return getattr(orig, "sqlstate", None)


def should_retry(exc: BaseException) -> bool:
    """True when a transaction was refused only because a concurrent one won:
    a serialization failure, a deadlock, or a schema change made first by
    another process (including the duplicate key in PostgreSQL's own catalog,
    ``pg_type`` or ``pg_class``, that a table created at the same moment gives).
    A duplicate key in NextRound's own tables is a real clash, never retried."""
    state = sqlstate(exc)
    if state in RETRY_STATES or state in SCHEMA_CLASH_STATES:
        return True
    if state == "23505":
        orig = exc.orig if isinstance(exc, DBAPIError) else exc
        constraint = getattr(getattr(orig, "diag", None), "constraint_name", None) or ""
        return constraint.startswith("pg_")
    return False


def where(url: URL) -> str:
    """The server and database a URL names, without the password."""
    host = url.host or "localhost"
    port = f":{url.port}" if url.port else ""
    return f"{host}{port}/{url.database or ''}"


def _reason(exc: BaseException) -> str:
    """The driver's reason, in one line: the part after its last ``: ``."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    if not lines:
        return type(orig).__name__
    return lines[0].rsplit(": ", 1)[-1].strip().rstrip(".")


def connection_problem(url: URL, exc: BaseException) -> NextRoundError:
    """One line for a connection that failed: which server, why, what to check."""
    reason = _reason(exc)
    hint = next((hint for words, hint in _CONNECT_HINTS if words in reason), _UNREACHABLE_HINT)
    return NextRoundError(f"cannot connect to the PostgreSQL database {where(url)} as "
                          f"{url.username or 'the default user'} ({reason}); {hint}")


def lost_connection(url: URL, exc: BaseException) -> NextRoundError:
    """One line for a connection lost in the middle of a call."""
    return NextRoundError(f"lost the connection to the PostgreSQL database {where(url)} "
                          f"({_reason(exc)}); the last change may not have been saved: "
                          "check that the server is running, then try again")


def still_clashing(seconds: float) -> NextRoundError:
    """A write that kept losing races for the whole retry budget."""
    return NextRoundError(_("The database stayed busy for {seconds} s with other people's "
                            "changes; nothing was saved, please try again in a "
                            "moment.").format(seconds=f"{seconds:.0f}"))


def vacuum(engine: Engine, tables: list[str]) -> None:
    """Reclaim the space of deleted rows, outside any transaction (as VACUUM must be).

    Only the rows no open transaction can still see are removed: a snapshot
    older than the erase keeps them until it ends, and autovacuum removes
    them later. A database user who does not own the tables gets a warning
    from PostgreSQL and nothing is vacuumed; the rows are deleted either way.
    """
    preparer = engine.dialect.identifier_preparer
    names = ", ".join(preparer.quote(name) for name in tables)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"VACUUM {names}")
