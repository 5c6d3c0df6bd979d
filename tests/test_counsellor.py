"""The counsellor's side: caseload numbers and who needs attention, the session
summary (HTML and Markdown, escaped, notes only on request), and the view that
shows them and keeps private session notes."""

from __future__ import annotations

import base64
import html
import re
import time
from datetime import UTC, date, datetime, timedelta

import ipywidgets as W
import pytest

from nextround import model
from nextround.advice import assessment_signals
from nextround.caseload import (
    NOT_CONFIRMED,
    PAGE_SIZE,
    CaseloadRow,
    attention_first,
    caseload,
    caseload_page,
    name_matches,
)
from nextround.components.counsellor import HTML_NAME, MARKDOWN_NAME, CounsellorView
from nextround.summary import md_escape, session_summary

TODAY = date.today()
HOSTILE = "<script>alert(1)</script>"
NOTE = "Private: worried about rent <b>this month</b>"


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


@pytest.fixture
def ann(store):
    """A client who needs attention: low mood, overdue steps, a reply long awaited."""
    client = store.create_client("Ann Lee")
    cid = client.id
    add = store.add
    skill = add(model.Application(client_id=cid, company="Acme", role="Analyst",
                                  stage="interview", applied_on=days_ago(40),
                                  outcome="rejected", outcome_on=days_ago(20)))
    better = add(model.Application(client_id=cid, company=HOSTILE, role="Data Lead",
                                   applied_on=days_ago(30), outcome="rejected"))
    unread = add(model.Application(client_id=cid, company="Corvo", applied_on=days_ago(25),
                                   outcome="rejected"))
    add(model.Application(client_id=cid, company="Dune", applied_on=days_ago(5)))
    # Acme: the skill gap is confirmed; one reply heard, one awaited for ten days.
    add(model.Feedback(client_id=cid, application_id=skill.id, person="Jo", asked_on=days_ago(12),
                       heard="You needed more SQL.", scenario_id="skill_gap"))
    add(model.Feedback(client_id=cid, application_id=skill.id, person="Sam",
                       asked_on=days_ago(10)))
    # The hostile one: feedback says skill gap, but the client confirmed "better qualified".
    add(model.Feedback(client_id=cid, application_id=better.id, person="Kim",
                       asked_on=days_ago(10), no_reply=True, scenario_id="skill_gap"))
    store.set_answer(cid, "scenario", "better_qualified", application_id=better.id)
    # Corvo: asked three days ago, still waiting (not yet a week).
    add(model.Feedback(client_id=cid, application_id=unread.id, person="Lee",
                       asked_on=days_ago(3)))
    add(model.CheckIn(client_id=cid, at=at(days_ago(5)), mood=4))
    add(model.CheckIn(client_id=cid, at=at(days_ago(1)), mood=1, note="Rough week."))
    add(model.Action(client_id=cid, title="Learn SQL joins", due_on=days_ago(4)))
    add(model.Action(client_id=cid, title="Write three stories", due_on=days_ago(1)))
    add(model.Action(client_id=cid, title="Thank Jo", due_on=days_ago(6), done=True))
    add(model.Action(client_id=cid, title="Practise interviews", due_on=TODAY + timedelta(3)))
    add(model.Action(client_id=cid, title="Update my CV"))
    add(model.Contact(client_id=cid, name="Jo Patel", company="Acme",
                      follow_up_on=TODAY + timedelta(7)))
    store.set_answer(cid, "interrupting", 4, application_id=skill.id)
    store.set_answer(cid, "qualifications_shown", 5)
    add(model.Note(client_id=cid, text=NOTE))
    return client


@pytest.fixture
def bo(store):
    """A client doing fine."""
    client = store.create_client("Bo Chen")
    store.add(model.CheckIn(client_id=client.id, at=at(days_ago(2)), mood=3))
    store.add(model.Action(client_id=client.id, title="Apply to two jobs",
                           due_on=TODAY + timedelta(2)))
    return client


# --- caseload ---------------------------------------------------------------------


