"""A new user's whole journey on an empty database, as a person meets it.

One new client, from logging a rejection to a drafted email, a plan and its
``.ics``, then a reload. Text is typed the way people type: key by key, and
then on to the next thing, never with a Tab to "commit" it. On every step the
test looks for what breaks trust: a template placeholder such as
``[contact_name]`` left in a draft or a link, a message left over from
another step, a sentence said twice, a step that sends the client back to
choose the only rejection there is. After the reload every typed value is
found again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from browser_harness import eventually, open_step, snapshot, type_key_by_key, wait_for_widgets
from icalendar import Calendar
from playwright.sync_api import expect
from test_client_journey import reload

from nextround.content import load_content
from nextround.model import Action, Application, CheckIn, Feedback
from nextround.store import Store

CLIENT = "Jordan Reyes"
COMPANY = "Brightwave"
ROLE = "Data Analyst"
HOW_HEARD = "An email from the recruiter"
PERSON = "Sam Lee"
HEARD = "We went with an internal candidate this time"
REFLECTION = "I could show what I would change in my first month."
NEXT_TIME = "Bring two stories for each thing they need."
NOTE = "Flat today, but ready to plan."
OWN_STEP = "Ask Sam for a coffee chat"
EXTRA = " Thank you for your time, it meant a lot."
TODAY = date.today()
APPLIED = TODAY - timedelta(days=30)
HEARD_BACK = TODAY - timedelta(days=3)
OWN_DUE = TODAY + timedelta(days=10)
TIMEOUT_MS = 30_000
#: A template value left unfilled, as "[contact_name]" or "[role]".
PLACEHOLDER = re.compile(r"\[[A-Za-z_ ]{2,40}\]")


@pytest.fixture(scope="module")
def served(serve_app, tmp_path_factory):
    """``nextround serve`` on a database that does not exist yet: a first start."""
    return serve_app(db=tmp_path_factory.mktemp("new-user") / "nextround.db")


@pytest.fixture(scope="module")
def store(served) -> Iterator[Store]:
    opened = Store(served.db)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def content():
    return load_content()




def chosen(select):
    return select.locator("option:checked")


def radio_group(page, question: str):
    return page.get_by_role("radiogroup", name=question, exact=True)


def shown_text(page) -> str:
    """What the open step says and holds: its text, its boxes' values, its email links."""
    main = page.locator(".nr-main")
    text = main.inner_text()
    values = main.evaluate(
        "m => Array.from(m.querySelectorAll('textarea, input[type=text]')).map(e => e.value)")
    links = main.evaluate(
        "m => Array.from(m.querySelectorAll('a[href^=\"mailto:\"]')).map(a => a.href)")
    return "\n".join([text, *values, *(unquote(link) for link in links)])


def assert_trustworthy(page, where: str) -> str:
    """No placeholder and no stale message on this step; returns what it shows."""
    text = shown_text(page)
    found = sorted(set(PLACEHOLDER.findall(text)))
    assert not found, f"{where}: template placeholders shown to the client: {found}"
    assert "First, choose a rejection" not in text, \
        f"{where}: sends the client back to choose the only rejection"
    expect(page.get_by_text("New client added.")).to_have_count(0)
    return text


