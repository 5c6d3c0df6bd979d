"""The counsellor's journey, in Chromium, against a real ``nextround serve --demo``.

The counsellor opens the counsellor view, reads the caseload (who needs
attention, and why), finds one client by name and opens them, writes a
private session note and takes the session summary. The summary link is a
data URI: the test decodes it and checks it holds the client's plan, and the
note only once the counsellor ticks the box for it. The expected caseload and
plan are read from the server's own store. A second journey pages through a
caseload longer than one page, and finds a client on it. The harness fails
the test on any request that leaves this machine and on any console error;
screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from browser_harness import eventually, snapshot, wait_for_widgets
from playwright.sync_api import expect

from nextround.caseload import PAGE_SIZE, caseload
from nextround.content import load_content
from nextround.model import Action, Client, Note
from nextround.store import Store

#: Plain words only, so the Markdown summary holds them unescaped.
NOTE = "Practised pausing before answering and agreed two stories to rehearse"
HTML_LINK = "Download the summary as a web page (HTML)"
MARKDOWN_LINK = "Download the summary as Markdown"
INCLUDE_NOTES = "Include my private notes in the summary"


@pytest.fixture(scope="module")
def store(app_server) -> Iterator[Store]:
    opened = Store(app_server.db)
    yield opened
    opened.close()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(document: str) -> str:
    """The words a reader sees in an HTML page, entities decoded, spaces collapsed."""
    parser = _Text()
    parser.feed(document)
    return " ".join(" ".join(parser.parts).split())


def decoded(link, mime: str) -> str:
    href = link.get_attribute("href")
    prefix = f"data:{mime};base64,"
    assert href and href.startswith(prefix), href
    return base64.b64decode(href[len(prefix):]).decode("utf-8")


def test_counsellor_journey_caseload_client_note_summary(page, app_server, store):
    content = load_content()
    page.goto(app_server.url)
    wait_for_widgets(page)

    # The caseload: every client, with the flags and reasons the store gives.
    page.get_by_role("button", name="Counsellor view").click()
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    rows = caseload(store, content)
    flagged = [row for row in rows if row.needs_attention]
    assert len(rows) >= 3 and flagged, "the demo should have clients who need attention"
    table = page.get_by_role("table")
    expect(table.locator("caption")).to_have_text(
        f"{len(rows)} clients; {len(flagged)} may need attention")
    expect(table.locator("tbody tr")).to_have_count(len(rows))
    for row in rows:
        line = table.locator("tbody tr").filter(
            has=page.get_by_role("rowheader", name=row.name, exact=True))
        expect(line).to_have_count(1)
        cells = line.locator("td")
        expect(cells.nth(2)).to_have_text(str(row.awaiting_replies))
        expect(cells.nth(3)).to_have_text(str(row.overdue_actions))
        expect(cells.last).to_have_text(
            "Yes: " + "; ".join(row.reasons) if row.needs_attention else "No")
    showing = page.get_by_role("status").filter(has_text="Showing")
    expect(showing).to_have_text(f"Showing 1–{len(rows)} of {len(rows)} clients")
    expect(page.get_by_role("button", name="Previous page")).to_be_disabled()
    expect(page.get_by_role("button", name="Next page")).to_be_disabled()
    snapshot(page, "counsellor-journey-caseload")

    # Find a client who needs attention and has a plan, and open them.
    row = next(r for r in flagged if store.list(Action, r.client_id))
    plan = store.list(Action, row.client_id)
    notes_before = store.list(Note, row.client_id)
    page.get_by_label("Find a client").fill(row.name.lower())
    expect(showing).to_have_text(f"Showing 1–1 of 1 client matching “{row.name.lower()}” "
                                 f"(of {len(rows)} in all)")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.get_by_role("rowheader")).to_have_text(row.name)
    page.get_by_label("Open a client").select_option(label=row.name)
    expect(page.get_by_role("heading", name=row.name, exact=True)).to_be_visible()
    attention = page.get_by_role("note").filter(has_text="Needs attention:")
    for reason in row.reasons:
        expect(attention).to_contain_text(reason)

    # A private session note, saved at once and listed.
    page.get_by_label("New session note").fill(NOTE)
    page.get_by_role("button", name="Add note").click()
    eventually(lambda: [n.text for n in store.list(Note, row.client_id)],
               lambda texts: texts == [*(n.text for n in notes_before), NOTE],
               what="the session note")
    expect(page.locator(".nr-notes li").first).to_contain_text(NOTE)
    expect(page.get_by_label("New session note")).to_have_value("")

    # The summary holds the plan, and the note only when the counsellor includes it.
    expect(page.get_by_text("It does not include your private notes.")).to_be_visible()
    summary = decoded(page.get_by_role("link", name=HTML_LINK), "text/html")
    text = visible_text(summary)
    assert row.name in text
    assert "@media print" in summary
    for action in plan:
        assert action.title in text, action.title
    assert NOTE not in text
    assert all(note.text not in text for note in notes_before)
    assert "Counsellor's private notes" not in text
    assert NOTE not in decoded(page.get_by_role("link", name=MARKDOWN_LINK), "text/markdown")

    page.get_by_label(INCLUDE_NOTES).check()
    expect(page.get_by_text("It includes your private notes.")).to_be_visible()
    with_notes = visible_text(decoded(page.get_by_role("link", name=HTML_LINK), "text/html"))
    assert "Counsellor's private notes" in with_notes
    assert NOTE in with_notes
    for action in plan:
        assert action.title in with_notes, action.title
    assert NOTE in decoded(page.get_by_role("link", name=MARKDOWN_LINK), "text/markdown")
    snapshot(page, "counsellor-journey-client")


def test_counsellor_pages_through_a_long_caseload(page, serve_app, tmp_path_factory):
    """More clients than one page: the first page, Next, Previous, and Find."""
    db = tmp_path_factory.mktemp("long-caseload") / "nextround.db"
    count = 2 * PAGE_SIZE + 20
    seeded = Store(db)
    clients = [Client(name=f"Client {n:03d}") for n in range(count)]
    # The last client has an overdue step, so the first page starts with them.
    seeded.add_many([*clients, Action(client_id=clients[-1].id, title="Call back",
                                      due_on=date.today() - timedelta(days=3))])
    seeded.close()
    served = serve_app(db=db)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(served.url)
    wait_for_widgets(page)
    page.get_by_role("button", name="Counsellor view").click()

    table = page.locator("table.nr-caseload")
    names = table.get_by_role("rowheader")
    showing = page.get_by_role("status").filter(has_text="Showing")
    previous = page.get_by_role("button", name="Previous page")
    following = page.get_by_role("button", name="Next page")
    expect(showing).to_have_text(f"Showing 1–{PAGE_SIZE} of {count} clients")
    expect(names).to_have_count(PAGE_SIZE)
    expect(names.first).to_have_text(f"Client {count - 1:03d}")
    expect(names.nth(1)).to_have_text("Client 000")
    expect(table.locator("caption")).to_have_text(f"{count} clients; 1 may need attention")
    expect(previous).to_be_disabled()
    snapshot(page, "counsellor-long-caseload-390")

    following.click()
    expect(showing).to_have_text(f"Showing {PAGE_SIZE + 1}–{2 * PAGE_SIZE} of {count} clients")
    expect(names.first).to_have_text(f"Client {PAGE_SIZE - 1:03d}")
    following.click()
    expect(showing).to_have_text(f"Showing {2 * PAGE_SIZE + 1}–{count} of {count} clients")
    expect(names).to_have_count(count - 2 * PAGE_SIZE)
    expect(following).to_be_disabled()
    previous.click()
    expect(showing).to_have_text(f"Showing {PAGE_SIZE + 1}–{2 * PAGE_SIZE} of {count} clients")
    expect(names).to_have_count(PAGE_SIZE)

    page.set_viewport_size({"width": 1280, "height": 900})
    wanted = f"Client {count - 2:03d}"
    page.get_by_label("Find a client").fill(wanted)
    expect(showing).to_have_text(f"Showing 1–1 of 1 client matching “{wanted}” "
                                 f"(of {count} in all)")
    expect(names).to_have_text([wanted])
    snapshot(page, "counsellor-long-caseload-found")
    page.get_by_label("Open a client").select_option(label=wanted)
    expect(page.get_by_role("heading", name=wanted, exact=True)).to_be_visible()
