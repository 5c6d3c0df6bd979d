"""A client's whole journey through the app, in Chromium, against a real ``nextround serve``.

One test walks a new client through the steps the way a person would. Every
input is found by its visible label (``get_by_label``, or a radio group by its
question) and every button by its role and name. After each step the test
reads what the kernel saved straight from the SQLite store the server uses.
At the end it downloads the plan as ``.ics`` and parses it back with
icalendar, then reloads the page and finds the client where they were.

The harness fails the test on any request that leaves this machine and on any
console error. Screenshots of the key steps go to ``test-artifacts/``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from browser_harness import eventually, snapshot, wait_for_widgets
from icalendar import Calendar
from playwright.sync_api import expect

from nextround.advice import assessment_signals, check_tone
from nextround.components.rejection_log import describe
from nextround.content import load_content
from nextround.model import Action, Application, CheckIn, Feedback
from nextround.store import Store

CLIENT = "Robin Tester"
COMPANY = "Northwind Traders"
ROLE = "Data Analyst"
SOURCE = "The recruiter or HR contact"
PERSON = "Jo Patel"
HEARD = "They went with an internal candidate"
SCENARIO = "internal_candidate"
REFLECTION = "I talked about tools, not about what I would fix in my first month."
NEXT_TIME = "Bring a list of what they need, and two stories for each."
MOOD_NOTE = "Tired, but I know what to do next."
RUDE = "What did I do wrong?"
KIND = ("Thank you for letting me know. I would really value your view on how I could "
        "have shown more of what you needed.")
OWN_STEP = "Call Jo about how the team is changing"
TODAY = date.today()
APPLIED = TODAY - timedelta(days=30)
HEARD_BACK = TODAY - timedelta(days=9)
OWN_DUE = TODAY + timedelta(days=12)


@pytest.fixture(scope="module")
def content():
    return load_content()


@pytest.fixture(scope="module")
def store(app_server) -> Iterator[Store]:
    """The server's own database, opened beside it to check what was saved."""
    opened = Store(app_server.db)
    yield opened
    opened.close()


# --- small helpers ------------------------------------------------------------------


def open_step(page, number: int, title: str) -> None:
    """Open a step from the menu and wait until it shows."""
    page.get_by_role("button", name=f"{number}. {title}").click()
    expect(page.locator(".nr-step-title")).to_have_text(title)


def press_next(page, title: str) -> None:
    page.get_by_role("button", name=f"Next: {title}").click()
    expect(page.locator(".nr-step-title")).to_have_text(title)


def type_into(field, text: str) -> None:
    """Type, then leave the field, as a person does (text boxes save on leaving)."""
    field.fill(text)
    field.press("Tab")


def chosen(select):
    """The option a drop-down shows as chosen."""
    return select.locator("option:checked")


def radio_group(page, question: str):
    return page.get_by_role("radiogroup", name=question, exact=True)


def reload(page, base_url: str) -> list[str]:
    """Reload the page; return the console errors of its refused kernel-shutdown beacon.

    On unload, Voilà's page asks the server to shut its kernel down. The server
    refuses (403: no ``_xsrf`` cookie was ever set; voila-dashboards/voila#1458)
    and culls the kernel later instead, and Chromium may log the refusal as a
    console error. Only that error, for that kernel's shutdown URL, is returned
    so the caller can set it aside; any other console error still fails the test.
    """
    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    shutdown_url = f"{base_url}voila/api/shutdown/{kernel_id}"
    refused: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and message.location.get("url") == shutdown_url \
                and "status of 403" in message.text:
            refused.append(message.text)

    page.on("console", on_console)
    page.reload()
    wait_for_widgets(page)
    return refused


def ics_from_href(href: str | None) -> bytes:
    assert href and href.startswith("data:text/calendar;base64,"), href
    return base64.b64decode(href.split(",", 1)[1])


