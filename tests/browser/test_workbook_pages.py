"""Two workbook notebooks through Voilà, in Chromium: making sense of feedback, and the plan.

Standalone Voilà (with ``nextround serve``'s settings and template) serves the
``workbook/`` folder; its kernels use a temporary store (``NEXTROUND_DB``)
holding one prepared client, chosen as the last client the way ``00-start``
leaves it, with a logged rejection and the feedback heard about it. Each
test opens a notebook, finds the inputs by their labels, completes the step
and checks what the store holds. The plan's ``.ics`` download is parsed back
with icalendar. The harness fails a test on any request leaving this machine
and on any console error.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from browser_harness import eventually, snapshot, start_voila, stop_server, wait_for_widgets
from icalendar import Calendar
from playwright.sync_api import expect

from nextround import paths
from nextround.content import load_content
from nextround.model import Action, Application, Feedback
from nextround.settings import LAST_CLIENT
from nextround.store import Store

SCENARIO = "internal_candidate"
HEARD = "They went with an internal candidate who already knew the team."
REFLECTION = "Three results from my last job that this team would want."
OWN_STEP = "Ask Jo to introduce me to someone on the data team"
OWN_DUE = date.today() + timedelta(days=5)
SOURCE_NAME = "The recruiter or HR contact"


@dataclass
class Workbook:
    url: str
    store: Store
    client_id: str
    application_id: str


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Iterator[Workbook]:
    """The workbook folder served by Voilà on a store with one prepared client."""
    folder = tmp_path_factory.mktemp("workbook-pages")
    db = folder / "nextround.db"
    store = Store(db)
    client = store.create_client("Sam Rivera")
    application = store.add(Application(
        client_id=client.id, company="Harbor Council", role="Data Officer",
        stage="interview", applied_on=date.today() - timedelta(days=21), outcome="rejected",
        outcome_on=date.today() - timedelta(days=7)))
    store.add(Feedback(client_id=client.id, application_id=application.id,
                       source_id="recruiter", person="Jo Patel", heard=HEARD))
    store.set_state(client.id, application_id=application.id)
    store.set_setting(LAST_CLIENT, client.id)
    served = start_voila(paths.workbook_dir(), temp_dir=folder, db=db, label="workbook",
                         preheat=False)
    try:
        yield Workbook(url=served.url + "voila/render/", store=store, client_id=client.id,
                       application_id=application.id)
    finally:
        stop_server(served)
        store.close()


def open_notebook(page, workbook: Workbook, name: str) -> None:
    page.goto(workbook.url + name)
    wait_for_widgets(page)


def type_into(field, text: str) -> None:
    """Type, then leave the field, as a person does (text boxes save on leaving)."""
    field.fill(text)
    field.press("Tab")


def test_understand_feedback_notebook_confirms_a_scenario(page, workbook):
    content = load_content()
    scenario = content.scenario(SCENARIO)
    store, client_id, application_id = (workbook.store, workbook.client_id,
                                        workbook.application_id)
    open_notebook(page, workbook, "03-understand-feedback.ipynb")

    # The suggestion comes from the recorded feedback, with the words that led there.
    expect(page.get_by_role("heading", name="What your feedback suggests",
                            exact=True)).to_be_visible()
    top = page.locator(".nr-choice").first
    expect(top).to_contain_text(scenario.title)
    expect(top).to_contain_text("“internal candidate”")
    which = page.get_by_label("Which fits best?")
    expect(which.locator("option:checked")).to_have_text(scenario.title)
    expect(page.get_by_text("Not confirmed yet.")).to_be_visible()

    page.get_by_role("button", name="Confirm this reading").click()
    expect(page.get_by_text("You confirmed this reading.")).to_be_visible()
    question = scenario.questions[1]
    type_into(page.get_by_label(question.text, exact=True), REFLECTION)
    action = content.action(scenario.actions[0])
    page.get_by_role("button", name="Add to my plan").first.click()
    expect(page.get_by_role("button", name="In your plan").first).to_be_disabled()
    snapshot(page, "workbook-03-understand-feedback")

    answers = eventually(
        lambda: store.answers(client_id, application_id),
        lambda found: found.get("scenario") == SCENARIO
        and found.get(f"reflect.{SCENARIO}.{question.id}") == REFLECTION,
        what="the confirmed scenario and the reflection")
    assert answers["scenario"] == SCENARIO
    [feedback] = store.list(Feedback, client_id, application_id=application_id)
    assert (feedback.heard, feedback.scenario_id) == (HEARD, SCENARIO)
    planned = eventually(lambda: store.list(Action, client_id, library_id=action.id),
                         lambda found: len(found) == 1, what="the action added from the card")
    assert (planned[0].title, planned[0].application_id) == (action.title, application_id)
    assert planned[0].due_on == date.today() + timedelta(days=action.due_days)
    assert store.get_state(client_id)["step"] == "understand"


def test_action_plan_notebook_edits_a_step_and_exports_the_calendar(page, workbook,
                                                                   tmp_path: Path):
    store, client_id = workbook.store, workbook.client_id
    before = store.list(Action, client_id)
    open_notebook(page, workbook, "07-action-plan.ipynb")
    expect(page.get_by_role("heading", name="Plan what you will do", exact=True)).to_be_visible()
    for number, action in enumerate(before, start=1):
        expect(page.get_by_label(f"Step {number} title")).to_have_value(action.title)

    # A step of one's own: title, due date, done.
    number = len(before) + 1
    page.get_by_role("button", name="Add your own step").click()
    type_into(page.get_by_label(f"Step {number} title"), OWN_STEP)
    page.get_by_label(f"Step {number} due date").fill(OWN_DUE.isoformat())
    page.get_by_label(f"Step {number} done").check()
    expect(page.get_by_text("Done. Well done.")).to_be_visible()
    added = eventually(
        lambda: [a for a in store.list(Action, client_id) if a.title == OWN_STEP],
        lambda found: len(found) == 1 and found[0].due_on == OWN_DUE and found[0].done,
        what="the new step with its date, ticked done")[0]
    assert added.application_id == workbook.application_id
    plan = store.list(Action, client_id)
    assert len(plan) == len(before) + 1
    snapshot(page, "workbook-07-action-plan")

    # The calendar download holds one event per dated step, as saved.
    link = page.get_by_role("link", name="Download for your calendar (.ics)")
    expected = {a.title: (a.due_on, a.done) for a in plan if a.due_on}
    eventually(lambda: link.get_attribute("href") or "",
               lambda href: _events_from_href(href) == expected,
               what="the .ics link to hold the saved plan")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "nextround-plan.ics"
    saved = tmp_path / "plan.ics"
    download.save_as(saved)
    calendar = Calendar.from_ical(saved.read_bytes())
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == set(expected) and OWN_STEP in events
    own = events[OWN_STEP]
    assert own.decoded("DTSTART") == OWN_DUE
    assert own.decoded("DTEND") == OWN_DUE + timedelta(days=1)
    assert str(own["DESCRIPTION"]) == "Done."
    assert str(own["UID"]) == f"{added.id}@nextround"
    assert str(calendar["X-WR-CALNAME"]) == "Action plan: Sam Rivera"


def _events_from_href(href: str) -> dict[str, tuple[date, bool]]:
    prefix = "data:text/calendar;base64,"
    if not href.startswith(prefix):
        return {}
    calendar = Calendar.from_ical(base64.b64decode(href[len(prefix):]))
    return {str(e["SUMMARY"]): (e.decoded("DTSTART"), str(e["DESCRIPTION"]) == "Done.")
            for e in calendar.walk("VEVENT")}


PASTED = """Dear Sam,

