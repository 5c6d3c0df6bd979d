"""The action plan, driven as a client would: suggestions, rows, downloads, the nudge.

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
from widget_finders import (
    HOSTILE,
    assert_escaped,
    button,
    buttons_starting,
    by_label,
    text_of,
    walk,
)

from nextround import model
from nextround.components.action_plan import ActionPlan


def add_pending(store, client, count: int) -> None:
    for i in range(count):
        store.add(model.Application(client_id=client.id, company=f"Open {i}", role="Analyst"))


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