def calendar_events(ics: bytes) -> dict[str, tuple[date, str]]:
    """Each event's title, with its (all-day) date and description."""
    calendar = Calendar.from_ical(ics)
    return {str(event["SUMMARY"]): (event.decoded("DTSTART"), str(event["DESCRIPTION"]))
            for event in calendar.walk("VEVENT")}


def plan_events(store: Store, client_id: str) -> dict[str, tuple[date, str]]:
    """What the calendar must hold: every dated action in the store."""
    return {a.title: (a.due_on, "Done." if a.done else "To do, from the NextRound action plan.")
            for a in store.list(Action, client_id) if a.due_on is not None}


# --- the journey ----------------------------------------------------------------------


def test_client_journey_saves_every_step_and_resumes_after_reload(page, page_log, app_server,
                                                                  store, content,
                                                                  tmp_path: Path):
    page.goto(app_server.url)
    wait_for_widgets(page)

    # A new client, so the journey starts clean.
    page.get_by_label("New client's name").fill(CLIENT)
    page.get_by_role("button", name="Add client").click()
    expect(chosen(page.get_by_label("Client", exact=True))).to_have_text(CLIENT)
    expect(page.get_by_text("New client added.")).to_be_visible()
    # The demo opened on another client's log; wait for the new client's own, empty one.
    expect(page.locator(".nr-step-title")).to_have_text("Log the rejection")
    expect(chosen(page.get_by_label("The application you are editing"))).to_have_text(
        "No applications yet")
    client = eventually(lambda: [c for c in store.list_clients() if c.name == CLIENT],
                        lambda found: len(found) == 1, what=f"the client {CLIENT}")[0]

    # 1. Log the rejection and choose it to work on.
    type_into(page.get_by_label("Company", exact=True), COMPANY)
    type_into(page.get_by_label("Role", exact=True), ROLE)
    page.get_by_label("Stage you reached").select_option(label="Final interview")
    page.get_by_label("Date you applied").fill(APPLIED.isoformat())
    page.get_by_label("Outcome", exact=True).select_option(label="Rejected")
    page.get_by_label("Date you heard back").fill(HEARD_BACK.isoformat())
    application = eventually(
        lambda: store.list(Application, client.id),
        lambda apps: len(apps) == 1 and apps[0].outcome == "rejected"
        and apps[0].outcome_on == HEARD_BACK, what="the logged rejection")[0]
    page.get_by_label("The rejection you are working on").select_option(
        label=describe(application))
    eventually(lambda: store.get_state(client.id).get("application_id"),
               lambda chosen_id: chosen_id == application.id, what="the chosen rejection")
    expect(page.locator("table.nr-table tbody tr")).to_have_count(1)
    expect(page.locator("table.nr-table tbody tr td").first).to_have_text(COMPANY)
    snapshot(page, "client-journey-1-log")

    # 2. Ask for feedback: who was asked, and what they said.
    press_next(page, "Ask for feedback")
    page.get_by_label("Who you asked").select_option(label=SOURCE)
    type_into(page.get_by_label("Their name", exact=True), PERSON)
    type_into(page.get_by_label("What they said"), HEARD)
    feedback = eventually(
        lambda: store.list(Feedback, client.id, application_id=application.id),
        lambda found: len(found) == 1 and found[0].heard == HEARD and found[0].person == PERSON,
        what="the recorded feedback")[0]
    assert feedback.source_id == "recruiter"
    expect(page.locator(".nr-feedback-list")).to_contain_text(HEARD)

    # 3. Make sense of it: see the suggestion, confirm it, reflect, add an action.
    press_next(page, "Make sense of it")
    scenario = content.scenario(SCENARIO)
    top = page.locator(".nr-choice").first
    expect(top).to_contain_text(scenario.title)
    expect(top).to_contain_text("“internal candidate”")
    expect(chosen(page.get_by_label("Which fits best?"))).to_have_text(scenario.title)
    page.get_by_role("button", name="Confirm this reading").click()
    expect(page.get_by_text("You confirmed this reading.")).to_be_visible()
    question = scenario.questions[0]
    type_into(page.get_by_label(question.text, exact=True), REFLECTION)
    first_action = content.action(scenario.actions[0])
    page.get_by_role("button", name="Add to my plan").first.click()
    expect(page.get_by_role("button", name="In your plan").first).to_be_disabled()
    eventually(lambda: store.answers(client.id, application.id),
               lambda answers: answers.get("scenario") == SCENARIO
               and answers.get(f"reflect.{SCENARIO}.{question.id}") == REFLECTION,
               what="the confirmed scenario and the reflection")
    snapshot(page, "client-journey-3-make-sense")

    # 4. The self-assessment: a scale, a yes/no and a written answer.
    press_next(page, "Look at yourself honestly")
    qualifications = content.question("qualifications_shown")
    needs_list = content.question("needs_list")
    next_time = content.question("next_time")
    radio_group(page, qualifications.text).get_by_label("4", exact=True).check()
    radio_group(page, needs_list.text).get_by_label("No", exact=True).check()
    type_into(page.get_by_label(next_time.text, exact=True), NEXT_TIME)
    assessed = {qualifications.id: 4, needs_list.id: "no", next_time.id: NEXT_TIME}
    eventually(lambda: store.answers(client.id, application.id),
               lambda answers: all(answers.get(k) == v for k, v in assessed.items()),
               what="the self-assessment answers")
    strengths, gaps = assessment_signals(assessed, content)
    assert strengths and gaps
    for line in (*strengths, *gaps):
        expect(page.locator(".nr-summary")).to_contain_text(line)
    snapshot(page, "client-journey-4-assessment")

    # 5. A mood check-in with a note.
    press_next(page, "Look after yourself")
    mood = content.mood
    radio_group(page, mood.question).get_by_label(f"4 – {mood.labels[4]}", exact=True).check()
    type_into(page.get_by_label("A note about today (optional)"), MOOD_NOTE)
    eventually(lambda: store.list(CheckIn, client.id),
               lambda found: len(found) == 1 and found[0].mood == 4
               and found[0].note == MOOD_NOTE, what="today's check-in")

    # 2 again: draft the email; the tone check flags a rude draft and offers better words.
    open_step(page, 2, "Ask for feedback")
    expect(page.get_by_label("What they said")).to_have_value(HEARD)
    page.get_by_label("Who you are writing to").select_option(label=SOURCE)
    expect(page.get_by_label("Subject", exact=True)).not_to_have_value("")
    page.get_by_label("Your message").fill(RUDE)
    [flag] = check_tone(RUDE, content)
    expect(page.get_by_text("Check this: 1 phrase to reword.")).to_be_visible()
    expect(page.locator(".nr-draft mark")).to_have_text(flag.phrase)
    expect(page.locator(".nr-tone-list")).to_contain_text(f"Try instead: “{flag.alternative}”")
    snapshot(page, "client-journey-2-tone-check")
    page.get_by_label("Your message").fill(KIND)
    expect(page.get_by_text("Looks good: Your draft reads as gracious.")).to_be_visible()
    expect(page.locator(".nr-draft mark")).to_have_count(0)
    eventually(lambda: store.answers(client.id, application.id).get("draft.recruiter"),
               lambda draft: isinstance(draft, dict) and draft.get("body") == KIND,
               what="the saved draft")

    # 7. Build the plan: the action from the card, a suggestion, a step of one's own.
    open_step(page, 7, "Your action plan")
    expect(page.get_by_label("Step 1 title")).to_have_value(first_action.title)
    suggestion = page.get_by_role("button", name="Add to my plan: ").first
    suggested_title = suggestion.inner_text().removeprefix("Add to my plan: ").strip()
    assert suggested_title
    suggestion.click()
    expect(page.get_by_label("Step 2 title")).to_have_value(suggested_title)
    page.get_by_role("button", name="Add your own step").click()
    type_into(page.get_by_label("Step 3 title"), OWN_STEP)
    page.get_by_label("Step 3 due date").fill(OWN_DUE.isoformat())
    page.get_by_label("Step 1 done").check()
    actions = eventually(
        lambda: {a.title: a for a in store.list(Action, client.id)},
        lambda found: set(found) == {first_action.title, suggested_title, OWN_STEP}
        and found[OWN_STEP].due_on == OWN_DUE and found[first_action.title].done,
        what="the three steps of the plan")
    assert actions[first_action.title].library_id == first_action.id
    assert actions[suggested_title].library_id
    assert not actions[suggested_title].done and not actions[OWN_STEP].done

    # The calendar file: the link is refreshed after each save, then downloaded.
    expected = plan_events(store, client.id)
    assert set(expected) == set(actions)
    link = page.get_by_role("link", name="Download for your calendar (.ics)")
    eventually(lambda: calendar_events(ics_from_href(link.get_attribute("href"))),
               lambda events: events == expected, what="the .ics link to hold the plan")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "nextround-plan.ics"
    saved = tmp_path / "plan.ics"
    download.save_as(saved)
    events = calendar_events(saved.read_bytes())
    assert events == expected
    assert events[OWN_STEP] == (OWN_DUE, "To do, from the NextRound action plan.")
    assert events[first_action.title][1] == "Done."
    snapshot(page, "client-journey-7-plan")

    # Everything is in the store with the values typed.
    [application] = store.list(Application, client.id)
    assert (application.company, application.role, application.stage, application.outcome,
            application.applied_on, application.outcome_on) == (
        COMPANY, ROLE, "final interview", "rejected", APPLIED, HEARD_BACK)
    [feedback] = store.list(Feedback, client.id)
    assert (feedback.application_id, feedback.source_id, feedback.person, feedback.heard,
            feedback.scenario_id) == (application.id, "recruiter", PERSON, HEARD, SCENARIO)
    answers = store.answers(client.id, application.id)
    assert answers["scenario"] == SCENARIO
    assert answers[f"reflect.{SCENARIO}.{question.id}"] == REFLECTION
    assert {k: answers.get(k) for k in assessed} == assessed
    [checkin] = store.list(CheckIn, client.id)
    assert (checkin.mood, checkin.note) == (4, MOOD_NOTE)
    assert store.get_state(client.id) == {"step": "plan", "application_id": application.id}

    # A reload opens the same client on the same step, with what they typed.
    refused_beacon = reload(page, app_server.url)
    expect(chosen(page.get_by_label("Client", exact=True))).to_have_text(CLIENT)
    expect(page.locator(".nr-step-title")).to_have_text("Your action plan")
    expect(page.locator(".nr-menu .nr-current")).to_have_text(
        "7. Your action plan (you are here)")
    # (Reopened, the plan lists its steps by due date.)
    plan = store.list(Action, client.id)
    assert {a.title for a in plan} == set(actions)
    for number, action in enumerate(plan, start=1):
        expect(page.get_by_label(f"Step {number} title")).to_have_value(action.title)
        expect(page.get_by_label(f"Step {number} due date")).to_have_value(
            action.due_on.isoformat())
        expect(page.get_by_label(f"Step {number} done")).to_be_checked(checked=action.done)
    snapshot(page, "client-journey-reloaded")
    open_step(page, 1, "Log the rejection")
    expect(page.get_by_label("Company", exact=True)).to_have_value(COMPANY)
    expect(page.get_by_label("Date you heard back")).to_have_value(HEARD_BACK.isoformat())
    expect(chosen(page.get_by_label("The rejection you are working on"))).to_have_text(
        describe(application))
    open_step(page, 2, "Ask for feedback")
    expect(page.get_by_label("Your message")).to_have_value(KIND)
    expect(page.get_by_label("What they said")).to_have_value(HEARD)
    open_step(page, 4, "Look at yourself honestly")
    expect(radio_group(page, qualifications.text).get_by_label("4", exact=True)).to_be_checked()
    expect(page.get_by_label(next_time.text, exact=True)).to_have_value(NEXT_TIME)
    for text in refused_beacon:
        page_log.console_errors.remove(text)
