"""Migrations: a new database gets the current schema, older databases are brought
up to date with their data intact, and a newer one is refused."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from nextround import model
from nextround.errors import NextRoundError
from nextround.store import MIGRATIONS, SCHEMA_VERSION_TABLE, Store

#: Files written by the store at schema version 3, before it became a package:
#: a database with one record of every kind and what it exported, and the
#: schema text (``sqlite_master``) a new database had after 1, 2 and 3 migrations.
FIXTURES = Path(__file__).resolve().parents[1] / "data" / "store"


# --- migrations --------------------------------------------------------------


def test_fresh_database_gets_current_schema_version(store):
    assert store.schema_version() == len(MIGRATIONS) == 4


def test_reopening_does_not_run_migrations_again(tmp_path):
    Store(tmp_path / "x.db").close()
    with Store(tmp_path / "x.db") as again, again.engine.connect() as conn:
        versions = conn.execute(select(SCHEMA_VERSION_TABLE.c.version)).scalars().all()
    assert versions == [1, 2, 3, 4]


def test_a_version_1_database_is_migrated_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.db"
    with Store(path, migrations=MIGRATIONS[:1]) as old:
        client = old.create_client("Ana")
        assert old.schema_version() == 1
    with Store(path) as new:
        assert new.schema_version() == len(MIGRATIONS)
        assert new.get_client(client.id).name == "Ana"
        new.set_setting("app.last_client", client.id)
        assert new.get_setting("app.last_client") == client.id


def test_a_version_2_database_gains_the_interview_date_and_keeps_its_data(tmp_path):
    """Migration 3 adds columns; every existing value reads back unchanged."""
    path = tmp_path / "v2.db"
    with Store(path, migrations=MIGRATIONS[:2]) as old, old.engine.begin() as conn:
        assert "interview_on" not in {row[1] for row in conn.exec_driver_sql(
            "PRAGMA table_info(applications)")}
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
            "'2025-02-10', 1, '', '', '2025-02-04T10:00:00.000000+00:00', 1)")
    with Store(path) as new:
        assert new.schema_version() == len(MIGRATIONS)
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


def test_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "future.db"
    with Store(path) as first, first.engine.begin() as conn:
        conn.execute(insert(SCHEMA_VERSION_TABLE).values(version=99, applied_at="2030-01-01"))
    with pytest.raises(NextRoundError) as caught:
        Store(path)
    assert str(caught.value) == (
        "This database was written by a newer version of NextRound (schema version 99; "
        f"this version knows up to {len(MIGRATIONS)}). Upgrade NextRound to open it; "
        "nothing was changed.")




def _schema_entries(text: str) -> list[str]:
    """The entries of a schema text, sorted: SQLAlchemy creates a table's indexes in
    no fixed order, and the order of entries means nothing to SQLite."""
    return sorted(entry for entry in text.split("\n\n") if entry)


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
        assert _schema_text(store) == _schema_entries(
            (FIXTURES / f"schema_{version}.sql").read_text())


def test_a_file_written_by_the_schema_3_store_opens_and_reads_back(tmp_path):
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "written_by_schema_3.db", path)
    exported = json.loads((FIXTURES / "written_by_schema_3.json").read_text())
    with Store(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
        [client] = store.list_clients()
        assert store.export_records(client.id, include_notes=True) == exported
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
        assert _without_audit_log(_schema_text(store)) == _schema_entries(
            (FIXTURES / "schema_3.sql").read_text())
        assert store.audit_events() == []
        store.update(model.Action, "b0ffee0000000002", done=True)
        assert store.get(model.Action, "b0ffee0000000002").done is True