Thank you for interviewing for the Senior Analyst position at Brightwater Energy.
However, we need someone with more experience in energy trading.

Kind regards,
Priya Shah
"""


def test_log_notebook_reads_a_pasted_rejection_email(page, workbook):
    """Runs late: it adds a rejection and works on it from then on."""
    store, client_id = workbook.store, workbook.client_id
    open_notebook(page, workbook, "01-log-rejection.ipynb")
    page.get_by_label("The rejection email you received").fill(PASTED)
    page.get_by_role("button", name="Read this email").click()
    result = page.get_by_role("region", name="What the email says")
    expect(result).to_contain_text("Please check these details")
    expect(result).to_contain_text("A specific skill was missing")
    expect(result.locator("mark")).to_contain_text("experience in energy trading")
    expect(page.get_by_label("Company", exact=True)).to_have_value("Brightwater Energy")
    expect(page.get_by_label("Contact name", exact=True)).to_have_value("Priya Shah")
    snapshot(page, "workbook-01-pasted-email")
    [app] = eventually(
        lambda: [a for a in store.list(Application, client_id)
                 if a.company == "Brightwater Energy"],
        lambda found: len(found) == 1, what="the application read from the email")
    assert (app.role, app.contact_name, app.outcome) == ("Senior Analyst", "Priya Shah",
                                                         "rejected")
    [feedback] = store.list(Feedback, client_id, application_id=app.id)
    assert feedback.heard == PASTED.strip()
    assert store.get_state(client_id)["application_id"] == app.id


def test_the_contact_form_offers_whom_the_email_named(page, workbook):
    """WCAG 2.2, 3.3.7 Redundant Entry: after the email above, nothing is typed twice.

    The log now works on Brightwater Energy, whose email Priya Shah signed:
    the contact form offers her, with the company and role, instead of asking
    again.
    """
    open_notebook(page, workbook, "06-stay-gracious.ipynb")
    expect(page.get_by_label("Contact's name")).to_have_value("Priya Shah")
    expect(page.get_by_label("Their company")).to_have_value("Brightwater Energy")
    expect(page.get_by_label("How you met")).to_have_value("Met about the Senior Analyst role")
    snapshot(page, "workbook-06-contact-offered")


def test_the_feedback_request_offers_whom_the_email_named(page, workbook):
    """The same: the name box of the request holds the person the email named."""
    open_notebook(page, workbook, "02-ask-for-feedback.ipynb")
    page.get_by_label("Who you are writing to").select_option(label=SOURCE_NAME)
    expect(page.get_by_label("Their name (optional)")).to_have_value("Priya Shah")
