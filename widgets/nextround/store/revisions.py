"""Alembic, run from inside NextRound: no ``alembic.ini``, nothing for a user to set up.

The revision files and ``env.py`` ship in the package (``alembic_scripts/``);
this module points Alembic at them and hands it the connection of one write
transaction, so an upgrade commits whole or not at all. It is imported only
when a database is behind (see :func:`nextround.store.migrations.migrate`):
loading Alembic takes a few tenths of a second, which opening an up-to-date
database should not pay.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from .connection import Database
from .migrations import read_state, refuse_if_newer, revision_id

#: Alembic's script directory: ``env.py`` and ``versions/``, one file per migration.
SCRIPTS = Path(__file__).with_name("alembic_scripts")

#: The PostgreSQL advisory lock one upgrader holds at a time (any fixed number
#: works; this one spells "nxrd").
UPGRADE_LOCK = 0x6E787264


def alembic_config(conn: Connection | None = None) -> Config:
    """Alembic's configuration, made in code; ``env.py`` migrates ``conn``."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = conn
    return config


def script_directory() -> ScriptDirectory:
    """The revisions that ship with this version."""
    return ScriptDirectory.from_config(alembic_config())


def upgrade(database: Database, target: int) -> None:
    """Bring ``database`` to migration ``target``, in one write transaction.

    The state is read again inside the transaction, after the write lock is
    held (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's advisory lock), so of
    several processes upgrading at once the first does the work and the
    others find nothing left to do. A database written before NextRound used
    Alembic has its schema version recorded as the matching revision first.
    """
    with _one_upgrader(database):
        database.write(lambda conn: _upgrade_on(conn, target))


def _upgrade_on(conn: Connection, target: int) -> None:
    state = read_state(conn)
    refuse_if_newer(state, target)
    if state.is_at(target):
        return
    config = alembic_config(conn)
    if state.revision is None and state.version > 0:
        command.stamp(config, revision_id(state.version))
    command.upgrade(config, revision_id(target))


@contextlib.contextmanager
def _one_upgrader(database: Database) -> Iterator[None]:
    """On PostgreSQL, hold a session advisory lock while upgrading.

    A session lock, taken and released outside the upgrade's transaction,
    so the upgrade reads what the previous holder committed whatever the
    isolation level. SQLite needs nothing: the write transaction itself
    starts with the database's write lock.
    """
    if database.engine.dialect.name != "postgresql":
        yield
        return
    with database.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": UPGRADE_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": UPGRADE_LOCK})
            conn.commit()
