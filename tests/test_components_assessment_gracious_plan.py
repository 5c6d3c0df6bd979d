"""Gracious steps and the action plan, driven as a client would.

Each test sets widget values and clicks buttons, then checks both what the
store saved and what the view shows, and rebuilds the component from the
same store to find the work again.
"""

from __future__ import annotations

import base64
import html
import re
from datetime import date, timedelta

import ipywidgets as W
import pytest
from icalendar import Calendar

from nextround import model
from nextround.components.action_plan import ActionPlan
from nextround.components.gracious_steps import GraciousSteps, mailto, split_draft

HOSTILE = "<img src=x onerror=alert(1)>"


# --- helpers -------------------------------------------------------------------


def walk(widget):
    """Every widget inside ``widget``, itself included."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def html_values(view) -> list[str]:
    """Every piece of HTML the component shows (HTML widgets and the status line)."""
    return [w.value for w in walk(view) if isinstance(w, W.HTML)]


def assert_escaped(view, text: str = HOSTILE) -> None:
    """``text`` appears only escaped, in every HTML the view shows."""
    shown = "\n".join(html_values(view))
    assert text not in shown
    assert "<img" not in shown


def by_label(view, label: str):
    """The one input whose visible label is ``label`` (as get_by_label finds it)."""
    found = [w for w in walk(view) if getattr(w, "description", None) == label
             and not isinstance(w, W.Button)]
    assert len(found) == 1, f"{len(found)} inputs labelled {label!r}"
    return found[0]


def button(view, name: str) -> W.Button:
    found = [w for w in walk(view) if isinstance(w, W.Button) and w.description == name]
    assert len(found) == 1, f"{len(found)} buttons named {name!r}"
    return found[0]


def buttons_starting(view, prefix: str) -> list[W.Button]:
    return [w for w in walk(view) if isinstance(w, W.Button) and w.description.startswith(prefix)]


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


@pytest.fixture
def client(store):
    return store.create_client("Amira Haddad")


@pytest.fixture
def rejection(store, client):
    return store.add(model.Application(
        client_id=client.id, company="Northwind", role="Data Analyst", stage="interview",
        applied_on=date(2025, 1, 6), outcome="rejected", outcome_on=date(2025, 2, 3),
        contact_name="Sam Lee"))


def add_pending(store, client, count: int) -> None:
    for i in range(count):
        store.add(model.Application(client_id=client.id, company=f"Open {i}", role="Analyst"))


# --- gracious steps -----------------------------------------------------------------


def make_gracious(content, store, client, rejection=None):
    return GraciousSteps.create(content=content, store=store, client_id=client.id,
                                application_id=rejection.id if rejection else None)


def test_ticking_a_step_saves_it_for_the_rejection(content, store, client, rejection):
    view = make_gracious(content, store, client, rejection)
    thank = content.steps[0]
    box = by_label(view, thank.title)
    assert isinstance(box, W.Checkbox) and box.value is False
    box.value = True
    assert store.answers(client.id, application_id=rejection.id)[f"gracious.{thank.id}"] is True
    assert "Saved." in view.status.text

    again = make_gracious(content, store, client, rejection)
    assert by_label(again, thank.title).value is True
    assert by_label(again, content.steps[1].title).value is False


def test_each_step_shows_why_and_a_draft_filled_from_the_log(content, store, client,
                                                              rejection):
    view = make_gracious(content, store, client, rejection)
    shown = text_of("\n".join(html_values(view)))
    for step in content.steps:
        assert step.why in shown
        draft = by_label(view, f"Draft: {step.title}")
        assert isinstance(draft, W.Textarea)
        assert draft.value.startswith("Subject: ")
    thank = by_label(view, f"Draft: {content.steps[0].title}").value
    assert "Northwind" in thank and "Data Analyst" in thank and "Amira Haddad" in thank
    link = view.links[content.steps[0].id].value
    assert 'href="mailto:?subject=' in link and "Northwind" in link
    assert " " not in re.search(r'href="([^"]+)"', link).group(1)


def test_an_edited_draft_is_saved_restored_and_mailed(content, store, client, rejection):
    view = make_gracious(content, store, client, rejection)
    step = content.steps[2]  # "ask to be kept in mind": a message of this step alone
    draft = by_label(view, f"Draft: {step.title}")
    draft.value = "Subject: Thanks & a question\n\nHi Sam,\nAny tips?\n"
    key = f"gracious.{step.id}.draft"
    assert store.answers(client.id, application_id=rejection.id)[key].startswith("Subject: Thanks")
    link = view.links[step.id].value
    assert "Thanks%20%26%20a%20question" in link and "Any%20tips%3F" in link

    again = make_gracious(content, store, client, rejection)
    assert by_label(again, f"Draft: {step.title}").value.startswith("Subject: Thanks & a")

    by_label(again, f"Draft: {step.title}").value = ""
    assert store.answers(client.id, application_id=rejection.id)[key] is None
    # Emptied while typing, the box stays empty (no text jumps in under the cursor);
    # the suggested text is back the next time the step opens.
    assert by_label(again, f"Draft: {step.title}").value == ""
    reopened = make_gracious(content, store, client, rejection)
    assert by_label(reopened, f"Draft: {step.title}").value == \
        reopened.model.template_text(step.id)


def test_split_draft_and_mailto_quote_everything():
    assert split_draft("Subject: Hello\n\nBody") == ("Hello", "Body")
    assert split_draft("No subject line") == ("", "No subject line")
    assert mailto("a&b", "x y\n") == "mailto:?subject=a%26b&body=x%20y%0A"


def test_contact_form_draft_survives_a_reload_and_becomes_a_contact(content, store, client,
                                                                   rejection):
    view = make_gracious(content, store, client, rejection)
    by_label(view, "Contact's name").value = "Grace Hopper"
    by_label(view, "Their company").value = "Northwind"
    by_label(view, "How you met").value = "Second interview panel"
    by_label(view, "Follow up by").value = date(2025, 3, 1)
    general = store.answers(client.id)
    assert general["contact_draft.name"] == "Grace Hopper"
    assert general["contact_draft.follow_up_on"] == "2025-03-01"
    assert store.list(model.Contact, client.id) == []

    again = make_gracious(content, store, client, rejection)
    assert by_label(again, "Contact's name").value == "Grace Hopper"
    assert by_label(again, "Follow up by").value == date(2025, 3, 1)
    button(again, "Add this contact").click()

    [contact] = store.list(model.Contact, client.id)
    assert (contact.name, contact.company, contact.how_met, contact.follow_up_on) == (
        "Grace Hopper", "Northwind", "Second interview panel", date(2025, 3, 1))
    assert all(value is None for key, value in store.answers(client.id).items()
               if key.startswith("contact_draft."))
    assert by_label(again, "Contact's name").value == ""
    assert by_label(again, "Follow up by").value is None
    table = again.contact_table.value
    assert "<table" in table and "Grace Hopper" in table and "2025-03-01" in table
    assert "Grace Hopper is in your contacts" in again.status.text

    third = make_gracious(content, store, client, rejection)
    assert by_label(third, "Contact's name").value == ""
    assert "Grace Hopper" in third.contact_table.value


def test_a_contact_needs_a_name(content, store, client):
    view = make_gracious(content, store, client)
    by_label(view, "Their company").value = "Globex"
    button(view, "Add this contact").click()
    assert "name" in view.status.text and view.status.text.startswith("Sorry:")
    assert store.list(model.Contact, client.id) == []
    assert by_label(view, "Their company").value == "Globex"


def test_a_contact_can_be_removed(content, store, client):
    view = make_gracious(content, store, client)
    by_label(view, "Contact's name").value = "Lin"
    button(view, "Add this contact").click()
    by_label(view, "Contact's name").value = "Ola"
    button(view, "Add this contact").click()
    button(view, "Remove Lin").click()
    assert [c.name for c in store.list(model.Contact, client.id)] == ["Ola"]
    assert "Lin" not in view.contact_table.value and "Ola" in view.contact_table.value


def test_hostile_text_is_escaped_in_every_gracious_html(content, store):
    client = store.create_client(HOSTILE)
    rejection = store.add(model.Application(client_id=client.id, company=HOSTILE, role=HOSTILE,
                                            contact_name=HOSTILE, outcome="rejected"))
    view = make_gracious(content, store, client, rejection)
    by_label(view, "Contact's name").value = HOSTILE
    by_label(view, "How you met").value = HOSTILE
    button(view, "Add this contact").click()
    by_label(view, f"Draft: {content.steps[0].title}").value = f"Subject: {HOSTILE}\n\n{HOSTILE}"
    assert store.list(model.Contact, client.id)[0].name == HOSTILE
    assert html.escape(HOSTILE) in view.contact_table.value
    assert_escaped(view)


# --- action plan ----------------------------------------------------------------------


def make_plan(content, store, client, rejection=None):
    return ActionPlan.create(content=content, store=store, client_id=client.id,
                             application_id=rejection.id if rejection else None)


def proposal_ids(view) -> list[str]:
    return [p.library_id for p in view.model.proposals]


def test_proposals_follow_the_confirmed_scenario(content, store, client, rejection):
    store.set_answer(client.id, "scenario", "skill_gap", application_id=rejection.id)
    add_pending(store, client, 3)
    view = make_plan(content, store, client, rejection)
    scenario = content.scenario("skill_gap")
    assert view.model.scenario_id == "skill_gap"
    assert proposal_ids(view)[:len(scenario.actions)] == list(scenario.actions)
    first = content.action(scenario.actions[0])
    assert len(buttons_starting(view, "Add to my plan")) == len(view.model.proposals)

    button(view, f"Add to my plan: {first.title}").click()
    [action] = store.list(model.Action, client.id)
    assert (action.title, action.library_id, action.application_id) == (
        first.title, first.id, rejection.id)
    assert action.due_on == date.today() + timedelta(days=first.due_days)
    assert first.id not in proposal_ids(view)
    assert by_label(view, "Step 1 title").value == first.title
    assert by_label(view, "Step 1 due date").value == action.due_on
    assert by_label(view, "Step 1 done").value is False

    again = make_plan(content, store, client, rejection)
    assert first.id not in proposal_ids(again)
    assert by_label(again, "Step 1 title").value == first.title


def test_scenario_falls_back_to_feedback_and_gaps_add_proposals(content, store, client,
                                                                 rejection):
    store.add(model.Feedback(client_id=client.id, application_id=rejection.id,
                             heard="They wanted more polish.", scenario_id="presentation"))
    question = content.question("interrupting")
    store.set_answer(client.id, question.id, 5, application_id=rejection.id)
    add_pending(store, client, 3)
    view = make_plan(content, store, client, rejection)
    assert view.model.scenario_id == "presentation"
    ids = proposal_ids(view)
    assert all(action_id in ids for action_id in question.gap_actions)


def test_plan_rows_edit_and_save(content, store, client, rejection):
    view = make_plan(content, store, client, rejection)
    button(view, "Add your own step").click()
    [action] = store.list(model.Action, client.id)
    assert action.title == "" and action.due_on is None
    assert "Step 1 added" in view.status.text

    by_label(view, "Step 1 title").value = "Practise the STAR method"
    by_label(view, "Step 1 due date").value = date(2031, 5, 2)
    by_label(view, "Step 1 done").value = True
    saved = store.get(model.Action, action.id)
    assert (saved.title, saved.due_on, saved.done) == ("Practise the STAR method",
                                                        date(2031, 5, 2), True)
    assert "Done" in text_of(view.rows[action.id]["mark"].value)

    again = make_plan(content, store, client, rejection)
    assert by_label(again, "Step 1 title").value == "Practise the STAR method"
    assert by_label(again, "Step 1 due date").value == date(2031, 5, 2)
    assert by_label(again, "Step 1 done").value is True


def test_rows_keep_their_place_while_edited_and_can_be_removed(content, store, client):
    view = make_plan(content, store, client)
    button(view, "Add your own step").click()
    button(view, "Add your own step").click()
    by_label(view, "Step 1 title").value = "First"
    by_label(view, "Step 2 title").value = "Second"
    by_label(view, "Step 2 due date").value = date(2030, 1, 1)
    assert by_label(view, "Step 1 title").value == "First"
    button(view, "Remove step 1").click()
    assert [a.title for a in store.list(model.Action, client.id)] == ["Second"]
    assert by_label(view, "Step 1 title").value == "Second"
    assert not buttons_starting(view, "Remove step 2")


def test_removing_a_suggested_step_offers_it_again(content, store, client, rejection):
    store.set_answer(client.id, "scenario", "internal_candidate", application_id=rejection.id)
    view = make_plan(content, store, client, rejection)
    first = view.model.proposals[0]
    button(view, f"Add to my plan: {first.title}").click()
    assert first.library_id not in proposal_ids(view)
    button(view, "Remove step 1").click()
    assert first.library_id in proposal_ids(view)


def test_overdue_undone_steps_say_so_in_words(content, store, client):
    late = store.add(model.Action(client_id=client.id, title="Email Sam",
                                  due_on=date.today() - timedelta(days=2)))
    soon = store.add(model.Action(client_id=client.id, title="Update CV",
                                  due_on=date.today() + timedelta(days=2)))
    view = make_plan(content, store, client)
    assert "Overdue" in text_of(view.rows[late.id]["mark"].value)
    assert "Overdue" not in text_of(view.rows[soon.id]["mark"].value)
    by_label(view, "Step 1 done").value = True
    assert "Overdue" not in text_of(view.rows[late.id]["mark"].value)


def _download(view, filename: str) -> bytes:
    match = re.search(rf'download="{re.escape(filename)}" href="data:[^;]+;base64,([^"]+)"',
                      view.downloads.value)
    assert match, view.downloads.value
    return base64.b64decode(match.group(1))


def test_calendar_download_has_one_event_per_dated_step(content, store, client):
    view = make_plan(content, store, client)
    assert "<a " not in view.downloads.value
    for title, due in (("Learn SQL joins", date(2030, 4, 1)), ("Call Priya", None),
                       ("Mock interview", date(2030, 4, 9))):
        button(view, "Add your own step").click()
        number = len(view.model.actions)
        by_label(view, f"Step {number} title").value = title
        if due:
            by_label(view, f"Step {number} due date").value = due
    calendar = Calendar.from_ical(_download(view, "nextround-plan.ics"))
    events = calendar.walk("VEVENT")
    assert sorted(str(e["summary"]) for e in events) == ["Learn SQL joins", "Mock interview"]
    assert {e.decoded("dtstart") for e in events} == {date(2030, 4, 1), date(2030, 4, 9)}

    markdown = _download(view, "nextround-plan.md").decode("utf-8")
    assert "Call Priya" in markdown and "Learn SQL joins" in markdown
    assert "Amira" not in re.findall(r'download="([^"]+)"', view.downloads.value)[0]

    by_label(view, "Step 3 title").value = "Mock interview with Jo"
    events = Calendar.from_ical(_download(view, "nextround-plan.ics")).walk("VEVENT")
    assert "Mock interview with Jo" in [str(e["summary"]) for e in events]


def test_keep_searching_nudge_depends_on_open_applications(content, store, client, rejection):
    view = make_plan(content, store, client, rejection)
    message = content.keep_searching.message
    assert view.model.pending == 0
    assert html.escape(message) in view.nudge.value
    assert "0 open applications" in text_of(view.nudge.value)

    add_pending(store, client, 3)
    again = make_plan(content, store, client, rejection)
    assert again.model.pending == 3 and again.nudge.value == ""
    view.model.refresh()
    assert view.nudge.value == ""


def test_hostile_titles_are_escaped_in_every_plan_html(content, store):
    client = store.create_client(HOSTILE)
    view = make_plan(content, store, client)
    button(view, "Add your own step").click()
    by_label(view, "Step 1 title").value = HOSTILE
    by_label(view, "Step 1 due date").value = date.today() - timedelta(days=1)
    assert store.list(model.Action, client.id)[0].title == HOSTILE
    assert "Overdue" in text_of(view.rows[view.model.actions[0].id]["mark"].value)
    events = Calendar.from_ical(_download(view, "nextround-plan.ics")).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [HOSTILE]
    assert "<img" not in _download(view, "nextround-plan.md").decode("utf-8")
    assert_escaped(view)
    again = make_plan(content, store, client)
    assert_escaped(again)


def proposal_cards(view) -> dict[str, str]:
    """Each suggestion card's text, keyed by the title it shows in bold."""
    cards = {}
    for card in view.proposal_box.children:
        info = next(w for w in walk(card) if isinstance(w, W.HTML))
        title = text_of(re.search(r"<strong>(.*?)</strong>", info.value).group(1)).strip()
        cards[title] = " ".join(text_of(info.value).split())
    return cards


