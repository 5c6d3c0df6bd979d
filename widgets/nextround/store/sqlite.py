"""What the store does only on SQLite: pragmas, write locks, private files, erasing traces.

SQLite is the database of a single counsellor's machine and of Binder, so it
must be safe with several Jupyter kernels writing one file at once and must
keep client data private on disk. Everything here is a no-op question for a
server database; :class:`~nextround.store.connection.Database` only calls it
when the engine is SQLite.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError, OperationalError

from ..errors import NextRoundError

#: How long one SQLite connection waits for another's write lock.
BUSY_TIMEOUT_MS = 30_000
#: How long each attempt of the post-erase checkpoint waits for readers.
CHECKPOINT_WAIT_MS = 100
#: Extra attempts when SQLite still reports a lock after the busy timeout.
LOCK_RETRIES = 5

#: Client data is private: database files are readable by their owner only,
#: and a folder NextRound creates for them is the owner's alone.
FILE_MODE = 0o600
FOLDER_MODE = 0o700

#: The execution option that marks a connection's transaction as a write.
WRITE_OPTION = "nextround_write"


@dataclass(frozen=True)
class SQLiteSettings:
    """How the store uses an SQLite file.

    The defaults are what NextRound runs with. The fields exist so that tests
    can show what each promise rests on: ``lock_retries=1`` shows that
    ``BEGIN IMMEDIATE`` and the busy timeout alone keep concurrent writers from
    failing, and ``secure_delete=False`` that erasing still leaves no trace.
    """

    busy_timeout_ms: int = BUSY_TIMEOUT_MS
    secure_delete: bool = True
    lock_retries: int = LOCK_RETRIES

    @property
    def pragmas(self) -> tuple[str, ...]:
        """The statements each new connection runs, in order.

        WAL lets readers and a writer work at once; ``synchronous = FULL``
        makes a commit survive a crash; ``secure_delete`` zeroes deleted rows.
        """
        return (
            f"PRAGMA busy_timeout = {self.busy_timeout_ms}",
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = FULL",
            "PRAGMA foreign_keys = ON",
            f"PRAGMA secure_delete = {'ON' if self.secure_delete else 'OFF'}",
        )


#: The pragmas NextRound runs with.
SQLITE_PRAGMAS = SQLiteSettings().pragmas


def configure(engine: Engine, settings: SQLiteSettings) -> None:
    """Give an SQLite engine our pragmas and our transaction starts."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        """Take over transaction control from sqlite3 and set the pragmas we rely on."""
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in settings.pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", _on_begin)


def _on_begin(conn: Connection) -> None:
    """Writers take the write lock up front, so they queue instead of deadlocking
    on a lock upgrade (the cause of most "database is locked" errors)."""
    write = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def is_locked(exc: DatabaseError) -> bool:
    """True for SQLite's lock errors, the only ones worth retrying."""
    if not isinstance(exc, OperationalError):
        return False
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


def is_unreadable(exc: DatabaseError) -> bool:
    """True when SQLite cannot use the file at all (damaged, not SQLite, unopenable)."""
    text = str(getattr(exc, "orig", "")).lower()
    return any(part in text for part in ("file is not a database", "malformed",
                                         "unable to open", "disk i/o error",
                                         "file is encrypted"))


def damaged(path: Path | None, exc: DatabaseError) -> NextRoundError:
    """One line for a database file SQLite cannot read: what, which file, what to do."""
    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    where = str(path) if path is not None else "the database"
    if "unable to open" in reason:
        return NextRoundError(f"cannot open the database {where} ({reason}); check that "
                              "the path is a file you may write to")
    return NextRoundError(f"the database {where} is damaged or is not a NextRound database "
                          f"({reason}); restore it from a backup, or choose another file "
                          "with --db")


@contextlib.contextmanager
def private_umask():
    """SQLite creates the database, WAL and SHM files with the process umask;
    while a connection opens, that umask keeps them the owner's alone."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def make_private(path: Path) -> None:
    """Owner-only modes on a database file and its WAL and SHM companions."""
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal"):
        with contextlib.suppress(OSError):
            os.chmod(path.with_name(name), FILE_MODE)


def vacuum(engine: Engine) -> None:
    """Rebuild the database file from the rows that are left.

    ``secure_delete`` zeroes what this store deletes, but a database file
    also written by another SQLite tool (a restored backup, a file opened
    in a database browser) can keep old copies of rows in free pages.
    VACUUM writes a fresh file holding live rows only. It takes a few
    milliseconds for a typical caseload. If other writers keep the
    database busy past the busy timeout, the erase still stands: the
    rows are gone and zeroed, and only the rebuild is skipped.
    """
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            cursor.execute("VACUUM")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        finally:
            cursor.close()
    finally:
        raw.close()


def checkpoint(engine: Engine, settings: SQLiteSettings, attempts: int = 5,
               wait_ms: int = CHECKPOINT_WAIT_MS) -> bool:
    """Copy the WAL into the database and empty it, so erased rows stay erased.

    ``secure_delete`` has already zeroed the freed space; the checkpoint
    makes sure the old page images in the WAL are gone too. It runs
    outside any transaction, on the raw connection.

    A TRUNCATE checkpoint waits for readers through the busy handler, so
    the busy timeout is shortened while it runs: with another kernel in
    the middle of a long read, erasing takes about a second rather than
    minutes. The reader's snapshot still holds the erased rows, so they
    cannot leave the files until it ends; the store's next write tries
    again (and SQLite empties the WAL when the last connection closes).
    Returns True once the WAL is empty.
    """
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {wait_ms}")
        try:
            for attempt in range(attempts):
                busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if not busy:
                    return True
                if attempt + 1 < attempts:
                    time.sleep(0.1)
            return False
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {settings.busy_timeout_ms}")
            cursor.close()
    finally:
        raw.close()
