"""Persistence for client workbooks, behind one small interface.

Components and the CLI talk to :class:`Store` only; none of them sees SQL.
The records are the pydantic models of :mod:`nextround.model`, and the
tables are generated from those models, so there is one description of the
data. What the store promises:

* **Every write is one transaction.** A failed write leaves nothing behind.
* **Concurrent writers wait rather than fail.** On SQLite the database runs
  in WAL mode with a busy timeout, and every write transaction starts with
  ``BEGIN IMMEDIATE`` so two writers never deadlock on a lock upgrade (the
  cause of most "database is locked" errors). A last-resort retry covers
  what is left. On PostgreSQL every write is ``SERIALIZABLE`` and is run
  again when a concurrent one wins the race (:mod:`.postgres`).
* **Committed writes survive a crash** (``synchronous=FULL``; on PostgreSQL,
  the server's write-ahead log).
* **Problems are one line.** A damaged file, a server that cannot be
  reached or a wrong password is a :class:`~nextround.errors.NextRoundError`
  naming the database and what to check, never a driver traceback.
* **Schema changes are migrations** (:data:`MIGRATIONS`), applied through
  Alembic in one transaction; a database written by a newer NextRound is
  refused rather than damaged.
* **Erasing a client leaves no trace** of their data in the database files
  (``secure_delete``, then VACUUM and a WAL checkpoint), but the audit log's
  "erased" event, which names them by their random id only (:mod:`.audit`).
  On PostgreSQL the rows are deleted and the tables vacuumed; the server's
  own files, WAL and backups are the administrator's (``docs/deploy.md``).
* **The audit log is append-only** (:mod:`.audit`): events are recorded and
  read, never changed; the database's own triggers refuse it.

The parts, each its own module:

* :mod:`.connection`: where the database lives, and one transaction per call;
* :mod:`.sqlite`: pragmas, write locks, private files, erasing traces;
* :mod:`.postgres`: isolation, retries, connection errors, vacuuming;
* :mod:`.columns` and :mod:`.schema`: tables generated from the models;
* :mod:`.migrations`: numbered schema changes, and :mod:`.revisions`, the
  Alembic that applies them (loaded only when a database is behind);
* :mod:`.audit`: the audit log, and a visit's record of what it opened and changed;
* :mod:`.repository`: :class:`Store`, with :mod:`.rows`, :mod:`.answers`
  and :mod:`.transfer` as its steps;
* :mod:`.people`: who signs in and which counsellor each client has;
* :mod:`.access`: on PostgreSQL, a role per person and row-level security on
  every table (``docs/access.md``).
* :mod:`.copying`: every client of one store into another that holds none.

Example::

    store = Store("/tmp/example.db")
    client = store.create_client("Ada")
    store.set_answer(client.id, "strengths", "clear stories")
    store.answers(client.id)            # {'strengths': 'clear stories'}
"""

from __future__ import annotations

from .answers import STATE_PREFIX
from .connection import Database, NoDatabase, default_db_url, default_target, sqlite_file
from .migrations import MIGRATIONS
from .repository import Store
from .schema import (
    ENTRY_TIMES,
    LABELS,
    RECORDS,
    SCHEMA_VERSION_TABLE,
    SETTINGS_TABLE,
    TABLES,
)
from .sqlite import (
    BUSY_TIMEOUT_MS,
    FILE_MODE,
    FOLDER_MODE,
    LOCK_RETRIES,
    SQLITE_PRAGMAS,
    SQLiteSettings,
)

__all__ = [
    "BUSY_TIMEOUT_MS", "ENTRY_TIMES", "FILE_MODE", "FOLDER_MODE", "LABELS", "LOCK_RETRIES",
    "MIGRATIONS", "RECORDS", "SCHEMA_VERSION_TABLE", "SETTINGS_TABLE", "SQLITE_PRAGMAS",
    "STATE_PREFIX", "TABLES", "Database", "NoDatabase", "SQLiteSettings", "Store",
    "default_db_url", "default_target", "sqlite_file",
]