def test_caseload_counts_on_a_hand_built_store(store, content, ann, bo):
    rows = caseload(store, content, today=TODAY)
    assert [row.name for row in rows] == ["Ann Lee", "Bo Chen"]
    first, second = rows
    assert first.client_id == ann.id
    assert first.rejections_by_scenario == {
        "They chose someone better qualified": 1,
        "A specific skill was missing": 1,
        NOT_CONFIRMED: 1,
    }
    assert list(first.rejections_by_scenario)[-1] == NOT_CONFIRMED
    assert first.awaiting_replies == 2  # Sam (10 days) and Lee (3 days); Kim gave up
    assert first.overdue_actions == 2
    assert first.latest_mood == 1
    assert first.last_activity is not None and first.last_activity.date() >= days_ago(1)
    assert first.needs_attention is True
    assert first.reasons == ["Latest mood is low (1 of 5)", "2 overdue actions",
                             "1 reply awaited for over a week"]

    assert second.rejections_by_scenario == {}
    assert (second.awaiting_replies, second.overdue_actions, second.latest_mood) == (0, 0, 3)
    assert second.needs_attention is False
    assert second.reasons == []


def test_needs_attention_thresholds(store, content):
    client = store.create_client("Cleo")
    cid = client.id
    app = store.add(model.Application(client_id=cid, company="Acme", outcome="rejected"))
    store.add(model.CheckIn(client_id=cid, at=at(TODAY), mood=3))
    store.add(model.Feedback(client_id=cid, application_id=app.id, asked_on=days_ago(7)))

    (row,) = caseload(store, content, today=TODAY)
    assert row.latest_mood == 3 and row.awaiting_replies == 1
    assert row.needs_attention is False  # mood 3 is not low; 7 days is not over a week

    (row,) = caseload(store, content, today=TODAY + timedelta(days=1))
    assert row.reasons == ["1 reply awaited for over a week"]

    store.add(model.CheckIn(client_id=cid, at=at(TODAY) + timedelta(hours=1), mood=2))
    (row,) = caseload(store, content, today=TODAY)
    assert row.reasons == ["Latest mood is low (2 of 5)"]

    (row,) = caseload(store, content, today=TODAY + timedelta(days=13))
    assert not any(reason.startswith("No activity") for reason in row.reasons)
    (row,) = caseload(store, content, today=TODAY + timedelta(days=14))
    assert "No activity for 14 days" in row.reasons
    assert row.needs_attention is True


def test_one_overdue_action_is_enough_to_flag(store, content):
    client = store.create_client("Dev")
    store.add(model.Action(client_id=client.id, title="Call Jo", due_on=days_ago(1)))
    (row,) = caseload(store, content, today=TODAY)
    assert row.reasons == ["1 overdue action"]


def bulk_insert(store, records: dict[str, list[model.Record]]) -> None:
    """Write many records in one transaction (a thousand clients one by one is slow)."""
    store.add_many(record for items in records.values() for record in items)


def test_caseload_of_a_thousand_clients_completes(store, content):
    records: dict[str, list[model.Record]] = {name: [] for name in
                                              ("clients", "applications", "feedback",
                                               "checkins", "actions")}
    for n in range(1000):
        client = model.Client(name=f"Client {n:04d}")
        records["clients"].append(client)
        for k in range(5):
            app = model.Application(client_id=client.id, company=f"Co {k}",
                                    applied_on=days_ago(k * 7), outcome="rejected")
            records["applications"].append(app)
            records["feedback"].append(model.Feedback(
                client_id=client.id, application_id=app.id, asked_on=days_ago(10),
                scenario_id="skill_gap" if k % 2 else ""))
            records["checkins"].append(model.CheckIn(client_id=client.id,
                                                     at=at(days_ago(k)), mood=1 + n % 5))
            records["actions"].append(model.Action(client_id=client.id, title="Step",
                                                   due_on=days_ago(k - 2), done=k == 4))
    bulk_insert(store, records)

    began = time.perf_counter()
    rows = caseload(store, content, today=TODAY)
    elapsed = time.perf_counter() - began
    print(f"\nCaseload for 1,000 clients built in {elapsed * 1000:.0f} ms")

    assert len(rows) == 1000
    row = rows[7]
    assert row.name == "Client 0007"
    assert row.rejections_by_scenario == {"A specific skill was missing": 2, NOT_CONFIRMED: 3}
    assert row.awaiting_replies == 5
    assert row.overdue_actions == 1  # due yesterday; the one due two days ago is done
    assert row.latest_mood == 3  # the check-in from today
    assert sum(r.needs_attention for r in rows) == 1000


