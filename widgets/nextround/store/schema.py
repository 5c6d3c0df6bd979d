"""The tables, generated from the record models of :mod:`nextround.model`.

There is one description of the data: each pydantic model gives its table's
columns (name, type, whether it may be empty), and the rules a model class
declares (``list_order``, ``unique_together``, ``client_entry``,
``when_application_deleted``, ``outlives_client``, ``label``) give its indexes, its listing order
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


def record_columns(record_type: type[model.Record], leave_out: frozenset[str] = frozenset(),
                   *, deferred_links: bool = False) -> list[Column]:
    """The columns of one record type's table, in model order, then ``seq``.

    Every table has ``seq``, the order rows were inserted in, which breaks
    ties when listing. ``leave_out`` names columns a later migration adds.
    With ``deferred_links`` the links to other tables are checked when the
    transaction commits, not at each statement: importing a workbook over
    a client deletes and writes the client row again in one transaction,
    and the people and assignments naming that client must survive it.
    """
    columns = []
    for field, info in record_type.model_fields.items():
        if field in leave_out:
            continue
        sql_type, nullable = column_type(info.annotation)
        linked = "clients.id" if field == "client_id" and not record_type.outlives_client else None
        target = record_type.links.get(field, linked)
        deferral = {"deferrable": True, "initially": "DEFERRED"} if deferred_links else {}
        extra: list[Any] = [ForeignKey(target, **deferral)] if target else []
        columns.append(Column(field, sql_type, *extra, primary_key=field == "id",
                              nullable=nullable))
    return [*columns, Column("seq", Integer, nullable=False)]


def build_table(metadata: MetaData, name: str, record_type: type[model.Record],
                leave_out: frozenset[str] = frozenset()) -> Table:
    """One record type's table, with its owner and link indexes and unique rules."""
    table = Table(name, metadata, *record_columns(record_type, leave_out))
    for linked in ("client_id", "application_id"):
        if linked in table.c:
            Index(f"ix_{name}_{linked}", table.c[linked])
    for rule, fields in record_type.unique_together.items():
        Index(f"ux_{name}_{rule}", *(table.c[field] for field in fields), unique=True)
    return table


def build_tables(metadata: MetaData, leave_out: Mapping[str, frozenset[str]] | None = None
                 ) -> dict[str, Table]:
    """One table per record type of a workbook (:data:`RECORDS`)."""
    leave_out = leave_out or {}
    return {name: build_table(metadata, name, record_type, leave_out.get(name, frozenset()))
            for name, record_type in RECORDS.items()}


def build_people_tables(metadata: MetaData,
                        leave_out: Mapping[str, frozenset[str]] | None = None
                        ) -> dict[str, Table]:
    """The tables of :data:`model.PEOPLE_RECORDS`, in ``metadata`` beside the clients
    table their links name, with their unique rules.

    ``leave_out`` names columns a later migration adds, as for
    :func:`build_tables`; a unique rule on such a column is left to it too.
    The ``unique_while_empty`` rules are :func:`partial_unique_indexes`.
    """
    tables = {}
    leave_out = leave_out or {}
    for name, record_type in model.PEOPLE_RECORDS.items():
        later = leave_out.get(name, frozenset())
        table = Table(name, metadata,
                      *record_columns(record_type, later, deferred_links=True))
        rules = {rule: fields for rule, fields in record_type.unique_together.items()
                 if not later.intersection(fields)}
        led_by_unique = {fields[0] for fields in rules.values()}
        for linked in ("client_id", *record_type.links):
            if linked not in led_by_unique:
                Index(f"ix_{name}_{linked}", table.c[linked])
        for rule, fields in rules.items():
            Index(unique_index_name(name, rule), *(table.c[f] for f in fields), unique=True)
        tables[name] = table
    return tables


def unique_index_name(table: str, rule: str) -> str:
    """The name of the index that keeps one of a table's unique rules."""
    return f"ux_{table}_{rule.replace(' ', '_')}"


def partial_unique_indexes() -> list[str]:
    """The ``unique_while_empty`` rules of the people tables, as DDL.

    A partial unique index: the fields are unique among the rows where the
    named field is empty (one open assignment per client). The statement is
    the same on SQLite and PostgreSQL, so it is written out rather than given
    to SQLAlchemy per dialect, which would load the PostgreSQL dialect for
    every user.
    """
    statements = []
    for name, record_type in model.PEOPLE_RECORDS.items():
        partial = getattr(record_type, "unique_while_empty", {})
        for rule, (fields, empty) in partial.items():
            statements.append(f"CREATE UNIQUE INDEX ux_{name}_{rule.replace(' ', '_')} ON "
                              f"{name} ({', '.join(fields)}) WHERE {empty} IS NULL")
    return statements


METADATA = MetaData()
#: The record tables as the current version has them.
TABLES: dict[str, Table] = build_tables(METADATA)
#: Who signs in, and which counsellor each client has had (not part of a workbook).
PEOPLE_TABLES: dict[str, Table] = build_people_tables(METADATA)

#: Store-wide settings, such as the client the app last opened (JSON values).
SETTINGS_TABLE = Table(
    "settings", METADATA,
    Column("key", Text, primary_key=True),
    Column("value", JsonValue, nullable=False),
)

#: The audit log: who opened, changed, exported, imported, erased or handed over
#: which client (see :mod:`nextround.store.audit`). Generated like the record
#: tables, but not one of them: it is no part of a workbook, and it outlives
#: the clients it names, so no API that writes a workbook reaches it.
AUDIT_TABLE = build_table(METADATA, "audit_log", model.AuditEvent)
#: The audit log's model fields, in order.
FIELDS_OF_AUDIT: tuple[str, ...] = tuple(model.AuditEvent.model_fields)

#: One row per migration applied (see :mod:`nextround.store.migrations`).
SCHEMA_VERSION_TABLE = Table(
    "schema_version", MetaData(),
    Column("version", Integer, primary_key=True),
    Column("applied_at", Text, nullable=False),
)

#: Who may reach the rows of the tables that no record model describes, by the
#: name of a rule of :mod:`nextround.store.access` (record tables declare theirs
#: on the model, as ``access``). Tables that other parts of NextRound add are
#: named here too, so that securing a database never leaves one open:
#: ``audit_log`` is written by everyone and read by supervisors, and the
#: migration bookkeeping is read by everyone and written by the owner only.
OTHER_TABLE_ACCESS: dict[str, str] = {
    "settings": "counsellors",
    "schema_version": "readable",
    "alembic_version": "readable",
    "audit_log": "audit",
}

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
