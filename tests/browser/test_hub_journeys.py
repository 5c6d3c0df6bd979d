"""NextRound behind a real JupyterHub and a real PostgreSQL: each person logs in as who they are.

The hub, its proxy, every person's server and the database are real and
started here (``tests/hub_server.py`` says which two parts stand in for a
service's own, and why). The hub is given only the database owner's URL
(``configure(c, database_url=...)``); each server gets its person's own
login, so what each person sees is decided by PostgreSQL's row-level
security and by the app following who it is connected as. One hub and one
database serve the module; a person's server, once started, is reused.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_harness import eventually, open_step, snapshot, wait_for_widgets
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hub_server import HubServer  # noqa: E402
from people_service import new_owner_database  # noqa: E402

from nextround.content import load_content  # noqa: E402
from nextround.model import CheckIn, Note  # noqa: E402
from nextround.store import Store  # noqa: E402
from nextround.store.access import secure  # noqa: E402

PEOPLE = {"maria": "counsel-pass-1", "noor": "counsel-pass-2", "sam": "client-pass-1",
          "ola": "client-pass-2", "kim": "super-pass-1", "lost": "nogroup-pass"}
GROUPS = {"counsellors": ["maria", "noor"], "clients": ["sam", "ola"], "supervisors": ["kim"]}
SAM, OLA = "Sam Okafor", "Ola Nordvik"
NOTE = "Sam sounded steadier; follow up on the interview."
CHECK_IN_NOTE = "Slept well and sent two applications."
SERVER_START_MS = 240_000


class Service:
    """The hub, the owner's URL (kept by the test and the hub only) and who is who."""

    def __init__(self, hub: HubServer, owner_url: str, clients: dict[str, str]):
        self.hub, self.owner_url, self.clients = hub, owner_url, clients

    def store(self) -> Store:
        return Store(self.owner_url)


@pytest.fixture(scope="module")
def service(postgres) -> Iterator[Service]:
    owner_url = new_owner_database(postgres)
    with Store(owner_url) as store:
        sam, ola = store.create_client(SAM), store.create_client(OLA)
        maria = store.add_person("counsellor", "Maria Lopez", login="maria")
        noor = store.add_person("counsellor", "Noor Haddad", login="noor")
        store.add_person("supervisor", "Kim Park", login="kim")
        store.add_person("client", SAM, client_id=sam.id, login="sam")
        store.add_person("client", OLA, client_id=ola.id, login="ola")
        store.assign(sam.id, maria.id)
        store.assign(ola.id, noor.id)
    secure(owner_url)
    hub = HubServer(people=PEOPLE, groups=GROUPS,
                    extra_config=f"configure(c, database_url={owner_url!r})\n")
    hub.start()
    try:
        yield Service(hub, owner_url, {"sam": sam.id, "ola": ola.id})
    finally:
        hub.stop()


def expect_refusal_logged(page_log, statuses: tuple[int, ...] = (403,)) -> None:
    """The browser logs a refused request as a console error: here it is the point."""
    refused = [e for e in page_log.console_errors
               if any(f"status of {status}" in e for status in statuses)]
    assert refused, page_log.console_errors
    for error in refused:
        page_log.console_errors.remove(error)


