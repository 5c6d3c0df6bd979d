"""Nothing typed is lost: type, stay in the box, reload, and the text is there.

On every step a person types into one box of every kind (a one-line box, a
text area, a date) and never leaves it: no Tab, no click elsewhere. Within
2 s the kernel has saved it, so a reload shows it again. The workbook file
downloads in one click and holds what was just typed.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from browser_harness import (
    QUICK_REFILL,
    eventually,
    open_step,
    snapshot,
    type_key_by_key,
    wait_for_widgets,
)
from playwright.sync_api import expect
from test_client_journey import reload

from nextround.components.scenario_advice import ScenarioAdviceModel
from nextround.content import load_content
from nextround.model import Action, Application, CheckIn, Contact, Feedback, ThoughtRecord
from nextround.settings import LAST_CLIENT
from nextround.store import Store

#: The promise: saved within this long of the last key press, without leaving the box.
SAVED_WITHIN = 2.0
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[Path, str, str]:
    """A database with one client and one rejection, opened first by the app."""
    db = tmp_path_factory.mktemp("typing") / "nextround.db"
    store = Store(db)
    client = store.create_client("Robin Typist")
    app = store.add(Application(client_id=client.id, company="Acme", role="Analyst",
                                outcome="rejected"))
    store.set_setting(LAST_CLIENT, client.id)
    store.close()
    return db, client.id, app.id


@pytest.fixture(scope="module")
def served(serve_app, seeded):
    """Reloaded seven times in a row: each reload takes the kernel the pool refilled."""
    return serve_app(db=seeded[0], fill_delay=QUICK_REFILL)


@pytest.fixture(scope="module")
def store(served) -> Iterator[Store]:
    opened = Store(served.db)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def content():
    return load_content()




def saved_soon(read, check, what: str):
    """The kernel saved it within the promised time, while the box kept the focus."""
    return eventually(read, check, timeout=SAVED_WITHIN, what=what)


def reload_and_check(page, page_log, base_url: str, number: int, title: str,
                     expected: dict[str, str]) -> None:
    """Reload the page, open the step again and find every typed value in its box."""
    refused = reload(page, base_url)
    expect(page.locator(".nr-step-title")).to_have_text(title, timeout=TIMEOUT_MS)
    for label, value in expected.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value, timeout=TIMEOUT_MS)
    for text in refused:
        page_log.console_errors.remove(text)


def test_typing_on_every_step_survives_a_reload_without_leaving_the_box(
        page, page_log, served, seeded, store, content, tmp_path: Path):
    _db, client_id, app_id = seeded
    page.goto(served.url)
    wait_for_widgets(page)
    expect(page.locator(".nr-step-title")).to_have_text("Log the rejection", timeout=TIMEOUT_MS)

    # 1. Log: a one-line box, and a date.
    applied = date.today() - timedelta(days=20)
    page.get_by_label("Date you applied").fill(applied.isoformat())
    type_key_by_key(page.get_by_label("How you heard"), "A short email")
    saved_soon(lambda: store.get(Application, app_id),
               lambda a: a.how_heard == "A short email" and a.applied_on == applied,
               what="how they heard, typed without leaving the box")
    reload_and_check(page, page_log, served.url, 1, "Log the rejection",
                     {"How you heard": "A short email", "Date you applied": applied.isoformat()})

    # 2. Feedback: the request's text area and name box; the reply's text area.
    open_step(page, 2, "Ask for feedback")
    page.get_by_label("Who you are writing to").select_option(label="The hiring manager")
    body = page.get_by_label("Your message")
    expect(body).not_to_have_value("", timeout=TIMEOUT_MS)
    type_key_by_key(body, " Thanks again.")
    saved_soon(lambda: store.answers(client_id, app_id).get("draft.hiring_manager") or {},
               lambda d: str(d.get("body", "")).endswith(" Thanks again."),
               what="the request typed without leaving the box")
    type_key_by_key(page.get_by_label("What they said"), "They chose someone inside")
    saved_soon(lambda: store.list(Feedback, client_id),
               lambda f: len(f) == 1 and f[0].heard == "They chose someone inside",
               what="the reply typed without leaving the box")
    message = store.answers(client_id, app_id)["draft.hiring_manager"]["body"]
    reload_and_check(page, page_log, served.url, 2, "Ask for feedback",
                     {"Your message": message, "What they said": "They chose someone inside"})

    # 3. Make sense of it: the first question on the card.
    open_step(page, 3, "Make sense of it")
    model = ScenarioAdviceModel(content=content, store=store, client_id=client_id)
    question = content.scenario(model.selected_id).questions[0]
    type_key_by_key(page.get_by_label(question.text, exact=True), "I spoke too long")
    saved_soon(lambda: store.answers(client_id, app_id).get(
        f"reflect.{model.selected_id}.{question.id}"), lambda v: v == "I spoke too long",
        what="the reflection typed without leaving the box")
    reload_and_check(page, page_log, served.url, 3, "Make sense of it",
                     {question.text: "I spoke too long"})

    # 4. Self-assessment: a written answer.
    open_step(page, 4, "Look at yourself honestly")
    next_time = content.question("next_time")
    type_key_by_key(page.get_by_label(next_time.text, exact=True), "Pause first")
    saved_soon(lambda: store.answers(client_id, app_id).get("next_time"),
               lambda v: v == "Pause first", what="the answer typed without leaving the box")
    reload_and_check(page, page_log, served.url, 4, "Look at yourself honestly",
                     {next_time.text: "Pause first"})

    # 5. Wellbeing: the note (before any mood is chosen) and the thought record.
    open_step(page, 5, "Look after yourself")
    type_key_by_key(page.get_by_label("A note about today (optional)"), "Tired")
    type_key_by_key(page.get_by_label("What happened?"), "An email said no")
    saved_soon(lambda: store.list(ThoughtRecord, client_id),
               lambda t: len(t) == 1 and t[0].situation == "An email said no",
               what="the thought record typed without leaving the box")
    assert store.list(CheckIn, client_id) == []  # the note waits for a mood, but is kept
    reload_and_check(page, page_log, served.url, 5, "Look after yourself",
                     {"A note about today (optional)": "Tired",
                      "What happened?": "An email said no"})

    # 6. Stay gracious: a drafted message and the contact form.
    open_step(page, 6, "Stay gracious")
    thank = content.gracious_steps[0]
    draft = page.get_by_label(f"Draft: {thank.title}", exact=True)
    type_key_by_key(draft, "\nSee you soon.")
    saved_soon(lambda: store.answers(client_id, app_id).get(f"gracious.{thank.id}.draft"),
               lambda v: isinstance(v, str) and v.endswith("See you soon."),
               what="the draft typed without leaving the box")
    type_key_by_key(page.get_by_label("Contact's name"), "Sam Lee")
    saved_soon(lambda: store.answers(client_id).get("contact_draft.name"),
               lambda v: v == "Sam Lee", what="the contact typed without leaving the box")
    thank_text = store.answers(client_id, app_id)[f"gracious.{thank.id}.draft"]
    reload_and_check(page, page_log, served.url, 6, "Stay gracious",
                     {f"Draft: {thank.title}": thank_text, "Contact's name": "Sam Lee"})
    assert store.list(Contact, client_id) == []

    # 7. The plan: a step of one's own, its title typed and never left.
    open_step(page, 7, "Your action plan")
    page.get_by_role("button", name="Add your own step").click()
    type_key_by_key(page.get_by_label("Step 1 title"), "Call Sam")
    saved_soon(lambda: store.list(Action, client_id),
               lambda a: len(a) == 1 and a[0].title == "Call Sam",
               what="the plan step typed without leaving the box")
    reload_and_check(page, page_log, served.url, 7, "Your action plan",
                     {"Step 1 title": "Call Sam"})
    snapshot(page, "typing-kept-7-plan")

    # The workbook file: one click, and it holds what was just typed.
    type_key_by_key(page.get_by_label("Step 1 title"), " today")
    saved_soon(lambda: store.list(Action, client_id),
               lambda a: a[0].title == "Call Sam today", what="the longer title")
    link = page.get_by_role("link", name="Download my workbook file")

    def workbook() -> dict:
        href = link.get_attribute("href") or ""
        return json.loads(base64.b64decode(href.split(",", 1)[1])) if "," in href else {}

    eventually(workbook, lambda doc: [a["title"] for a in doc.get("records", {}).get(
        "actions", [])] == ["Call Sam today"], what="the link to hold the latest title")
    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / "workbook.json"
    download_info.value.save_as(saved)
    doc = json.loads(saved.read_text(encoding="utf-8"))
    assert doc["client"]["name"] == "Robin Typist"
    assert [a["title"] for a in doc["records"]["actions"]] == ["Call Sam today"]
    assert download_info.value.suggested_filename.startswith("nextround-workbook-")
