"""The app on a shared PostgreSQL database: ``nextround serve --db postgresql+psycopg://...``.

The rest of the browser suite runs on SQLite; these journeys prove the real
Voilà app works the same on a server database. What the kernels saved is read
straight from PostgreSQL.

* As the owner, on an empty database (``serve`` creates the tables): a
  counsellor adds a client, logs a rejection and a mood check-in, and after a
  reload everything typed is shown again.
* On a secured database (row-level security, ``docs/access.md``), served with a
  counsellor's own login: the caseload holds their clients only and no
  "Service report"; they pick a client, write self-assessment answers and a
  session note, and a reload keeps both. Then they hand the app over to the
  client, who checks in.
* Served with a supervisor's login: the app is the service report view, its
  figures read through the report functions, with no client's name on the page
  and none of the workbook's controls.

One server per database URL, shared by the module.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from browser_harness import (
    ServedApp,
    eventually,
    open_step,
    snapshot,
    start_server,
    stop_server,
    type_key_by_key,
    wait_for_widgets,
)
from people_service import new_owner_database
from playwright.sync_api import expect
from service_data import add_service
from test_client_journey import reload

from nextround import model
from nextround.content import load_content
from nextround.model import Application, CheckIn
from nextround.store import Store
from nextround.store.access import create_login, secure

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


# --- a secured database, served with each person's own login ---------------------------

MINE = ("Ada Lovelace", "Cy Twombly")
NOT_MINE = "Bo Diddley"
SESSION_NOTE = "Talked through the panel's questions."
NEXT_TIME = "Bring numbers from the pilot."
CHECK_IN_NOTE = "Calmer than last week."
PASSPHRASE = "green kettle 7"


@dataclass
class Secured:
    owner_url: str
    urls: dict[str, str]
    ids: dict[str, str]


@pytest.fixture(scope="module")
def secured(postgres) -> Secured:
    """A service's database as ``docs/access.md`` sets it up: the generated service
    (25 clients, unassigned) for the report, and counsellor A with Ada and Cy,
    counsellor B with Bo, each client with a rejection."""
    owner_url = new_owner_database(postgres)
    with Store(owner_url) as store:
        add_service(store)
        ids = {}
        for name in (*MINE, NOT_MINE):
            client = store.create_client(name)
            store.add(Application(client_id=client.id, company=f"{name.split()[1]} Ltd",
                                  role="Analyst", outcome="rejected",
                                  outcome_on=date(2026, 10, 1)))
            ids[name] = client.id
        a = store.add_person("counsellor", "Counsellor A")
        b = store.add_person("counsellor", "Counsellor B")
        supervisor = store.add_person("supervisor", "Supervisor K")
        for name in MINE:
            store.assign(ids[name], a.id)
        store.assign(ids[NOT_MINE], b.id)
    secure(owner_url)
    urls = {who: create_login(owner_url, person.id).url
            for who, person in (("counsellor", a), ("supervisor", supervisor))}
    return Secured(owner_url, urls, ids)


@pytest.fixture(scope="module")
def owner_store(secured) -> Iterator[Store]:
    opened = Store(secured.owner_url)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def role_apps(secured) -> Iterator[dict[str, ServedApp]]:
    """``nextround serve --db <URL>`` with counsellor A's and with the supervisor's
    login, started and stopped side by side (each takes seconds of waiting)."""
    temp = tempfile.TemporaryDirectory(prefix="nextround-serve-")

    def start(who: str) -> ServedApp:
        folder = Path(temp.name) / who
        folder.mkdir()
        return start_server(db=secured.urls[who], temp_dir=folder,
                            label=f"postgresql-{who}")

    with ThreadPoolExecutor(2) as pool:
        started = {who: pool.submit(start, who) for who in ("counsellor", "supervisor")}
    try:
        servers = {who: future.result() for who, future in started.items()}
    except BaseException:
        for future in started.values():
            if future.exception() is None:
                stop_server(future.result())
        temp.cleanup()
        raise
    yield servers
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(stop_server, servers.values()))
    temp.cleanup()


@pytest.fixture(scope="module")
def counsellors_app(role_apps) -> ServedApp:
    return role_apps["counsellor"]


@pytest.fixture(scope="module")
def supervisors_app(role_apps) -> ServedApp:
    return role_apps["supervisor"]


def _open_counsellor_view(page) -> None:
    page.get_by_role("button", name="Counsellor view").click()
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible(
        timeout=TIMEOUT_MS)


def test_a_counsellors_login_reaches_their_clients_and_keeps_their_work(
        page, counsellors_app, secured, owner_store, content):
    ada = secured.ids[MINE[0]]
    page.goto(counsellors_app.url)
    wait_for_widgets(page)
    _open_counsellor_view(page)
    table = page.get_by_role("table")
    expect(table.get_by_role("rowheader")).to_have_text(list(MINE))
    assert NOT_MINE not in page.content()
    assert page.get_by_role("button", name="Service report").count() == 0

    page.get_by_role("button", name="Counsellor view").click()  # back to the workbook
    page.get_by_label("Client", exact=True).select_option(label=MINE[0])
    open_step(page, 4, "Look at yourself honestly")
    qualifications = content.question("qualifications_shown")
    next_time = content.question("next_time")
    page.get_by_role("radiogroup", name=qualifications.text, exact=True).get_by_label(
        "4", exact=True).check()
    page.get_by_label(next_time.text, exact=True).fill(NEXT_TIME)
    eventually(lambda: {a.key: a.value for a in owner_store.all_answers(ada)},
               lambda answers: answers.get(qualifications.id) == 4
               and answers.get(next_time.id) == NEXT_TIME,
               what="the self-assessment answers in PostgreSQL")

    _open_counsellor_view(page)
    page.get_by_label("Open a client").select_option(label=MINE[0])
    expect(page.get_by_role("heading", name=MINE[0], exact=True)).to_be_visible()
    page.get_by_label("New session note").fill(SESSION_NOTE)
    page.get_by_role("button", name="Add note").click()
    eventually(lambda: owner_store.list(model.Note, ada),
               lambda notes: [n.text for n in notes] == [SESSION_NOTE],
               what="the session note in PostgreSQL")
    snapshot(page, "postgresql-counsellor-note")

    reload(page, counsellors_app.base)
    open_step(page, 4, "Look at yourself honestly")
    expect(page.get_by_label(next_time.text, exact=True)).to_have_value(
        NEXT_TIME, timeout=TIMEOUT_MS)
    expect(page.get_by_role("radiogroup", name=qualifications.text, exact=True).get_by_label(
        "4", exact=True)).to_be_checked()
    _open_counsellor_view(page)
    page.get_by_label("Open a client").select_option(label=MINE[0])
    expect(page.get_by_text(SESSION_NOTE)).to_be_visible()


def test_a_client_handed_the_counsellors_app_checks_in(page, counsellors_app, secured,
                                                       owner_store, content):
    cy = secured.ids[MINE[1]]
    page.goto(counsellors_app.url)
    wait_for_widgets(page)
    page.get_by_label("Client", exact=True).select_option(label=MINE[1])
    expect(page.locator(".nr-step-title")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Hand over to the client").click()
    page.get_by_label("Passphrase to take the app back").fill(PASSPHRASE)
    page.get_by_role("button", name="Hand over now").click()
    expect(page.locator(".nr-only-client")).to_have_text(f"Workbook of {MINE[1]}",
                                                         timeout=TIMEOUT_MS)
    assert MINE[0] not in page.locator("body").inner_text()

    open_step(page, 5, "Look after yourself")
    mood = content.mood
    page.get_by_role("radiogroup", name=mood.question, exact=True).get_by_label(
        f"2 – {mood.labels[2]}", exact=True).check()
    page.get_by_label("A note about today (optional)").fill(CHECK_IN_NOTE)
    eventually(lambda: owner_store.list(CheckIn, cy),
               lambda found: len(found) == 1 and found[0].mood == 2
               and found[0].note == CHECK_IN_NOTE, what="the client's check-in in PostgreSQL")
    snapshot(page, "postgresql-client-check-in")


def test_a_supervisors_login_sees_the_service_report_and_no_name(page, supervisors_app):
    page.goto(supervisors_app.url)
    wait_for_widgets(page)
    expect(page.get_by_role("heading", name="Service report")).to_be_visible(
        timeout=60_000)
    stages = page.get_by_role("heading", name="Clients by stage of the journey")
    expect(stages).to_be_visible()
    expect(page.get_by_text("28 clients were active (all records).")).to_be_visible()
    text = page.locator("body").inner_text()
    for name in (*MINE, NOT_MINE, "Open 0", "Quiet 0"):
        assert name not in text and name not in page.content(), name
    for control in ("Counsellor view", "Add client", "Hand over to the client"):
        assert page.get_by_role("button", name=control).count() == 0, control
    snapshot(page, "postgresql-supervisor-report")
    page.set_viewport_size({"width": 390, "height": 844})
    snapshot(page, "postgresql-supervisor-report-390")
