"""The audit log: who opened, changed, exported, imported, erased or handed over
which client's workbook, and when.

**Append-only.** The store can add an event (:meth:`Store.record_event
<nextround.store.Store.record_event>`) and read events
(:meth:`~nextround.store.Store.audit_events`); it has no way to change or
remove one. The database refuses it too, so a tool that goes round the
store cannot quietly rewrite history:

* on SQLite, triggers abort every ``UPDATE`` and ``DELETE`` of the table.
  SQLite has no users: whoever may write the file could drop the triggers,
  so there the log guards against mistakes and other programs, not against
  the file's owner;
* on PostgreSQL, a trigger refuses ``UPDATE``, ``DELETE`` and ``TRUNCATE``
  to every role but the table's owner (and roles acting as the owner, such
  as a superuser), who may still manage the log, for instance to apply a
  retention period. Another trigger fills ``db_user`` with ``current_user``
  on every insert, so a row always says which database role wrote it,
  whatever the program claimed.

**Privacy.** Erasing a client removes their workbook but not the log: the
log's point is to show what was done, erasing included. What stays is the
least that says so: the client's id (a random string that says nothing
about the person), who acted, when, the action, and a detail of a few fixed
words chosen by the program. An event never holds a name or anything the
client or counsellor typed, so after an erase the log holds nothing that
identifies the client unless someone kept the id beside their name, as an
exported workbook file does.

**One "changed" per client per visit.** Answers are saved a moment after
each pause in typing, so one visit makes hundreds of saves. The question the
log answers is who changed a client's work, and when; the first change of
each visit (:class:`Visit`) answers it, where a line per save would bury the
openings and erasures under keystrokes and grow the log without bound.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.engine import Connection

from .. import model
from .checks import validated
from .schema import AUDIT_TABLE, FIELDS_OF_AUDIT, STORED

#: The detail of an "imported" event, by what was done with a client already here.
IMPORT_DETAILS = {"refuse": "workbook file", "replace": "workbook file, replacing the work here",
                  "separate": "workbook file, as a new client"}

#: The SQLite triggers that make the table append-only.
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER audit_log_refuse_{operation.lower()} BEFORE {operation} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: {operation} is refused'); END"
    for operation in ("UPDATE", "DELETE"))

#: The PostgreSQL functions and triggers: changes refused but to the owner, and
#: ``db_user`` stamped by the server. No ``%`` in them (the driver's placeholder).
POSTGRESQL_TRIGGERS = (
    """CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
    BEGIN
        IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID),
                       'MEMBER') THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'the audit log is append-only: ' || TG_OP || ' is refused';
    END $$""",
    """CREATE TRIGGER audit_log_refuse_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()""",
    """CREATE TRIGGER audit_log_refuse_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()""",
    # The order events were written in, for everyone who may append (a counter
    # says nothing about anyone; the rows themselves stay hidden by row-level security).
    "CREATE SEQUENCE audit_log_order",
    "GRANT USAGE ON SEQUENCE audit_log_order TO PUBLIC",
    """CREATE FUNCTION audit_log_stamp_user() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    BEGIN
        NEW.db_user := current_user;
        NEW.seq := nextval('audit_log_order');
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER audit_log_stamp_user BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_stamp_user()""",
)


def create_table(conn: Connection, table: Table) -> None:
    """Create the audit log (``table``, with its indexes) and the triggers that keep
    it append-only."""
    table.create(conn)
    triggers = SQLITE_TRIGGERS if conn.dialect.name == "sqlite" else POSTGRESQL_TRIGGERS
    for statement in triggers:
        conn.exec_driver_sql(statement)


def new_event(action: str, client_id: str, *, actor: str, detail: str = ""
              ) -> model.AuditEvent:
    """An event as it will be kept, checked before anything is written."""
    return validated(model.AuditEvent, {"action": action, "client_id": client_id,
                                        "actor": actor, "detail": detail})


def insert_event(conn: Connection, event: model.AuditEvent) -> model.AuditEvent:
    """Append one event (inside the caller's transaction); returns it as kept.

    On PostgreSQL most roles may append to the log but not read it (row-level
    security: only supervisors read it), so nothing is read back there: the
    trigger stamps the row with ``current_user``, which the returned event
    says too, and with the next number of a sequence as ``seq``. On SQLite,
    one writer at a time makes ``max + 1`` safe.
    """
    values = {field: getattr(event, field) for field in FIELDS_OF_AUDIT}
    if conn.dialect.name != "sqlite":
        conn.execute(insert(AUDIT_TABLE).values(**values, seq=0))
        writer = conn.exec_driver_sql("SELECT current_user").scalar()
        return event.model_copy(update={"db_user": writer})
    base = conn.execute(select(func.coalesce(func.max(AUDIT_TABLE.c.seq), 0))).scalar()
    conn.execute(insert(AUDIT_TABLE).values(**values, seq=base + 1))
    row = conn.execute(select(AUDIT_TABLE).where(AUDIT_TABLE.c.id == event.id)).mappings().one()
    return _from_row(row)


def select_events(conn: Connection, client_id: str | None = None,
                  since: datetime | None = None) -> list[model.AuditEvent]:
    """Events in the order they happened, for one client or all, from ``since`` on."""
    table = AUDIT_TABLE
    conditions: list[Any] = []
    if client_id is not None:
        conditions.append(table.c.client_id == client_id)
    if since is not None:
        conditions.append(table.c.at >= since)
    query = select(table).where(*conditions).order_by(table.c.at, table.c.seq, table.c.id)
    return [_from_row(row) for row in conn.execute(query).mappings()]


def _from_row(row: Any) -> model.AuditEvent:
    return model.AuditEvent.model_validate({field: row[field] for field in FIELDS_OF_AUDIT},
                                           context=STORED)


# --- one visit -----------------------------------------------------------------


class Visit:
    """One visit to the workbook (a page's kernel): what it opened, and the first
    change it made to each client's work (see the module's note on why only the first).

    ``actor`` is who is at the keyboard; it can change during the visit, when the
    counsellor hands the app over to the client.
    """

    def __init__(self, store: Any, actor: str = model.COUNSELLOR):
        self.store = store
        self.actor = actor
        self._changed: set[str] = set()

    def record(self, action: str, client_id: str, detail: str = "") -> model.AuditEvent:
        return self.store.record_event(action, client_id, actor=self.actor, detail=detail)

    def opened(self, client_id: str) -> None:
        self.record("opened", client_id)

    def changed(self, client_ids: Iterable[str]) -> None:
        """Record "changed" for each client not yet changed in this visit."""
        for client_id in client_ids:
            if client_id and client_id not in self._changed:
                self.record("changed", client_id)
                self._changed.add(client_id)


class VisitStore:
    """The store as a visit's steps use it: every write to a client's work is
    passed on, and the visit's first one for each client goes in the audit log.

    Reads, resume state (opening a step is not a change) and anything else go
    straight to the store.
    """

    def __init__(self, store: Any, visit: Visit):
        self._store = store
        self._visit = visit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def add(self, record: Any) -> Any:
        saved = self._store.add(record)
        self._visit.changed([saved.client_id])
        return saved

    def update(self, record_type: type, record_id: str, **changes: Any) -> Any:
        saved = self._store.update(record_type, record_id, **changes)
        self._visit.changed([saved.client_id])
        return saved

    def delete(self, record_type: type, record_id: str) -> None:
        client_id = self._store.get(record_type, record_id).client_id
        self._store.delete(record_type, record_id)
        self._visit.changed([client_id])

    def set_answer(self, client_id: str, *args: Any, **kwargs: Any) -> Any:
        saved = self._store.set_answer(client_id, *args, **kwargs)
        self._visit.changed([client_id])
        return saved

    def update_and_answer(self, *args: Any, client_id: str, **kwargs: Any) -> Any:
        saved = self._store.update_and_answer(*args, client_id=client_id, **kwargs)
        self._visit.changed([client_id])
        return saved

    def rename_client(self, client_id: str, name: str) -> Any:
        renamed = self._store.rename_client(client_id, name)
        self._visit.changed([client_id])
        return renamed

    def set_client_language(self, client_id: str, language: str | None) -> Any:
        changed = self._store.set_client_language(client_id, language)
        self._visit.changed([client_id])
        return changed
