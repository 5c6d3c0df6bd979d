"""The store: CRUD for every record kind, answers and resume state, ordering,
import validation, erasure, migrations, SQLite settings, concurrent writers,
and a state machine that checks random use against a plain dict model."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)
from sqlalchemy import insert, inspect, select, text

import nextround.store as store_module
from nextround import model
from nextround.errors import NextRoundError, NotFound, WorkbookError
from nextround.store import MIGRATIONS, SCHEMA_VERSION_TABLE, TABLES, Store, default_db_url

WIDGETS_DIR = str(Path(__file__).resolve().parent.parent / "widgets")
FULL = os.environ.get("NEXTROUND_FULL") == "1"


# --- where the database lives ------------------------------------------------


def test_default_db_url_uses_nextround_db_path(tmp_path, monkeypatch):
    target = tmp_path / "new folder" / "work.db"
    monkeypatch.setenv("NEXTROUND_DB", str(target))
    assert default_db_url() == f"sqlite:///{target.resolve()}"
    assert target.parent.is_dir()


def test_default_db_url_passes_a_database_url_through(monkeypatch):
    monkeypatch.setenv("NEXTROUND_DB", "postgresql://coach:secret@db.example/nextround")
    assert default_db_url() == "postgresql://coach:secret@db.example/nextround"


def test_default_db_url_falls_back_to_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("NEXTROUND_DB", raising=False)
    calls = []

    def fake_user_data_dir(name, *args, **kwargs):
        calls.append(name)
        return str(tmp_path / "data" / name)

    monkeypatch.setattr(store_module.platformdirs, "user_data_dir", fake_user_data_dir)
    expected = (tmp_path / "data" / "nextround" / "nextround.db").resolve()
    assert default_db_url() == f"sqlite:///{expected}"
    assert calls == ["nextround"]
    assert expected.parent.is_dir()


def test_store_none_opens_default_and_describes_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("NEXTROUND_DB", str(tmp_path / "env.db"))
    with Store() as opened:
        path = (tmp_path / "env.db").resolve()
        assert opened.url == f"sqlite:///{path}"
        assert opened.describe() == f"Data is kept in the SQLite file {path}"
    assert (tmp_path / "env.db").is_file()


def test_store_accepts_str_path_and_url(tmp_path):
    with Store(str(tmp_path / "a.db")) as by_path:
        assert by_path.url == f"sqlite:///{(tmp_path / 'a.db').resolve()}"
    url = f"sqlite:///{tmp_path / 'b.db'}"
    with Store(url) as by_url:
        assert by_url.url == url
        assert by_url.create_client("Ada").name == "Ada"


# --- SQLite settings ---------------------------------------------------------


def test_sqlite_pragmas_are_set(store):
    with store.engine.connect() as conn:
        def pragma(name):
            return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == 30000
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 2  # FULL
        assert pragma("secure_delete") == 1


def test_write_transactions_begin_immediate(store):
    """A writer holds the write lock from BEGIN, so a second writer cannot start."""
    client = store.create_client("Ada")
    import sqlite3

    other = sqlite3.connect(store.engine.url.database, timeout=0, isolation_level=None)
    try:
        def work(conn):
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            return "done"

        assert store._write(work) == "done"
        other.execute("BEGIN IMMEDIATE")  # free again once the transaction ended
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert store.get_client(client.id).name == "Ada"


# --- migrations --------------------------------------------------------------


def test_fresh_database_gets_current_schema_version(store):
    assert store.schema_version() == len(MIGRATIONS) == 3


def test_reopening_does_not_run_migrations_again(tmp_path):
    Store(tmp_path / "x.db").close()
    with Store(tmp_path / "x.db") as again, again.engine.connect() as conn:
        versions = conn.execute(select(SCHEMA_VERSION_TABLE.c.version)).scalars().all()
    assert versions == [1, 2, 3]


def test_schema_made_by_migrations_matches_the_models(store):
    """A new model field without a migration fails here."""
    inspector = inspect(store.engine)
    for name, table in TABLES.items():
        # Columns added by later migrations come after ``seq``: compare the sets.
        columns = sorted(c["name"] for c in inspector.get_columns(name))
        assert columns == sorted(c.name for c in table.columns), name
        indexes = {ix["name"] for ix in inspector.get_indexes(name)}
        if "client_id" in table.c:
            assert f"ix_{name}_client_id" in indexes
        if "application_id" in table.c:
            assert f"ix_{name}_application_id" in indexes


def test_a_version_1_database_is_migrated_and_keeps_its_data(tmp_path, monkeypatch):
    import nextround.store as store_module

    path = tmp_path / "old.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:1])
    with Store(path) as old:
        client = old.create_client("Ana")
        assert old.schema_version() == 1
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    with Store(path) as new:
        assert new.schema_version() == len(MIGRATIONS)
        assert new.get_client(client.id).name == "Ana"
        new.set_setting("app.last_client", client.id)
        assert new.get_setting("app.last_client") == client.id


def test_a_version_2_database_gains_the_interview_date_and_keeps_its_data(tmp_path,
                                                                         monkeypatch):
    """Migration 3 adds columns; every existing value reads back unchanged."""
    path = tmp_path / "v2.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:2])
    with Store(path) as old, old.engine.begin() as conn:
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
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    with Store(path) as new:
        assert new.schema_version() == 3
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


def test_settings_round_trip_and_erase_forgets_the_client(store):
    assert store.get_setting("missing", "fallback") == "fallback"
    client = store.create_client("Bo")
    store.set_setting("app.last_client", client.id)
    store.set_setting("other", {"a": [1, 2]})
    assert store.get_setting("other") == {"a": [1, 2]}
    store.erase_client(client.id)
    assert store.get_setting("app.last_client") is None
    assert store.get_setting("other") == {"a": [1, 2]}
    store.set_setting("other", None)
    assert store.get_setting("other") is None


def test_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "future.db"
    with Store(path) as first, first.engine.begin() as conn:
        conn.execute(insert(SCHEMA_VERSION_TABLE).values(version=99, applied_at="2030-01-01"))
    with pytest.raises(NextRoundError) as caught:
        Store(path)
    assert str(caught.value) == (
        "This database was written by a newer version of NextRound (schema version 99; "
        "this version knows up to 3). Upgrade NextRound to open it; nothing was changed.")


# --- clients -----------------------------------------------------------------


def test_client_create_get_list_rename(store):
    bob = store.create_client("  bob ")
    alice = store.create_client("Alice")
    carol = store.create_client("carol")
    assert bob.name == "bob"
    assert store.get_client(alice.id) == alice
    assert [c.name for c in store.list_clients()] == ["Alice", "bob", "carol"]
    renamed = store.rename_client(carol.id, "Aaron")
    assert renamed.name == "Aaron"
    assert renamed.created_at == carol.created_at
    assert [c.id for c in store.list_clients()] == [carol.id, alice.id, bob.id]


def test_client_names_are_data_not_paths(store, tmp_path):
    hostile = "../../etc/passwd <script>alert(1)</script>"
    client = store.create_client(hostile)
    assert store.get_client(client.id).name == hostile
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "nextround.db", "nextround.db-shm", "nextround.db-wal"]


def test_blank_client_name_is_refused(store):
    with pytest.raises(NextRoundError, match="^A client needs a name.$"):
        store.create_client("   ")


def test_unknown_client_gives_plain_not_found(store):
    with pytest.raises(NotFound) as caught:
        store.get_client("0123456789abcdef")
    assert str(caught.value) == ("No client with id '0123456789abcdef' was found; "
                                 "they may have been erased.")
    with pytest.raises(NotFound):
        store.rename_client("0123456789abcdef", "x")
    with pytest.raises(NotFound):
        store.erase_client("0123456789abcdef")


# --- child records -----------------------------------------------------------

CRUD_CASES = [
    (lambda c, a: model.Application(client_id=c, company="Initech", applied_on=date(2024, 1, 5)),
     {"stage": "offer", "outcome": "offer", "outcome_on": date(2024, 2, 1)}, "application"),
    (lambda c, a: model.Feedback(client_id=c, application_id=a, person="HR"),
     {"heard": "Nothing yet", "no_reply": True}, "feedback record"),
    (lambda c, a: model.Answer(client_id=c, key="why", value=[1, "two", None]),
     {"value": {"nested": [True, 2.5]}}, "answer"),
    (lambda c, a: model.CheckIn(client_id=c, mood=20, note="low"),
     {"mood": 75, "note": "better"}, "check-in"),
    (lambda c, a: model.ThoughtRecord(client_id=c, assumption="too old"),
     {"reframe": "experience is an asset"}, "thought record"),
    (lambda c, a: model.Action(client_id=c, title="Follow up"),
     {"done": True, "due_on": date(2025, 1, 2)}, "action"),
    (lambda c, a: model.Contact(client_id=c, name="Grace"),
     {"follow_up_on": date(2024, 6, 1), "company": "Acme"}, "contact"),
    (lambda c, a: model.Note(client_id=c, text="first session"),
     {"text": "second session"}, "note"),
]


@pytest.mark.parametrize(("make", "changes", "label"), CRUD_CASES,
                         ids=[case[2] for case in CRUD_CASES])
def test_crud_for_every_record_kind(store, make, changes, label):
    client = store.create_client("Ada")
    app = store.add(model.Application(client_id=client.id, company="Base"))
    record = store.add(make(client.id, app.id))
    kind = type(record)
    assert store.get(kind, record.id) == record

    updated = store.update(kind, record.id, **changes)
    for field, value in changes.items():
        assert getattr(updated, field) == value
    assert store.get(kind, record.id) == updated
    assert updated in store.list(kind, client.id)

    store.delete(kind, record.id)
    with pytest.raises(NotFound) as caught:
        store.get(kind, record.id)
    assert str(caught.value) == (f"No {label} with id {record.id!r} was found; "
                                 "it may have been deleted.")
    with pytest.raises(NotFound):
        store.delete(kind, record.id)
    with pytest.raises(NotFound):
        store.update(kind, record.id, **changes)


def test_add_needs_an_existing_client_and_own_application(store):
    ada = store.create_client("Ada")
    bob = store.create_client("Bob")
    bobs_app = store.add(model.Application(client_id=bob.id))
    with pytest.raises(NotFound, match="No client with id 'ffffffffffff'"):
        store.add(model.CheckIn(client_id="ffffffffffff", mood=5))
    with pytest.raises(NotFound, match=f"No application with id '{bobs_app.id}' was found "
                                       "for this client"):
        store.add(model.Feedback(client_id=ada.id, application_id=bobs_app.id))
    assert store.list(model.Feedback, ada.id) == []


def test_duplicate_id_is_refused_in_plain_words(store):
    client = store.create_client("Ada")
    first = store.add(model.Contact(client_id=client.id, name="Grace"))
    with pytest.raises(NextRoundError, match="^This contact cannot be saved: a record with "
                                             "the same id already exists.$"):
        store.add(model.Contact(id=first.id, client_id=client.id, name="Other"))
    assert [c.name for c in store.list(model.Contact, client.id)] == ["Grace"]


def test_update_is_validated_and_keeps_owner(store):
    client = store.create_client("Ada")
    checkin = store.add(model.CheckIn(client_id=client.id, mood=10))
    with pytest.raises(NextRoundError, match="^mood: Input should be less than or equal to 100$"):
        store.update(model.CheckIn, checkin.id, mood=150)
    with pytest.raises(NextRoundError, match="^nonsense: Extra inputs are not permitted$"):
        store.update(model.CheckIn, checkin.id, nonsense=1)
    with pytest.raises(NextRoundError, match="^A record's client_id cannot be changed.$"):
        store.update(model.CheckIn, checkin.id, client_id=store.create_client("Bob").id)
    assert store.get(model.CheckIn, checkin.id).mood == 10


def test_times_round_trip_as_utc(store):
    client = store.create_client("Ada")
    plus_two = timezone(timedelta(hours=2))
    aware = store.add(model.CheckIn(client_id=client.id, mood=1,
                                    at=datetime(2024, 5, 1, 12, 0, 0, 250, tzinfo=plus_two)))
    naive = store.add(model.CheckIn(client_id=client.id, mood=2, at=datetime(2024, 5, 1, 8)))
    assert store.get(model.CheckIn, aware.id).at == datetime(2024, 5, 1, 10, 0, 0, 250,
                                                             tzinfo=UTC)
    assert store.get(model.CheckIn, aware.id).at.utcoffset() == timedelta(0)
    assert store.get(model.CheckIn, naive.id).at == datetime(2024, 5, 1, 8, tzinfo=UTC)


def test_list_filters_by_equality(store):
    client = store.create_client("Ada")
    store.add(model.Action(client_id=client.id, title="open"))
    done = store.add(model.Action(client_id=client.id, title="closed", done=True))
    dated = store.add(model.Application(client_id=client.id, applied_on=date(2024, 1, 1)))
    undated = store.add(model.Application(client_id=client.id))
    assert store.list(model.Action, client.id, done=True) == [done]
    assert store.list(model.Application, client.id, applied_on=None) == [undated]
    assert store.list(model.Application, client.id, applied_on=date(2024, 1, 1)) == [dated]
    with pytest.raises(TypeError, match="Action has no field colour"):
        store.list(model.Action, client.id, colour="red")


def test_listing_order_is_sensible_and_deterministic(store):
    client = store.create_client("Ada")
    cid = client.id

    def app(company, applied_on=None):
        store.add(model.Application(client_id=cid, company=company, applied_on=applied_on))

    app("undated first")
    app("May", date(2024, 5, 1))
    app("January", date(2024, 1, 1))
    app("undated second")
    assert [a.company for a in store.list(model.Application, cid)] == [
        "January", "May", "undated first", "undated second"]

    for hour in (15, 9, 12):
        store.add(model.CheckIn(client_id=cid, mood=hour, at=datetime(2024, 1, 1, hour,
                                                                         tzinfo=UTC)))
    assert [c.mood for c in store.list(model.CheckIn, cid)] == [9, 12, 15]

    def action(title, due_on=None, minute=0):
        store.add(model.Action(client_id=cid, title=title, due_on=due_on,
                               created_at=datetime(2024, 1, 1, 0, minute, tzinfo=UTC)))

    action("someday late", minute=5)
    action("February", date(2024, 2, 1))
    action("someday early", minute=1)
    action("January", date(2024, 1, 15))
    assert [a.title for a in store.list(model.Action, cid)] == [
        "January", "February", "someday early", "someday late"]

    for name in ("Zed", "Amy", "Max"):
        store.add(model.Contact(client_id=cid, name=name))
    assert [c.name for c in store.list(model.Contact, cid)] == ["Zed", "Amy", "Max"]


def test_deleting_an_application_takes_its_feedback_and_answers(store):
    client = store.create_client("Ada")
    app = store.add(model.Application(client_id=client.id, company="Acme"))
    keep = store.add(model.Application(client_id=client.id, company="Globex"))
    store.add(model.Feedback(client_id=client.id, application_id=app.id))
    store.add(model.Feedback(client_id=client.id, application_id=keep.id))
    store.set_answer(client.id, "q", "about acme", application_id=app.id)
    store.set_answer(client.id, "q", "general")
    tied = store.add(model.Action(client_id=client.id, title="thank", application_id=app.id))

    store.delete(model.Application, app.id)
    assert [f.application_id for f in store.list(model.Feedback, client.id)] == [keep.id]
    assert store.answers(client.id, app.id) == {}
    assert store.answers(client.id) == {"q": "general"}
    assert store.get(model.Action, tied.id).application_id == ""
    # what is left still exports and imports cleanly
    data = store.export_records(client.id, include_notes=True)
    store.erase_client(client.id)
    store.import_records(data)
    assert store.export_records(client.id, include_notes=True) == data


# --- answers and state -------------------------------------------------------


def test_set_answer_upserts_per_question(store):
    client = store.create_client("Ada")
    app = store.add(model.Application(client_id=client.id))
    first = store.set_answer(client.id, "strengths", "stories")
    second = store.set_answer(client.id, "strengths", {"list": ["stories", "data"]})
    store.set_answer(client.id, "strengths", "for this job", application_id=app.id)
    assert second.id == first.id
    assert store.answers(client.id) == {"strengths": {"list": ["stories", "data"]}}
    assert store.answers(client.id, app.id) == {"strengths": "for this job"}
    assert [(a.application_id, a.key) for a in store.all_answers(client.id)] == [
        ("", "strengths"), (app.id, "strengths")]


def test_answer_values_must_be_json(store):
    client = store.create_client("Ada")
    with pytest.raises(NextRoundError, match="^This value cannot be saved"):
        store.set_answer(client.id, "bad", object())
    with pytest.raises(NextRoundError, match="^This value cannot be saved"):
        store.set_answer(client.id, "bad", float("nan"))
    with pytest.raises(NotFound):
        store.set_answer(client.id, "q", 1, application_id="ffffffffffff")
    assert store.all_answers(client.id) == []


def test_resume_state_lives_apart_from_answers(store):
    client = store.create_client("Ada")
    assert store.get_state(client.id) == {}
    store.set_state(client.id, step="feedback", application="abc123")
    store.set_state(client.id, step="assess")
    store.set_answer(client.id, "mood_word", "tired")
    assert store.get_state(client.id) == {"step": "assess", "application": "abc123"}
    assert store.answers(client.id) == {"mood_word": "tired"}
    assert sorted(a.key for a in store.all_answers(client.id)) == [
        "mood_word", "state.application", "state.step"]


def test_last_activity_is_the_clients_latest_own_entry(store):
    """Not the day they were added, not a counsellor's note, not opening a step."""
    client = store.create_client("Ada")
    assert store.last_activity(client.id) is None
    earlier = client.created_at - timedelta(days=30)
    store.add(model.CheckIn(client_id=client.id, mood=1, at=earlier))
    store.add(model.Note(client_id=client.id, text="x", at=client.created_at))
    store.set_state(client.id, step="plan")
    assert store.last_activity(client.id) == earlier
    assert store.last_activities() == {client.id: earlier}
    assert store.last_activity("ffffffffffff") is None


