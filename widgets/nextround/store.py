"""Persistence for client workbooks, behind one small interface.

Components and the CLI talk to :class:`Store` only; none of them sees SQL.
The records are the pydantic models of :mod:`nextround.model`, and the
tables are generated from those models, so there is one description of the
data. What the store promises:

* **Every write is one transaction.** A failed write leaves nothing behind.
* **Concurrent writers wait rather than fail.** On SQLite the database runs
  in WAL mode with a busy timeout, and every write transaction starts with
  ``BEGIN IMMEDIATE`` so two writers never deadlock on a lock upgrade (the
  cause of most "database is locked" errors). A last-resort retry covers
  what is left.
* **Committed writes survive a crash** (``synchronous=FULL``).
* **Schema changes are migrations** (:data:`MIGRATIONS`); a database written
  by a newer NextRound is refused rather than damaged.
* **Erasing a client leaves no trace** of their data in the database files
  (``secure_delete``, then VACUUM and a WAL checkpoint).

Example::

    store = Store("/tmp/example.db")
    client = store.create_client("Ada")
    store.set_answer(client.id, "strengths", "clear stories")
    store.answers(client.id)            # {'strengths': 'clear stories'}
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sqlite3
import time
import types
import typing
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import platformdirs
from pydantic import ValidationError
from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
)
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

from . import model
from .errors import ClientExists, NextRoundError, NotFound, WorkbookError

R = TypeVar("R", bound=model.Record)
T = TypeVar("T")

#: How long one SQLite connection waits for another's write lock.
BUSY_TIMEOUT_MS = 30_000
#: How long each attempt of the post-erase checkpoint waits for readers.
CHECKPOINT_WAIT_MS = 100
#: Extra attempts when SQLite still reports a lock after the busy timeout.
LOCK_RETRIES = 5
#: Answers whose key starts with this hold resume state, not client answers.
STATE_PREFIX = "state."
#: The most problems one import error message lists.
MAX_PROBLEMS = 50

SQLITE_PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
)

#: Every table and the record type it holds; ``clients`` first, then the
#: children in export order.
RECORDS: dict[str, type[model.Record]] = {"clients": model.Client, **model.CHILD_RECORDS}

#: What a person calls one row of each table, for messages.
LABELS = {
    "clients": "client",
    "applications": "application",
    "feedback": "feedback record",
    "answers": "answer",
    "checkins": "check-in",
    "thoughts": "thought record",
    "actions": "action",
    "contacts": "contact",
    "notes": "note",
}

_WRITE_OPTION = "nextround_write"


# --- where the database lives ------------------------------------------------


#: Client data is private: database files are readable by their owner only,
#: and a folder NextRound creates for them is the owner's alone.
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def default_target() -> str | Path:
    """The database to use when none is given.

    ``NEXTROUND_DB`` wins (a path or a URL such as ``postgresql://...``, for a
    shared deployment); otherwise an SQLite file in the user data directory,
    which is where a desktop user expects private data to be kept.
    """
    configured = os.environ.get("NEXTROUND_DB", "").strip()
    if configured:
        return configured
    return Path(platformdirs.user_data_dir("nextround", appauthor=False)) / "nextround.db"


def default_db_url() -> str:
    """:func:`default_target` as a URL, creating the folder of an SQLite file."""
    return _url_for(default_target())


def sqlite_file(target: str | Path | None) -> Path | None:
    """The SQLite file a target names (``None``: the default), creating nothing.

    ``None`` comes back for a server URL, and for SQLite in memory.
    """
    target = default_target() if target is None else target
    if isinstance(target, str) and "://" in target:
        url = make_url(target)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database).expanduser().resolve()
    return Path(target).expanduser().resolve()


def _url_for(target: str | Path) -> str:
    """A database URL for a path or a URL; only text with ``://`` is a URL."""
    if isinstance(target, str) and "://" in target:
        return target
    return _sqlite_url(Path(target))


def _sqlite_url(path: Path) -> str:
    """An SQLite URL for a file, creating its folder (private) so the first run works."""
    path = path.expanduser().resolve()
    if not path.parent.exists():
        path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    return URL.create("sqlite", database=str(path)).render_as_string()


def _make_private(path: Path) -> None:
    """Owner-only modes on a database file and its WAL and SHM companions."""
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal"):
        with contextlib.suppress(OSError):
            os.chmod(path.with_name(name), FILE_MODE)


class NoDatabase(NextRoundError):
    """A command that only reads was pointed at a database that does not exist."""


def _damaged(path: Path | None, exc: DatabaseError) -> NextRoundError:
    """One line for a database file SQLite cannot read: what, which file, what to do."""
    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    where = str(path) if path is not None else "the database"
    if "unable to open" in reason:
        return NextRoundError(f"cannot open the database {where} ({reason}); check that "
                              "the path is a file you may write to")
    return NextRoundError(f"the database {where} is damaged or is not a NextRound database "
                          f"({reason}); restore it from a backup, or choose another file "
                          "with --db")


# --- mapping model fields to columns -----------------------------------------


def _field_kind(annotation: Any) -> tuple[str, bool]:
    """How a model field is stored, and whether it may be NULL.

    Dates and datetimes are stored as ISO text (datetimes in fixed-width UTC)
    so they sort correctly and read back exactly on SQLite and PostgreSQL
    alike; free-form values are JSON text.
    """
    nullable = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"no column type for {annotation!r}")
        nullable, annotation = True, args[0]
    if typing.get_origin(annotation) is Literal:
        return "text", nullable
    if annotation is Any:
        return "json", True
    for python_type, kind in ((bool, "bool"), (int, "int"), (datetime, "datetime"),
                              (date, "date"), (str, "text")):
        if annotation is python_type:
            return kind, nullable
    raise TypeError(f"no column type for {annotation!r}; add one to store._field_kind")


