"""The schema generated from the models: its columns and indexes, the column types
that store times, dates and JSON, and the per-table rules kept on the models."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import inspect, text

from nextround import model
from nextround.store import TABLES

WIDGETS_DIR = str(Path(__file__).resolve().parents[2] / "widgets")
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
