"""Schema changes, as numbered migrations that Alembic applies.

Each migration is a function here (:data:`MIGRATIONS`), and each has an
Alembic revision file that calls it (``alembic_scripts/versions/``): revision
``"0001"`` applies migration 1, and so on. A database records how far it
got twice: in Alembic's ``alembic_version`` table, and in ``schema_version``,
one row per migration, which is what NextRound read before Alembic and so
what keeps an older NextRound from opening (and damaging) a newer database.

Opening a database reads both without importing Alembic. Only a database
that is behind (a new one, an older one, or one written before Alembic that
is yet to have its revision recorded) loads Alembic to upgrade it, in one
transaction: a failed or interrupted upgrade leaves the database as it was.
A database that has had more migrations than this version knows is refused
untouched.

Migration 1 creates the tables generated from the models, less the columns
that later migrations add (:data:`ADDED_COLUMNS`). So a new field needs a new
migration that adds its column and names it there; the shipped migrations
keep making exactly what they always made (a test compares their output
with the schema text the earlier versions wrote).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import MetaData, func, insert, inspect, select
from sqlalchemy.engine import Connection

from .. import model
from ..errors import NextRoundError
from .columns import datetime_text
from .connection import Database
from .schema import (
    PEOPLE_TABLES,
    SCHEMA_VERSION_TABLE,
    SETTINGS_TABLE,
    TABLES,
    build_people_tables,
    build_table,
    build_tables,
    partial_unique_indexes,
    unique_index_name,
)

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
    6: {
        "clients": ("language",),
        "people": ("login",),
    },
}

#: Unique rules on columns a migration adds, made by that migration:
#: ``{migration number: {table: (rule, ...)}}``.
ADDED_UNIQUE_RULES: dict[int, dict[str, tuple[str, ...]]] = {
    6: {"people": ("login",)},
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
                current = TABLES.get(table, PEOPLE_TABLES.get(table))
                sql_type = current.c[column].type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {preparer.quote(table)} "
                                     f"ADD COLUMN {preparer.quote(column)} {sql_type}")

        for table, rules in ADDED_UNIQUE_RULES.get(number, {}).items():
            for rule in rules:
                fields = model.PEOPLE_RECORDS.get(table, model.Client).unique_together[rule]
                conn.exec_driver_sql(
                    f"CREATE UNIQUE INDEX {unique_index_name(table, rule)} ON "
                    f"{preparer.quote(table)} ({', '.join(map(preparer.quote, fields))})")

    migrate.__doc__ = ADDED_COLUMN_PURPOSES[number]
    return migrate


#: What each :func:`_add_columns` migration is for, in a sentence.
ADDED_COLUMN_PURPOSES = {
    3: "Add the interview date and when the client last changed each record.",
    6: "Add the name each person signs in with at a hub, and each client's language.",
}


def _migration_4(conn: Connection) -> None:
    """Add people (who signs in, with their database role) and the assignment of
    clients to counsellors. Both start empty: a store where nobody signs in
    keeps working exactly as before."""
    metadata = MetaData()
    build_tables(metadata)  # the clients table the new links name
    people = build_people_tables(metadata, leave_out=_added_later())
    metadata.create_all(conn, tables=list(people.values()))
    for statement in partial_unique_indexes():
        conn.exec_driver_sql(statement)


def _migration_5(conn: Connection) -> None:
    """Add the append-only audit log (see :mod:`nextround.store.audit`)."""
    from .audit import create_table

    create_table(conn, build_table(MetaData(), "audit_log", model.AuditEvent,
                                   _added_later().get("audit_log", frozenset())))


#: Schema migrations, in order; migration ``n`` (1-based) brings a database
#: to schema version ``n``. Append only: never edit one that has shipped.
MIGRATIONS: list[Migration] = [_migration_1, _migration_2, _add_columns(3), _migration_4,
                               _migration_5, _add_columns(6)]

#: The table where Alembic records the revision a database is at.
ALEMBIC_VERSION_TABLE = "alembic_version"


def revision_id(number: int) -> str:
    """The Alembic revision that applies migration ``number``: ``0003`` for 3."""
    return f"{number:04d}"


def migration_number(revision: str) -> int | None:
    """The migration a revision id stands for, or None if it is not one of ours."""
    return int(revision) if len(revision) == 4 and revision.isdigit() else None


def apply_migration(conn: Connection, number: int) -> None:
    """Apply migration ``number`` and record it in ``schema_version``.

    Each revision file calls this with its own number. The recorded version
    must be the one before: anything else means the two records disagree,
    and going on would run a migration twice or skip one.
    """
    SCHEMA_VERSION_TABLE.create(conn, checkfirst=True)
    found = schema_version(conn)
    if found != number - 1:
        raise NextRoundError(
            f"This database records schema version {found} where migration {number} "
            f"expects {number - 1}: its two records of the schema disagree, so nothing "
            "was changed. Restore it from a backup.")
    MIGRATIONS[number - 1](conn)
    conn.execute(insert(SCHEMA_VERSION_TABLE).values(
        version=number, applied_at=datetime_text(model.utcnow())))


def schema_version(conn: Connection) -> int:
    """The highest migration recorded; 0 for a new database."""
    if not inspect(conn).has_table(SCHEMA_VERSION_TABLE.name):
        return 0
    return conn.execute(select(func.max(SCHEMA_VERSION_TABLE.c.version))).scalar() or 0


@dataclass(frozen=True)
class SchemaState:
    """How far a database's schema has come, as both of its records say.

    ``version`` is the highest row of ``schema_version`` (0: none);
    ``revision`` the Alembic revision recorded (None: none, as in a new
    database or one written before NextRound used Alembic).
    """

    version: int
    revision: str | None

    def is_at(self, number: int) -> bool:
        """True when both records say the schema has had exactly ``number`` migrations."""
        return self.version == number and self.revision == revision_id(number)

    def newest_known(self) -> int:
        """The number of migrations the database has had, by whichever record is ahead.

        A revision that is not one of ours counts as newer than anything.
        """
        if self.revision is None:
            return self.version
        number = migration_number(self.revision)
        return max(self.version, number if number is not None else 10_000)


def read_state(conn: Connection) -> SchemaState:
    """Both records of a database's schema, reading only (no Alembic needed)."""
    revision = None
    if inspect(conn).has_table(ALEMBIC_VERSION_TABLE):
        found = conn.exec_driver_sql(
            f"SELECT version_num FROM {ALEMBIC_VERSION_TABLE}").scalars().all()
        revision = max(found) if found else None
    return SchemaState(version=schema_version(conn), revision=revision)