def test_a_new_user_journey_holds_together_and_survives_a_reload(page, page_log, served,
                                                                  store, content,
                                                                  tmp_path: Path):
    page.goto(served.url)
    wait_for_widgets(page)
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()

    # A new client.
    type_key_by_key(page.get_by_label("New client's name"), CLIENT)
    page.get_by_role("button", name="Add client").click()
    expect(page.locator(".nr-step-title")).to_have_text("Log the rejection", timeout=TIMEOUT_MS)
    expect(page.get_by_text("New client added.")).to_be_visible()
    [client] = eventually(store.list_clients, lambda found: len(found) == 1,
                          what="the new client")

    # 1. Log the rejection; the only rejection is chosen for the next steps.
    type_key_by_key(page.get_by_label("Company", exact=True), COMPANY)
    type_key_by_key(page.get_by_label("Role", exact=True), ROLE)
    page.get_by_label("Stage you reached").select_option(label="Final interview")
    page.get_by_label("Date you applied").fill(APPLIED.isoformat())
    page.get_by_label("Outcome", exact=True).select_option(label="Rejected")
    expect(page.get_by_text("The next steps will work on this rejection.")).to_be_visible(
        timeout=TIMEOUT_MS)
    page.get_by_label("Date you heard back").fill(HEARD_BACK.isoformat())
    type_key_by_key(page.get_by_label("How you heard"), HOW_HEARD)
    [application] = eventually(
        lambda: store.list(Application, client.id),
        lambda apps: len(apps) == 1 and apps[0].how_heard == HOW_HEARD
        and apps[0].role == ROLE and apps[0].outcome == "rejected", what="the rejection")
    assert store.get_state(client.id).get("application_id") == application.id
    snapshot(page, "new-user-1-log")

    # 2. Ask for feedback: a drafted email, then what was heard.
    page.get_by_role("button", name="Next: Ask for feedback").click()
    expect(page.locator(".nr-step-title")).to_have_text("Ask for feedback",
                                                        timeout=TIMEOUT_MS)
    expect(page.get_by_text("New client added.")).to_have_count(0)
    page.get_by_label("Who you are writing to").select_option(label="The recruiter or HR contact")
    body = page.get_by_label("Your message")
    expect(body).to_have_value(re.compile(COMPANY), timeout=TIMEOUT_MS)
    type_key_by_key(body, EXTRA)
    expect(page.get_by_text("Looks good: Your draft reads as gracious.")).to_be_visible()
    page.get_by_label("Who you asked").select_option(label="The recruiter or HR contact")
    type_key_by_key(page.get_by_label("Their name", exact=True), PERSON)
    type_key_by_key(page.get_by_label("What they said"), HEARD)
    eventually(lambda: store.list(Feedback, client.id),
               lambda found: len(found) == 1 and found[0].heard == HEARD
               and found[0].person == PERSON, what="the reply")
    draft = eventually(lambda: store.answers(client.id, application.id).get("draft.recruiter"),
                       lambda d: isinstance(d, dict) and d["body"].endswith(EXTRA.strip()[-8:]),
                       what="the drafted email")
    assert_trustworthy(page, "step 2")
    snapshot(page, "new-user-2-feedback")

    # 3. Make sense of it: confirm the reading and reflect.
    open_step(page, 3, "Make sense of it")
    scenario = content.scenario("internal_candidate")
    expect(chosen(page.get_by_label("Which fits best?"))).to_have_text(scenario.title)
    page.get_by_role("button", name="Confirm this reading").click()
    expect(page.get_by_text("You confirmed this reading.")).to_be_visible()
    question = scenario.questions[0]
    type_key_by_key(page.get_by_label(question.text, exact=True), REFLECTION)
    eventually(lambda: store.answers(client.id, application.id).get(
        f"reflect.{scenario.id}.{question.id}"), lambda v: v == REFLECTION,
        what="the reflection")
    assert_trustworthy(page, "step 3")

    # 4. Self-assessment: one written answer.
    open_step(page, 4, "Look at yourself honestly")
    next_time = content.question("next_time")
    type_key_by_key(page.get_by_label(next_time.text, exact=True), NEXT_TIME)
    eventually(lambda: store.answers(client.id, application.id).get("next_time"),
               lambda v: v == NEXT_TIME, what="the written answer")
    assert_trustworthy(page, "step 4")

    # 5. Wellbeing: a mood and a note.
    open_step(page, 5, "Look after yourself")
    mood = content.mood
    radio_group(page, mood.question).get_by_label(f"3 – {mood.labels[3]}", exact=True).check()
    type_key_by_key(page.get_by_label("A note about today (optional)"), NOTE)
    eventually(lambda: store.list(CheckIn, client.id),
               lambda found: len(found) == 1 and found[0].note == NOTE, what="the check-in")
    assert_trustworthy(page, "step 5")

    # 6. Stay gracious: the feedback request is the same draft as in step 2.
    open_step(page, 6, "Stay gracious")
    ask = next(step for step in content.gracious_steps if step.id == "ask_feedback")
    expect(page.get_by_label(f"Draft: {ask.title}", exact=True)).to_have_value(
        f"Subject: {draft['subject']}\n\n{draft['body']}")
    thank = content.gracious_steps[0]
    page.get_by_label(thank.title, exact=True).check()
    eventually(lambda: store.answers(client.id, application.id).get(f"gracious.{thank.id}"),
               lambda v: v is True, what="the ticked thank-you")
    text = assert_trustworthy(page, "step 6")
    assert text.count("reads as gracious") >= len(content.gracious_steps)  # a tone check per draft
    snapshot(page, "new-user-6-gracious")

    # 7. The plan: a suggestion, a step of one's own, and the calendar file.
    open_step(page, 7, "Your action plan")
    suggestion = page.get_by_role("button", name="Add to my plan: ").first
    suggested = suggestion.inner_text().removeprefix("Add to my plan: ").strip()
    suggestion.click()
    page.get_by_role("button", name="Add your own step").click()
    own = page.get_by_label("Step 2 title")
    type_key_by_key(own, OWN_STEP)
    page.get_by_label("Step 2 due date").fill(OWN_DUE.isoformat())
    actions = eventually(lambda: {a.title: a for a in store.list(Action, client.id)},
                         lambda found: set(found) == {suggested, OWN_STEP}
                         and found[OWN_STEP].due_on == OWN_DUE, what="the plan")
    link = page.get_by_role("link", name="Download for your calendar (.ics)")
    expected = {a.title: a.due_on for a in actions.values() if a.due_on}

    def events_in(href: str | None) -> dict[str, date]:
        import base64

        if not href or "," not in href:
            return {}
        calendar = Calendar.from_ical(base64.b64decode(href.split(",", 1)[1]))
        return {str(e["SUMMARY"]): e.decoded("DTSTART") for e in calendar.walk("VEVENT")}

    eventually(lambda: events_in(link.get_attribute("href")), lambda ev: ev == expected,
               what="the calendar link to hold the plan")
    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / "plan.ics"
    download_info.value.save_as(saved)
    calendar = Calendar.from_ical(saved.read_bytes())
    assert {str(e["SUMMARY"]): e.decoded("DTSTART") for e in calendar.walk("VEVENT")} == expected
    assert_trustworthy(page, "step 7")

    # 8. Progress: every step done, said once.
    open_step(page, 8, "Your progress")
    text = assert_trustworthy(page, "step 8")
    assert text.count("Workbook completed") == 1, text
    assert "Workbook completed: 7 of 7 steps" in text
    snapshot(page, "new-user-8-progress")

    # A reload: the same client and step, and every typed value on its step.
    refused = reload(page, served.url)
    expect(page.locator(".nr-step-title")).to_have_text("Your progress", timeout=TIMEOUT_MS)
    expect(chosen(page.get_by_label("Client", exact=True))).to_have_text(CLIENT)
    open_step(page, 1, "Log the rejection")
    for label, value in (("Company", COMPANY), ("Role", ROLE), ("How you heard", HOW_HEARD),
                         ("Date you applied", APPLIED.isoformat()),
                         ("Date you heard back", HEARD_BACK.isoformat())):
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    assert_trustworthy(page, "step 1 after the reload")
    open_step(page, 2, "Ask for feedback")
    expect(page.get_by_label("Your message")).to_have_value(draft["body"])
    expect(page.get_by_label("What they said")).to_have_value(HEARD)
    expect(page.get_by_label("Their name", exact=True)).to_have_value(PERSON)
    assert_trustworthy(page, "step 2 after the reload")
    open_step(page, 3, "Make sense of it")
    expect(page.get_by_label(question.text, exact=True)).to_have_value(REFLECTION)
    open_step(page, 4, "Look at yourself honestly")
    expect(page.get_by_label(next_time.text, exact=True)).to_have_value(NEXT_TIME)
    open_step(page, 5, "Look after yourself")
    expect(page.get_by_label("A note about today (optional)")).to_have_value(NOTE)
    open_step(page, 6, "Stay gracious")
    expect(page.get_by_label(thank.title, exact=True)).to_be_checked()
    open_step(page, 7, "Your action plan")
    titles = [a.title for a in store.list(Action, client.id)]
    for number, title in enumerate(titles, start=1):
        expect(page.get_by_label(f"Step {number} title")).to_have_value(title)
    assert set(titles) == {suggested, OWN_STEP}
    for text in refused:
        page_log.console_errors.remove(text)