# --- one page of the caseload ---------------------------------------------------------


def lines(count: int, flagged: set[int] = frozenset()) -> list[CaseloadRow]:
    """Caseload lines named "Client 000".. in name order; ``flagged`` need attention."""
    return [CaseloadRow(client_id=f"id{n:03d}", name=f"Client {n:03d}", last_activity=None,
                        needs_attention=n in flagged, reasons=["1 overdue action"]
                        if n in flagged else []) for n in range(count)]


def test_caseload_pages_put_who_needs_attention_first():
    rows = lines(120, flagged={7, 64, 119})
    first = caseload_page(rows, size=50)
    assert [r.name for r in first.rows[:4]] == ["Client 007", "Client 064", "Client 119",
                                                "Client 000"]
    assert len(first.rows) == 50 and first.rows[-1].name == "Client 047"
    assert (first.number, first.pages, first.matching, first.total) == (0, 3, 120, 120)
    assert (first.has_previous, first.has_next) == (False, True)
    assert first.showing() == "Showing 1–50 of 120 clients"

    second = caseload_page(rows, number=1, size=50)
    assert [r.name for r in second.rows[:2]] == ["Client 048", "Client 049"]
    assert (second.has_previous, second.has_next) == (True, True)
    assert second.showing() == "Showing 51–100 of 120 clients"

    last = caseload_page(rows, number=2, size=50)
    assert len(last.rows) == 20 and last.rows[-1].name == "Client 118"
    assert (last.has_previous, last.has_next) == (True, False)
    assert last.showing() == "Showing 101–120 of 120 clients"
    shown = [r.client_id for n in range(3) for r in caseload_page(rows, number=n, size=50).rows]
    assert sorted(shown) == sorted(r.client_id for r in rows)  # each client once

    # Past either end, the nearest page; the default size is the table's.
    assert caseload_page(rows, number=9, size=50).rows == last.rows
    assert caseload_page(rows, number=-1, size=50).rows == first.rows
    assert len(caseload_page(lines(1000)).rows) == PAGE_SIZE
    assert caseload_page(lines(1000)).showing() == f"Showing 1–{PAGE_SIZE} of 1,000 clients"
    one = caseload_page(lines(1))
    assert (one.pages, one.has_previous, one.has_next) == (1, False, False)
    assert one.showing() == "Showing 1–1 of 1 client"
    with pytest.raises(ValueError, match="at least one client"):
        caseload_page(rows, size=0)


def test_attention_first_keeps_each_groups_order():
    rows = lines(6, flagged={1, 4})
    assert [r.name[-1] for r in attention_first(rows)] == ["1", "4", "0", "2", "3", "5"]


def test_finding_a_client_by_part_of_their_name():
    rows = [*lines(3), CaseloadRow(client_id="ann", name="Ann Lee", last_activity=None),
            CaseloadRow(client_id="jo1", name="Jordan", last_activity=None),
            CaseloadRow(client_id="jo2", name="Jordan", last_activity=None)]
    labels = {"jo1": "Jordan (added 1 May 2026)", "jo2": "Jordan (added 3 May 2026)"}

    found = caseload_page(rows, labels=labels, query="  lee  ANN ")
    assert [r.client_id for r in found.rows] == ["ann"]
    assert (found.matching, found.total, found.query) == (1, 6, "lee ANN")
    assert found.showing() == "Showing 1–1 of 1 client matching “lee ANN” (of 6 in all)"
    # The name shown is what is searched, so two clients of one name are told apart.
    assert [r.client_id for r in caseload_page(rows, labels=labels, query="3 may").rows] \
        == ["jo2"]
    assert len(caseload_page(rows, labels=labels, query="jordan").rows) == 2
    assert len(caseload_page(rows, query="client 00").rows) == 3
    assert caseload_page(rows, query="").matching == 6

    nobody = caseload_page(rows, query="<b>Zed</b>", number=3)
    assert (nobody.rows, nobody.number, nobody.pages) == ([], 0, 1)
    assert (nobody.has_previous, nobody.has_next) == (False, False)
    assert nobody.showing() == "No client's name matches “<b>Zed</b>”."
    assert caseload_page([]).showing() == "No clients yet."
    assert name_matches("Amira Haddad", "had") and not name_matches("Amira Haddad", "ben")


