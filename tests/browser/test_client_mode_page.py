"""One client's workbook and nothing else, in a real browser on a real ``nextround serve``.

``serve --client ID`` and the counsellor's "Hand over to the client" switch: the
page shows that client's workbook, no other name anywhere in it (text, markup,
attributes or the download link), and none of the counsellor's controls; a link
or a workbook file naming someone else is refused; a reload does not undo a
handover, and only the counsellor's passphrase does.
"""

from __future__ import annotations

import base64
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_harness import (
    VIEWPORT,
    eventually,
    snapshot,
    start_server,
    stop_server,
    wait_for_widgets,
)
from playwright.sync_api import expect

from nextround import model
from nextround.exports import build_workbook, workbook_bytes
from nextround.store import Store

SHOWN = "Zelda Quince"
OTHERS = ("Yusuf Okonkwo", "Wren Abernathy")
#: Words of the other clients' names that must appear nowhere on the page.
OTHER_WORDS = ("Yusuf", "Okonkwo", "Wren", "Abernathy")
PASSPHRASE = "blue heron 42"
NARROW = {"width": 390, "height": 844}


def _make_database(path: Path) -> dict[str, str]:
    """Three clients, each with an application; returns their ids by name."""
    with Store(path) as store:
        ids = {}
        for name in (SHOWN, *OTHERS):
            client = store.create_client(name)
            store.add(model.Application(client_id=client.id, company=f"{name.split()[1]} Ltd",
                                        role="Analyst", outcome="rejected"))
            store.add(model.Note(client_id=client.id, text=f"private note about {name}"))
            ids[name] = client.id
    return ids


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple]:
    """``nextround serve --client`` for Zelda, on a database with two other clients."""
    folder = tmp_path_factory.mktemp("client-mode")
    db = folder / "three.db"
    ids = _make_database(db)
    other_file = folder / "yusuf.json"
    with Store(db) as store:
        other_file.write_bytes(workbook_bytes(build_workbook(store, ids[OTHERS[0]])))
    temp = tempfile.TemporaryDirectory(prefix="nextround-serve-")
    server = start_server(db=db, temp_dir=Path(temp.name), label="client-mode",
                          extra=["--client", ids[SHOWN]])
    yield server, ids, other_file
    stop_server(server)
    temp.cleanup()


@pytest.fixture(scope="module")
def counsellors(tmp_path_factory) -> Iterator[tuple]:
    """A plain ``nextround serve`` (the counsellor's) on its own three-client database."""
    folder = tmp_path_factory.mktemp("handover")
    db = folder / "three.db"
    ids = _make_database(db)
    temp = tempfile.TemporaryDirectory(prefix="nextround-serve-")
    server = start_server(db=db, temp_dir=Path(temp.name), label="handover")
    yield server, ids
    stop_server(server)
    temp.cleanup()


def assert_only_one_client(page) -> None:
    """The page names Zelda and no one else: in its text, its markup or its download."""
    expect(page.locator(".nr-only-client")).to_have_text(f"Workbook of {SHOWN}")
    markup, text = page.content(), page.locator("body").inner_text()
    for word in OTHER_WORDS:
        assert word not in text and word not in markup, word
    for href in page.locator("a.nr-download").evaluate_all("links => links.map(a => a.href)"):
        workbook = base64.b64decode(href.split(",", 1)[1]).decode("utf-8")
        assert SHOWN in workbook and "private note" not in workbook
        assert not any(word in workbook for word in OTHER_WORDS)


def assert_no_counsellor_controls(page) -> None:
    assert page.get_by_label("Client", exact=True).count() == 0
    assert page.get_by_label("New client's name").count() == 0
    for name in ("Counsellor view", "Add client", "Hand over to the client"):
        assert page.get_by_role("button", name=name).count() == 0, name
    assert page.locator(".nr-caseload, .nr-counsellor").count() == 0


def open_app(page, url: str) -> None:
    page.goto(url)
    wait_for_widgets(page)
    expect(page.locator(".nr-step-title")).to_be_visible()


def test_serve_client_shows_one_workbook_and_nothing_else(page, served):
    server, _ids, _file = served
    open_app(page, server.url)
    assert_only_one_client(page)
    assert_no_counsellor_controls(page)
    expect(page.get_by_role("button", name=re.compile(r"^1\. "))).to_be_visible()
    assert page.get_by_role("button", name="Back to the counsellor").count() == 0
    snapshot(page, "client-mode-1280")
    page.set_viewport_size(NARROW)
    assert_only_one_client(page)
    snapshot(page, "client-mode-390")
    page.set_viewport_size(VIEWPORT)


