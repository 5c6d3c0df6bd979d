"""The journey flows: the rejection worked on, one draft per message, names told
apart, uploads for a client already here, and messages that belong to their step.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime

import ipywidgets as W
import pytest

from nextround.app import App, AppModel
from nextround.components.counsellor import CounsellorView
from nextround.components.feedback_request import FeedbackRequest
from nextround.components.gracious_steps import GraciousSteps
from nextround.components.rejection_log import RejectionLog
from nextround.components.scenario_advice import ScenarioAdvice
from nextround.components.workbook_file import WorkbookFile
from nextround.exports import build_workbook, workbook_bytes
from nextround.model import Action, Application, Client, Feedback
from nextround.names import client_labels


def walk(widget: W.Widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def by_label(view: W.Widget, label: str) -> W.Widget:
    [found] = [w for w in walk(view) if getattr(w, "description", None) == label
               and not isinstance(w, W.Button)]
    return found


def button(view: W.Widget, name: str) -> W.Button:
    [found] = [w for w in walk(view) if isinstance(w, W.Button) and w.description == name]
    return found


def shown(view: W.Widget) -> str:
    """What a view shows: its visible HTML and labels, as one text."""
    parts = []
    for widget in walk(view):
        layout = getattr(widget, "layout", None)
        if layout is not None and layout.display == "none":
            continue
        for attr in ("value", "description"):
            value = getattr(widget, attr, None)
            if isinstance(value, str):
                parts.append(value)
    return "\n".join(parts)


def visible(widget: W.Widget) -> bool:
    return widget.layout.display != "none"


# --- 8. the rejection worked on ------------------------------------------------------


def test_the_only_rejection_is_chosen_for_the_next_steps(store, content):
    client = store.create_client("Kim")
    only = store.add(Application(client_id=client.id, company="Acme", outcome="rejected"))
    store.add(Application(client_id=client.id, company="Globex", outcome="pending"))
    for component in (FeedbackRequest, ScenarioAdvice):
        view = component.create(content=content, store=store, client_id=client.id)
        assert view.model.application_id == only.id
        assert "First, choose a rejection" not in shown(view)
    assert store.get_state(client.id)["application_id"] == only.id


def test_with_two_rejections_and_none_chosen_the_client_still_chooses(store, content):
    client = store.create_client("Kim")
    for company in ("Acme", "Globex"):
        store.add(Application(client_id=client.id, company=company, outcome="rejected"))
    view = FeedbackRequest.create(content=content, store=store, client_id=client.id)
    assert view.model.application_id == ""
    assert "First, choose a rejection" in shown(view)


def test_logging_the_first_rejection_chooses_it(store, content):
    client = store.create_client("Kim")
    log = RejectionLog.create(content=content, store=store, client_id=client.id)
    log.inputs["company"].value = "Acme"
    log.inputs["outcome"].value = "rejected"
    [app] = store.list(Application, client.id)
    assert store.get_state(client.id)["application_id"] == app.id
    assert log.chooser.value == app.id
    assert "The next steps will work on this rejection." in log.status.text


def test_a_new_rejection_offers_to_switch_to_it(store, content):
    client = store.create_client("Kim")
    first = store.add(Application(client_id=client.id, company="Acme", outcome="rejected"))
    log = RejectionLog.create(content=content, store=store, client_id=client.id)
    assert log.model.application_id == first.id
    assert not visible(log.switch_offer)
    log.add_button.click()
    log.inputs["company"].value = "Globex"
    log.inputs["outcome"].value = "rejected"
    assert visible(log.switch_offer)
    assert "Globex" in log.switch_text.value
    assert store.get_state(client.id)["application_id"] == first.id  # only offered
    log.switch_button.click()
    [second] = [a for a in store.list(Application, client.id) if a.company == "Globex"]
    assert store.get_state(client.id)["application_id"] == second.id
    assert log.chooser.value == second.id
    assert not visible(log.switch_offer)


# --- 9. one draft per message, one tone check -----------------------------------------


@pytest.fixture
def worked(store):
    client = store.create_client("Amira")
    app = store.add(Application(client_id=client.id, company="Northwind", role="Data Analyst",
                                outcome="rejected", contact_name="Sam Lee"))
    return client, app


def test_the_feedback_request_is_one_draft_in_both_steps(store, content, worked):
    client, _app = worked
    ask = next(step for step in content.gracious_steps if step.id == "ask_feedback")
    feedback = FeedbackRequest.create(content=content, store=store, client_id=client.id)
    feedback.source.value = "recruiter"
    feedback.body.value = "Dear Sam,\nCould you share a thought or two?\n"

    gracious = GraciousSteps.create(content=content, store=store, client_id=client.id)
    draft = by_label(gracious, f"Draft: {ask.title}")
    assert "Could you share a thought or two?" in draft.value

    draft.value = f"Subject: {feedback.subject.value}\n\nDear Sam,\nAny pointers welcome.\n"
    again = FeedbackRequest.create(content=content, store=store, client_id=client.id)
    assert again.body.value == "Dear Sam,\nAny pointers welcome.\n"
    assert "gracious.ask_feedback.draft" not in store.answers(client.id, _app.id)


def test_the_gracious_drafts_get_the_same_live_tone_check(store, content, worked):
    client, _app = worked
    gracious = GraciousSteps.create(content=content, store=store, client_id=client.id)
    thank = content.gracious_steps[0]
    draft = by_label(gracious, f"Draft: {thank.title}")
    assert "Looks good" in gracious.tones[thank.id].summary.value
    draft.value = "Subject: Hello\n\nWhat did I do wrong?"
    tone = gracious.tones[thank.id]
    assert "Check this:" in tone.summary.value and "1 phrase to reword" in tone.summary.value
    assert "<mark>" in tone.details.value and "Try instead" in tone.details.value
    # The same piece as the feedback step's.
    feedback = FeedbackRequest.create(content=content, store=store, client_id=client.id)
    feedback.source.value = "recruiter"
    assert type(feedback.tone_check) is type(tone)


# --- 10. clients with the same name ------------------------------------------------------


def client_named(name: str, when: datetime) -> Client:
    return Client(name=name, created_at=when)


def test_client_labels_tell_apart_the_same_name():
    a = client_named("Jordan", datetime(2026, 11, 3, 9, 0, tzinfo=UTC))
    b = client_named("jordan", datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    c = client_named("Robin", datetime(2026, 11, 3, 9, 0, tzinfo=UTC))
    labels = client_labels([a, b, c])
    assert labels == {a.id: "Jordan (added 3 Nov 2026)", b.id: "jordan (added 20 Nov 2026)",
                      c.id: "Robin"}
    same_day = client_named("Jordan", datetime(2026, 11, 3, 14, 5, tzinfo=UTC))
    labels = client_labels([a, same_day])
    assert labels[a.id] == "Jordan (added 3 Nov 2026, 09:00)"
    assert labels[same_day.id] == "Jordan (added 3 Nov 2026, 14:05)"
    twin = client_named("Jordan", a.created_at)
    labels = client_labels([a, twin])
    assert len(set(labels.values())) == 2


def add_twins(store) -> list[Client]:
    first = store.create_client("Jordan")
    second = store.create_client("Jordan")
    return [first, second]


def test_every_list_of_clients_tells_two_jordans_apart(store, content):
    add_twins(store)
    app = App(AppModel(content=content, store=store))
    picker = [label for label, _id in app.client_picker.options]
    assert len(picker) == 2 and len(set(picker)) == 2
    counsellor = CounsellorView.create(content=content, store=store)
    open_a_client = [label for label, value in counsellor.picker.options if value]
    assert len(set(open_a_client)) == 2
    rows = re.findall(r"<th scope='row' role='rowheader' data-label='Client'>([^<]*)</th>",
                      counsellor.table.value)
    assert len(rows) == 2 and len(set(rows)) == 2


def test_adding_a_name_that_exists_asks_first(store, content):
    store.create_client("Jordan")
    app = App(AppModel(content=content, store=store))
    app.new_name.value = " jordan "
    app.add_button.click()
    assert len(store.list_clients()) == 1
    assert visible(app.same_name_box)
    assert "already a client called jordan" in shown(app.same_name_box)
    button(app.same_name_box, "Cancel").click()
    assert not visible(app.same_name_box) and len(store.list_clients()) == 1
    app.add_button.click()
    button(app.same_name_box, "Add another jordan").click()
    assert len(store.list_clients()) == 2
    assert not visible(app.same_name_box)
    assert "New client added." in app.status.value


# --- 11. a workbook file for a client already here -------------------------------------


@pytest.fixture
def exported(store):
    client = store.create_client("Jordan")
    app = store.add(Application(client_id=client.id, company="Acme", outcome="rejected"))
    store.add(Feedback(client_id=client.id, application_id=app.id, heard="An insider"))
    store.add(Action(client_id=client.id, title="Practise", application_id=app.id))
    store.set_state(client.id, application_id=app.id)
    raw = workbook_bytes(build_workbook(store, client.id))
    return client, app, raw


def upload(box: WorkbookFile, raw: bytes) -> None:
    box._guarded(lambda: box._uploaded([{"name": "w.json", "content": memoryview(raw)}]))


def test_uploading_a_file_for_a_client_here_offers_plain_choices(store, exported):
    client, _app, raw = exported
    box = WorkbookFile.create(store=store, client_id=client.id)
    upload(box, raw)
    offer = shown(box.choice)
    assert visible(box.choice)
    assert "already here" in offer and "store" not in offer.lower()
    assert "Sorry" not in box.status.value
    names = [w.description for w in walk(box.choice) if isinstance(w, W.Button)]
    assert names == ["Replace Jordan's work with the file", "Keep both as separate clients",
                     "Cancel"]
    assert len(store.list_clients()) == 1


def test_keep_both_adds_the_file_as_a_separate_client(store, exported):
    client, app, raw = exported
    opened: list[str] = []
    box = WorkbookFile.create(store=store, client_id=client.id, on_import=opened.append)
    upload(box, raw)
    button(box.choice, "Keep both as separate clients").click()
    clients = store.list_clients()
    assert len(clients) == 2
    [copy] = [c for c in clients if c.id != client.id]
    assert opened == [copy.id] and copy.name == "Jordan"
    [copied_app] = store.list(Application, copy.id)
    assert copied_app.id != app.id and copied_app.company == "Acme"
    [feedback] = store.list(Feedback, copy.id)
    assert feedback.application_id == copied_app.id
    assert store.get_state(copy.id)["application_id"] == copied_app.id
    assert [a.id for a in store.list(Application, client.id)] == [app.id]  # untouched
    labels = client_labels(clients)
    assert len(set(labels.values())) == 2


def test_replace_asks_again_then_replaces_the_work(store, exported):
    client, _app, raw = exported
    store.add(Application(client_id=client.id, company="Added after the file"))
    box = WorkbookFile.create(store=store, client_id=client.id)
    upload(box, raw)
    button(box.choice, "Replace Jordan's work with the file").click()
    assert {a.company for a in store.list(Application, client.id)} == {
        "Acme", "Added after the file"}  # not yet: it asks first
    assert "will be lost" in shown(box.choice)
    button(box.choice, "Yes, replace Jordan's work").click()
    assert [a.company for a in store.list(Application, client.id)] == ["Acme"]
    assert len(store.list_clients()) == 1
    assert "now comes from the file" in box.status.value


# --- 2. the workbook download is one click ----------------------------------------------


def test_the_workbook_link_is_there_at_once_and_follows_changes(store, content, exported):
    client, _app, _raw = exported
    box = WorkbookFile.create(store=store, client_id=client.id)

    def document() -> dict:
        href = re.search(r'href="data:application/json;base64,([^"]+)"', box.link.value)
        return json.loads(base64.b64decode(href.group(1)))

    assert document()["client"]["id"] == client.id
    log = RejectionLog.create(content=content, store=store, client_id=client.id)
    log.inputs["role"].value = "Analyst"  # saved, and the link made again
    assert [a["role"] for a in document()["records"]["applications"]] == ["Analyst"]


# --- 12. messages belong to their step --------------------------------------------------


def test_messages_do_not_outlive_their_step_or_client(store, content):
    app = App(AppModel(content=content, store=store))
    app.new_name.value = "Robin"
    app.add_button.click()
    assert "New client added." in app.status.value
    app.model.go_to("feedback")
    assert "New client added." not in app.status.value
    [box] = app.workbook_box.children
    box.status.saved("Workbook for Robin uploaded.")
    app.new_name.value = "Sam"
    app.add_button.click()
    assert "uploaded" not in box.status.value