SQL_TYPES = {"text": Text, "int": Integer, "bool": Boolean, "date": Text,
             "datetime": Text, "json": Text}

#: For each table, each field's storage kind, in model order.
FIELDS: dict[str, dict[str, str]] = {
    name: {field: _field_kind(info.annotation)[0] for field, info in kind.model_fields.items()}
    for name, kind in RECORDS.items()
}


def _query_tables() -> dict[str, Table]:
    """Table objects generated from the models, used to build queries.

    They carry no constraints: the schema itself is made only by
    :data:`MIGRATIONS`, and a test checks that the two agree.
    """
    metadata = MetaData()
    tables = {}
    for name, kind in RECORDS.items():
        columns = [Column(field, SQL_TYPES[_field_kind(info.annotation)[0]],
                          primary_key=field == "id")
                   for field, info in kind.model_fields.items()]
        tables[name] = Table(name, metadata, *columns, Column("seq", Integer))
    return tables


TABLES = _query_tables()

#: The times that mark a client's own entries, as ``(table, field)``: every
#: datetime field except the client's creation and the counsellor's notes.
ENTRY_TIMES: tuple[tuple[Table, str], ...] = tuple(
    (TABLES[name], field) for name, fields in FIELDS.items()
    if name not in ("clients", "notes")
    for field, kind in fields.items() if kind == "datetime")

_version_metadata = MetaData()
SCHEMA_VERSION_TABLE = Table(
    "schema_version", _version_metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", Text, nullable=False),
)


def _datetime_text(value: datetime) -> str:
    """Fixed-width UTC text: sorts as time does and reads back as the same instant.

    A naive datetime is taken to be UTC already, since :func:`model.utcnow`
    is the only clock the package uses.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _to_db(kind: str, value: Any) -> Any:
    """One field value as it is stored."""
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    if value is None:
        return None
    if kind == "datetime":
        return _datetime_text(value)
    if kind == "date":
        return value.isoformat()
    return value


def _from_db(kind: str, value: Any) -> Any:
    """One stored value back as the model expects it."""
    decode = _DECODERS.get(kind)
    return value if value is None or decode is None else decode(value)


def _to_row(record: model.Record) -> dict[str, Any]:
    """A record as a table row (without the bookkeeping ``seq``)."""
    fields = FIELDS[_table_of(type(record))]
    try:
        return {field: _to_db(kind, getattr(record, field)) for field, kind in fields.items()}
    except (TypeError, ValueError) as exc:
        raise NextRoundError(f"This value cannot be saved: {exc}") from exc


def _datetime_from_db(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


#: How each stored kind of value is read back; kinds not named are stored as they are.
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "json": json.loads, "datetime": _datetime_from_db, "date": date.fromisoformat}
_ROW_DECODERS: dict[str, tuple[tuple[str, Callable[[Any], Any] | None], ...]] = {}


#: Validation context for records read back: limits on new text do not apply.
_STORED = {"stored": True}


def _from_row(name: str, row: typing.Mapping[str, Any]) -> Any:
    """A table row as its record (read in bulk for a caseload: keep it lean)."""
    decoders = _ROW_DECODERS.get(name)
    if decoders is None:
        decoders = _ROW_DECODERS[name] = tuple(
            (field, _DECODERS.get(kind)) for field, kind in FIELDS[name].items())
    data = {}
    for field, decode in decoders:
        value = row[field]
        data[field] = decode(value) if decode is not None and value is not None else value
    return RECORDS[name].model_validate(data, context=_STORED)


def _normalize(record: R) -> R:
    """The record exactly as the store will give it back (UTC times, JSON values)."""
    return _from_row(_table_of(type(record)), _to_row(record))


def _table_of(kind: type) -> str:
    """The table that holds one record type."""
    for name, record_type in RECORDS.items():
        if record_type is kind:
            return name
    raise TypeError(f"{kind!r} is not a NextRound record type")


def _child_table(kind: type) -> str:
    """The table of a child record type; clients have their own methods."""
    name = _table_of(kind)
    if name == "clients":
        raise TypeError("use the *_client methods for clients")
    return name


# --- messages ----------------------------------------------------------------


def _loc_text(prefix: str, loc: Iterable[Any]) -> str:
    """``("applications", 3, "applied_on")`` becomes ``applications[3].applied_on``."""
    text = prefix
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + str(part)
    return text or "(top)"


def _validation_problems(exc: ValidationError, prefix: str = "") -> list[str]:
    """One ``where: what`` line per pydantic error."""
    return [f"{_loc_text(prefix, err['loc'])}: {err['msg']}" for err in exc.errors()]


def _validated(kind: type[R], data: dict[str, Any]) -> R:
    """Build a record, turning a validation error into a message for a person."""
    try:
        return kind.model_validate(data)
    except ValidationError as exc:
        raise NextRoundError("; ".join(_validation_problems(exc))) from exc


def _not_found(name: str, record_id: Any) -> NotFound:
    """A plain message; the id is quoted and cut short, since it may come from a URL."""
    shown = repr(record_id) if len(str(record_id)) <= 40 else repr(str(record_id)[:40] + "…")
    if name == "clients":
        return NotFound(f"No client with id {shown} was found; they may have been erased.")
    return NotFound(f"No {LABELS[name]} with id {shown} was found; it may have been deleted.")


def _is_unreadable(exc: DatabaseError) -> bool:
    """True when SQLite cannot use the file at all (damaged, not SQLite, unopenable)."""
    text = str(getattr(exc, "orig", "")).lower()
    return any(part in text for part in ("file is not a database", "malformed",
                                         "unable to open", "disk i/o error",
                                         "file is encrypted"))


def _is_locked(exc: OperationalError) -> bool:
    """True for SQLite's lock errors, the only ones worth retrying."""
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