def test_a_link_naming_another_client_is_refused_and_shows_nothing_of_them(page, served):
    server, ids, _file = served
    open_app(page, f"{server.url}&client={ids[OTHERS[0]]}")
    expect(page.locator(".nr-status .nr-warn").first).to_contain_text(
        "one client's workbook only")
    assert_only_one_client(page)
    assert_no_counsellor_controls(page)


def test_a_workbook_file_naming_another_client_is_refused(page, served):
    server, ids, other_file = served
    open_app(page, server.url)
    with page.expect_file_chooser() as chooser:
        page.locator("button.widget-upload").first.click()
    chooser.value.set_files(str(other_file))
    expect(page.locator(".nr-workbook-file .nr-error")).to_contain_text("someone else's")
    assert_only_one_client(page)
    with Store(server.db) as store:
        assert sorted(c.name for c in store.list_clients()) == sorted((SHOWN, *OTHERS))
        assert {e.client_id for e in store.audit_events()} == {ids[SHOWN]}
        assert {e.actor for e in store.audit_events()} == {"client"}


def test_a_visit_logs_its_opening_and_one_change_however_much_is_typed(page, served):
    server, ids, _file = served

    def events() -> list[tuple[str, str]]:
        with Store(server.db) as store:
            return [(e.action, e.actor) for e in store.audit_events(ids[SHOWN])]

    before = events()
    open_app(page, server.url)
    eventually(events, lambda now: len(now) == len(before) + 1, what="the opening")
    field = page.get_by_label("How you heard")
    for word in ("an ", "email ", "from ", "the ", "recruiter"):
        field.press_sequentially(word)
        page.get_by_label("Contact name").click()  # each word saved on its own
        field.click()

    def saved() -> str:
        with Store(server.db) as store:
            [app] = store.list(model.Application, ids[SHOWN])
            return app.how_heard

    eventually(saved, lambda text: text == "an email from the recruiter", what="the typing")
    assert events()[len(before):] == [("opened", "client"), ("changed", "client")]


def _hand_over(page) -> None:
    page.get_by_role("button", name="Hand over to the client").click()
    page.get_by_label("Passphrase to take the app back").fill(PASSPHRASE)


def test_handing_over_shows_one_workbook_until_the_counsellor_takes_it_back(page,
                                                                            counsellors):
    server, ids = counsellors
    page.goto(server.url)
    wait_for_widgets(page)
    page.get_by_label("Client", exact=True).select_option(label=SHOWN)
    expect(page.locator(".nr-step-title")).to_be_visible()
    _hand_over(page)
    snapshot(page, "handover-switch-1280")
    page.set_viewport_size(NARROW)
    snapshot(page, "handover-switch-390")
    page.set_viewport_size(VIEWPORT)
    page.get_by_role("button", name="Hand over now").click()

    assert_only_one_client(page)
    assert_no_counsellor_controls(page)
    assert PASSPHRASE not in page.content()
    snapshot(page, "handed-over-1280")
    page.set_viewport_size(NARROW)
    snapshot(page, "handed-over-390")
    page.set_viewport_size(VIEWPORT)

    # The client clicks around, reloads, and follows a link to someone else.
    page.get_by_role("button", name=re.compile(r"^2\. ")).click()
    page.reload()
    wait_for_widgets(page)
    assert_only_one_client(page)
    assert_no_counsellor_controls(page)
    open_app(page, f"{server.base}?client={ids[OTHERS[1]]}")
    expect(page.locator(".nr-status .nr-warn").first).to_contain_text(
        "one client's workbook only")
    assert_only_one_client(page)

    # A wrong passphrase does not undo it; the counsellor's does.
    page.get_by_role("button", name="Back to the counsellor").click()
    page.get_by_label("Counsellor's passphrase").fill("let me in")
    page.get_by_role("button", name="Take the app back").click()
    expect(page.locator(".nr-status .nr-error").first).to_contain_text("not the passphrase")
    page.reload()
    wait_for_widgets(page)
    assert_only_one_client(page)
    page.get_by_role("button", name="Back to the counsellor").click()
    page.get_by_label("Counsellor's passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Take the app back").click()
    expect(page.get_by_label("Client", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Counsellor view")).to_be_visible()
    with Store(server.db) as store:
        handovers = [(e.actor, e.detail) for e in store.audit_events(ids[SHOWN])
                     if e.action == "handed over"]
    assert handovers == [("counsellor", "to the client on this machine"),
                         ("counsellor", "back to the counsellor")]
