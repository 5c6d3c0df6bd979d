"""The scenario card, driven as a client would: suggestions, the choice, reflections.

Each test sets widget values and clicks buttons, then checks both what the
store saved and what the view shows, and rebuilds the step from the same
store to find the work again.
"""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from visible_widgets import (
    button,
    buttons,
    by_label,
    logged_rejection,
    make,
    shown_html,
    visible,
)

from nextround import model
from nextround.components.scenario_advice import ScenarioAdvice


@pytest.fixture
def client(store):
    return store.create_client("Ada Lovelace")


@pytest.fixture
def rejection(store, client):
    """A logged rejection, chosen as the one being worked on."""
    return logged_rejection(store, client)


# --- scenario advice -------------------------------------------------------------------


def add_feedback(store, client, rejection, heard="", no_reply=False):
    return store.add(model.Feedback(client_id=client.id, application_id=rejection.id,
                                    source_id="recruiter", heard=heard, no_reply=no_reply))


def test_scenario_asks_for_a_rejection_first(content, store, client):
    view = make(ScenarioAdvice, content, store, client)
    assert "choose the rejection you are working on" in shown_html(view)
    assert not buttons(view, "Confirm this reading")


def test_scenario_suggests_from_feedback_and_confirms(content, store, client, rejection):
    feedback = add_feedback(store, client, rejection, "They chose an internal candidate.")
    add_feedback(store, client, rejection, no_reply=True)
    view = make(ScenarioAdvice, content, store, client)
    suggestions = view.suggestion_box.value
    first = suggestions.index("class='nr-choice'")
    assert html.escape(content.scenario("internal_candidate").title) in \
        suggestions[first:suggestions.index("</div>", first)]
    assert "“internal candidate”" in suggestions
    assert "<mark>They chose an internal candidate.</mark>" in suggestions
    assert "only a suggestion" in suggestions

    choice = by_label(view, "Which fits best?")
    assert choice.value == "internal_candidate"
    assert "Not confirmed yet" in view.card.value
    assert store.get(model.Feedback, feedback.id).scenario_id == ""

    button(view, "Confirm this reading").click()
    assert view.model.confirmed_id == "internal_candidate"
    assert {f.scenario_id for f in store.list(model.Feedback, client.id)} == {
        "internal_candidate"}
    assert store.answers(client.id, rejection.id)["scenario"] == "internal_candidate"
    assert "You confirmed this reading" in view.card.value

    choice.value = "skill_gap"
    skill_gap = content.scenario("skill_gap")
    assert html.escape(skill_gap.title) in view.card.value
    assert "Not confirmed yet" in view.card.value
    by_label(view, skill_gap.questions[0].text)  # the card's questions follow the choice
    assert view.model.confirmed_id == "internal_candidate"

    again = make(ScenarioAdvice, content, store, client)
    assert by_label(again, "Which fits best?").value == "internal_candidate"
    assert again.model.confirmed_id == "internal_candidate"


def test_scenario_confirm_without_feedback_is_saved_as_an_answer(content, store, client,
                                                                 rejection):
    view = make(ScenarioAdvice, content, store, client)
    assert view.model.suggestions[0].scenario_id == "no_feedback"
    assert "Nothing was recorded about why" in view.suggestion_box.value
    by_label(view, "Which fits best?").value = "presentation"
    button(view, "Confirm this reading").click()
    assert store.answers(client.id, rejection.id)["scenario"] == "presentation"
    assert make(ScenarioAdvice, content, store, client).model.confirmed_id == "presentation"


def test_scenario_no_reply_only_suggests_no_feedback(content, store, client, rejection):
    add_feedback(store, client, rejection, "internal candidate", no_reply=True)
    view = make(ScenarioAdvice, content, store, client)
    assert [s.scenario_id for s in view.model.suggestions] == ["no_feedback"]


def test_scenario_reflections_save_and_come_back(content, store, client, rejection):
    add_feedback(store, client, rejection, "They chose an internal candidate.")
    view = make(ScenarioAdvice, content, store, client)
    scenario = content.scenario("internal_candidate")
    question = scenario.questions[1]
    by_label(view, question.text).value = "My <b>results</b> at the last job."
    key = f"reflect.internal_candidate.{question.id}"
    assert store.answers(client.id, rejection.id)[key] == "My <b>results</b> at the last job."
    assert view.status.text.startswith("Saved.")
    assert len([slot for slot in view.question_slots if visible(slot)]) == len(
        scenario.questions)

    # Another card shows its own (empty) answers; coming back restores this one.
    by_label(view, "Which fits best?").value = "skill_gap"
    assert by_label(view, content.scenario("skill_gap").questions[1].text).value == ""
    assert key in store.answers(client.id, rejection.id)
    by_label(view, "Which fits best?").value = "internal_candidate"
    assert by_label(view, question.text).value == "My <b>results</b> at the last job."

    again = make(ScenarioAdvice, content, store, client)
    assert by_label(again, question.text).value == "My <b>results</b> at the last job."


def test_scenario_add_to_plan_once(content, store, client, rejection):
    add_feedback(store, client, rejection, "They chose an internal candidate.")
    view = make(ScenarioAdvice, content, store, client)
    scenario = content.scenario("internal_candidate")
    first = content.action(scenario.actions[0])
    assert len(buttons(view, "Add to my plan")) == len(scenario.actions)
    assert html.escape(first.detail) in shown_html(view)

    plan_button = buttons(view, "Add to my plan")[0]
    plan_button.click()
    [action] = store.list(model.Action, client.id)
    assert (action.title, action.library_id, action.application_id) == (
        first.title, first.id, rejection.id)
    assert action.due_on == date.today() + timedelta(days=first.due_days)
    assert plan_button.disabled and plan_button.description == "In your plan"

    plan_button.click()  # a disabled button in a browser cannot be pressed; a test can
    assert len(store.list(model.Action, client.id)) == 1

    again = make(ScenarioAdvice, content, store, client)
    [done] = buttons(again, "In your plan")
    assert done.disabled
    assert len(buttons(again, "Add to my plan")) == len(scenario.actions) - 1


def test_scenario_suggest_again_reads_new_feedback(content, store, client, rejection):
    view = make(ScenarioAdvice, content, store, client)
    assert by_label(view, "Which fits best?").value == "no_feedback"
    add_feedback(store, client, rejection, "We went in a different direction.")
    button(view, "Check my feedback again").click()
    assert view.model.suggestions[0].scenario_id == "different_direction"
    assert by_label(view, "Which fits best?").value == "different_direction"
    assert "“different direction”" in view.suggestion_box.value
