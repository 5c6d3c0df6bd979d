"""NextRound behind a real JupyterHub: each person logs in and lands on the app as who they are.

The hub, its proxy and every person's server are real and started here
(``tests/hub_server.py`` says which two parts stand in for a service's own,
and why). What is checked is what a person meets: the login page, the app
as their landing page, and the hub refusing them someone else's server.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_harness import wait_for_widgets
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hub_server import HubServer  # noqa: E402

PEOPLE = {"maria": "counsel-pass-1", "sam": "client-pass-1", "lost": "nogroup-pass"}
GROUPS = {"counsellors": ["maria"], "clients": ["sam"]}


@pytest.fixture(scope="module")
def hub() -> Iterator[HubServer]:
    server = HubServer(people=PEOPLE, groups=GROUPS).start()
    try:
        yield server
    finally:
        server.stop()


def expect_refusal_logged(page_log) -> None:
    """The browser logs a refused request as a console error: here it is the point."""
    refused = [e for e in page_log.console_errors if "status of 403" in e]
    assert refused, page_log.console_errors
    for error in refused:
        page_log.console_errors.remove(error)


def log_in(page, hub: HubServer, name: str, password: str | None = None) -> None:
    page.goto(f"{hub.url}/hub/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PEOPLE[name] if password is None else password)
    page.get_by_role("button", name="Sign in").click()


def test_a_counsellor_logs_in_and_lands_on_the_app(page, hub):
    log_in(page, hub, "maria")
    page.wait_for_url("**/user/maria/voila/render/**", timeout=180_000)
    wait_for_widgets(page, timeout=180_000)
    expect(page.get_by_label("Client", exact=True)).to_be_visible()


def test_a_wrong_password_does_not_get_in(page, page_log, hub):
    log_in(page, hub, "sam", password="not-sams-password")
    expect(page.get_by_text("Invalid username or password")).to_be_visible()
    assert "/user/" not in page.url
    expect_refusal_logged(page_log)


def test_a_client_is_refused_the_counsellors_server(page, page_log, hub):
    log_in(page, hub, "sam")
    page.wait_for_url("**/user/sam/**", timeout=180_000)
    reply = page.goto(f"{hub.url}/user/maria/voila/render/app/app.ipynb")
    assert reply is not None and reply.status == 403, (reply.status if reply else None, page.url)
    expect(page.get_by_label("Client", exact=True)).to_have_count(0)
    expect_refusal_logged(page_log)


def test_someone_in_no_group_is_told_why_their_server_does_not_start(page, page_log, hub):
    log_in(page, hub, "lost")
    expect(page.get_by_text("lost is in none of the groups")).to_be_visible(timeout=60_000)
    expect_refusal_logged(page_log)
