"""The audit log: recorded where work is opened, changed, imported and erased,
read back in order, and append-only on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from nextround import model
from nextround.errors import ClientExists, NextRoundError
from nextround.exports import build_workbook, import_workbook, workbook_bytes
from nextround.store import Store
from nextround.store.audit import Visit, VisitStore


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, tmp_path):
    """A store on SQLite, then on a fresh database of the real PostgreSQL server."""
    target = (tmp_path / "nextround.db" if request.param == "sqlite"
              else request.getfixturevalue("postgres_url"))
    opened = Store(target)
    yield opened
    opened.close()


def _actions(store: Store, client_id: str | None = None) -> list[tuple[str, str]]:
    return [(e.action, e.client_id) for e in store.audit_events(client_id)]


def test_events_are_kept_in_order_with_who_what_and_when(any_store):
    ada, bo = any_store.create_client("Ada"), any_store.create_client("Bo")
    first = any_store.record_event("opened", ada.id)
    any_store.record_event("changed", ada.id, actor=model.CLIENT)
    any_store.record_event("exported", bo.id, detail="workbook file")
    events = any_store.audit_events()
    assert [(e.action, e.client_id, e.actor) for e in events] == [
        ("opened", ada.id, "counsellor"), ("changed", ada.id, "client"),
        ("exported", bo.id, "counsellor")]
    assert events[0] == first
    assert events[2].detail == "workbook file"
    assert all(abs(e.at - model.utcnow()) < timedelta(minutes=1) for e in events)
    assert _actions(any_store, bo.id) == [("exported", bo.id)]
    assert any_store.audit_events(since=model.utcnow() + timedelta(seconds=2)) == []
    assert len(any_store.audit_events(since=first.at)) == 3


def test_the_database_role_that_wrote_an_event_is_kept_on_postgresql(any_store):
    ada = any_store.create_client("Ada")
    event = any_store.record_event("opened", ada.id)
    expected = "" if any_store.is_sqlite else "nextround_admin"
    assert event.db_user == expected
    assert any_store.audit_events()[0].db_user == expected


def test_an_unknown_action_or_a_long_detail_is_refused_before_writing(any_store):
    ada = any_store.create_client("Ada")
    with pytest.raises(NextRoundError, match="action"):
        any_store.record_event("peeked", ada.id)
    with pytest.raises(NextRoundError, match="detail"):
        any_store.record_event("opened", ada.id, detail="x" * (model.MAX_AUDIT_DETAIL + 1))
    with pytest.raises(NextRoundError, match="client_id"):
        any_store.record_event("opened", "../../etc")
    assert any_store.audit_events() == []


def test_the_store_has_no_way_to_change_or_remove_an_event(any_store):
    ada = any_store.create_client("Ada")
    event = any_store.record_event("opened", ada.id)
    for verb in ("update", "delete", "add"):
        with pytest.raises(TypeError, match="not a NextRound record type"):
            if verb == "add":
                any_store.add(event)
            elif verb == "update":
                any_store.update(model.AuditEvent, event.id, detail="rewritten")
            else:
                any_store.delete(model.AuditEvent, event.id)
    assert not [name for name in dir(Store) if "audit" in name or "event" in name
                if name not in ("audit_events", "record_event")]
    assert any_store.audit_events() == [event]


def test_erasing_keeps_an_erased_event_by_id_and_nothing_of_the_person(any_store):
    ada = any_store.create_client("Ada Quintrell")
    any_store.set_answer(ada.id, "story", "a private story")
    any_store.record_event("opened", ada.id)
    any_store.erase_client(ada.id)
    assert _actions(any_store) == [("opened", ada.id), ("erased", ada.id)]
    kept = json.dumps([e.model_dump(mode="json") for e in any_store.audit_events()])
    assert "Quintrell" not in kept and "private story" not in kept
    with pytest.raises(NextRoundError, match="No client"):
        any_store.get_client(ada.id)


def test_an_erase_that_fails_records_nothing(any_store):
    with pytest.raises(NextRoundError, match="No client"):
        any_store.erase_client("0123456789abcdef")
    assert any_store.audit_events() == []


def test_importing_records_an_event_and_a_refused_import_none(any_store, tmp_path):
    ada = any_store.create_client("Ada")
    raw = workbook_bytes(build_workbook(any_store, ada.id))
    with pytest.raises(ClientExists):
        import_workbook(any_store, raw)
    assert any_store.audit_events() == []
    copy = import_workbook(any_store, raw, existing="separate")
    [event] = any_store.audit_events()
    assert (event.action, event.client_id, event.detail) == (
        "imported", copy.id, "workbook file, as a new client")
    with Store(tmp_path / "other.db", actor=model.CLIENT) as other:
        import_workbook(other, raw)
        assert [(e.action, e.client_id, e.actor) for e in other.audit_events()] == [
            ("imported", ada.id, "client")]


def test_a_visit_records_each_opening_and_the_first_change_per_client(any_store):
    ada, bo = any_store.create_client("Ada"), any_store.create_client("Bo")
    visit = Visit(any_store)
    steps = VisitStore(any_store, visit)
    visit.opened(ada.id)
    steps.set_state(ada.id, step="assess")  # moving between steps is not a change
    steps.get_state(ada.id)
    assert _actions(any_store) == [("opened", ada.id)]
    for n in range(5):
        steps.set_answer(ada.id, "story", f"draft {n}")
    action = steps.add(model.Action(client_id=ada.id, title="Practise"))
    steps.update(model.Action, action.id, done=True)
    assert _actions(any_store) == [("opened", ada.id), ("changed", ada.id)]
    note = any_store.add(model.Note(client_id=bo.id, text="private"))
    steps.delete(model.Note, note.id)  # the client whose record it was, not the open one
    assert _actions(any_store)[-1] == ("changed", bo.id)
    again = Visit(any_store, actor=model.CLIENT)
    VisitStore(any_store, again).set_answer(ada.id, "story", "next visit")
    assert [(e.action, e.actor) for e in any_store.audit_events(ada.id)] == [
        ("opened", "counsellor"), ("changed", "counsellor"), ("changed", "client")]


def test_a_change_that_fails_records_nothing(any_store):
    visit = Visit(any_store)
    with pytest.raises(NextRoundError):
        VisitStore(any_store, visit).set_answer("0123456789abcdef", "story", "lost")
    assert any_store.audit_events() == []


# --- the database itself refuses --------------------------------------------------


def test_sqlite_refuses_to_change_or_delete_an_event_behind_the_stores_back(tmp_path):
    import sqlite3

    path = tmp_path / "nextround.db"
    with Store(path) as store:
        ada = store.create_client("Ada")
        event = store.record_event("opened", ada.id)
    raw = sqlite3.connect(path)
    try:
        for statement in ("UPDATE audit_log SET actor = 'nobody'",
                          "DELETE FROM audit_log", f"DELETE FROM audit_log WHERE id = "
                          f"'{event.id}'"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                raw.execute(statement)
            raw.rollback()
        raw.execute("INSERT INTO audit_log (id, at, actor, db_user, action, client_id, "
                    "detail, seq) VALUES ('abcdef012345', '2026-01-01T00:00:00.000000+00:00',"
                    " 'counsellor', '', 'opened', ?, '', 9)", (ada.id,))
        raw.commit()
    finally:
        raw.close()
    with Store(path) as store:
        assert [e.id for e in store.audit_events()] == ["abcdef012345", event.id]
        assert store.audit_events()[1] == event


def _role(postgres, database: str, name: str, *grants: str) -> str:
    """A login role on the test server; returns its URL for ``database``."""
    password = secrets.token_hex(12)
    admin = create_engine(postgres.url(database), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{name}" LOGIN PASSWORD \'{password}\''))
            for grant in grants:
                conn.execute(text(grant.format(role=f'"{name}"')))
    finally:
        admin.dispose()
    return postgres.url(database, user=name, password=password)


def test_postgresql_refuses_a_non_owner_any_change_even_with_every_grant(postgres,
                                                                       postgres_url):
    with Store(postgres_url) as store:
        ada = store.create_client("Ada")
        event = store.record_event("opened", ada.id)
    database = make_url(postgres_url).database
    clerk = f"clerk_{secrets.token_hex(4)}"
    clerk_url = _role(postgres, database, clerk, "GRANT ALL ON audit_log TO {role}",
                      "GRANT SELECT ON clients TO {role}")
    engine = create_engine(clerk_url)
    try:
        for statement in ("UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log",
                          "TRUNCATE audit_log"):
            with engine.connect() as conn, pytest.raises(DatabaseError, match="append-only"):
                conn.execute(text(statement))
        with engine.begin() as conn:  # appending is allowed, and stamped with the writer
            conn.execute(text(
                "INSERT INTO audit_log (id, at, actor, db_user, action, client_id, detail, "
                "seq) VALUES ('abcdef012345', '2026-01-01T00:00:00.000000+00:00', "
                "'counsellor', 'someone_else', 'opened', :client, '', 9)"), {"client": ada.id})
    finally:
        engine.dispose()
    with Store(postgres_url) as store:
        events = store.audit_events()
        assert [e.id for e in events] == ["abcdef012345", event.id]
        assert events[0].db_user == clerk
        assert events[1] == event


def test_postgresql_lets_the_tables_owner_manage_the_log(postgres, postgres_url):
    with Store(postgres_url) as store:
        ada = store.create_client("Ada")
        store.record_event("opened", ada.id)
        store.record_event("changed", ada.id)
    database = make_url(postgres_url).database
    owner = f"owner_{secrets.token_hex(4)}"
    owner_url = _role(postgres, database, owner, "ALTER TABLE audit_log OWNER TO {role}")
    engine = create_engine(owner_url)
    try:
        with engine.begin() as conn:
            gone = conn.execute(text("DELETE FROM audit_log WHERE action = 'opened'"))
            assert gone.rowcount == 1
    finally:
        engine.dispose()
    with Store(postgres_url) as store:
        assert [e.action for e in store.audit_events()] == ["changed"]
