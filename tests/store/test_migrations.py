"""Migrations: a new database gets the current schema, older databases (those
written before Alembic too) are brought up to date in place with every record
kept, and a newer one is refused untouched. On SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import database_rows
import pytest
from database_rows import (
    add_client_as_version_1_did,
    added_values,
    as_written_before_alembic,
    execute,
    first_columns,
    state_of,
)
from sqlalchemy import inspect, select, text

from nextround import model
from nextround.errors import NextRoundError
from nextround.store import MIGRATIONS, SCHEMA_VERSION_TABLE, TABLES, Store
from nextround.store.migrations import SchemaState, revision_id

#: Files written by the store at schema version 3, before it became a package:
#: a database with one record of every kind and what it exported, and the
#: schema text (``sqlite_master``) a new database had after 1, 2 and 3 migrations.
FIXTURES = Path(__file__).resolve().parents[1] / "data" / "store"
WIDGETS_DIR = str(Path(__file__).resolve().parents[2] / "widgets")
HEAD = len(MIGRATIONS)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A database that does not hold anything yet: a new SQLite file, or an empty
    PostgreSQL database on the test server."""
    if request.param == "sqlite":
        return str(tmp_path / "nextround.db")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(database_url):
    """A store on ``database_url`` (so ``filled_client`` fills it, on both databases)."""
    opened = Store(database_url)
    yield opened
    opened.close()


def every_row(url: str, *, leave_out: tuple[str, ...] = ("alembic_version",)
              ) -> dict[str, list[tuple]]:
    """Every row of every table; Alembic's own table is left out unless asked for."""
    return database_rows.every_row(url, leave_out=leave_out)


def record_newer_version(url: str, *, version: int | None = None,
                         revision: str | None = None) -> None:
    """Record what a newer NextRound would: a higher schema version or revision."""
    if version is not None:
        execute(url, f"INSERT INTO schema_version VALUES ({version}, '2030-01-01')")
    if revision is not None:
        execute(url, f"UPDATE alembic_version SET version_num = '{revision}'")


# --- migrations, on both databases ---------------------------------------------


def test_fresh_database_gets_current_schema_version(store, database_url):
    assert store.schema_version() == len(MIGRATIONS) == HEAD == 6
    assert state_of(database_url) == SchemaState(version=HEAD, revision=revision_id(HEAD))


def test_reopening_does_not_run_migrations_again(database_url):
    Store(database_url).close()
    with Store(database_url) as again, again.engine.connect() as conn:
        versions = conn.execute(select(SCHEMA_VERSION_TABLE.c.version)).scalars().all()
        revisions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    assert sorted(versions) == list(range(1, HEAD + 1))
    assert revisions == [(revision_id(HEAD),)]


def test_a_database_written_before_alembic_is_recorded_in_place_with_every_record_kept(
        store, filled_client, database_url):
    """A database recorded in ``schema_version`` only, as before Alembic: opening
    records the matching revision, runs no migration, and changes no row. (The
    real file the last release before Alembic wrote, at version 3, is
    test_a_file_written_by_the_schema_3_store_opens_and_reads_back.)"""
    exported = store.export_records(filled_client.id, include_notes=True)
    store.set_setting("app.last_client", filled_client.id)
    store.close()
    as_written_before_alembic(database_url)
    before = every_row(database_url)
    assert state_of(database_url) == SchemaState(version=HEAD, revision=None)
    assert sorted(name for name, rows in before.items() if rows) == sorted(
        [*TABLES, "settings", "schema_version"])  # a row in every workbook table
    with Store(database_url) as reopened:
        assert reopened.export_records(filled_client.id, include_notes=True) == exported
        assert reopened.get_setting("app.last_client") == filled_client.id
    assert every_row(database_url) == before
    assert state_of(database_url) == SchemaState(version=HEAD, revision=revision_id(HEAD))