def log_in(page, hub: HubServer, name: str, password: str | None = None) -> None:
    page.goto(f"{hub.url}/hub/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PEOPLE[name] if password is None else password)
    page.get_by_role("button", name="Sign in").click()


def land(page, service: Service, name: str) -> None:
    """Log in and wait for the app to be shown, starting the server if it is not running."""
    log_in(page, service.hub, name)
    page.wait_for_url(f"**/user/{name}/voila/render/**", timeout=SERVER_START_MS)
    wait_for_widgets(page, timeout=SERVER_START_MS)


def both_widths(page, name: str) -> None:
    """Screenshots of what the person landed on, at 1280 and 390 px wide."""
    snapshot(page, f"hub-{name}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    snapshot(page, f"hub-{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_counsellor_sees_only_their_caseload_writes_a_note_and_logs_out(page, service):
    land(page, service, "maria")
    picker = page.get_by_label("Client", exact=True)
    expect(picker).to_be_visible()
    expect(picker.locator("option", has_text=SAM)).to_have_count(1)
    expect(picker.locator("option", has_text=OLA)).to_have_count(0)
    both_widths(page, "counsellor")

    page.get_by_role("button", name="Counsellor view").click()
    table = page.get_by_role("table")
    expect(table.get_by_role("rowheader")).to_have_text([SAM], timeout=30_000)
    expect(page.get_by_text(OLA)).to_have_count(0)
    page.get_by_label("Open a client").select_option(label=SAM)
    expect(page.get_by_role("heading", name=SAM, exact=True)).to_be_visible()
    page.get_by_label("New session note").fill(NOTE)
    page.get_by_role("button", name="Add note").click()
    with service.store() as store:
        eventually(lambda: [n.text for n in store.list(Note, service.clients["sam"])],
                   lambda texts: texts == [NOTE], what="the session note in PostgreSQL")
    expect(page.locator(".nr-notes li").first).to_contain_text(NOTE)

    page.goto(f"{service.hub.url}/hub/logout")
    page.goto(f"{service.hub.url}/user/maria/")
    expect(page.get_by_label("Username")).to_be_visible()
    assert "/hub/login" in page.url


def test_a_wrong_password_does_not_get_in(page, page_log, service):
    log_in(page, service.hub, "sam", password="not-sams-password")
    expect(page.get_by_text("Invalid username or password")).to_be_visible()
    assert "/user/" not in page.url
    expect_refusal_logged(page_log)


def test_a_client_finds_their_own_workbook_and_adds_a_check_in(page, service):
    land(page, service, "sam")
    expect(page.locator(".nextround-app")).to_contain_text(SAM)
    expect(page.get_by_label("Client", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Counsellor view")).to_have_count(0)
    expect(page.get_by_role("button", name="Add client")).to_have_count(0)
    expect(page.get_by_text(OLA)).to_have_count(0)
    assert NOTE not in page.content()
    both_widths(page, "client")

    open_step(page, 5, "Look after yourself")
    mood = load_content().mood
    page.get_by_role("radiogroup", name=mood.question, exact=True).get_by_label(
        f"4 – {mood.labels[4]}", exact=True).check()
    page.get_by_label("A note about today (optional)").fill(CHECK_IN_NOTE)
    with service.store() as store:
        eventually(lambda: store.list(CheckIn, service.clients["sam"]),
                   lambda found: len(found) == 1 and found[0].mood == 4
                   and found[0].note == CHECK_IN_NOTE, what="Sam's check-in in PostgreSQL")


def test_a_client_is_refused_the_counsellors_server_and_another_clients(page, page_log,
                                                                        service):
    land(page, service, "sam")
    # Maria's server is running: the hub refuses it (403). Ola's is not: the hub
    # answers 404 rather than say whether she exists, and starts nothing.
    for other, status in (("maria", 403), ("ola", 404)):
        reply = page.goto(f"{service.hub.url}/user/{other}/voila/render/app/app.ipynb")
        assert reply is not None and reply.status == status, (
            other, reply and reply.status, page.url)
        expect(page.get_by_label("Client", exact=True)).to_have_count(0)
        assert OLA not in page.content() and SAM not in page.content()
    expect_refusal_logged(page_log, statuses=(403, 404))


def test_the_counsellor_then_sees_the_clients_check_in(page, service):
    land(page, service, "maria")
    page.get_by_role("button", name="Counsellor view").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=SAM))
    expect(row).to_contain_text(f"4 of {load_content().mood.max}", timeout=30_000)


def test_a_supervisor_lands_on_the_report(page, service):
    land(page, service, "kim")
    expect(page.get_by_role("heading", name="Service report")).to_be_visible()
    expect(page.get_by_label("Client", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Counsellor view")).to_have_count(0)
    for name in (SAM, OLA):
        expect(page.get_by_text(name)).to_have_count(0)
    both_widths(page, "supervisor")


def test_no_owner_secret_reaches_any_persons_server(service):
    """Every server process the hub started, read from /proc: no owner password."""
    from sqlalchemy.engine import make_url

    secret = make_url(service.owner_url).password
    seen = 0
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            text = environ.read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "JUPYTERHUB_USER=" in text and str(service.hub.folder) in text:
            seen += 1
            assert secret not in text, environ
            assert "NEXTROUND_DB=postgresql" in text
    assert seen >= 3, "the servers started above were not found"
    assert os.environ.get("NEXTROUND_DB", "") != service.owner_url


def test_someone_in_no_group_is_told_why_their_server_does_not_start(page, page_log, service):
    log_in(page, service.hub, "lost")
    expect(page.get_by_text("lost is in none of the groups")).to_be_visible(timeout=60_000)
    expect_refusal_logged(page_log)
