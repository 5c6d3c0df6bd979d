"""Looking at a database from outside the store: its rows and its schema records.

Migration and ``nextround db`` tests compare a database before and after with
plain SQLAlchemy, so the store under test never reports on itself.
"""

from __future__ import annotations

from sqlalchemy import create_engine, func, inspect, select, text

from nextround.store import TABLES
from nextround.store.connection import Database, url_for
from nextround.store.migrations import SchemaState, read_state


def state_of(url: str) -> SchemaState:
    """Both records of the schema (``schema_version``, Alembic's), read without migrating."""
    database = Database(url_for(url))
    try:
        return database.read(read_state)
    finally:
        database.close()


def every_row(url: str, *, leave_out: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every table but ``leave_out``, as the driver returns them, sorted."""
    engine = create_engine(url_for(url))
    try:
        with engine.connect() as conn:
            names = [n for n in inspect(conn).get_table_names() if n not in leave_out]
            return {name: sorted(conn.execute(text(f'SELECT * FROM "{name}"')).all(), key=repr)
                    for name in names}
    finally:
        engine.dispose()


def record_counts(url: str) -> dict[str, int]:
    """The number of rows in each record table."""
    engine = create_engine(url_for(url))
    try:
        with engine.connect() as conn:
            return {name: conn.execute(select(func.count()).select_from(table)).scalar()
                    for name, table in TABLES.items()}
    finally:
        engine.dispose()


def execute(url: str, *statements: str) -> None:
    """Run SQL on the database directly, in one transaction."""
    engine = create_engine(url_for(url))
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def add_client_as_version_1_did(url: str, name: str, client_id: str = "c0ffee000001") -> str:
    """Write a client row with only the columns schema version 1 had, as the
    release of that time did: today's store would also write later columns."""
    execute(url, "INSERT INTO clients (id, name, created_at, seq) VALUES "
                 f"('{client_id}', '{name}', '2025-01-01T09:00:00.000000+00:00', 1)")
    return client_id


def as_written_before_alembic(url: str) -> None:
    """Make a database exactly as the release before Alembic left it.

    That release ran the same migration functions and recorded each in
    ``schema_version``; the one thing it did not have is Alembic's table.
    (The SQLite file in ``tests/data/store`` was really written by it.)
    """
    execute(url, "DROP TABLE alembic_version")


def first_columns(rows: list[tuple], old_rows: list[tuple]) -> list[tuple]:
    """Rows cut to the columns the old rows had (later migrations add columns last)."""
    width = len(old_rows[0]) if old_rows else 0
    return [row[:width] for row in rows]


def added_values(rows: list[tuple], old_rows: list[tuple]) -> set:
    """Every value in the columns migrations added after the old rows were written."""
    width = len(old_rows[0]) if old_rows else 0
    return {value for row in rows for value in row[width:]}