# --- SQLite connection setup ---------------------------------------------------


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Take over transaction control from sqlite3 and set the pragmas we rely on."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


@contextlib.contextmanager
def _private_umask():
    """SQLite creates the database, WAL and SHM files with the process umask;
    while a connection opens, that umask keeps them the owner's alone."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _on_sqlite_begin(conn: Connection) -> None:
    """Writers take the write lock up front, so they queue instead of deadlocking."""
    write = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _make_engine(url: str) -> Engine:
    """An engine; SQLite gets our pragmas and BEGIN handling, other databases none."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


# --- migrations --------------------------------------------------------------

#: The schema as migration 1 made it. Frozen: later changes are new
#: migrations. ``:int``/``:bool`` give the column type (default text) and
#: ``?`` allows NULL. Every table also has ``seq``, the insertion order.
_V1_COLUMNS = {
    "clients": "id name created_at",
    "applications": "id client_id company role stage applied_on? outcome outcome_on? "
                    "how_heard contact_name",
    "feedback": "id client_id application_id source_id person asked_on? heard no_reply:bool "
                "heard_on? scenario_id",
    "answers": "id client_id application_id key value? updated_at",
    "checkins": "id client_id at mood:int note",
    "thoughts": "id client_id at situation assumption evidence reframe",
    "actions": "id client_id title due_on? done:bool application_id library_id created_at",
    "contacts": "id client_id name company how_met follow_up_on?",
    "notes": "id client_id at text",
}


def _v1_column(spec: str) -> Column:
    """One column from its frozen ``name[:type][?]`` spec."""
    nullable = spec.endswith("?")
    name, _, kind = spec.rstrip("?").partition(":")
    sql_type = {"": Text, "int": Integer, "bool": Boolean}[kind]
    extra: list[Any] = [ForeignKey("clients.id")] if name == "client_id" else []
    return Column(name, sql_type, *extra, primary_key=name == "id", nullable=nullable)


def _migration_1(conn: Connection) -> None:
    """Create the first schema: one table per record type, indexed by owner."""
    metadata = MetaData()
    for name, specs in _V1_COLUMNS.items():
        columns = [_v1_column(spec) for spec in specs.split()]
        table = Table(name, metadata, *columns, Column("seq", Integer, nullable=False))
        if "client_id" in table.c:
            Index(f"ix_{name}_client_id", table.c.client_id)
        if "application_id" in table.c:
            Index(f"ix_{name}_application_id", table.c.application_id)
    answers = metadata.tables["answers"]
    Index("ux_answers_question", answers.c.client_id, answers.c.application_id,
          answers.c.key, unique=True)
    metadata.create_all(conn)


SETTINGS_TABLE = Table(
    "settings", MetaData(),
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)


def _migration_2(conn: Connection) -> None:
    """Add store-wide settings, such as the client the app last opened."""
    metadata = MetaData()
    Table("settings", metadata, Column("key", Text, primary_key=True),
          Column("value", Text, nullable=False))
    metadata.create_all(conn)


#: Columns migration 3 adds, as ``table: column [column...]`` (all nullable text):
#: the interview date, and when the client last changed each kind of record.
_V3_COLUMNS = {
    "applications": ("interview_on", "updated_at"),
    "feedback": ("updated_at",),
    "thoughts": ("updated_at",),
    "actions": ("updated_at",),
    "contacts": ("updated_at",),
}


def _migration_3(conn: Connection) -> None:
    """Add the interview date and entry times; existing rows keep their data.

    The new values are unknown for existing rows, so they stay NULL rather
    than pretending everything was entered today.
    """
    preparer = conn.dialect.identifier_preparer
    for table, columns in _V3_COLUMNS.items():
        for column in columns:
            conn.exec_driver_sql(f"ALTER TABLE {preparer.quote(table)} "
                                 f"ADD COLUMN {preparer.quote(column)} TEXT")


#: Schema migrations, in order; migration ``n`` (1-based) brings a database
#: to schema version ``n``. Append only: never edit one that has shipped.
MIGRATIONS: list[Callable[[Connection], None]] = [_migration_1, _migration_2, _migration_3]


def _schema_version(conn: Connection) -> int:
    """The highest migration recorded; 0 for a new database."""
    return conn.execute(select(func.max(SCHEMA_VERSION_TABLE.c.version))).scalar() or 0


# --- the store ---------------------------------------------------------------