# --- session summary ----------------------------------------------------------------


def test_summary_shows_what_was_covered_and_the_plan(store, content, ann):
    summary = session_summary(store, content, ann.id, today=TODAY)
    page = summary.html
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "@media print" in page and "@page" in page
    assert "<title>Session summary for Ann Lee</title>" in page

    assert "Analyst at Acme" in page
    assert "Kind of feedback: A specific skill was missing." in page
    assert "Kind of feedback: They chose someone better qualified." in page
    assert "You needed more SQL." in page
    _strengths, gaps = assessment_signals({"interrupting": 4}, content)
    assert gaps and html.escape(gaps[0]) in page
    strengths, _gaps = assessment_signals({"qualifications_shown": 5}, content)
    assert strengths and html.escape(strengths[0]) in page
    assert "1 of 5 (Very low)" in page

    def nice(day: date) -> str:
        return f"{day.day} {day:%B %Y}"

    def plan_row(step: str, due: str, done: str) -> str:
        return (f"<tr role='row'><td role='cell' data-label='Step'>{step}</td>"
                f"<td role='cell' data-label='Due'>{due}</td>"
                f"<td role='cell' data-label='Done?'>{done}</td></tr>")

    plan = page[page.index("Your plan"):page.index("Next steps")]
    assert plan_row("Learn SQL joins", f"{nice(days_ago(4))} (overdue)", "Not yet") in plan
    assert plan_row("Thank Jo", nice(days_ago(6)), "Done") in plan
    assert plan_row("Update my CV", "No due date", "Not yet") in plan
    steps = page[page.index("Next steps"):]
    assert steps.index("Learn SQL joins") < steps.index("Write three stories") \
        < steps.index("Practise interviews") < steps.index("Update my CV")
    assert "Thank Jo" not in steps
    assert f"Follow up with Jo Patel (Acme) by {nice(TODAY + timedelta(7))}" in steps

    markdown = summary.markdown
    assert markdown.startswith("# Session summary for Ann Lee\n")
    assert "## Your plan" in markdown
    assert f"| Learn SQL joins | {nice(days_ago(4))} \\(overdue\\) | Not yet |" not in markdown
    assert f"| Learn SQL joins | {nice(days_ago(4))} (overdue) | Not yet |" in markdown
    assert f"| Thank Jo | {nice(days_ago(6))} | Done |" in markdown
    assert "- Practise interviews: due " in markdown


def test_summary_escapes_a_hostile_company_name(store, content, ann):
    summary = session_summary(store, content, ann.id, today=TODAY)
    for text in (summary.html, summary.markdown):
        assert HOSTILE not in text
        assert "<script" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert md_escape("*bold* [link](x) # 1. |") == r"\*bold\* \[link\](x) # 1. \|"
    assert md_escape("# heading") == r"\# heading"


def test_private_notes_appear_only_when_asked_for(store, content, ann):
    plain = session_summary(store, content, ann.id, today=TODAY)
    for text in (plain.html, plain.markdown):
        assert "worried about rent" not in text
        assert "private notes" not in text.lower()
    with_notes = session_summary(store, content, ann.id, include_notes=True, today=TODAY)
    assert "<h2>Counsellor's private notes</h2>" in with_notes.html
    assert "Private: worried about rent &lt;b&gt;this month&lt;/b&gt;" in with_notes.html
    assert "## Counsellor's private notes" in with_notes.markdown
    assert "worried about rent &lt;b&gt;this month&lt;/b&gt;" in with_notes.markdown


