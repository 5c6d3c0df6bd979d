"""The repository API components use: clients, settings, every record kind,
answers and resume state, activity, erasure, and a state machine that checks
random use against a plain dict model."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
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
    run_state_machine_as_test,
)
from sqlalchemy import select

from nextround import model
from nextround.errors import NextRoundError, NotFound
from nextround.store import TABLES, Store

FULL = os.environ.get("NEXTROUND_FULL") == "1"


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
    # Only the database's own files; on a server, nothing at all here.
    assert sorted(p.name for p in tmp_path.iterdir()) == ([
        "nextround.db", "nextround.db-shm", "nextround.db-wal"] if store.is_sqlite else [])


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

    def __init__(self, target: str | Path):
        super().__init__()
        self.store = Store(target)
        self.names: dict[str, str] = {}
        self.apps: dict[str, dict] = {}  # id -> {"client", "company", "stage"}, in order
        self.answers: dict[tuple[str, str, str], object] = {}
        self.checkins: dict[str, list[int]] = {}
        self.owners: dict[str, str] = {}  # application id -> client id, kept after deletion

    def teardown(self):
        self.store.close()

    def _expect_refused_text(self, call):
        with pytest.raises(NextRoundError, match="text may not hold a NUL character"):
            call()

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
        if "\x00" in company:  # checked before anything is read or written
            self._expect_refused_text(lambda: self.store.add(record))
            return multiple()
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
        if "\x00" in company:
            self._expect_refused_text(lambda: self.store.update(model.Application, app,
                                                                company=company, stage=stage))
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


MACHINE_SETTINGS = settings(
    max_examples=300 if FULL else 40,
    stateful_step_count=50 if FULL else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_random_use_of_the_store_matches_plain_dicts(fresh_database_target):
    """Each example starts on an empty database: a new SQLite file, or the
    PostgreSQL test database emptied."""
    run_state_machine_as_test(lambda: StoreMachine(fresh_database_target()),
                              settings=MACHINE_SETTINGS)