@pytest.mark.parametrize("kind", ["application", "feedback", "answer", "thought", "action",
                                  "contact"])
def test_every_kind_of_entry_counts_when_it_is_made_and_when_it_is_changed(store, kind):
    client = store.create_client("Ada")
    long_ago = datetime(2024, 1, 1, 9, tzinfo=UTC)
    app = store.add(model.Application(client_id=client.id, updated_at=long_ago))
    records = {
        "application": app,
        "feedback": model.Feedback(client_id=client.id, application_id=app.id,
                                   updated_at=long_ago),
        "answer": model.Answer(client_id=client.id, key="q", value=1, updated_at=long_ago),
        "thought": model.ThoughtRecord(client_id=client.id, at=long_ago, updated_at=long_ago),
        "action": model.Action(client_id=client.id, title="x", created_at=long_ago,
                               updated_at=long_ago),
        "contact": model.Contact(client_id=client.id, name="Jo", updated_at=long_ago),
    }
    record = records[kind] if kind == "application" else store.add(records[kind])
    assert store.last_activity(client.id) == long_ago
    before = model.utcnow()
    changes = {"answer": {"value": 2}, "thought": {"situation": "x"}}.get(kind, {})
    store.update(type(record), record.id, **changes)
    assert store.last_activity(client.id) >= before
    if kind == "answer":
        fresh = store.set_answer(client.id, "another question", "yes")
    else:
        fresh = store.add(record.model_copy(update={"id": model.new_id(), "updated_at": None}))
    assert fresh.updated_at is not None and fresh.updated_at >= before


