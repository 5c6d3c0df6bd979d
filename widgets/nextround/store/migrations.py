"""Schema changes, as numbered migrations applied one transaction at a time.

A database records which migrations it has had (``schema_version``). Opening
it applies the missing ones in order, and a database that has had more than
this version knows is refused untouched, so an older NextRound never damages
a newer one's data.

Migration 1 creates the tables generated from the models, less the columns
that later migrations add (:data:`ADDED_COLUMNS`). So a new field needs a new
migration that adds its column and names it there; the shipped migrations
keep making exactly what they always made (a test compares their output
with the schema text the earlier versions wrote).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import MetaData, func, insert, select
from sqlalchemy.engine import Connection

from .. import model
from ..errors import NextRoundError
from .columns import datetime_text
from .connection import Database
from .schema import SCHEMA_VERSION_TABLE, SETTINGS_TABLE, TABLES, build_table, build_tables

Migration = Callable[[Connection], None]

#: Columns added after migration 1, by the migration that adds them:
#: ``{migration number: {table: (column, ...)}}``. Migration 1 leaves them out.
ADDED_COLUMNS: dict[int, dict[str, tuple[str, ...]]] = {
    3: {
        "applications": ("interview_on", "updated_at"),
        "feedback": ("updated_at",),
        "thoughts": ("updated_at",),
        "actions": ("updated_at",),
        "contacts": ("updated_at",),
    },
}


def _added_later() -> dict[str, frozenset[str]]:
    """For each table, every column a migration after the first adds."""
    later: dict[str, set[str]] = {}
    for tables in ADDED_COLUMNS.values():
        for table, columns in tables.items():
            later.setdefault(table, set()).update(columns)
    return {table: frozenset(columns) for table, columns in later.items()}


def _migration_1(conn: Connection) -> None:
    """Create the first schema: one table per record type, indexed by owner."""
    tables = build_tables(MetaData(), leave_out=_added_later())
    next(iter(tables.values())).metadata.create_all(conn)


def _migration_2(conn: Connection) -> None:
    """Add store-wide settings, such as the client the app last opened."""
    SETTINGS_TABLE.create(conn, checkfirst=True)


def _add_columns(number: int) -> Migration:
    """A migration that adds the columns :data:`ADDED_COLUMNS` lists under ``number``.

    Values already kept are unknown for the new columns, so they stay NULL
    rather than pretending everything was entered today.
    """

    def migrate(conn: Connection) -> None:
        preparer = conn.dialect.identifier_preparer
        for table, columns in ADDED_COLUMNS[number].items():
            for column in columns:
                sql_type = TABLES[table].c[column].type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {preparer.quote(table)} "
                                     f"ADD COLUMN {preparer.quote(column)} {sql_type}")

    migrate.__doc__ = "Add the interview date and when the client last changed each record."
    return migrate


def _migration_5(conn: Connection) -> None:
    """Add the append-only audit log (see :mod:`nextround.store.audit`)."""
    from .audit import create_table

    create_table(conn, build_table(MetaData(), "audit_log", model.AuditEvent,
                                   _added_later().get("audit_log", frozenset())))


#: Schema migrations, in order; migration ``n`` (1-based) brings a database
#: to schema version ``n``. Append only: never edit one that has shipped.
MIGRATIONS: list[Migration] = [_migration_1, _migration_2, _add_columns(3), _migration_5]


def schema_version(conn: Connection) -> int:
    """The highest migration recorded; 0 for a new database."""
    return conn.execute(select(func.max(SCHEMA_VERSION_TABLE.c.version))).scalar() or 0


def migrate(database: Database, migrations: Sequence[Migration] = MIGRATIONS) -> None:
    """Bring the schema to the version of ``migrations``, one transaction per step.

    Each step re-reads the version inside its write transaction, so several
    processes opening a new database at once apply each migration once.
    """
    database.write(lambda conn: SCHEMA_VERSION_TABLE.create(conn, checkfirst=True))
    if database.read(lambda conn: _check_version(conn, migrations)) == len(migrations):
        return
    while not database.write(lambda conn: _migrate_step(conn, migrations)):
        pass


def _check_version(conn: Connection, migrations: Sequence[Migration]) -> int:
    """The recorded version; a newer one than we know is refused, untouched."""
    version = schema_version(conn)
    if version > len(migrations):
        raise NextRoundError(
            f"This database was written by a newer version of NextRound (schema "
            f"version {version}; this version knows up to {len(migrations)}). "
            "Upgrade NextRound to open it; nothing was changed.")
    return version


def _migrate_step(conn: Connection, migrations: Sequence[Migration]) -> bool:
    """Apply the next migration; True once there is nothing left to do."""
    version = _check_version(conn, migrations)
    if version == len(migrations):
        return True
    migrations[version](conn)
    conn.execute(insert(SCHEMA_VERSION_TABLE).values(
        version=version + 1, applied_at=datetime_text(model.utcnow())))
    return False
