"""A client's whole work out of the store and back in, all or nothing.

What a valid workbook file holds is the workbook format's business
(:func:`nextround.exports.validate_records`); this module reads a client in
one snapshot and writes an imported one in one transaction, deciding what
happens when the client is already here.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy.engine import Connection

from .. import model
from ..errors import ClientExists, NextRoundError
from .rows import delete_client_rows, exists, fetch, id_clashes, insert_records, select_for_client
from .schema import normalize

#: What importing does with a client who is already in the store.
Existing = Literal["refuse", "replace", "separate"]


def client_records(conn: Connection, client_id: str, include_notes: bool
                   ) -> tuple[model.Client, dict[str, list[model.Record]]]:
    """A client and all their records, as stored (notes only if asked for)."""
    client = fetch(conn, "clients", client_id)
    records = {name: select_for_client(conn, name, client_id) for name in model.CHILD_RECORDS
               if name != "notes" or include_notes}
    return client, records


def read_client(conn: Connection, client_id: str, include_notes: bool) -> dict[str, Any]:
    """A client and all their records as JSON-ready data (notes only if asked for)."""
    client, records = client_records(conn, client_id, include_notes)
    data: dict[str, Any] = {"client": client.model_dump(mode="json")}
    for name, items in records.items():
        data[name] = [r.model_dump(mode="json") for r in items]
    return data


def prepare_import(data: Any, existing: Existing
                   ) -> tuple[model.Client, dict[str, list[model.Record]]]:
    """Validate exported data and normalise it as the store keeps it, before any write."""
    from ..exports import validate_records  # the workbook format, loaded only to import

    if existing not in ("refuse", "replace", "separate"):
        raise ValueError(f"unknown choice for an existing client: {existing!r}")
    client, records = validate_records(data)
    client = _storable(client, "client")
    records = {name: [_storable(r, f"{name}[{n}]") for n, r in enumerate(items)]
               for name, items in records.items()}
    if existing == "separate":
        client, records = as_new_client(client, records)
    return client, records


def _storable(record: model.Record, where: str) -> model.Record:
    """A record as the store keeps it, or the file's problem saying where it is."""
    from ..exports import import_error

    try:
        return normalize(record)
    except NextRoundError as exc:
        raise import_error([f"{where}: {exc}"]) from None


def write_client(conn: Connection, client: model.Client,
                 records: dict[str, list[model.Record]], existing: Existing) -> model.Client:
    """Write an imported client (inside the caller's transaction)."""
    from ..exports import import_error

    if exists(conn, "clients", client.id):
        if existing != "replace":
            raise ClientExists(
                f"This client ({client.name}) is already in the store; erase them "
                "first, or import the file into a different store. Nothing was "
                "written.", name=client.name, client_id=client.id)
        delete_client_rows(conn, client.id)
    clashes = id_clashes(conn, records)
    if clashes:
        raise import_error(clashes)
    insert_records(conn, "clients", [client])
    for name, items in records.items():
        insert_records(conn, name, items)
    return client


def as_new_client(client: model.Client, records: dict[str, list[model.Record]]
                  ) -> tuple[model.Client, dict[str, list[model.Record]]]:
    """The same work under fresh ids: a second client, added now, beside the first.

    Every record gets a new id; links to applications (and the remembered
    rejection being worked on) follow them.
    """
    fresh = client.model_copy(update={"id": model.new_id(), "created_at": model.utcnow()})
    new_app_ids = {app.id: model.new_id() for app in records.get("applications", [])}
    copied: dict[str, list[model.Record]] = {}
    for name, items in records.items():
        out = []
        for record in items:
            changes: dict[str, Any] = {"id": (new_app_ids[record.id] if name == "applications"
                                              else model.new_id()),
                                       "client_id": fresh.id}
            linked = getattr(record, "application_id", "")
            if linked:
                changes["application_id"] = new_app_ids.get(linked, linked)
            value = getattr(record, "value", None)
            if name == "answers" and isinstance(value, str) and value in new_app_ids:
                changes["value"] = new_app_ids[value]
            out.append(record.model_copy(update=changes))
        copied[name] = out
    return fresh, copied
