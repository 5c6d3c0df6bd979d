"""Reading and writing rows inside a transaction the caller holds.

The repository (:mod:`nextround.store.repository`) decides what one call
does; these functions are its steps. Each takes the open connection, so a
caller composes several of them into one transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from .. import model
from ..errors import NotFound
from ..i18n import N_, _
from .schema import (
    APPLICATION_LINKS,
    LABELS,
    RECORDS,
    TABLES,
    from_row,
    ordering,
    table_of,
    values_of,
)

#: What a page says when a record it shows has gone (another page deleted it), per kind of
#: record, each a sentence of its own for the catalogue.
NOT_FOUND = {
    "application": N_("No application with id {id} was found; it may have been deleted."),
    "feedback record": N_("No feedback record with id {id} was found; it may have been "
                          "deleted."),
    "answer": N_("No answer with id {id} was found; it may have been deleted."),
    "check-in": N_("No check-in with id {id} was found; it may have been deleted."),
    "thought record": N_("No thought record with id {id} was found; it may have been "
                         "deleted."),
    "action": N_("No action with id {id} was found; it may have been deleted."),
    "contact": N_("No contact with id {id} was found; it may have been deleted."),
    "note": N_("No note with id {id} was found; it may have been deleted."),
}


def not_found(name: str, record_id: Any) -> NotFound:
    """A plain message; the id is quoted and cut short, since it may come from a URL."""
    shown = repr(record_id) if len(str(record_id)) <= 40 else repr(str(record_id)[:40] + "…")
    if name == "clients":
        return NotFound(_("No client with id {id} was found; they may have been "
                          "erased.").format(id=shown))
    message = NOT_FOUND.get(LABELS[name])
    if message is None:  # records no page shows (people, audit events): English
        return NotFound(f"No {LABELS[name]} with id {shown} was found; it may have been "
                        "deleted.")
    return NotFound(_(message).format(id=shown))


def fetch(conn: Connection, name: str, record_id: str) -> Any:
    """One record by id, or :class:`NotFound`."""
    table = TABLES[name]
    row = conn.execute(select(table).where(table.c.id == record_id)).mappings().first()
    if row is None:
        raise not_found(name, record_id)
    return from_row(name, row)


def exists(conn: Connection, name: str, record_id: str) -> bool:
    table = TABLES[name]
    return conn.execute(select(table.c.id).where(table.c.id == record_id)).first() is not None


def require_client(conn: Connection, client_id: str) -> None:
    """Refuse a write for a client who is not here, with a plain message."""
    if not exists(conn, "clients", client_id):
        raise not_found("clients", client_id)


def check_links(conn: Connection, record: model.Record) -> None:
    """A record that names an application must name one of its own client's."""
    application_id = getattr(record, "application_id", "")
    if not application_id:
        return
    table = TABLES["applications"]
    query = select(table.c.id).where(table.c.id == application_id,
                                     table.c.client_id == record.client_id)
    if conn.execute(query).first() is None:
        raise NotFound(f"No application with id {application_id!r} was found "
                       "for this client.")


def table_name(record: model.Record) -> str:
    """The table a record goes in."""
    return table_of(type(record))


def check_batch(conn: Connection, name: str, records: list[Any]) -> None:
    """The checks :func:`require_client` and :func:`check_links` make, for many
    records at once: a few queries for the whole batch, not one per record.

    Call it once the clients and applications the batch names are inserted.
    """
    if name == "clients":
        return
    for client_id in sorted({r.client_id for r in records} - _present(conn, "clients", {
            r.client_id for r in records})):
        raise not_found("clients", client_id)
    linked = {r.application_id for r in records if getattr(r, "application_id", "")}
    owners = _owners(conn, linked)
    for record in records:
        application_id = getattr(record, "application_id", "")
        if application_id and owners.get(application_id) != record.client_id:
            raise NotFound(f"No application with id {application_id!r} was found "
                           "for this client.")


def _present(conn: Connection, name: str, ids: set[str]) -> set[str]:
    """The ids among ``ids`` that a table holds (asked 500 at a time)."""
    table, ordered, found = TABLES[name], sorted(ids), set()
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        found.update(conn.execute(select(table.c.id).where(table.c.id.in_(chunk))).scalars())
    return found


def _owners(conn: Connection, application_ids: set[str]) -> dict[str, str]:
    """The client of each application named (asked 500 at a time)."""
    table, ordered, owners = TABLES["applications"], sorted(application_ids), {}
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        query = select(table.c.id, table.c.client_id).where(table.c.id.in_(chunk))
        owners.update((app_id, client_id) for app_id, client_id in conn.execute(query))
    return owners


def insert_records(conn: Connection, name: str, records: list[Any]) -> None:
    """Insert records in order; ``seq`` keeps that order for listing."""
    if not records:
        return
    table = TABLES[name]
    base = conn.execute(select(func.coalesce(func.max(table.c.seq), 0))).scalar()
    rows = [{**values_of(record), "seq": base + n} for n, record in enumerate(records, 1)]
    conn.execute(insert(table), rows)


def select_for_client(conn: Connection, name: str, client_id: str, *conditions: Any
                      ) -> list[Any]:
    """A client's records of one table, in :func:`~nextround.store.schema.ordering` order."""
    table = TABLES[name]
    query = (select(table).where(table.c.client_id == client_id, *conditions)
             .order_by(*ordering(name)))
    return [from_row(name, row) for row in conn.execute(query).mappings()]


def equal_conditions(record_type: type, name: str, equal_filters: dict[str, Any]
                     ) -> list[Any]:
    """``field == value`` conditions on one table, refusing unknown fields."""
    table = TABLES[name]
    unknown = sorted(set(equal_filters) - set(RECORDS[name].model_fields))
    if unknown:
        raise TypeError(f"{record_type.__name__} has no field {', '.join(unknown)}")
    return [table.c[field] == value if value is not None else table.c[field].is_(None)
            for field, value in equal_filters.items()]


def untie_application(conn: Connection, application: model.Application) -> None:
    """Apply each linked table's ``when_application_deleted`` rule before the
    application goes, so no record is left pointing at nothing."""
    for name, rule in APPLICATION_LINKS.items():
        table = TABLES[name]
        linked = (table.c.client_id == application.client_id,
                  table.c.application_id == application.id)
        if rule == "delete":
            conn.execute(delete(table).where(*linked))
        else:
            conn.execute(update(table).where(*linked).values(application_id=""))


def delete_client_rows(conn: Connection, client_id: str) -> None:
    """Delete a client and every record of theirs (inside the caller's transaction)."""
    for name in reversed(model.CHILD_RECORDS):
        table = TABLES[name]
        conn.execute(delete(table).where(table.c.client_id == client_id))
    clients = TABLES["clients"]
    conn.execute(delete(clients).where(clients.c.id == client_id))


def id_clashes(conn: Connection, records: dict[str, list[Any]]) -> list[str]:
    """Problems for record ids the store already holds (for someone else)."""
    problems = []
    for name, items in records.items():
        taken = _present(conn, name, {r.id for r in items})
        problems += [f"{name}[{n}].id: a record with this id is already in the store"
                     for n, r in enumerate(items) if r.id in taken]
    return problems