class Store:
    """All client data, in one SQLite file or a shared PostgreSQL database.

    ``Store()`` opens :func:`default_db_url`; ``Store(path)`` an SQLite file;
    ``Store("postgresql://...")`` a server. Opening brings the schema up to
    date and refuses a database made by a newer NextRound.
    """

    def __init__(self, url: str | Path | None = None, *, create: bool = True):
        self._file = sqlite_file(url)
        #: Whether opening made a new database file (for "created ..." messages).
        self.created = self._file is not None and not self._file.exists()
        if self.created and not create:
            raise NoDatabase(f"there is no database at {self._file}; check the path, or "
                             "create one with 'nextround demo', 'import' or 'serve'")
        self._url = default_db_url() if url is None else _url_for(url)
        self._engine = _make_engine(self._url)
        #: An erase whose WAL could not be emptied yet (another connection
        #: was reading); the next write tries again.
        self._scrub_pending = False
        try:
            with _private_umask():
                self._migrate()
        except BaseException:
            self._engine.dispose()
            raise
        if self.created:
            _make_private(self._file)

    # -- housekeeping --

    @property
    def url(self) -> str:
        """The database URL (for SQLite, ``sqlite:///`` and the file path)."""
        return self._url

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for tests and maintenance tools."""
        return self._engine

    @property
    def is_sqlite(self) -> bool:
        return self._engine.dialect.name == "sqlite"

    def describe(self) -> str:
        """Where the data is kept, in words a counsellor can act on."""
        url = self._engine.url
        if self.is_sqlite:
            where = url.database or ":memory:"
            if where == ":memory:":
                return "Data is kept in memory only and is lost when NextRound stops."
            return f"Data is kept in the SQLite file {where}"
        shown = url.render_as_string(hide_password=True)
        return f"Data is kept in the {url.get_backend_name()} database {shown}"

    def close(self) -> None:
        """Release every connection; the store must not be used afterwards."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self._engine.url.render_as_string(hide_password=True)!r})"

    # -- transactions --

    def _run(self, work: Callable[[Connection], T], *, write: bool) -> T:
        """Run ``work`` in one transaction; retry if SQLite still reports a lock.

        ``work`` must only touch the database, so running it again after a
        rolled-back attempt is safe.
        """
        for attempt in itertools.count():
            try:
                with self._engine.connect() as conn:
                    conn.execution_options(**{_WRITE_OPTION: write})
                    with conn.begin():
                        return work(conn)
            except IntegrityError:
                raise
            except DatabaseError as exc:
                if not (isinstance(exc, OperationalError) and _is_locked(exc)):
                    if _is_unreadable(exc):
                        raise _damaged(self._file, exc) from None
                    raise
                if attempt + 1 >= LOCK_RETRIES:
                    raise NextRoundError("The database stayed busy for too long; "
                                         "please try again in a moment.") from exc
                time.sleep(0.1 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _read(self, work: Callable[[Connection], T]) -> T:
        return self._run(work, write=False)

    def _write(self, work: Callable[[Connection], T]) -> T:
        result = self._run(work, write=True)
        if self._scrub_pending:
            self._scrub_pending = not self._checkpoint(attempts=1, wait_ms=0)
        return result

    def _migrate(self) -> None:
        """Bring the schema to :data:`MIGRATIONS`' version, one transaction per step."""
        self._write(lambda conn: _version_metadata.create_all(conn))
        if self._read(self._check_version) == len(MIGRATIONS):
            return
        while not self._write(self._migrate_step):
            pass

    @staticmethod
    def _check_version(conn: Connection) -> int:
        """The recorded version; a newer one than we know is refused, untouched."""
        version = _schema_version(conn)
        if version > len(MIGRATIONS):
            raise NextRoundError(
                f"This database was written by a newer version of NextRound (schema "
                f"version {version}; this version knows up to {len(MIGRATIONS)}). "
                "Upgrade NextRound to open it; nothing was changed.")
        return version

    def _migrate_step(self, conn: Connection) -> bool:
        """Apply the next migration; True once there is nothing left to do."""
        version = self._check_version(conn)
        if version == len(MIGRATIONS):
            return True
        MIGRATIONS[version](conn)
        conn.execute(insert(SCHEMA_VERSION_TABLE).values(
            version=version + 1, applied_at=_datetime_text(model.utcnow())))
        return False

    def schema_version(self) -> int:
        """The schema version recorded in the database."""
        return self._read(_schema_version)

    # -- low-level helpers (inside a transaction) --

    @staticmethod
    def _fetch(conn: Connection, name: str, record_id: str) -> Any:
        """One record by id, or :class:`NotFound`."""
        table = TABLES[name]
        row = conn.execute(select(table).where(table.c.id == record_id)).mappings().first()
        if row is None:
            raise _not_found(name, record_id)
        return _from_row(name, row)

    @staticmethod
    def _exists(conn: Connection, name: str, record_id: str) -> bool:
        table = TABLES[name]
        return conn.execute(select(table.c.id).where(table.c.id == record_id)).first() is not None

    def _require_client(self, conn: Connection, client_id: str) -> None:
        """Refuse a write for a client who is not here, with a plain message."""
        if not self._exists(conn, "clients", client_id):
            raise _not_found("clients", client_id)

    @staticmethod
    def _check_links(conn: Connection, record: model.Record) -> None:
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

    @staticmethod
    def _insert(conn: Connection, name: str, records: list[model.Record]) -> None:
        """Insert records in order; ``seq`` keeps that order for listing."""
        if not records:
            return
        table = TABLES[name]
        base = conn.execute(select(func.coalesce(func.max(table.c.seq), 0))).scalar()
        rows = [{**_to_row(record), "seq": base + n} for n, record in enumerate(records, 1)]
        conn.execute(insert(table), rows)

    @staticmethod
    def _select(conn: Connection, name: str, client_id: str, *conditions: Any) -> list[Any]:
        """A client's records of one table, in :func:`_ordering` order."""
        table = TABLES[name]
        query = (select(table).where(table.c.client_id == client_id, *conditions)
                 .order_by(*_ordering(name)))
        return [_from_row(name, row) for row in conn.execute(query).mappings()]

    # -- clients --

    def create_client(self, name: str) -> model.Client:
        """Add a client. The name is data only; it never becomes a path."""
        client = _normalize(_validated(model.Client, {"name": _clean_name(name)}))
        self._write(lambda conn: self._insert(conn, "clients", [client]))
        return client

    def get_client(self, client_id: str) -> model.Client:
        """One client, or :class:`NotFound` if they are not (or no longer) here."""
        return self._read(lambda conn: self._fetch(conn, "clients", client_id))

    def list_clients(self) -> list[model.Client]:
        """Every client, by name regardless of case (ties broken by id)."""
        table = TABLES["clients"]
        rows = self._read(lambda conn: conn.execute(select(table)).mappings().all())
        clients = [_from_row("clients", row) for row in rows]
        return sorted(clients, key=lambda c: (c.name.casefold(), c.name, c.id))

    def rename_client(self, client_id: str, name: str) -> model.Client:
        """Change a client's display name."""
        new_name = _clean_name(name)

        def work(conn: Connection) -> model.Client:
            client = self._fetch(conn, "clients", client_id)
            renamed = _validated(model.Client, {**client.model_dump(), "name": new_name})
            table = TABLES["clients"]
            conn.execute(sql_update(table).where(table.c.id == client_id)
                         .values(name=renamed.name))
            return renamed

        return self._write(work)

    def erase_client(self, client_id: str) -> None:
        """Remove a client and all their records, leaving no trace in the files."""

        def work(conn: Connection) -> None:
            self._require_client(conn, client_id)
            self._delete_client_rows(conn, client_id)
            conn.execute(sql_delete(SETTINGS_TABLE).where(
                SETTINGS_TABLE.c.value == json.dumps(client_id)))

        self._write(work)
        self._vacuum()
        self._scrub_pending = not self._checkpoint()

    # -- store-wide settings --

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A store-wide setting, such as the client the app opened last."""
        query = select(SETTINGS_TABLE.c.value).where(SETTINGS_TABLE.c.key == key)
        raw = self._read(lambda conn: conn.execute(query).scalar())
        return default if raw is None else json.loads(raw)

    def set_setting(self, key: str, value: Any) -> None:
        """Save a store-wide setting (any JSON value); ``None`` removes it."""

        def work(conn: Connection) -> None:
            conn.execute(sql_delete(SETTINGS_TABLE).where(SETTINGS_TABLE.c.key == key))
            if value is not None:
                conn.execute(insert(SETTINGS_TABLE).values(key=key, value=json.dumps(value)))

        self._write(work)

    def _vacuum(self) -> None:
        """Rebuild the database file from the rows that are left.

        ``secure_delete`` zeroes what this store deletes, but a database file
        also written by another SQLite tool (a restored backup, a file opened
        in a database browser) can keep old copies of rows in free pages.
        VACUUM writes a fresh file holding live rows only. It takes a few
        milliseconds for a typical caseload. If other writers keep the
        database busy past the busy timeout, the erase still stands: the
        rows are gone and zeroed, and only the rebuild is skipped.
        """
        if not self.is_sqlite:
            return
        raw = self._engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                cursor.execute("VACUUM")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            finally:
                cursor.close()
        finally:
            raw.close()

    def _checkpoint(self, attempts: int = 5, wait_ms: int = CHECKPOINT_WAIT_MS) -> bool:
        """Copy the WAL into the database and empty it, so erased rows stay erased.

        ``secure_delete`` has already zeroed the freed space; the checkpoint
        makes sure the old page images in the WAL are gone too. It runs
        outside any transaction, on the raw connection.

        A TRUNCATE checkpoint waits for readers through the busy handler, so
        the busy timeout is shortened while it runs: with another kernel in
        the middle of a long read, erasing takes about a second rather than
        minutes. The reader's snapshot still holds the erased rows, so they
        cannot leave the files until it ends; this store's next write tries
        again (and SQLite empties the WAL when the last connection closes).
        Returns True once the WAL is empty.
        """
        if not self.is_sqlite:
            return True
        raw = self._engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {wait_ms}")
            try:
                for attempt in range(attempts):
                    busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                    if not busy:
                        return True
                    if attempt + 1 < attempts:
                        time.sleep(0.1)
                return False
            finally:
                cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                cursor.close()
        finally:
            raw.close()

    # -- child records --

    def add(self, record: R) -> R:
        """Save a new record for an existing client; returns it as stored.

        A record that keeps an entry time gets the current one, unless it
        brings its own (demo data and imports keep theirs).
        """
        name = _child_table(type(record))
        if "updated_at" in type(record).model_fields and record.updated_at is None:
            record = record.model_copy(update={"updated_at": model.utcnow()})
        record = _normalize(record)

        def work(conn: Connection) -> None:
            self._require_client(conn, record.client_id)
            self._check_links(conn, record)
            self._insert(conn, name, [record])

        self._guarded(name, work)
        return record

    def update(self, kind: type[R], record_id: str, **changes: Any) -> R:
        """Change some fields of a record; the result is validated by its model."""
        name = _child_table(kind)
        fixed = sorted({"id", "client_id"} & changes.keys())
        if fixed:
            raise NextRoundError(f"A record's {' and '.join(fixed)} cannot be changed.")

        return self._guarded(name, lambda conn: self._update_row(conn, kind, record_id, changes))

    def _update_row(self, conn: Connection, kind: type[R], record_id: str,
                    changes: dict[str, Any]) -> R:
        name = _child_table(kind)
        current = self._fetch(conn, name, record_id)
        data = {**current.model_dump(), **changes}
        if "updated_at" in kind.model_fields and "updated_at" not in changes:
            data["updated_at"] = model.utcnow()
        record = _normalize(_validated(kind, data))
        self._check_links(conn, record)
        table = TABLES[name]
        values = {k: v for k, v in _to_row(record).items() if k != "id"}
        conn.execute(sql_update(table).where(table.c.id == record_id).values(**values))
        return record

    def delete(self, kind: type, record_id: str) -> None:
        """Delete one record. An application takes its feedback and answers with
        it, and actions tied to it are kept but untied, so no record is left
        pointing at nothing (a workbook file must always import again)."""
        name = _child_table(kind)

        def work(conn: Connection) -> None:
            record = self._fetch(conn, name, record_id)
            if name == "applications":
                self._untie_application(conn, record)
            table = TABLES[name]
            conn.execute(sql_delete(table).where(table.c.id == record_id))

        self._write(work)

    @staticmethod
    def _untie_application(conn: Connection, application: model.Application) -> None:
        for name in ("feedback", "answers"):
            table = TABLES[name]
            conn.execute(sql_delete(table).where(table.c.client_id == application.client_id,
                                                 table.c.application_id == application.id))
        actions = TABLES["actions"]
        conn.execute(sql_update(actions)
                     .where(actions.c.client_id == application.client_id,
                            actions.c.application_id == application.id)
                     .values(application_id=""))

    def _guarded(self, name: str, work: Callable[[Connection], T]) -> T:
        """Run a write, explaining a clash with an existing row in plain words."""
        try:
            return self._write(work)
        except IntegrityError as exc:
            what = "that question already has an answer" if name == "answers" else \
                "a record with the same id already exists"
            raise NextRoundError(f"This {LABELS[name]} cannot be saved: {what}.") from exc

    def get(self, kind: type[R], record_id: str) -> R:
        """One record, or :class:`NotFound`."""
        name = _child_table(kind)
        return self._read(lambda conn: self._fetch(conn, name, record_id))

    def list(self, kind: type[R], client_id: str, **equal_filters: Any) -> list[R]:
        """A client's records of one kind, optionally filtered by field equality.

        Order: applications by date applied (undated last); check-ins,
        thoughts and notes by time; actions by due date (undated last) then
        creation; everything else in the order it was saved.
        """
        name = _child_table(kind)
        conditions = self._conditions(kind, name, equal_filters)
        return self._read(lambda conn: self._select(conn, name, client_id, *conditions))

    @staticmethod
    def _conditions(kind: type, name: str, equal_filters: dict[str, Any]) -> list[Any]:
        """``field == value`` conditions on one table, refusing unknown fields."""
        fields, table = FIELDS[name], TABLES[name]
        unknown = sorted(set(equal_filters) - set(fields))
        if unknown:
            raise TypeError(f"{kind.__name__} has no field {', '.join(unknown)}")
        return [table.c[field] == _to_db(fields[field], value) if value is not None
                else table.c[field].is_(None)
                for field, value in equal_filters.items()]

    # -- answers and resume state --

    def set_answer(self, client_id: str, key: str, value: Any,
                   application_id: str = "") -> model.Answer:
        """Save (or replace) the answer to one question, as soon as it is given."""
        answer = _normalize(_validated(model.Answer, {
            "client_id": client_id, "application_id": application_id,
            "key": key, "value": value}))

        def work(conn: Connection) -> model.Answer:
            self._require_client(conn, client_id)
            self._check_links(conn, answer)
            return self._upsert_answer(conn, answer)

        return self._guarded("answers", work)

    def update_and_answer(self, kind: type[R], record_ids: Iterable[str],
                          changes: dict[str, Any], *, client_id: str, key: str, value: Any,
                          application_id: str = "") -> model.Answer:
        """Change the same fields of some records and save an answer, in one transaction.

        One commit instead of one per record: with ``synchronous=FULL`` each
        commit waits for the disk, and a click should wait for it only once.
        """
        fixed = sorted({"id", "client_id"} & changes.keys())
        if fixed:
            raise NextRoundError(f"A record's {' and '.join(fixed)} cannot be changed.")
        ids = list(record_ids)
        answer = _normalize(_validated(model.Answer, {
            "client_id": client_id, "application_id": application_id,
            "key": key, "value": value}))

        def work(conn: Connection) -> model.Answer:
            self._require_client(conn, client_id)
            for record_id in ids:
                self._update_row(conn, kind, record_id, changes)
            self._check_links(conn, answer)
            return self._upsert_answer(conn, answer)

        return self._guarded("answers", work)

    def _upsert_answer(self, conn: Connection, answer: model.Answer) -> model.Answer:
        """Replace the value of an existing answer (keeping its id) or insert it.

        Saving the same value again changes nothing, not even the time: an
        answer's time is when the client last changed it, so merely opening a
        step that re-saves what it shows is not counted as activity.
        """
        table = TABLES["answers"]
        existing = conn.execute(select(table.c.id, table.c.value, table.c.updated_at).where(
            table.c.client_id == answer.client_id,
            table.c.application_id == answer.application_id,
            table.c.key == answer.key)).first()
        if existing is None:
            self._insert(conn, "answers", [answer])
            return answer
        row = _to_row(answer)
        if existing.value == row["value"]:
            return answer.model_copy(update={
                "id": existing.id, "updated_at": _from_db("datetime", existing.updated_at)})
        conn.execute(sql_update(table).where(table.c.id == existing.id)
                     .values(value=row["value"], updated_at=row["updated_at"]))
        return answer.model_copy(update={"id": existing.id})

    def answers(self, client_id: str, application_id: str | None = None) -> dict[str, Any]:
        """Answers as ``{key: value}``: general ones, or one application's."""
        answers = self.list(model.Answer, client_id, application_id=application_id or "")
        return {a.key: a.value for a in answers if not a.key.startswith(STATE_PREFIX)}

    def all_answers(self, client_id: str) -> list[model.Answer]:
        """Every answer record of a client, resume state included, in saved order."""
        return self.list(model.Answer, client_id)

    def get_state(self, client_id: str) -> dict[str, Any]:
        """Where the client was (step, chosen application), for resuming."""
        answers = self.list(model.Answer, client_id, application_id="")
        return {a.key[len(STATE_PREFIX):]: a.value for a in answers
                if a.key.startswith(STATE_PREFIX)}

    def set_state(self, client_id: str, **values: Any) -> None:
        """Remember resume state; all values are saved in one transaction."""
        answers = [_normalize(_validated(model.Answer, {
            "client_id": client_id, "key": STATE_PREFIX + key, "value": value}))
            for key, value in values.items()]

        def work(conn: Connection) -> None:
            self._require_client(conn, client_id)
            for answer in answers:
                self._upsert_answer(conn, answer)

        self._guarded("answers", work)

    def last_activity(self, client_id: str) -> datetime | None:
        """When the client last made an entry of their own (None if never).

        Counts what the client wrote: applications, feedback, answers,
        check-ins, thoughts, plan steps and contacts. Not the day they were
        added, not the counsellor's notes, and not resume state (opening a
        step is not an entry).
        """
        return self._latest_entries(client_id).get(client_id)

    def _latest_entries(self, client_id: str | None = None) -> dict[str, datetime]:
        """The latest entry time of one client, or of every client (one query per field)."""

        def work(conn: Connection) -> dict[str, str]:
            latest: dict[str, str] = {}
            for table, field in ENTRY_TIMES:
                query = select(table.c.client_id, func.max(table.c[field]))
                if table.name == "answers":
                    query = query.where(~table.c.key.startswith(STATE_PREFIX))
                if client_id is not None:
                    query = query.where(table.c.client_id == client_id)
                for owner_id, value in conn.execute(query.group_by(table.c.client_id)):
                    if value is not None and value > latest.get(owner_id, ""):
                        latest[owner_id] = value
            return latest

        return {owner: _from_db("datetime", value) for owner, value in self._read(work).items()}

    # -- whole-caseload reads --

    def list_all(self, kind: type[R], **equal_filters: Any) -> list[R]:
        """Every client's records of one kind, in one query, filtered as in :meth:`list`.

        A caseload view would otherwise make one query per client per kind.
        Records come grouped by client, each client's in :meth:`list` order.
        """
        name = _child_table(kind)
        table = TABLES[name]
        query = (select(table).where(*self._conditions(kind, name, equal_filters))
                 .order_by(table.c.client_id, *_ordering(name)))
        return self._read(lambda conn: [_from_row(name, row)
                                        for row in conn.execute(query).mappings()])

    def last_activities(self) -> dict[str, datetime]:
        """:meth:`last_activity` for every client, in one query per table."""
        return self._latest_entries()

    # -- export and import --

    def export_records(self, client_id: str, include_notes: bool = False) -> dict[str, Any]:
        """A client and all their records as JSON-ready data, read in one snapshot.

        Counsellor notes are private and left out unless asked for.
        """

        def work(conn: Connection) -> dict[str, Any]:
            client = self._fetch(conn, "clients", client_id)
            data: dict[str, Any] = {"client": client.model_dump(mode="json")}
            for name in model.CHILD_RECORDS:
                if name == "notes" and not include_notes:
                    continue
                data[name] = [r.model_dump(mode="json") for r in self._select(conn, name,
                                                                               client_id)]
            return data

        return self._read(work)

    def import_records(self, data: Any, *, existing: str = "refuse") -> model.Client:
        """Add a client from exported data, all or nothing.

        Everything is validated before anything is written, and the writes
        are one transaction, so a bad file never leaves half a client behind.
        When the client is already here, ``existing`` decides: ``"refuse"``
        (raise :class:`ClientExists`), ``"replace"`` (their work here is
        replaced by the file's, in the same transaction) or ``"separate"``
        (the file becomes a new client, with fresh ids, beside the old one).
        """
        if existing not in ("refuse", "replace", "separate"):
            raise ValueError(f"unknown choice for an existing client: {existing!r}")
        client, records = validate_import(data)
        if existing == "separate":
            client, records = _as_new_client(client, records)

        def work(conn: Connection) -> model.Client:
            if self._exists(conn, "clients", client.id):
                if existing != "replace":
                    raise ClientExists(
                        f"This client ({client.name}) is already in the store; erase them "
                        "first, or import the file into a different store. Nothing was "
                        "written.", name=client.name, client_id=client.id)
                self._delete_client_rows(conn, client.id)
            _raise_problems(self._id_clashes(conn, records))
            self._insert(conn, "clients", [client])
            for name, items in records.items():
                self._insert(conn, name, items)
            return client

        return self._write(work)

    @staticmethod
    def _delete_client_rows(conn: Connection, client_id: str) -> None:
        """Delete a client and every record of theirs (inside the caller's transaction)."""
        for name in reversed(model.CHILD_RECORDS):
            table = TABLES[name]
            conn.execute(sql_delete(table).where(table.c.client_id == client_id))
        clients = TABLES["clients"]
        conn.execute(sql_delete(clients).where(clients.c.id == client_id))

    @staticmethod
    def _id_clashes(conn: Connection, records: dict[str, list[model.Record]]) -> list[str]:
        """Problems for record ids the store already holds for someone else."""
        problems = []
        for name, items in records.items():
            table = TABLES[name]
            ids = [r.id for r in items]
            taken: set[str] = set()
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                taken.update(conn.execute(select(table.c.id)
                                          .where(table.c.id.in_(chunk))).scalars())
            problems += [f"{name}[{n}].id: a record with this id is already in the store"
                         for n, r in enumerate(items) if r.id in taken]
        return problems


def _as_new_client(client: model.Client, records: dict[str, list[model.Record]]
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


def _clean_name(name: Any) -> str:
    """A client name as :func:`model.clean_name` keeps it; a blank name is refused."""
    if not isinstance(name, str) or not name.strip():
        raise NextRoundError("A client needs a name.")
    try:
        return model.clean_name(name)
    except ValueError as exc:
        raise NextRoundError(f"This name cannot be used: {exc}.") from None


def _ordering(name: str) -> list[Any]:
    """The deterministic order each kind of record is listed in."""
    table = TABLES[name]
    tail = [table.c.seq, table.c.id]
    if name == "applications":
        return [table.c.applied_on.is_(None), table.c.applied_on, *tail]
    if name in ("checkins", "thoughts", "notes"):
        return [table.c.at, *tail]
    if name == "actions":
        return [table.c.due_on.is_(None), table.c.due_on, table.c.created_at, *tail]
    return tail


# --- import validation ---------------------------------------------------------


def _raise_problems(problems: list[str]) -> None:
    """Raise one :class:`WorkbookError` listing every problem (or do nothing)."""
    if not problems:
        return
    shown = problems[:MAX_PROBLEMS]
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"... and {len(problems) - MAX_PROBLEMS} more problems")
    raise WorkbookError("The workbook cannot be imported; nothing was written.\n"
                        + "\n".join(shown))


def validate_import(data: Any) -> tuple[model.Client, dict[str, list[model.Record]]]:
    """Check exported data completely, before anything is written.

    Returns the client and its records (normalised as the store keeps
    them), or raises :class:`WorkbookError` naming each problem and where
    it is, e.g. ``applications[3].applied_on: Input should be a valid date``.
    """
    if not isinstance(data, dict):
        _raise_problems(["(top): expected an object with a client and its records"])
    problems = [f"{key}: unknown section" for key in data if key not in RECORDS
                and key != "client"]
    client = _validate_one(model.Client, data.get("client"), "client", problems)
    if client is not None:
        try:
            client = client.model_copy(update={"name": model.clean_name(client.name)})
        except ValueError as exc:
            problems.append(f"client.name: {exc}")
    records = {name: _validate_list(name, data.get(name, []), problems)
               for name in model.CHILD_RECORDS}
    if client is not None:
        problems += _ownership_problems(client, records)
    problems += _link_problems(records)
    _raise_problems(problems)
    assert client is not None
    return _normalize(client), {name: [_normalize(r) for r in items]
                                for name, items in records.items()}


def _validate_one(kind: type[R], item: Any, where: str, problems: list[str]) -> R | None:
    """Validate one item, collecting problems instead of stopping at the first."""
    try:
        return kind.model_validate(item)
    except ValidationError as exc:
        problems += _validation_problems(exc, where)
        return None


def _validate_list(name: str, items: Any, problems: list[str]) -> list[Any]:
    """Validate one section; an invalid item stays as ``None`` so later
    messages keep the item's place in the file. Duplicate ids are problems."""
    if not isinstance(items, list):
        problems.append(f"{name}: should be a list")
        return []
    records, seen = [], set()
    for n, item in enumerate(items):
        record = _validate_one(RECORDS[name], item, f"{name}[{n}]", problems)
        if record is not None and record.id in seen:
            problems.append(f"{name}[{n}].id: the same id appears twice")
        if record is not None:
            seen.add(record.id)
        records.append(record)
    return records


def _ownership_problems(client: model.Client, records: dict[str, list[Any]]) -> list[str]:
    """A file holds one client: every record must belong to it."""
    return [f"{name}[{n}].client_id: does not match the client's id"
            for name, items in records.items()
            for n, record in enumerate(items)
            if record is not None and record.client_id != client.id]


def _link_problems(records: dict[str, list[Any]]) -> list[str]:
    """Every application a record names must be in the file; answers are unique."""
    application_ids = {a.id for a in records["applications"] if a is not None}
    problems = [f"{name}[{n}].application_id: no application with this id is in the file"
                for name in ("feedback", "answers", "actions")
                for n, record in enumerate(records[name])
                if record is not None and record.application_id
                and record.application_id not in application_ids]
    seen: set[tuple[str, str]] = set()
    for n, answer in enumerate(records["answers"]):
        if answer is None:
            continue
        question = (answer.application_id, answer.key)
        if question in seen:
            problems.append(f"answers[{n}].key: the same question is answered twice")
        seen.add(question)
    return problems