# --- export and import (store level) -----------------------------------------


def test_export_records_shape_and_notes_flag(store, filled_client):
    data = store.export_records(filled_client.id)
    assert list(data) == ["client", "applications", "feedback", "answers", "checkins",
                          "thoughts", "actions", "contacts"]
    assert data["client"]["name"] == "Ada Lovelace"
    assert [a["company"] for a in data["applications"]] == ["Acme & Sons", "Globex"]
    assert data["applications"][0]["applied_on"] == "2024-03-01"
    assert data["checkins"][0]["at"] == "2024-03-21T09:30:00Z"
    with_notes = store.export_records(filled_client.id, include_notes=True)
    assert [n["text"] for n in with_notes["notes"]] == ["Private: client was upset."]


def test_import_round_trip_is_exact(store, filled_client):
    data = store.export_records(filled_client.id, include_notes=True)
    store.erase_client(filled_client.id)
    client = store.import_records(data)
    assert client == filled_client
    assert store.export_records(client.id, include_notes=True) == data


def test_import_reports_every_problem_and_writes_nothing(store, filled_client, count_rows):
    data = store.export_records(filled_client.id, include_notes=True)
    store.erase_client(filled_client.id)
    data["applications"][1]["applied_on"] = "not a date"
    data["checkins"][0]["client_id"] = "ffffffffffff"
    data["feedback"][0]["application_id"] = "0000000000000000"
    data["contacts"].append(dict(data["contacts"][0]))
    data["extras"] = []
    before = count_rows()
    with pytest.raises(WorkbookError) as caught:
        store.import_records(data)
    assert str(caught.value).splitlines() == [
        "The workbook cannot be imported; nothing was written.",
        "extras: unknown section",
        "applications[1].applied_on: Input should be a valid date or datetime, "
        "invalid character in year",
        "contacts[1].id: the same id appears twice",
        "checkins[0].client_id: does not match the client's id",
        "feedback[0].application_id: no application with this id is in the file",
    ]
    assert count_rows() == before