# --- the counsellor view -------------------------------------------------------------


def find(root: W.Widget, kind: type, description: str) -> W.Widget:
    """The widget of a kind whose visible label is ``description``, anywhere below root."""
    stack = [root]
    while stack:
        widget = stack.pop()
        if isinstance(widget, kind) and getattr(widget, "description", None) == description:
            return widget
        stack.extend(getattr(widget, "children", ()))
    raise LookupError(description)


def decoded_link(links_html: str, filename: str) -> tuple[str, str]:
    """The mime type and text of the data-URI download named ``filename``."""
    match = re.search(rf'download="{re.escape(filename)}" href="data:([^;]+);base64,([^"]+)"',
                      links_html)
    assert match, links_html
    return match.group(1), base64.b64decode(match.group(2)).decode("utf-8")


def test_counsellor_view_shows_the_caseload_escaped(store, content, ann, bo):
    evil = store.create_client("<b>Eve</b>")
    view = CounsellorView.create(content=content, store=store, today=TODAY)
    table = view.table.value
    assert "&lt;b&gt;Eve&lt;/b&gt;" in table and "<b>Eve</b>" not in table
    assert "<th scope='col' role='columnheader'>Needs attention</th>" in table
    ann_row = table[table.index("Ann Lee"):table.index("Bo Chen")]
    assert ("<strong>Yes</strong>: Latest mood is low (1 of 5); 2 overdue actions; "
            "1 reply awaited for over a week") in ann_row
    assert "They chose someone better qualified: 1" in ann_row
    assert "<td role='cell' data-label='Latest mood'>1 of 5</td>" in ann_row
    picker = find(view, W.Dropdown, "Open a client")
    assert dict(picker.options)["<b>Eve</b>"] == evil.id
    assert view.client_id == ""


def test_counsellor_adds_a_private_note_and_downloads_the_summary(store, content, ann, bo):
    view = CounsellorView.create(content=content, store=store, today=TODAY)
    find(view, W.Dropdown, "Open a client").value = bo.id
    assert view.client_id == bo.id
    assert "Bo Chen" in view.client_heading.value
    assert view.page.children == (view.client_page,)

    note_box = find(view, W.Textarea, "New session note")
    note_box.value = "Talked about <interview> nerves.\nNext: mock interview."
    find(view, W.Button, "Add note").click()
    (saved,) = store.list(model.Note, bo.id)
    assert saved.text == "Talked about <interview> nerves.\nNext: mock interview."
    assert "Talked about &lt;interview&gt; nerves.<br>Next: mock interview." in \
        view.notes_html.value
    assert note_box.value == ""
    assert view.status.text == "Saved. Your note is saved. It stays private."

    mime, page = decoded_link(view.links.value, HTML_NAME)
    assert mime == "text/html"
    assert page.startswith("<!DOCTYPE html>")
    assert "<tr role='row'><td role='cell' data-label='Step'>Apply to two jobs</td>" in page
    assert "mock interview" not in page
    mime, markdown = decoded_link(view.links.value, MARKDOWN_NAME)
    assert mime == "text/markdown"
    assert "| Apply to two jobs |" in markdown and "mock interview" not in markdown

    include = find(view, W.Checkbox, "Include my private notes in the summary")
    assert include.value is False
    include.value = True
    _mime, page = decoded_link(view.links.value, HTML_NAME)
    assert "Talked about &lt;interview&gt; nerves." in page
    _mime, markdown = decoded_link(view.links.value, MARKDOWN_NAME)
    assert "Talked about &lt;interview&gt; nerves\\." not in markdown
    assert "Talked about &lt;interview&gt; nerves." in markdown

    store.add(model.Action(client_id=bo.id, title="Call Jo", due_on=days_ago(2)))
    find(view, W.Button, "Back to caseload").click()
    assert view.client_id == ""
    assert view.page.children == (view.caseload_page,)
    bo_row = view.table.value[view.table.value.index("Bo Chen"):]
    assert "<strong>Yes</strong>: 1 overdue action" in bo_row  # the line was re-read

    rebuilt = CounsellorView.create(content=content, store=store, today=TODAY)
    rebuilt.client_id = bo.id
    assert "Talked about &lt;interview&gt; nerves." in rebuilt.notes_html.value
    assert find(rebuilt, W.Checkbox, "Include my private notes in the summary").value is False