def _gap_answers(content) -> dict[str, object]:
    """Self-assessment answers that reveal every gap the content knows."""
    answers = {}
    for question in content.questions:
        when = question.gap_when
        if not (when and question.gap_actions):
            continue
        answers[question.id] = next(value for value in (
            when.equals, when.one_of[0] if when.one_of else None, when.at_most, when.at_least)
            if value is not None)
    return answers


@pytest.mark.parametrize("scenario_id", [None, "internal_candidate", "different_direction",
                                         "better_qualified", "skill_gap", "presentation",
                                         "no_feedback"])
def test_every_proposed_step_shows_its_own_description(content, store, client, rejection,
                                                        scenario_id):
    """A suggestion's text describes that step, never another (or the search nudge)."""
    if scenario_id:
        store.set_answer(client.id, "scenario", scenario_id, application_id=rejection.id)
    for key, value in _gap_answers(content).items():
        store.set_answer(client.id, key, value, application_id=rejection.id)
    view = make_plan(content, store, client, rejection)  # no open applications: keep searching
    cards = proposal_cards(view)
    assert len(cards) == len(view.model.proposals) > 0
    assert "practise_interview" in proposal_ids(view)
    details = {a.id: " ".join(a.detail.split()) for a in content.actions}
    nudge = " ".join(content.keep_searching.message.split())
    for proposal in view.model.proposals:
        shown = cards[proposal.title]
        action = content.action(proposal.library_id)
        assert action.title == proposal.title
        assert details[action.id] in shown, action.id
        others = [other for other_id, other in details.items() if other_id != action.id]
        assert not any(other in shown for other in others), action.id
        assert nudge not in shown, action.id