@pytest.mark.parametrize("recorded_by", ["alembic", "schema_version only"])
def test_a_version_1_database_is_migrated_and_keeps_its_data(database_url, recorded_by):
    with Store(database_url, migrations=MIGRATIONS[:1]) as old:
        with old.engine.begin() as conn:  # as version 1 wrote it: no language column
            conn.exec_driver_sql(
                "INSERT INTO clients (id, name, created_at, seq) VALUES "
                "('c0ffee000001', 'Ana', '2025-01-01T09:00:00.000000+00:00', 1)")
        old.add(model.CheckIn(client_id="c0ffee000001", mood=30, note="tired"))
        assert old.schema_version() == 1
    if recorded_by != "alembic":
        as_written_before_alembic(database_url)
    before = every_row(database_url)
    with Store(database_url) as new:
        assert new.schema_version() == len(MIGRATIONS)
        client = new.get_client("c0ffee000001")
        assert (client.name, client.language) == ("Ana", None)
        [checkin] = new.list(model.CheckIn, client.id)
        assert (checkin.mood, checkin.note) == (30, "tired")
        new.set_setting("app.last_client", client.id)
        assert new.get_setting("app.last_client") == client.id
    after = every_row(database_url)
    assert after["clients"] == [(*row, None) for row in before["clients"]]  # language unknown
    assert [row[:-1] for row in after["checkins"]] == [row[:-1] for row in before["checkins"]]
    assert state_of(database_url) == SchemaState(version=HEAD, revision=revision_id(HEAD))


def test_a_version_2_database_gains_the_interview_date_and_keeps_its_data(database_url):
    """Migration 3 adds columns; every existing value reads back unchanged."""
    with Store(database_url, migrations=MIGRATIONS[:2]) as old, old.engine.begin() as conn:
        assert "interview_on" not in {column["name"] for column in
                                      inspect(conn).get_columns("applications")}
        conn.exec_driver_sql(
            "INSERT INTO clients (id, name, created_at, seq) VALUES "
            "('c0ffee000001', 'Ana', '2025-01-01T09:00:00.000000+00:00', 1)")
        conn.exec_driver_sql(
            "INSERT INTO applications (id, client_id, company, role, stage, applied_on, "
            "outcome, outcome_on, how_heard, contact_name, seq) VALUES ('a0ffee000001', "
            "'c0ffee000001', 'Brightwave', 'Data Analyst', 'interview', '2025-01-06', "
            "'rejected', '2025-02-03', 'email', 'Sam', 1)")
        conn.exec_driver_sql(
            "INSERT INTO actions (id, client_id, title, due_on, done, application_id, "
            "library_id, created_at, seq) VALUES ('b0ffee000001', 'c0ffee000001', 'Call Jo', "
            "'2025-02-10', true, '', '', '2025-02-04T10:00:00.000000+00:00', 1)")
    with Store(database_url) as new:
        assert new.schema_version() == HEAD
        [app] = new.list(model.Application, "c0ffee000001")
        assert (app.company, app.role, app.stage, app.applied_on, app.outcome, app.outcome_on,
                app.how_heard, app.contact_name) == (
            "Brightwave", "Data Analyst", "interview", date(2025, 1, 6), "rejected",
            date(2025, 2, 3), "email", "Sam")
        assert app.interview_on is None and app.updated_at is None
        [action] = new.list(model.Action, "c0ffee000001")
        assert (action.title, action.done, action.updated_at) == ("Call Jo", True, None)
        # Unknown entry times stay unknown: the last entry is the action's creation.
        assert new.last_activity("c0ffee000001") == datetime(2025, 2, 4, 10, tzinfo=UTC)
        new.update(model.Application, app.id, interview_on=date(2025, 1, 20))
        assert new.get(model.Application, app.id).interview_on == date(2025, 1, 20)


def test_a_failed_upgrade_leaves_the_database_as_it_was(database_url):
    """The whole upgrade is one transaction: a migration that fails half-way
    leaves the schema, both version records and every row as they were."""
    Store(database_url, migrations=MIGRATIONS[:1]).close()
    add_client_as_version_1_did(database_url, "Ana")
    before = every_row(database_url, leave_out=())
    real = MIGRATIONS[2]

    def fails_after_its_work(conn):
        real(conn)
        raise RuntimeError("the disk filled up")

    MIGRATIONS[2] = fails_after_its_work
    try:
        with pytest.raises(RuntimeError, match="the disk filled up"):
            Store(database_url)
    finally:
        MIGRATIONS[2] = real
    assert every_row(database_url, leave_out=()) == before
    assert state_of(database_url) == SchemaState(version=1, revision="0001")
    with Store(database_url) as fixed:
        assert [c.name for c in fixed.list_clients()] == ["Ana"]
        assert fixed.schema_version() == HEAD


NEWER_MESSAGE = (
    "This database was written by a newer version of NextRound (schema version {n}; "
    f"this version knows up to {HEAD}). Upgrade NextRound to open it; nothing was changed.")