def refuse_if_newer(state: SchemaState, known: int) -> None:
    """A database newer than this version is refused untouched, in plain words."""
    if state.newest_known() <= known:
        return
    if state.revision is not None and migration_number(state.revision) is None:
        raise NextRoundError(
            f"This database records the Alembic revision {state.revision!r}, which is not "
            "one of NextRound's; is it another application's database? Nothing was changed.")
    raise NextRoundError(
        f"This database was written by a newer version of NextRound (schema "
        f"version {state.newest_known()}; this version knows up to {known}). "
        "Upgrade NextRound to open it; nothing was changed.")


def target_of(migrations: Sequence[Migration]) -> int:
    """How many migrations to apply: ``migrations`` must be :data:`MIGRATIONS` or a
    prefix of it (tests make a database as an older version did)."""
    if list(migrations) != MIGRATIONS[:len(migrations)]:
        raise ValueError("migrations must be MIGRATIONS or a prefix of it")
    return len(migrations)


def migrate(database: Database, migrations: Sequence[Migration] = MIGRATIONS) -> SchemaState:
    """Bring the schema to the version of ``migrations``; the state it was found in.

    A database already there costs one read and never loads Alembic.
    Otherwise :func:`nextround.store.revisions.upgrade` runs, which re-reads
    the state inside its write transaction, so several processes opening a
    new database at once apply each migration once.
    """
    target = target_of(migrations)
    found = database.read(read_state)
    refuse_if_newer(found, target)
    if not found.is_at(target):
        from .revisions import upgrade  # Alembic, loaded only when there is work

        upgrade(database, target)
    return found
