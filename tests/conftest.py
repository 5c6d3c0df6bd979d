"""Shared fixtures: a store on a fresh SQLite file, the shipped content, and a
client with one record of every kind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from nextround import model
from nextround.store import TABLES, Store


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    """A store on its own SQLite file, closed after the test."""
    opened = Store(tmp_path / "nextround.db")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the whole run, started on first use (``postgres_server``)."""
    from postgres_server import PostgresServer

    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres) -> str:
    """The URL of a new, empty PostgreSQL database, as its superuser."""
    return postgres.new_database()


@pytest.fixture
def content():
    """The shipped content, loaded and validated."""
    from nextround.content import load_content

    return load_content()


@pytest.fixture
def count_rows(store: Store) -> Callable[[], dict[str, int]]:
    """A function giving the number of rows in every table, read directly."""

    def count() -> dict[str, int]:
        with store.engine.connect() as conn:
            return {name: conn.execute(select(func.count()).select_from(table)).scalar()
                    for name, table in TABLES.items()}

    return count


@pytest.fixture
def filled_client(store: Store) -> model.Client:
    """A client ("Ada Lovelace") with at least one record of every kind."""
    client = store.create_client("Ada Lovelace")
    app = store.add(model.Application(client_id=client.id, company="Acme & Sons", role="Analyst",
                                      stage="interview", applied_on=date(2024, 3, 1),
                                      outcome="rejected", outcome_on=date(2024, 3, 20)))
    store.add(model.Application(client_id=client.id, company="Globex"))
    store.add(model.Feedback(client_id=client.id, application_id=app.id, person="Hiring manager",
                             heard="Another candidate had more SQL.", scenario_id="skill_gap"))
    store.set_answer(client.id, "strengths", ["stories", "numbers"])
    store.set_answer(client.id, "skill_real", "not shown", application_id=app.id)
    store.set_state(client.id, step="assess", application=app.id)
    store.add(model.CheckIn(client_id=client.id, mood=40, note="flat",
                            at=datetime(2024, 3, 21, 9, 30, tzinfo=UTC)))
    store.add(model.ThoughtRecord(client_id=client.id, assumption="They didn't like me",
                                  reframe="I can practise rapport"))
    store.add(model.Action(client_id=client.id, title="Learn SQL joins", due_on=date(2024, 4, 1),
                           application_id=app.id))
    store.add(model.Action(client_id=client.id, title="Practise interviews", done=True))
    store.add(model.Contact(client_id=client.id, name="Grace", company="Acme & Sons"))
    store.add(model.Note(client_id=client.id, text="Private: client was upset."))
    return client


@pytest.fixture
def client(store):
    """A client of the step tests (a module may define its own)."""
    return store.create_client("Amira Haddad")


@pytest.fixture
def rejection(store, client):
    """A logged rejection with a contact, not yet chosen as the one worked on."""
    return store.add(model.Application(
        client_id=client.id, company="Northwind", role="Data Analyst", stage="interview",
        applied_on=date(2025, 1, 6), outcome="rejected", outcome_on=date(2025, 2, 3),
        contact_name="Sam Lee"))
