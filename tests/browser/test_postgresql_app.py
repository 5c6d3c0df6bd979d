"""The app on a shared PostgreSQL database: ``nextround serve --db postgresql+psycopg://...``.

The rest of the browser suite runs on SQLite; this journey proves the real
Voilà app works the same on a server database. ``serve`` starts on an empty
PostgreSQL database (it creates the tables), a counsellor adds a client, logs
a rejection and a mood check-in, and after a reload everything typed is
shown again. What the kernels saved is read straight from PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_harness import eventually, open_step, snapshot, type_key_by_key, wait_for_widgets
from playwright.sync_api import expect
from test_client_journey import reload

from nextround.content import load_content
from nextround.model import Application, CheckIn
from nextround.store import Store

CLIENT = "Priya Raman"
COMPANY = "Contoso Health"
ROLE = "Service Designer"
NOTE = "Steady, and glad it is written down."
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def served(serve_app, postgres):
    """``nextround serve`` on a new, empty PostgreSQL database."""
    return serve_app(db=postgres.new_database("nextround_app"))


@pytest.fixture(scope="module")
def store(served) -> Iterator[Store]:
    """The server's own database, opened beside it to check what was saved."""
    opened = Store(str(served.db))
    yield opened
    opened.close()


def test_the_app_keeps_a_clients_work_in_postgresql(page, served, store):
    assert not store.is_sqlite
    content = load_content()
    page.goto(served.url)
    wait_for_widgets(page)

    type_key_by_key(page.get_by_label("New client's name"), CLIENT)
    page.get_by_role("button", name="Add client").click()
    expect(page.locator(".nr-step-title")).to_have_text("Log the rejection", timeout=TIMEOUT_MS)
    [client] = eventually(store.list_clients, lambda found: len(found) == 1,
                          what="the new client in PostgreSQL")
    assert client.name == CLIENT

    type_key_by_key(page.get_by_label("Company", exact=True), COMPANY)
    type_key_by_key(page.get_by_label("Role", exact=True), ROLE)
    page.get_by_label("Outcome", exact=True).select_option(label="Rejected")
    eventually(lambda: store.list(Application, client.id),
               lambda apps: len(apps) == 1 and apps[0].company == COMPANY
               and apps[0].role == ROLE and apps[0].outcome == "rejected",
               what="the rejection in PostgreSQL")

    open_step(page, 5, "Look after yourself")
    mood = content.mood
    page.get_by_role("radiogroup", name=mood.question, exact=True).get_by_label(
        f"4 – {mood.labels[4]}", exact=True).check()
    type_key_by_key(page.get_by_label("A note about today (optional)"), NOTE)
    eventually(lambda: store.list(CheckIn, client.id),
               lambda found: len(found) == 1 and found[0].note == NOTE and found[0].mood == 4,
               what="the check-in in PostgreSQL")
    snapshot(page, "postgresql-app-wellbeing")

    reload(page, served.base)
    open_step(page, 1, "Log the rejection")
    expect(page.get_by_label("Company", exact=True)).to_have_value(COMPANY, timeout=TIMEOUT_MS)
    expect(page.get_by_label("Role", exact=True)).to_have_value(ROLE)
    snapshot(page, "postgresql-app-after-reload")