def test_an_empty_note_or_unknown_client_gives_a_plain_message(store, content, ann):
    view = CounsellorView.create(content=content, store=store, today=TODAY)
    view.client_id = ann.id
    find(view, W.Button, "Add note").click()
    assert view.status.text == "Sorry: Write your note in the box first."
    assert len(store.list(model.Note, ann.id)) == 1  # only the fixture's note

    view.client_id = "ffffffffffffffff"
    assert view.client_id == ann.id
    assert view.status.text.startswith("Sorry:")
    assert "Traceback" not in view.status.value


def test_demo_caseload_shows_each_clients_own_latest_entry(store, content):
    """The demo's history is weeks old: no client's last activity is the day it was made."""
    from nextround.demo import create_demo

    made_on = date(2026, 3, 16)  # the demo is made today; its story ends days before
    create_demo(store, today=made_on)
    rows = caseload(store, content, today=made_on)
    # Latest own entries in the story: Amira's check-in 3 days back, Ben's 2, Carla's
    # application 2 days back.
    assert {row.name: (made_on - row.last_activity.date()).days for row in rows} == {
        "Amira Haddad": 3, "Ben Okafor": 2, "Carla Mendes": 2}
    view = CounsellorView.create(content=content, store=store, today=made_on)
    assert "(today)" not in view.table.value
    assert "13 March 2026 (3 days ago)" in view.table.value


def test_last_activity_follows_the_clients_entries_not_the_counsellors(store, content):
    """A note written today and opening the workbook leave the client's last entry alone."""
    di = store.create_client("Di")
    store.add(model.CheckIn(client_id=di.id, at=at(days_ago(2)), mood=3))
    store.add(model.Note(client_id=di.id, text="Checked in by phone."))
    store.set_state(di.id, step="plan")
    [row] = [r for r in caseload(store, content, today=TODAY) if r.client_id == di.id]
    assert row.last_activity.date() == days_ago(2)
    fresh = store.create_client("Cy")
    [row] = [r for r in caseload(store, content, today=TODAY) if r.client_id == fresh.id]
    assert row.last_activity is None and row.reasons == []
    view = CounsellorView.create(content=content, store=store, today=TODAY)
    assert "No entries yet" in view.table.value


def test_opening_every_step_is_not_activity(store, content):
    """A counsellor looking through a client's workbook leaves their last entry alone."""
    from nextround.components.feedback_request import FeedbackRequest
    from nextround.demo import create_demo
    from nextround.steps import STEPS

    clients = create_demo(store, today=TODAY)
    # One client chose whom to write to last week: their draft is saved, and each
    # visit to the step shows it again.
    FeedbackRequest.create(content=content, store=store, client_id=clients[0].id
                           ).model.choose_source("hiring_manager")
    for answer in store.all_answers(clients[0].id):
        store.update(model.Answer, answer.id, updated_at=at(days_ago(7)))
    before = store.last_activities()
    for _visit in range(2):  # the first look, and a look back later
        for client in clients:
            for step in STEPS:
                step.build(content=content, store=store, client_id=client.id)
        assert store.last_activities() == before


def add_clients(store, count: int, *, overdue: set[int] = frozenset()) -> list[model.Client]:
    """``count`` clients "Client 000".. in one write; those in ``overdue`` need attention."""
    clients = [model.Client(name=f"Client {n:03d}") for n in range(count)]
    late = [model.Action(client_id=clients[n].id, title="Call back", due_on=days_ago(3))
            for n in overdue]
    store.add_many([*clients, *late])
    return clients