def test_import_of_a_client_already_present_writes_nothing(store, filled_client, count_rows):
    data = store.export_records(filled_client.id)
    data["client"]["name"] = "Someone else"
    before = count_rows()
    with pytest.raises(WorkbookError, match=r"^This client \(Someone else\) is already in the "
                                            r"store; erase them first"):
        store.import_records(data)
    assert count_rows() == before
    assert store.get_client(filled_client.id).name == "Ada Lovelace"


def test_import_refuses_record_ids_held_by_another_client(store, filled_client, count_rows):
    data = store.export_records(filled_client.id)
    new_id = "abcdefabcdef0000"
    data["client"]["id"] = new_id
    for name in model.CHILD_RECORDS:
        for item in data.get(name, []):
            item["client_id"] = new_id
    before = count_rows()
    with pytest.raises(WorkbookError, match=r"applications\[0\]\.id: a record with this id is "
                                            "already in the store"):
        store.import_records(data)
    assert count_rows() == before


def test_import_of_non_object_is_refused(store):
    with pytest.raises(WorkbookError, match="expected an object"):
        store.import_records(["not", "a", "dict"])


# --- erasure -----------------------------------------------------------------


def test_erase_removes_every_row_and_keeps_others(store, filled_client, count_rows):
    bob = store.create_client("Bob")
    store.add(model.CheckIn(client_id=bob.id, mood=60))
    store.set_answer(bob.id, "strengths", "calm")
    bob_before = store.export_records(bob.id, include_notes=True)

    store.erase_client(filled_client.id)
    with store.engine.connect() as conn:
        for name, table in TABLES.items():
            owner = table.c.id if name == "clients" else table.c.client_id
            left = conn.execute(select(owner).where(owner == filled_client.id)).all()
            assert left == [], name
    assert count_rows()["clients"] == 1
    assert store.export_records(bob.id, include_notes=True) == bob_before
    with pytest.raises(NotFound):
        store.get_client(filled_client.id)


