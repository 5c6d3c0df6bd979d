"""The store as components, the app and the CLI use it: records in, records out.

Every public method is one transaction on a :class:`Database`, made of the
steps in :mod:`~nextround.store.rows`, :mod:`~nextround.store.answers` and
:mod:`~nextround.store.transfer`. Callers see pydantic records and plain
errors, never SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from .. import model
from ..errors import NextRoundError, WorkbookError
from . import answers as answer_rows
from . import audit, rows, sqlite, transfer
from .access import open_schema
from .checks import clean_name, unchangeable, validated
from .connection import Database, NoDatabase, default_db_url, sqlite_file, url_for
from .migrations import MIGRATIONS, Migration, schema_version
from .people import PeopleMixin, forget_client
from .postgres import PostgresSettings
from .schema import (
    LABELS,
    RECORDS,
    SETTINGS_TABLE,
    TABLES,
    child_table,
    from_row,
    normalize,
    ordering,
    values_of,
)
from .sqlite import SQLiteSettings

R = TypeVar("R", bound=model.Record)
T = TypeVar("T")


class Store(PeopleMixin):
    """All client data, in one SQLite file or a shared PostgreSQL database.

    ``Store()`` opens :func:`default_db_url`; ``Store(path)`` an SQLite file;
    ``Store("postgresql://...")`` a server. Opening brings the schema up to
    date and refuses a database made by a newer NextRound. With
    ``create=False`` a missing SQLite file is :class:`NoDatabase` rather
    than a new, empty database.

    Opened with a person's own credentials (:func:`.access.create_login`),
    the store works as usual on what their role reaches: a counsellor lists
    their current clients, a client only themself. Such a role never
    migrates; the owner makes and upgrades the schema.

    ``actor`` is who the audit log names for what is done through this store:
    the acting person, or ``"counsellor"`` / ``"client"`` on one machine.

    ``sqlite_settings``, ``postgres_settings`` and ``migrations`` are seams for
    tests: the first two show what each setting guarantees, the last makes a
    database as an older version did (a prefix of :data:`MIGRATIONS`).

    Parameters
    ----------
    url : str or pathlib.Path, optional
        An SQLite file's path, or a database URL (text with ``://``). None
        opens the default file (``NEXTROUND_DB``, else the user's data folder).
    create : bool
        Make a missing SQLite file (True), or raise :class:`NoDatabase` (False).
    sqlite_settings : SQLiteSettings, optional
        For tests: the SQLite settings to open with.
    migrations : sequence of Migration
        For tests: the schema steps to apply (all of them by default).

    Saves
    -----
    :class:`~nextround.model.Client`
        Clients, through :meth:`create_client`, :meth:`rename_client` and
        :meth:`import_records`.
    every record
        Applications, feedback, check-ins, actions... through :meth:`add`,
        :meth:`update` and :meth:`delete`; small answers through
        :meth:`set_answer`, under the keys of :mod:`nextround.answer_keys`.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store
    >>> store = Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> store.set_answer(sam.id, "state.step", "log").key
    'state.step'
    >>> [client.name for client in store.list_clients()]
    ['Sam']
    >>> store.close()
    """

    def __init__(self, url: str | Path | None = None, *, create: bool = True,
                 sqlite_settings: SQLiteSettings | None = None,
                 postgres_settings: PostgresSettings | None = None,
                 migrations: Sequence[Migration] = MIGRATIONS, actor: str = model.COUNSELLOR):
        self.actor = actor
        file = sqlite_file(url)
        #: Whether opening made a new database file (for "created ..." messages).
        self.created = file is not None and not file.exists()
        if self.created and not create:
            raise NoDatabase(f"there is no database at {file}; check the path, or "
                             "create one with 'nextround demo', 'import' or 'serve'")
        self._db = Database(default_db_url() if url is None else url_for(url), file=file,
                            sqlite_settings=sqlite_settings,
                            postgres_settings=postgres_settings)
        try:
            with sqlite.private_umask():
                open_schema(self._db, migrations)
        except BaseException:
            self._db.close()
            raise
        if self.created:
            sqlite.make_private(file)

    # -- housekeeping --

    @property
    def url(self) -> str:
        """The database URL (for SQLite, ``sqlite:///`` and the file path)."""
        return self._db.url

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for tests and maintenance tools."""
        return self._db.engine

    @property
    def database(self) -> Database:
        """The transactions the store runs on, for maintenance tools and tests."""
        return self._db

    @property
    def is_sqlite(self) -> bool:
        """True for an SQLite file or memory database, False for a server."""
        return self._db.is_sqlite

    def describe(self) -> str:
        """Where the data is kept, in words a counsellor can act on."""
        return self._db.describe()

    def close(self) -> None:
        """Release every connection; the store must not be used afterwards."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    def schema_version(self) -> int:
        """The schema version recorded in the database."""
        return self._db.read(schema_version)

    def _guarded(self, name: str, work: Callable[[Connection], T]) -> T:
        """Run a write, explaining a clash with an existing row in plain words."""
        try:
            return self._db.write(work)
        except IntegrityError as exc:
            what = "that question already has an answer" if name == "answers" else \
                "a record with the same id already exists"
            raise NextRoundError(f"This {LABELS[name]} cannot be saved: {what}.") from exc

    # -- clients --

    def create_client(self, name: str) -> model.Client:
        """Add a client. The name is data only; it never becomes a path."""
        client = normalize(validated(model.Client, {"name": clean_name(name)}))
        self._db.write(lambda conn: rows.insert_records(conn, "clients", [client]))
        return client

    def get_client(self, client_id: str) -> model.Client:
        """One client, or :class:`NotFound` if they are not (or no longer) here."""
        return self._db.read(lambda conn: rows.fetch(conn, "clients", client_id))

    def list_clients(self) -> list[model.Client]:
        """Every client, by name regardless of case (ties broken by id)."""
        table = TABLES["clients"]
        found = self._db.read(lambda conn: conn.execute(select(table)).mappings().all())
        clients = [from_row("clients", row) for row in found]
        return sorted(clients, key=lambda c: (c.name.casefold(), c.name, c.id))

    def rename_client(self, client_id: str, name: str) -> model.Client:
        """Change a client's display name."""
        new_name = clean_name(name)

        def work(conn: Connection) -> model.Client:
            client = rows.fetch(conn, "clients", client_id)
            renamed = validated(model.Client, {**client.model_dump(), "name": new_name})
            table = TABLES["clients"]
            conn.execute(update(table).where(table.c.id == client_id).values(name=renamed.name))
            return renamed

        return self._db.write(work)

    def set_client_language(self, client_id: str, language: str | None) -> model.Client:
        """Remember the language a client reads their workbook in (None: the default)."""
        def work(conn: Connection) -> model.Client:
            client = rows.fetch(conn, "clients", client_id)
            changed = validated(model.Client, {**client.model_dump(), "language": language})
            table = TABLES["clients"]
            conn.execute(update(table).where(table.c.id == client_id)
                         .values(language=changed.language))
            return changed

        return self._db.write(work)

    def erase_client(self, client_id: str) -> None:
        """Remove a client and all their records, leaving no trace in the files but
        the audit log's "erased" event, by id only (see :mod:`.audit` on privacy)."""
        def work(conn: Connection) -> None:
            rows.require_client(conn, client_id)  # an unknown id is NotFound, not a bad event
            event = audit.new_event("erased", client_id, actor=self.actor)
            rows.delete_client_rows(conn, client_id)
            forget_client(conn, client_id)
            audit.insert_event(conn, event)
            conn.execute(delete(SETTINGS_TABLE).where(SETTINGS_TABLE.c.value == client_id))

        self._db.write(work)
        self._db.erase_traces([*TABLES, SETTINGS_TABLE.name])

    # -- store-wide settings --

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A store-wide setting, such as the client the app opened last."""
        query = select(SETTINGS_TABLE.c.value).where(SETTINGS_TABLE.c.key == key)
        found = self._db.read(lambda conn: conn.execute(query).first())
        return default if found is None else found.value

    def set_setting(self, key: str, value: Any) -> None:
        """Save a store-wide setting (any JSON value); ``None`` removes it."""
        # A value JSON cannot hold raises ValueError here, before any write.
        SETTINGS_TABLE.c.value.type.process_bind_param(value, None)

        def work(conn: Connection) -> None:
            conn.execute(delete(SETTINGS_TABLE).where(SETTINGS_TABLE.c.key == key))
            if value is not None:
                conn.execute(insert(SETTINGS_TABLE).values(key=key, value=value))

        self._db.write(work)

    # -- child records --

    def add(self, record: R) -> R:
        """Save a new record for an existing client; returns it as stored.

        A record that keeps an entry time gets the current one, unless it
        brings its own (demo data and imports keep theirs).
        """
        name = child_table(type(record))
        record = normalize(record, stamp=True)

        def work(conn: Connection) -> None:
            rows.require_client(conn, record.client_id)
            rows.check_links(conn, record)
            rows.insert_records(conn, name, [record])

        self._guarded(name, work)
        return record

    def add_many(self, records: Iterable[model.Record]) -> None:
        """Save many new records of any kinds, clients included, in one transaction.

        For seeding a large caseload (demo data, benchmarks, tests): one
        commit instead of one per record. The same checks as :meth:`add`
        apply, to the batch as a whole: records are written table by table
        (clients first, then in export order), so a record may belong to a
        client, or name an application, given in the same call.
        """
        batches: dict[str, list[Any]] = {name: [] for name in RECORDS}
        for record in records:
            batches[rows.table_name(record)].append(normalize(record, stamp=True))

        def work(conn: Connection) -> None:
            for name, batch in batches.items():
                rows.check_batch(conn, name, batch)
                rows.insert_records(conn, name, batch)

        try:
            self._db.write(work)
        except IntegrityError as exc:
            raise NextRoundError("These records cannot be saved: one has the id of a record "
                                 "already in the store, or answers a question twice.") from exc

    def update(self, record_type: type[R], record_id: str, **changes: Any) -> R:
        """Change some fields of a record; the result is validated by its model."""
        name = child_table(record_type)
        unchangeable(changes)
        return self._guarded(name, lambda conn: _update_row(conn, record_type, record_id,
                                                            changes))

    def delete(self, record_type: type, record_id: str) -> None:
        """Delete one record. An application takes its feedback and answers with
        it, and actions tied to it are kept but untied, so no record is left
        pointing at nothing (a workbook file must always import again)."""
        name = child_table(record_type)

        def work(conn: Connection) -> None:
            record = rows.fetch(conn, name, record_id)
            if name == "applications":
                rows.untie_application(conn, record)
            table = TABLES[name]
            conn.execute(delete(table).where(table.c.id == record_id))

        self._db.write(work)

    def get(self, record_type: type[R], record_id: str) -> R:
        """One record, or :class:`NotFound`."""
        name = child_table(record_type)
        return self._db.read(lambda conn: rows.fetch(conn, name, record_id))

    def list(self, record_type: type[R], client_id: str, **equal_filters: Any) -> list[R]:
        """A client's records of one kind, optionally filtered by field equality.

        Order: each model's ``list_order`` (applications by date applied,
        undated last; check-ins, thoughts and notes by time; actions by due
        date, undated last, then creation), then the order they were saved in.
        """
        name = child_table(record_type)
        conditions = rows.equal_conditions(record_type, name, equal_filters)
        return self._db.read(lambda conn: rows.select_for_client(conn, name, client_id,
                                                                 *conditions))

    # -- answers and resume state --

    def set_answer(self, client_id: str, key: str, value: Any,
                   application_id: str = "") -> model.Answer:
        """Save (or replace) the answer to one question, as soon as it is given."""
        answer = _answer(client_id, key, value, application_id)

        def work(conn: Connection) -> model.Answer:
            rows.require_client(conn, client_id)
            rows.check_links(conn, answer)
            return answer_rows.upsert_answer(conn, answer)

        return self._guarded("answers", work)

    def update_and_answer(self, record_type: type[R], record_ids: Iterable[str],
                          changes: dict[str, Any], *, client_id: str, key: str, value: Any,
                          application_id: str = "") -> model.Answer:
        """Change the same fields of some records and save an answer, in one transaction.

        One commit instead of one per record: with ``synchronous=FULL`` each
        commit waits for the disk, and a click should wait for it only once.
        """
        unchangeable(changes)
        ids = list(record_ids)
        answer = _answer(client_id, key, value, application_id)

        def work(conn: Connection) -> model.Answer:
            rows.require_client(conn, client_id)
            for record_id in ids:
                _update_row(conn, record_type, record_id, changes)
            rows.check_links(conn, answer)
            return answer_rows.upsert_answer(conn, answer)

        return self._guarded("answers", work)

    def answers(self, client_id: str, application_id: str | None = None) -> dict[str, Any]:
        """Answers as ``{key: value}``: general ones, or one application's."""
        found = self.list(model.Answer, client_id, application_id=application_id or "")
        return answer_rows.split_state(found)[0]

    def all_answers(self, client_id: str) -> list[model.Answer]:
        """Every answer record of a client, resume state included, in saved order."""
        return self.list(model.Answer, client_id)

    def get_state(self, client_id: str) -> dict[str, Any]:
        """Where the client was (step, chosen application), for resuming."""
        return answer_rows.split_state(self.list(model.Answer, client_id,
                                                 application_id=""))[1]

    def set_state(self, client_id: str, **values: Any) -> None:
        """Remember resume state; all values are saved in one transaction."""
        answers = [normalize(validated(model.Answer, fields))
                   for fields in answer_rows.state_answers(client_id, values)]

        def work(conn: Connection) -> None:
            rows.require_client(conn, client_id)
            for answer in answers:
                answer_rows.upsert_answer(conn, answer)

        self._guarded("answers", work)

    def last_activity(self, client_id: str) -> datetime | None:
        """When the client last made an entry of their own (None if never).

        Counts what the client wrote: applications, feedback, answers,
        check-ins, thoughts, plan steps and contacts. Not the day they were
        added, not the counsellor's notes, and not resume state (opening a
        step is not an entry).
        """
        latest = self._db.read(lambda conn: answer_rows.latest_entries(conn, client_id))
        return latest.get(client_id)

    # -- whole-caseload reads --

    def list_all(self, record_type: type[R], **equal_filters: Any) -> list[R]:
        """Every client's records of one kind, in one query, filtered as in :meth:`list`.

        A caseload view would otherwise make one query per client per kind.
        Records come grouped by client, each client's in :meth:`list` order.
        """
        name = child_table(record_type)
        table = TABLES[name]
        query = (select(table).where(*rows.equal_conditions(record_type, name, equal_filters))
                 .order_by(table.c.client_id, *ordering(name)))
        return self._db.read(lambda conn: [from_row(name, row)
                                           for row in conn.execute(query).mappings()])

    def last_activities(self) -> dict[str, datetime]:
        """:meth:`last_activity` for every client, in one query per table."""
        return self._db.read(answer_rows.latest_entries)

    # -- export and import --

    def export_records(self, client_id: str, include_notes: bool = False) -> dict[str, Any]:
        """A client and all their records as JSON-ready data, read in one snapshot.

        Counsellor notes are private and left out unless asked for.
        """
        return self._db.read(lambda conn: transfer.read_client(conn, client_id, include_notes))

    def import_records(self, data: Any, *, existing: str = "refuse") -> model.Client:
        """Add a client from exported data, all or nothing.

        Everything is validated before anything is written, and the writes
        are one transaction, so a bad file never leaves half a client behind.
        When the client is already here, ``existing`` decides: ``"refuse"``
        (raise :class:`ClientExists`), ``"replace"`` (their work here is
        replaced by the file's, in the same transaction) or ``"separate"``
        (the file becomes a new client, with fresh ids, beside the old one).
        """
        client, records = transfer.prepare_import(data, existing)
        event = audit.new_event("imported", client.id, actor=self.actor,
                                detail=audit.IMPORT_DETAILS[existing])

        def work(conn: Connection) -> model.Client:
            audit.insert_event(conn, event)
            return transfer.write_client(conn, client, records, existing)

        try:
            return self._db.write(work)
        except IntegrityError as exc:
            # On a shared database, the ids belong to a client this role cannot see.
            raise WorkbookError("This workbook names a client or records that are already "
                                "in the store and are not yours to change; nothing was "
                                "written.") from exc

    # -- the audit log (append-only: see :mod:`.audit`) --

    def record_event(self, action: str, client_id: str, *, actor: str | None = None,
                     detail: str = "") -> model.AuditEvent:
        """Append an event to the audit log (``actor`` defaults to :attr:`actor`)."""
        event = audit.new_event(action, client_id, actor=actor or self.actor, detail=detail)
        return self._db.write(lambda conn: audit.insert_event(conn, event))

    def audit_events(self, client_id: str | None = None, since: datetime | None = None
                     ) -> list[model.AuditEvent]:
        """Audit events in the order they happened: one client's, or everyone's."""
        return self._db.read(lambda conn: audit.select_events(conn, client_id, since))


def _answer(client_id: str, key: str, value: Any, application_id: str) -> model.Answer:
    """An answer as it will be kept, checked before any write."""
    return normalize(validated(model.Answer, {
        "client_id": client_id, "application_id": application_id, "key": key,
        "value": value}))


def _update_row(conn: Connection, record_type: type[R], record_id: str,
                changes: dict[str, Any]) -> R:
    """Apply changes to one record (inside the caller's transaction), stamping its time."""
    name = child_table(record_type)
    current = rows.fetch(conn, name, record_id)
    data = {**current.model_dump(), **changes}
    if "updated_at" in record_type.model_fields and "updated_at" not in changes:
        data["updated_at"] = model.utcnow()
    record = normalize(validated(record_type, data))
    rows.check_links(conn, record)
    table = TABLES[name]
    values = {k: v for k, v in values_of(record).items() if k != "id"}
    conn.execute(update(table).where(table.c.id == record_id).values(**values))
    return record
