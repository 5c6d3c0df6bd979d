"""The schema generated from the models: its columns and indexes, the column types
that store times, dates and JSON, and the per-table rules kept on the models."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Boolean, Integer, Text, inspect, text

from nextround import model
from nextround.errors import NextRoundError
from nextround.store import ENTRY_TIMES, LABELS, RECORDS, TABLES
from nextround.store.columns import IsoDate, JsonValue, PlainText, UtcDateTime, column_type
from nextround.store.schema import APPLICATION_LINKS, normalize, ordering

FULL = os.environ.get("NEXTROUND_FULL") == "1"


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


# --- column types ----------------------------------------------------------------


def test_each_field_type_has_its_column_type():
    assert column_type(str) == (PlainText, False)
    assert column_type(int) == (Integer, False)
    assert column_type(bool) == (Boolean, False)
    assert column_type(date) == (IsoDate, False)
    assert column_type(datetime) == (UtcDateTime, False)
    assert column_type(datetime | None) == (UtcDateTime, True)
    assert column_type(model.Application.model_fields["stage"].annotation) == (Text, False)
    assert column_type(model.Answer.model_fields["value"].annotation) == (JsonValue, True)
    with pytest.raises(TypeError, match="no column type for"):
        column_type(float)
    with pytest.raises(TypeError, match="no column type for"):
        column_type(int | str)


def test_the_column_types_store_portable_text_and_read_it_back_exactly():
    instant = datetime(2024, 5, 1, 12, 0, 0, 250, tzinfo=timezone(timedelta(hours=2)))
    assert UtcDateTime().process_bind_param(instant, None) == "2024-05-01T10:00:00.000250+00:00"
    assert UtcDateTime().process_result_value("2024-05-01T10:00:00.000250+00:00", None) == (
        instant)
    assert IsoDate().process_bind_param(date(2024, 2, 29), None) == "2024-02-29"
    assert IsoDate().process_result_value("2024-02-29", None) == date(2024, 2, 29)
    assert JsonValue().process_bind_param(None, None) == "null"
    assert JsonValue().process_bind_param({"é": [1, True]}, None) == '{"é": [1, true]}'
    assert JsonValue().process_result_value('{"é": [1, true]}', None) == {"é": [1, True]}
    for decorated in (UtcDateTime(), IsoDate(), JsonValue()):
        assert decorated.process_result_value(None, None) is None
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        JsonValue().process_bind_param(float("inf"), None)


def test_queries_compare_through_the_column_types(store):
    """A filter on a date or a JSON value binds it as it is stored, so it matches."""
    client = store.create_client("Ada")
    store.set_answer(client.id, "count", 1)
    store.set_answer(client.id, "flag", True)
    with store.engine.connect() as conn:
        answers = TABLES["answers"]
        keys = conn.execute(answers.select().where(answers.c.value == True)).all()  # noqa: E712
    assert [row.key for row in keys] == ["flag"]
    assert [a.key for a in store.list(model.Answer, client.id, value=1)] == ["count"]


def test_normalize_gives_the_record_as_it_will_read_back():
    naive = model.CheckIn(client_id="abcdef", mood=1, at=datetime(2024, 5, 1, 8))
    assert normalize(naive).at == datetime(2024, 5, 1, 8, tzinfo=UTC)
    with pytest.raises(NextRoundError, match="^This value cannot be saved: Object of type "
                                             r"object is not JSON serializable \(in value\)$"):
        normalize(model.Answer(client_id="abcdef", key="k", value=object()))


# --- rules kept on the models --------------------------------------------------------


def test_labels_come_from_the_models():
    assert LABELS == {
        "clients": "client", "applications": "application", "feedback": "feedback record",
        "answers": "answer", "checkins": "check-in", "thoughts": "thought record",
        "actions": "action", "contacts": "contact", "notes": "note"}
    assert list(RECORDS) == ["clients", *model.CHILD_RECORDS]


def test_the_listing_order_follows_each_models_list_order():
    def names(name):
        return [str(key) for key in ordering(name)]

    assert names("applications") == ["applications.applied_on IS NULL",
                                      "applications.applied_on", "applications.seq",
                                      "applications.id"]
    assert names("actions") == ["actions.due_on IS NULL", "actions.due_on",
                                "actions.created_at", "actions.seq", "actions.id"]
    assert names("checkins") == ["checkins.at", "checkins.seq", "checkins.id"]
    assert names("contacts") == ["contacts.seq", "contacts.id"]


def test_deleting_an_application_follows_each_linked_models_rule():
    assert APPLICATION_LINKS == {"feedback": "delete", "answers": "delete",
                                 "actions": "untie"}


def test_one_answer_per_question_is_a_unique_index(store):
    indexes = {ix["name"]: ix for ix in inspect(store.engine).get_indexes("answers")}
    assert indexes["ux_answers_question"]["unique"] == 1
    assert indexes["ux_answers_question"]["column_names"] == ["client_id", "application_id",
                                                              "key"]


def test_entry_times_are_the_clients_own_datetime_fields():
    assert sorted(f"{table.name}.{field}" for table, field in ENTRY_TIMES) == [
        "actions.created_at", "actions.updated_at", "answers.updated_at",
        "applications.updated_at", "checkins.at", "contacts.updated_at",
        "feedback.updated_at", "thoughts.at", "thoughts.updated_at"]


# --- text both databases keep ------------------------------------------------------


def test_text_either_database_cannot_keep_is_refused_on_both(store, count_rows):
    """PostgreSQL cannot keep NUL in text, so neither database takes it: the same
    call gives the same answer on both, and nothing is written."""
    client = store.create_client("Ada")
    before = count_rows()
    with pytest.raises(NextRoundError, match=r"^This value cannot be saved: text may not hold "
                                             r"a NUL character \(U\+0000\) \(in company\)$"):
        store.add(model.Application(client_id=client.id, company="Acme\x00Ltd"))
    # Neither can encode a lone surrogate (pydantic refuses one in a text field).
    with pytest.raises(NextRoundError, match=r"^This value cannot be saved: text may not hold "
                                             r"a lone surrogate \(U\+D800\) \(in value\)$"):
        store.set_answer(client.id, "pasted", ["\ud800"])
    assert count_rows() == before
    # JSON escapes NUL, so an answer holding one is kept exactly.
    store.set_answer(client.id, "pasted", "a\x00b")
    assert store.answers(client.id) == {"pasted": "a\x00b"}
    assert count_rows() == {**before, "answers": before["answers"] + 1}


def test_a_workbook_with_such_text_is_refused_naming_the_record(store, count_rows):
    from nextround.errors import WorkbookError

    client = model.Client(name="Ada")
    data = {"client": client.model_dump(mode="json"),
            "contacts": [model.Contact(client_id=client.id, name="Grace\x00").model_dump(
                mode="json")]}
    before = count_rows()
    with pytest.raises(WorkbookError, match=r"contacts\[0\]: This value cannot be saved: text "
                                            r"may not hold a NUL character \(U\+0000\) "
                                            r"\(in name\)"):
        store.import_records(data)
    assert count_rows() == before


@pytest.mark.parametrize("hostile", ["a\x00b", "a\ud800b", "0123456789abcdef\x00"])
def test_looking_up_an_id_neither_database_could_hold_is_not_found(store, hostile):
    """PostgreSQL refuses NUL even in a query; an id from a URL or the command line
    that holds one is simply not found, on both databases."""
    from nextround.errors import NotFound

    client = store.create_client("Ada")
    for call in (lambda: store.get_client(hostile), lambda: store.erase_client(hostile),
                 lambda: store.get(model.Note, hostile)):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(NextRoundError, match="^This value cannot be saved: text may not hold "):
        store.set_answer(client.id, "k", 1, application_id=hostile)
    assert store.list(model.Note, hostile) == []
    assert store.last_activity(hostile) is None