@pytest.mark.parametrize("recorded", ["schema_version", "alembic", "schema_version only"])
def test_database_from_a_newer_version_is_refused_untouched(database_url, recorded):
    with Store(database_url) as first:
        first.create_client("Ana")
    if recorded == "schema_version only":  # a newer release before Alembic: impossible,
        as_written_before_alembic(database_url)  # but refused all the same
    record_newer_version(database_url, version=99 if recorded != "alembic" else None,
                         revision="0099" if recorded == "alembic" else None)
    before = every_row(database_url, leave_out=())
    with pytest.raises(NextRoundError) as caught:
        Store(database_url)
    assert str(caught.value) == NEWER_MESSAGE.format(n=99)
    assert every_row(database_url, leave_out=()) == before


def test_a_revision_that_is_not_nextrounds_is_refused_untouched(database_url):
    Store(database_url).close()
    record_newer_version(database_url, revision="ae1027a6acf")
    before = every_row(database_url, leave_out=())
    with pytest.raises(NextRoundError) as caught:
        Store(database_url)
    assert str(caught.value) == (
        "This database records the Alembic revision 'ae1027a6acf', which is not one of "
        "NextRound's; is it another application's database? Nothing was changed.")
    assert every_row(database_url, leave_out=()) == before


OPENER = """
import json, sys
sys.stdin.readline()
from nextround.store import Store
with Store(sys.argv[1]) as store:
    store.create_client("opener " + sys.argv[2])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "alembic")[:1]))
"""


def _openers(url: str, count: int) -> list[tuple[int, str, str]]:
    """Start ``count`` processes that each open ``url`` and add a client, released
    together once all are started; their exit codes and outputs."""
    env = {**os.environ, "PYTHONPATH": WIDGETS_DIR}
    processes = [subprocess.Popen([sys.executable, "-c", OPENER, url, str(n)], env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for n in range(count)]
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        results.append((process.returncode, out, err))
    return results


def test_several_processes_opening_a_new_database_migrate_it_once(database_url):
    results = _openers(database_url, 4)
    assert [code for code, _, _ in results] == [0] * 4, [err for _, _, err in results]
    with Store(database_url) as opened, opened.engine.connect() as conn:
        versions = conn.execute(select(SCHEMA_VERSION_TABLE.c.version)).scalars().all()
        revisions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert sorted(c.name for c in opened.list_clients()) == [f"opener {n}"
                                                                 for n in range(4)]
    assert sorted(versions) == list(range(1, HEAD + 1))
    assert revisions == [(revision_id(HEAD),)]


def test_opening_an_up_to_date_database_never_loads_alembic(tmp_path):
    """Loading Alembic costs a few tenths of a second: only a database that is
    behind pays it (here, one written before Alembic, opened once)."""
    path = tmp_path / "x.db"
    Store(path).close()
    as_written_before_alembic(str(path))
    [(code, loaded_when_behind, err)] = _openers(str(path), 1)
    assert code == 0, err
    [(code, loaded_when_current, err)] = _openers(str(path), 1)
    assert code == 0, err
    assert (json.loads(loaded_when_behind), json.loads(loaded_when_current)) == (["alembic"], [])


def test_the_revisions_are_the_numbered_migrations_in_order():
    """One revision per migration, ``0001`` to ``000N`` in a line: a migration
    without its revision file, or a revision out of order, fails here."""
    from nextround.store.revisions import script_directory

    scripts = script_directory()
    chain = [script.revision for script in scripts.walk_revisions("base", "heads")][::-1]
    assert chain == [revision_id(n) for n in range(1, HEAD + 1)]
    assert scripts.get_heads() == [revision_id(HEAD)]
    for number, revision in enumerate(chain, 1):
        script = scripts.get_revision(revision)
        assert script.down_revision == (revision_id(number - 1) if number > 1 else None)
        assert f"apply_migration(op.get_bind(), {number})" in Path(script.path).read_text()


# --- SQLite files, as earlier versions wrote them --------------------------------


def _schema_entries(text: str) -> list[str]:
    """The entries of a schema text, sorted: SQLAlchemy creates a table's indexes in
    no fixed order, and the order of entries means nothing to SQLite."""
    return sorted(entry for entry in text.split("\n\n") if entry)


#: What Alembic adds to the schema: its table, recording the revision.
ALEMBIC_ENTRIES = [
    "-- index sqlite_autoindex_alembic_version_1 on alembic_version\nNone;",
    "-- table alembic_version on alembic_version\nCREATE TABLE alembic_version (\n"
    "\tversion_num VARCHAR(32) NOT NULL, \n"
    "\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n);",
]


def _with_alembic(entries: list[str]) -> list[str]:
    """A schema text of the release before Alembic, plus Alembic's table."""
    return sorted(entries + ALEMBIC_ENTRIES)


def _schema_text(store: Store) -> list[str]:
    """``sqlite_master`` as the fixtures hold it, one entry per table or index."""
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                    "ORDER BY rowid").all()
    return _schema_entries("".join(f"-- {kind} {name} on {table}\n{sql};\n\n"
                                   for kind, name, table, sql in rows))


