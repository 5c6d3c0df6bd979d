"""The tables, generated from the record models of :mod:`nextround.model`.

There is one description of the data: each pydantic model gives its table's
columns (name, type, whether it may be empty), and the rules a model class
declares (``list_order``, ``unique_together``, ``client_entry``,
``when_application_deleted``, ``label``) give its indexes, its listing order
and what the store does around it. Migrations create these same tables, so
adding a field to a model and a migration that adds its column is all a
schema change takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, Table, Text, TypeDecorator

from .. import model
from ..errors import NextRoundError
from .columns import JsonValue, UtcDateTime, column_type

#: Every table and the record type it holds; ``clients`` first, then the
#: children in export order.
RECORDS: dict[str, type[model.Record]] = {"clients": model.Client, **model.CHILD_RECORDS}

#: Each table's model fields, in order: looked up once, since reading a
#: caseload builds tens of thousands of records.
FIELDS: dict[str, tuple[str, ...]] = {name: tuple(record_type.model_fields)
                                      for name, record_type in RECORDS.items()}

#: What a person calls one row of each table, for messages.
LABELS: dict[str, str] = {name: record_type.label for name, record_type in RECORDS.items()}

#: Validation context for records read back: limits on new text do not apply.
STORED = {"stored": True}


def record_columns(record_type: type[model.Record], leave_out: frozenset[str] = frozenset()
                   ) -> list[Column]:
    """The columns of one record type's table, in model order, then ``seq``.

    Every table has ``seq``, the order rows were inserted in, which breaks
    ties when listing. ``leave_out`` names columns a later migration adds.
    """
    columns = []
    for field, info in record_type.model_fields.items():
        if field in leave_out:
            continue
        sql_type, nullable = column_type(info.annotation)
        extra: list[Any] = [ForeignKey("clients.id")] if field == "client_id" else []
        columns.append(Column(field, sql_type, *extra, primary_key=field == "id",
                              nullable=nullable))
    return [*columns, Column("seq", Integer, nullable=False)]


def build_tables(metadata: MetaData, leave_out: Mapping[str, frozenset[str]] | None = None
                 ) -> dict[str, Table]:
    """One table per record type, with its owner and link indexes and unique rules."""
    leave_out = leave_out or {}
    tables = {}
    for name, record_type in RECORDS.items():
        table = Table(name, metadata,
                      *record_columns(record_type, leave_out.get(name, frozenset())))
        for linked in ("client_id", "application_id"):
            if linked in table.c:
                Index(f"ix_{name}_{linked}", table.c[linked])
        for rule, fields in record_type.unique_together.items():
            Index(f"ux_{name}_{rule}", *(table.c[field] for field in fields), unique=True)
        tables[name] = table
    return tables


METADATA = MetaData()
#: The record tables as the current version has them.
TABLES: dict[str, Table] = build_tables(METADATA)

#: Store-wide settings, such as the client the app last opened (JSON values).
SETTINGS_TABLE = Table(
    "settings", METADATA,
    Column("key", Text, primary_key=True),
    Column("value", JsonValue, nullable=False),
)

#: One row per migration applied (see :mod:`nextround.store.migrations`).
SCHEMA_VERSION_TABLE = Table(
    "schema_version", MetaData(),
    Column("version", Integer, primary_key=True),
    Column("applied_at", Text, nullable=False),
)

#: The times that mark a client's own entries, as ``(table, field)``: every
#: datetime field of the records that are the client's own entries.
ENTRY_TIMES: tuple[tuple[Table, str], ...] = tuple(
    (TABLES[name], field) for name, record_type in RECORDS.items()
    if record_type.client_entry
    for field, info in record_type.model_fields.items()
    if column_type(info.annotation)[0] is UtcDateTime)

#: The tables whose records name an application, and what deleting it does to them.
APPLICATION_LINKS: dict[str, str] = {
    name: record_type.when_application_deleted for name, record_type in RECORDS.items()
    if "application_id" in record_type.model_fields}


def _check_application_rules() -> None:
    """Every record that names an application says what deleting it does."""
    missing = [name for name, rule in APPLICATION_LINKS.items() if rule is None]
    if missing:
        raise TypeError(f"set when_application_deleted on the records of {missing}")


_check_application_rules()


def table_of(record_type: type) -> str:
    """The table that holds one record type."""
    for name, candidate in RECORDS.items():
        if candidate is record_type:
            return name
    raise TypeError(f"{record_type!r} is not a NextRound record type")


def child_table(record_type: type) -> str:
    """The table of a child record type; clients have their own methods."""
    name = table_of(record_type)
    if name == "clients":
        raise TypeError("use the *_client methods for clients")
    return name


def ordering(name: str) -> list[Any]:
    """The deterministic order a table's records are listed in: the model's
    ``list_order`` (empty values last), then insertion order, then id."""
    table = TABLES[name]
    keys: list[Any] = []
    for field in RECORDS[name].list_order:
        column = table.c[field]
        keys += [column.is_(None), column] if column.nullable else [column]
    return [*keys, table.c.seq, table.c.id]


# --- records to rows and back --------------------------------------------------


def values_of(record: model.Record) -> dict[str, Any]:
    """A record's field values, keyed by column (without the bookkeeping ``seq``)."""
    return {field: getattr(record, field) for field in FIELDS[table_of(type(record))]}


def from_row(name: str, row: Mapping[str, Any]) -> Any:
    """A table row (already decoded by its column types) as its record."""
    data = {field: row[field] for field in FIELDS[name]}
    return RECORDS[name].model_validate(data, context=STORED)


#: For each table, each field and the column type that converts it (None: kept
#: as it is). Looked up once: seeding a caseload normalises thousands of records.
_CONVERSIONS: dict[str, tuple[tuple[str, TypeDecorator | None], ...]] = {
    name: tuple((field, table.c[field].type if isinstance(table.c[field].type, TypeDecorator)
                 else None) for field in FIELDS[name])
    for name, table in TABLES.items()}


def normalize(record: Any, *, stamp: bool = False) -> Any:
    """The record exactly as the store will give it back (UTC times, JSON values).

    Each value goes through its column type both ways, as a write and a later
    read would. A value the column cannot hold (an object, NaN) is refused
    here, in plain words, before anything is written. With ``stamp``, a
    record that keeps an entry time and has none gets the current one.
    """
    name = table_of(type(record))
    row = {}
    for field, sql_type in _CONVERSIONS[name]:
        value = getattr(record, field)
        if stamp and field == "updated_at" and value is None:
            value = model.utcnow()
        if sql_type is not None:
            try:
                stored = sql_type.process_bind_param(value, None)
            except (TypeError, ValueError) as exc:
                raise NextRoundError(f"This value cannot be saved: {exc} (in {field})"
                                     ) from exc
            value = sql_type.process_result_value(stored, None)
        row[field] = value
    return RECORDS[name].model_validate(row, context=STORED)
