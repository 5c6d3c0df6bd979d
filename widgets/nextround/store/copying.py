"""Every client of one store copied into another that holds none.

This is how a counsellor's laptop database joins the organisation's: each
client is read as :func:`~nextround.store.transfer.client_records` exports
them and written as an import would (:func:`~nextround.store.transfer.write_client`),
ids and times kept, records as stored (they are not checked again against
the limits on new text). The target gets all of it in one transaction, or
nothing: it must hold no client, so nothing there is ever overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from .. import model
from ..errors import NextRoundError
from ..text import plural
from .repository import Store
from .schema import LABELS, SETTINGS_TABLE, TABLES
from .transfer import client_records, write_client


class TargetNotEmpty(NextRoundError):
    """The store to copy into already holds clients; nothing was written."""


@dataclass(frozen=True)
class CopyReport:
    """What a copy wrote: rows per table (clients first), and the settings.

    ``settings_kept`` names settings the target had already; its values stay.
    """

    counts: dict[str, int]
    settings_copied: int = 0
    settings_kept: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        """One sentence: "3 clients (5 applications, 2 notes) and 1 setting"."""

        records = [plural(count, LABELS[name]) for name, count in self.counts.items()
                   if name != "clients" and count]
        text = plural(self.counts.get("clients", 0), LABELS["clients"])
        if records:
            text += f" ({', '.join(records)})"
        text += f" and {plural(self.settings_copied, 'setting')}"
        if self.settings_kept:
            text += f"; the target's own {', '.join(self.settings_kept)} kept"
        return text


Everything = tuple[list[tuple[model.Client, dict[str, list[model.Record]]]], dict[str, Any]]


def copy_store(source: Store, target: Store) -> CopyReport:
    """Copy every client, all their records (notes included) and the settings.

    The source is read in one snapshot; the target is written in one
    transaction, after checking inside it that it holds no client.
    """
    clients, settings = source.database.read(_read_everything)
    return target.database.write(lambda conn: _write_everything(conn, clients, settings))


def _read_everything(conn: Connection) -> Everything:
    ids = conn.execute(select(TABLES["clients"].c.id).order_by(TABLES["clients"].c.seq))
    clients = [client_records(conn, client_id, include_notes=True) for client_id in ids.scalars()]
    settings = dict(conn.execute(select(SETTINGS_TABLE.c.key, SETTINGS_TABLE.c.value)).all())
    return clients, settings


def _write_everything(conn: Connection, clients: list, settings: dict[str, Any]) -> CopyReport:
    held = conn.execute(select(func.count()).select_from(TABLES["clients"])).scalar()
    if held:
        raise TargetNotEmpty(
            f"the target database already holds {plural(held, 'client')}; "
            "a copy only fills a database that holds none, so nothing was written")
    counts = dict.fromkeys(TABLES, 0)
    for client, records in clients:
        write_client(conn, client, records, "refuse")
        counts["clients"] += 1
        for name, items in records.items():
            counts[name] += len(items)
    present = set(conn.execute(select(SETTINGS_TABLE.c.key)).scalars())
    new = {key: value for key, value in settings.items() if key not in present}
    if new:
        conn.execute(insert(SETTINGS_TABLE), [{"key": k, "value": v} for k, v in new.items()])
    return CopyReport(counts=counts, settings_copied=len(new),
                      settings_kept=tuple(sorted(present & set(settings))))