def test_erase_leaves_no_trace_in_the_database_files(store, tmp_path):
    marker = "Zyxwvutsrq-private-marker"
    client = store.create_client(f"Ada {marker}")
    store.set_answer(client.id, "story", f"my story {marker}")
    store.add(model.Note(client_id=client.id, text=f"note {marker}"))
    keep = store.create_client("Bob")
    store.erase_client(client.id)
    files = [p for p in tmp_path.iterdir() if p.name.startswith("nextround.db")]
    assert files
    for path in files:
        assert marker.encode() not in path.read_bytes(), path.name
    assert (tmp_path / "nextround.db-wal").stat().st_size == 0
    assert store.get_client(keep.id).name == "Bob"


# --- several processes -------------------------------------------------------

WRITER = """
import sys
import nextround.store as store_module
from nextround import model
from nextround.store import Store
store_module.LOCK_RETRIES = 1  # no retry: BEGIN IMMEDIATE and the busy timeout must suffice
store = Store(sys.argv[1])
client = store.create_client("writer " + sys.argv[2])
for n in range(int(sys.argv[3])):
    store.add(model.CheckIn(client_id=client.id, mood=n % 100))
    store.set_answer(client.id, "counter", n)
print("ok", flush=True)
"""


def _python(script: str, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": WIDGETS_DIR}
    return subprocess.Popen([sys.executable, "-c", script, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_four_processes_write_concurrently_without_lock_errors(tmp_path):
    path = tmp_path / "shared.db"  # not created yet: the writers race to create it too
    rounds = 120 if FULL else 40
    writers = [_python(WRITER, str(path), str(n), str(rounds)) for n in range(4)]
    results = [w.communicate(timeout=120) for w in writers]
    for writer, (out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err
        assert out.strip() == "ok"
        assert "locked" not in err
    with Store(path) as opened:
        clients = opened.list_clients()
        assert len(clients) == 4
        for client in clients:
            assert len(opened.list(model.CheckIn, client.id)) == rounds
            assert opened.answers(client.id) == {"counter": rounds - 1}


KILLED_WRITER = """
import sys
from nextround import model
from nextround.store import Store
store = Store(sys.argv[1])
while True:
    record = store.add(model.CheckIn(client_id=sys.argv[2], mood=50))
    print(record.id, flush=True)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_every_reported_commit_survives_sigkill(store):
    client = store.create_client("Ada")
    writer = _python(KILLED_WRITER, store.engine.url.database, client.id)
    reported = [writer.stdout.readline().strip() for _ in range(40)]
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    with Store(store.engine.url.database) as reopened:
        saved = {c.id for c in reopened.list(model.CheckIn, client.id)}
        with reopened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert all(reported)
    assert set(reported) <= saved


# --- random use against a dict model -----------------------------------------

#: Names a person could type; control and text-direction characters are refused
#: (tests/reliability/test_paths.py), and kept names are NFC with white space folded.
names = st.text(min_size=1, max_size=12).filter(
    lambda s: s.strip() and model.name_problem(" ".join(s.split())) is None)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                               max_size=3),
    max_leaves=6,
)


class StoreMachine(RuleBasedStateMachine):
    """Random sequences of store calls, each checked against plain dicts."""

    clients = Bundle("clients")
    applications = Bundle("applications")

    def __init__(self):
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.store = Store(Path(self.folder.name) / "machine.db")
        self.names: dict[str, str] = {}
        self.apps: dict[str, dict] = {}  # id -> {"client", "company", "stage"}, in order
        self.answers: dict[tuple[str, str, str], object] = {}
        self.checkins: dict[str, list[int]] = {}
        self.owners: dict[str, str] = {}  # application id -> client id, kept after deletion

    def teardown(self):
        self.store.close()
        self.folder.cleanup()

    def _expect_missing(self, call):
        with pytest.raises(NotFound):
            call()

    @initialize(target=clients, name=names)
    def start_with_a_client(self, name):
        """Start every run with a client, so deeper sequences are reached sooner."""
        return self.create_client(name)

    @rule(target=clients, name=names)
    def create_client(self, name):
        client = self.store.create_client(name)
        self.names[client.id] = model.clean_name(name)
        self.checkins[client.id] = []
        return client.id

    @rule(target=applications, client=clients, company=st.text(max_size=10))
    def add_application(self, client, company):
        record = model.Application(client_id=client, company=company)
        if client not in self.names:
            self._expect_missing(lambda: self.store.add(record))
            return multiple()
        self.store.add(record)
        self.apps[record.id] = {"client": client, "company": company, "stage": "applied"}
        self.owners[record.id] = client
        return record.id

    @rule(app=applications, company=st.text(max_size=10), stage=st.sampled_from(model.STAGES))
    def update_application(self, app, company, stage):
        if app not in self.apps:
            self._expect_missing(lambda: self.store.update(model.Application, app, stage=stage))
            return
        updated = self.store.update(model.Application, app, company=company, stage=stage)
        assert (updated.company, updated.stage) == (company, stage)
        self.apps[app].update(company=company, stage=stage)

    @rule(app=applications)
    def delete_application(self, app):
        if app not in self.apps:
            self._expect_missing(lambda: self.store.delete(model.Application, app))
            return
        self.store.delete(model.Application, app)
        del self.apps[app]
        self.answers = {k: v for k, v in self.answers.items() if k[1] != app}

    @rule(client=clients, app=st.just("") | applications,
          key=st.sampled_from(["strengths", "skill", "habits"]), value=json_values)
    def set_answer(self, client, app, key, value):
        valid = client in self.names and (app == "" or self.apps.get(app, {}).get("client")
                                          == client)
        if not valid:
            self._expect_missing(lambda: self.store.set_answer(client, key, value, app))
            return
        saved = self.store.set_answer(client, key, value, application_id=app)
        assert saved.value == value
        self.answers[(client, app, key)] = value

    @rule(app=applications, key=st.sampled_from(["skill", "habits"]), value=json_values)
    def set_application_answer(self, app, key, value):
        """An answer about one application, given by the client who owns it."""
        self.set_answer(self.owners[app], app, key, value)

    @rule(client=clients, mood=st.integers(0, 100))
    def add_checkin(self, client, mood):
        record = model.CheckIn(client_id=client, mood=mood)
        if client not in self.names:
            self._expect_missing(lambda: self.store.add(record))
            return
        self.store.add(record)
        self.checkins[client].append(mood)

    @rule(client=clients)
    def erase_client(self, client):
        if client not in self.names:
            self._expect_missing(lambda: self.store.erase_client(client))
            return
        self.store.erase_client(client)
        del self.names[client]
        self.apps = {k: v for k, v in self.apps.items() if v["client"] != client}
        self.answers = {k: v for k, v in self.answers.items() if k[0] != client}

    @invariant()
    def store_matches_model(self):
        listed = self.store.list_clients()
        expected = sorted(self.names.items(), key=lambda kv: (kv[1].casefold(), kv[1], kv[0]))
        assert [(c.id, c.name) for c in listed] == expected
        for client in self.names:
            apps = [(a.id, a.company, a.stage) for a in self.store.list(model.Application,
                                                                        client)]
            assert apps == [(k, v["company"], v["stage"]) for k, v in self.apps.items()
                            if v["client"] == client]
            answers = {(a.client_id, a.application_id, a.key): a.value
                       for a in self.store.all_answers(client)}
            assert answers == {k: v for k, v in self.answers.items() if k[0] == client}
            assert sorted(c.mood for c in self.store.list(model.CheckIn, client)) == sorted(
                self.checkins[client])


StoreMachine.TestCase.settings = settings(
    max_examples=300 if FULL else 40,
    stateful_step_count=50 if FULL else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestStoreMachine = StoreMachine.TestCase


def test_raw_sql_sees_what_the_api_wrote(store):
    """The columns hold plain, portable values: ISO dates, UTC text, JSON."""
    client = store.create_client("Ada")
    store.add(model.Application(client_id=client.id, applied_on=date(2024, 2, 29)))
    store.set_answer(client.id, "k", {"a": [1, "é"]})
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT applied_on FROM applications")).scalar() == "2024-02-29"
        assert conn.execute(text("SELECT value FROM answers")).scalar() == '{"a": [1, "é"]}'
        created = conn.execute(text("SELECT created_at FROM clients")).scalar()
    assert created == client.created_at.isoformat(timespec="microseconds")