def table_names(view: CounsellorView) -> list[str]:
    return re.findall(r"<th scope='row' role='rowheader' data-label='Client'>([^<]*)</th>",
                      view.table.value)


def picker_names(view: CounsellorView) -> list[str]:
    return [label for label, value in find(view, W.Dropdown, "Open a client").options if value]


def test_counsellor_view_pages_through_a_long_caseload(store, content):
    clients = add_clients(store, PAGE_SIZE + 10, overdue={PAGE_SIZE + 5})
    view = CounsellorView.create(content=content, store=store, today=TODAY)
    previous = find(view, W.Button, "Previous page")
    following = find(view, W.Button, "Next page")

    names = table_names(view)
    assert len(names) == PAGE_SIZE
    assert names[0] == f"Client {PAGE_SIZE + 5:03d}"  # the one who needs attention
    assert names[1:3] == ["Client 000", "Client 001"]
    assert picker_names(view) == names  # the picker offers the clients in the table
    assert f"Showing 1–{PAGE_SIZE} of {PAGE_SIZE + 10} clients" in view.showing.value
    assert "role='status'" in view.showing.value
    assert f"<caption>{PAGE_SIZE + 10} clients; 1 may need attention</caption>" \
        in view.table.value
    assert (previous.disabled, following.disabled) == (True, False)

    following.click()
    rest = table_names(view)
    assert len(rest) == 10 and not set(rest) & set(names)
    assert picker_names(view) == rest
    assert f"Showing {PAGE_SIZE + 1}–{PAGE_SIZE + 10} of" in view.showing.value
    assert (previous.disabled, following.disabled) == (False, True)
    following.click()  # on the last page, Next stays there
    assert table_names(view) == rest

    # A client on the second page opens from the picker, and back leads to that page.
    find(view, W.Dropdown, "Open a client").value = clients[PAGE_SIZE + 9].id
    assert view.client_id == clients[PAGE_SIZE + 9].id
    assert view.page.children == (view.client_page,)
    find(view, W.Button, "Back to caseload").click()
    assert table_names(view) == rest

    previous.click()
    assert table_names(view) == names
    assert (previous.disabled, following.disabled) == (True, False)


def test_counsellor_view_finds_a_client_by_name(store, content):
    add_clients(store, PAGE_SIZE + 10)
    store.create_client("<b>Eve</b> Ray")
    view = CounsellorView.create(content=content, store=store, today=TODAY)
    box = find(view, W.Text, "Find a client")
    find(view, W.Button, "Next page").click()
    assert view.model.page == 1

    box.value = "client 05"  # each word, anywhere in the name
    assert table_names(view) == [f"Client {n:03d}" for n in (5, *range(50, 60))]
    assert view.model.page == 0  # a new search starts at its first page
    assert picker_names(view) == table_names(view)
    assert "Showing 1–11 of 11 clients matching “client 05” (of 61 in all)" \
        in view.showing.value
    assert "<caption>61 clients; " in view.table.value
    assert find(view, W.Button, "Next page").disabled

    box.value = "<b>eve"
    assert table_names(view) == ["&lt;b&gt;Eve&lt;/b&gt; Ray"]
    assert "matching “&lt;b&gt;eve”" in view.showing.value
    assert "<b>eve" not in view.showing.value

    box.value = "<script>zed"
    assert view.table.value == "" and picker_names(view) == []
    assert "No client&#x27;s name matches “&lt;script&gt;zed”." in view.showing.value
    assert "<script>" not in view.showing.value

    box.value = ""
    assert len(table_names(view)) == PAGE_SIZE
    assert view.status.text == ""  # nothing went wrong on the way


def test_an_empty_caseload_says_so_once(store, content):
    view = CounsellorView.create(content=content, store=store, today=TODAY)
    assert "No clients yet" in view.table.value
    assert view.showing.value == ""
    assert find(view, W.Button, "Previous page").disabled
    assert find(view, W.Button, "Next page").disabled
