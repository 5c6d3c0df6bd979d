"""Privacy: after export and erase, the database files hold no trace of the client.

A client's name (and a former name), id, answers (including a 1 MB one
stored in overflow pages, and earlier versions of an answer), notes and
every other kind of record are written, some updated or deleted along the
way, then the workbook is exported and the client erased. The raw bytes of
the database file, its ``-wal`` and its ``-shm`` (and anything else in the
folder) are then searched for each of those strings: there must be zero hits.

The store turns ``secure_delete`` on for its own connections, which zeroes
what it deletes. A database may also have been written by another SQLite
tool without it (a backup restored, a file edited by hand); the ``off``
variant writes everything that way, and erase must still leave nothing,
because it rebuilds the file (VACUUM) and empties the WAL (checkpoint).

Zero outbound network requests during a whole browser journey is checked by
the browser harness (``tests/browser``): its ``page`` fixture fails any test
whose page asks for anything outside this machine.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from reliability_support import scaled

from nextround import model
from nextround.exports import export_workbook, import_workbook
from nextround.store import SQLiteSettings, Store

NAME = "Quimbly Zorbaxter"
OLD_NAME = "Oldname Vexillo"
SECRET = "my-secret-story-Qx9Vw"
NOTE = "counsellor-private-Kp4Rt"
BIG_WORD = "Megablob7"
#: Records of each kind for the erased client (more in the full run).
RECORDS = scaled(40, 400)


def _secrets(client_id: str) -> dict[str, bytes]:
    """What must leave the files. The client's random id stays, in the audit log's
    "erased" event only (:func:`_only_the_audit_log_names`); see nextround.store.audit."""
    return {"name": NAME.encode(), "old name": OLD_NAME.encode(),
            "answer": SECRET.encode(), "note": NOTE.encode(), "big answer": BIG_WORD.encode()}


def _only_the_audit_log_names(store: Store, client_id: str) -> None:
    """No workbook table has a row of the erased client; the log keeps "erased", by id."""
    from sqlalchemy import or_, select

    from nextround.store import TABLES

    with store.engine.connect() as conn:
        for name, table in TABLES.items():
            owner = table.c.id if name == "clients" else table.c.client_id
            found = conn.execute(select(table).where(or_(owner == client_id,
                                                         table.c.id == client_id))).all()
            assert found == [], name
    assert [e.action for e in store.audit_events(client_id)] == ["erased"]


def _hits(folder: Path, needles: dict[str, bytes]) -> dict[str, dict[str, int]]:
    """For each file in the folder: how often each secret occurs in its raw bytes."""
    found = {}
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        counts = {what: data.count(needle) for what, needle in needles.items()}
        found[path.name] = {what: n for what, n in counts.items() if n}
    return found


def _fill(store: Store) -> tuple[model.Client, model.Client]:
    """A client to erase, with history, and a client to keep."""
    keep = store.create_client("Keeper Person")
    store.set_answer(keep.id, "story", "the keeper's own story")
    client = store.create_client(OLD_NAME)
    store.rename_client(client.id, NAME)
    cid = client.id
    for n in range(RECORDS):
        app = store.add(model.Application(client_id=cid, company=f"{NAME} Ltd {n}",
                                          role=SECRET, applied_on=date(2024, 1, 1 + n % 28)))
        store.add(model.Feedback(client_id=cid, application_id=app.id, heard=f"{SECRET} {n}",
                                 person=NAME))
        store.set_answer(cid, f"reflect.{n}", f"{SECRET} first draft {n}", application_id=app.id)
        store.set_answer(cid, f"reflect.{n}", f"{SECRET} final {n}", application_id=app.id)
        store.add(model.CheckIn(client_id=cid, mood=n % 101, note=f"{SECRET} mood {n}"))
        store.add(model.ThoughtRecord(client_id=cid, assumption=SECRET, reframe=NAME))
        store.add(model.Action(client_id=cid, title=f"{SECRET} action {n}"))
        store.add(model.Contact(client_id=cid, name=NAME, company=SECRET))
        store.add(model.Note(client_id=cid, text=f"{NOTE} {n}"))
        if n % 5 == 0:
            store.delete(model.Application, app.id)
    store.set_answer(cid, "big", (BIG_WORD + " ") * (1_000_000 // (len(BIG_WORD) + 1)))
    store.set_answer(cid, "big", "replaced")
    store.set_state(cid, step="wellbeing")
    store.set_setting("app.last_client", cid)
    return client, keep


@pytest.mark.parametrize("secure_delete", ["on", "off"])
def test_export_then_erase_leaves_no_trace_in_db_wal_or_shm(tmp_path, figures,
                                                           secure_delete):
    # "off": every connection, including erase's, writes without it.
    settings = SQLiteSettings(secure_delete=secure_delete == "on")
    data, exports = tmp_path / "data", tmp_path / "exports"
    data.mkdir()
    exports.mkdir()
    store = Store(data / "nextround.db", sqlite_settings=settings)
    # a second connection, as another kernel
    other_kernel = Store(data / "nextround.db", sqlite_settings=settings)
    try:
        for opened in (store, other_kernel):
            with opened.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == (
                    secure_delete == "on")
        client, keep = _fill(store)
        assert len(other_kernel.list(model.Application, client.id)) == RECORDS - RECORDS // 5
        needles = _secrets(client.id)
        before = _hits(data, needles)
        assert before["nextround.db"] or before.get("nextround.db-wal"), before
        export_workbook(store, client.id, exports / "workbook.json", include_notes=True)

        size_before = sum(p.stat().st_size for p in data.iterdir())
        started = time.perf_counter()
        store.erase_client(client.id)
        erase_seconds = time.perf_counter() - started

        names = sorted(p.name for p in data.iterdir())
        assert names == ["nextround.db", "nextround.db-shm", "nextround.db-wal"]
        assert _hits(data, needles) == {name: {} for name in names}
        _only_the_audit_log_names(store, client.id)
        assert other_kernel.list_clients() == [keep]
        assert other_kernel.answers(keep.id) == {"story": "the keeper's own story"}
        assert store.get_setting("app.last_client") is None
    finally:
        store.close()
        other_kernel.close()
    assert _hits(data, needles) == {"nextround.db": {}}
    # The export is the client's own copy, kept where the user chose, and whole.
    exported = (exports / "workbook.json").read_bytes()
    assert NAME.encode() in exported and SECRET.encode() in exported
    with Store(tmp_path / "restored.db") as restored:
        assert import_workbook(restored, exported).name == NAME
    figures[f"privacy.secure_delete_{secure_delete}.records_per_kind"] = RECORDS
    figures[f"privacy.secure_delete_{secure_delete}.db_bytes_before_erase"] = size_before
    figures[f"privacy.secure_delete_{secure_delete}.erase_seconds"] = round(erase_seconds, 3)


@pytest.mark.timeout(60)  # before the checkpoint's wait was bounded, this took 150 s
def test_erase_during_another_kernels_read_finishes_and_leaves_no_trace(tmp_path, figures):
    """Another connection is in the middle of a read transaction during the erase."""
    import sqlite3

    path = tmp_path / "nextround.db"
    store = Store(path)
    client, keep = _fill(store)
    needles = _secrets(client.id)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM clients").fetchone() == (2,)
        started = time.perf_counter()
        store.erase_client(client.id)
        figures["privacy.erase_seconds_with_a_read_in_progress"] = round(
            time.perf_counter() - started, 2)
        # The reader may still read its snapshot, which has the client in it, so
        # the old pages must stay until it ends.
        assert reader.execute("SELECT count(*) FROM clients").fetchone() == (2,)
        reader.execute("COMMIT")
        # The counsellor carries on; the store's next write finishes the job
        # while every connection is still open.
        store.set_answer(keep.id, "story", "the keeper's next answer")
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == ["nextround.db", "nextround.db-shm", "nextround.db-wal"]
        assert _hits(tmp_path, needles) == {name: {} for name in names}
    finally:
        reader.close()
        store.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nextround.db"]
    assert _hits(tmp_path, needles) == {"nextround.db": {}}
    with Store(path) as reopened:
        assert reopened.list_clients() == [keep]


def test_on_postgresql_erase_leaves_no_row_and_no_dead_copy(postgres, figures):
    """On a server the files are PostgreSQL's, not ours: what the store can promise
    there is that no row anywhere (as the database owner sees it) holds the erased
    client, and that VACUUM has run, so no dead version of their rows (the old
    answers, the former name) is left in any table (``pgstattuple``). Bytes in
    free space, in the server's WAL and in backups are overwritten later, not at
    once; docs/deploy.md says how to handle that."""
    url = postgres.new_database("nextround_privacy")
    try:
        with Store(url) as store:
            client, keep = _fill(store)
            needles = {what: needle.decode() for what, needle in _secrets(client.id).items()}
            started = time.perf_counter()
            store.erase_client(client.id)
            erase_seconds = time.perf_counter() - started
            with store.engine.connect() as conn:
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pgstattuple")
                tables = conn.exec_driver_sql(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").scalars().all()
                found = {}
                for table in tables:
                    for what, needle in needles.items():
                        hits = conn.exec_driver_sql(
                            f"SELECT count(*) FROM {table} AS t WHERE strpos(t::text, %(n)s) > 0",
                            {"n": needle}).scalar()
                        if hits:
                            found[(table, what)] = hits
                    if table == "alembic_version":
                        continue  # its dead rows are the revisions each migration replaced
                    dead = conn.exec_driver_sql(
                        f"SELECT dead_tuple_count FROM pgstattuple('{table}')").scalar()
                    if dead:
                        found[(table, "dead rows")] = dead
                conn.commit()
            # The workbook tables, settings, the two schema records, people,
            # assignments and the audit log.
            assert len(tables) == 15
            assert found == {}
            _only_the_audit_log_names(store, client.id)
            assert store.list_clients() == [keep]
            assert store.answers(keep.id) == {"story": "the keeper's own story"}
    finally:
        postgres.drop_database(url)
    figures["privacy.postgresql.records_per_kind"] = RECORDS
    figures["privacy.postgresql.erase_seconds"] = round(erase_seconds, 3)