def _without_audit_log(entries: list[str]) -> list[str]:
    """Schema entries less the audit log's table, indexes and triggers (migration 5)."""
    return [entry for entry in entries if " on audit_log\n" not in entry]


def test_migration_5_adds_the_append_only_audit_log_to_a_schema_3_file(tmp_path):
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "written_by_schema_3.db", path)
    with Store(path) as store:
        added = sorted(set(_schema_text(store)) - set(_without_audit_log(_schema_text(store))))
        [client] = store.list_clients()
        store.record_event("opened", client.id)
    kinds = sorted(entry.split()[1] + " " + entry.split()[2] for entry in added)
    assert kinds == ["index ix_audit_log_client_id", "index sqlite_autoindex_audit_log_1",
                     "table audit_log",
                     "trigger audit_log_refuse_delete", "trigger audit_log_refuse_update"]


@pytest.mark.parametrize("version", [1, 2, 3])
def test_each_migration_makes_exactly_the_schema_it_always_made(tmp_path, version):
    """The tables are generated from the models now; what a migration creates must
    still be, to the character, what the hand-written schema created."""
    with Store(tmp_path / "fresh.db", migrations=MIGRATIONS[:version]) as store:
        assert _schema_text(store) == _with_alembic(_schema_entries(
            (FIXTURES / f"schema_{version}.sql").read_text()))


def test_a_file_written_by_the_schema_3_store_opens_and_reads_back(tmp_path):
    """A real file from the release before Alembic: its revision is recorded in
    place, and every row of every table is still there, unchanged."""
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "written_by_schema_3.db", path)
    exported = json.loads((FIXTURES / "written_by_schema_3.json").read_text())
    before = every_row(str(path))
    assert state_of(str(path)) == SchemaState(version=3, revision=None)
    with Store(path) as store:
        after = every_row(str(path))
        kept = {name: rows for name, rows in before.items() if name != "schema_version"}
        assert {name: first_columns(after[name], rows) for name, rows in kept.items()} == kept
        assert {name: added_values(after[name], rows) for name, rows in kept.items()
                if added_values(after[name], rows)} == {"clients": {None}}
        assert after["schema_version"][:3] == before["schema_version"]
        assert all(not after[name] for name in set(after) - set(before))  # new, empty
        assert state_of(str(path)) == SchemaState(version=HEAD, revision=revision_id(HEAD))
        assert store.schema_version() == HEAD
        [client] = store.list_clients()
        assert store.export_records(client.id, include_notes=True) == {
            **exported, "client": {**exported["client"], "language": None}}
        assert store.answers(client.id) == {
            "strengths": ["stories", {"n": 2.5, "ok": True, "none": None}]}
        assert store.get_state(client.id) == {"step": "assess",
                                              "application_id": "a0ffee0000000001"}
        assert store.get_setting("app.last_client") == client.id
        entry_times = [record["updated_at"] for name in ("applications", "answers")
                       for record in exported[name] if record.get("updated_at")
                       and not record.get("key", "").startswith("state.")]
        assert store.last_activity(client.id) == max(
            datetime.fromisoformat(text) for text in entry_times)
        [app, undated] = store.list(model.Application, client.id)
        assert (app.applied_on, app.interview_on, undated.applied_on) == (
            date(2025, 1, 6), date(2025, 1, 20), None)
        assert _schema_text(store) == _with_alembic(
            _schema_entries((FIXTURES / f"schema_{HEAD}.sql").read_text()))
        assert store.audit_events() == []
        store.update(model.Action, "b0ffee0000000002", done=True)
        assert store.get(model.Action, "b0ffee0000000002").done is True
