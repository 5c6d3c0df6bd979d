"""The self-assessment step, driven as a client would.

Each test sets widget values, then checks both what the store saved and
what the view shows, and rebuilds the step from the same store to find the
answers again.
"""

from __future__ import annotations

import html

import ipywidgets as W
import pytest
from widget_finders import HOSTILE, assert_escaped, by_label, html_values, text_of, walk

from nextround.components.self_assessment import SelfAssessment, SelfAssessmentModel
from nextround.errors import NextRoundError
from nextround.model import Application

# --- self-assessment ---------------------------------------------------------------


def make_assessment(content, store, client, rejection=None):
    return SelfAssessment.create(content=content, store=store, client_id=client.id,
                                 application_id=rejection.id if rejection else None)


def test_scale_questions_are_labelled_radio_buttons_with_end_words(content, store, client,
                                                                    rejection):
    view = make_assessment(content, store, client, rejection)
    question = content.question("qualifications_shown")
    widget = by_label(view, question.text)
    assert isinstance(widget, W.RadioButtons)
    assert widget._options_labels[0] == f"1 – {question.scale.low}"
    assert widget._options_labels[-1] == f"5 – {question.scale.high}"
    assert widget._options_values == (1, 2, 3, 4, 5)
    assert widget.value is None
    assert not any(isinstance(w, W.IntSlider | W.FloatSlider) for w in walk(view))
    shown = "\n".join(html_values(view))
    assert html.escape(question.hint) in shown


def test_each_kind_gets_its_input(content, store, client, rejection):
    view = make_assessment(content, store, client, rejection)
    yesno = by_label(view, content.question("needs_list").text)
    assert isinstance(yesno, W.RadioButtons)
    assert yesno._options_labels == ("Yes", "No") and yesno._options_values == ("yes", "no")
    choice = by_label(view, content.question("skill_status").text)
    assert list(choice._options_values) == list(content.question("skill_status").choices)
    text = by_label(view, content.question("next_time").text)
    assert isinstance(text, W.Textarea) and text.continuous_update is True


def test_questions_are_grouped_under_topic_headings(content, store, client):
    view = make_assessment(content, store, client)
    headings = [text_of(w.value).strip() for w in walk(view)
                if isinstance(w, W.HTML) and "<h4" in w.value]
    for title in ("Your qualifications", "Your success stories", "Skills",
                  "How you came across", "Next time"):
        assert title in headings
    assert headings.index("Your qualifications") < headings.index("How you came across")


def test_answers_save_as_given_and_the_summary_follows(content, store, client, rejection):
    view = make_assessment(content, store, client, rejection)
    qualifications = content.question("qualifications_shown")
    by_label(view, qualifications.text).value = 5
    assert store.answers(client.id, application_id=rejection.id) == {"qualifications_shown": 5}
    assert store.answers(client.id) == {}
    assert view.status.text.startswith("Saved.")
    summary = text_of(view.summary.value)
    assert "Strengths to bring out" in summary and qualifications.strength in summary

    interrupting = content.question("interrupting")
    by_label(view, interrupting.text).value = 4
    assert interrupting.gap in text_of(view.summary.value)

    by_label(view, content.question("needs_list").text).value = "no"
    by_label(view, content.question("skill_status").text).value = "Not sure"
    by_label(view, content.question("next_time").text).value = "Shorter answers."
    saved = store.answers(client.id, application_id=rejection.id)
    assert saved == {"qualifications_shown": 5, "interrupting": 4, "needs_list": "no",
                     "skill_status": "Not sure", "next_time": "Shorter answers."}
    assert view.answers == saved and view.model.answers == saved
    assert content.question("needs_list").gap in text_of(view.summary.value)

    by_label(view, qualifications.text).value = 1
    summary = text_of(view.summary.value)
    assert qualifications.strength not in summary and qualifications.gap in summary


def test_answers_come_back_when_rebuilt(content, store, client, rejection):
    view = make_assessment(content, store, client, rejection)
    by_label(view, content.question("body_language").text).value = 2
    by_label(view, content.question("defensive").text).value = "yes"
    by_label(view, content.question("next_time").text).value = "Pause before answering."

    again = make_assessment(content, store, client, rejection)
    assert by_label(again, content.question("body_language").text).value == 2
    assert by_label(again, content.question("defensive").text).value == "yes"
    assert by_label(again, content.question("next_time").text).value == "Pause before answering."
    assert content.question("defensive").gap in text_of(again.summary.value)
    only = make_assessment(content, store, client)  # the one rejection is chosen for you
    assert by_label(only, content.question("body_language").text).value == 2
    store.add(Application(client_id=client.id, company="Other", outcome="rejected"))
    store.set_state(client.id, application_id="")
    other = make_assessment(content, store, client)  # two, and none chosen: nothing shown
    assert by_label(other, content.question("body_language").text).value is None


def test_the_chosen_rejection_comes_from_resume_state(content, store, client, rejection):
    store.set_state(client.id, application_id=rejection.id)
    view = make_assessment(content, store, client)
    by_label(view, content.question("stories_matched").text).value = 3
    assert store.answers(client.id, application_id=rejection.id) == {"stories_matched": 3}


def test_a_value_that_does_not_fit_is_refused_plainly(content, store, client, rejection):
    view = make_assessment(content, store, client, rejection)
    with pytest.raises(NextRoundError, match="from 1 to 5"):
        view.model.save("qualifications_shown", 9)
    with pytest.raises(NextRoundError, match="options"):
        view.model.save("needs_list", True)
    assert store.answers(client.id, application_id=rejection.id) == {}
    assert SelfAssessmentModel.clean(content.question("next_time"), "") is None


def test_hostile_text_answer_never_reaches_html_unescaped(content, store, client, rejection):
    view = make_assessment(content, store, client, rejection)
    by_label(view, content.question("next_time").text).value = HOSTILE
    assert store.answers(client.id, application_id=rejection.id)["next_time"] == HOSTILE
    assert_escaped(view)


# --- a choice answered in one language, read in another ------------------------------


def _choices(lang: str, question_id: str = "skill_status") -> tuple[str, ...]:
    from nextround.content import load_content

    return next(q for q in load_content(lang=lang).questions if q.id == question_id).choices


@pytest.mark.parametrize(("given", "read"), [("en", "es"), ("es", "en")])
def test_a_choice_saved_in_one_language_shows_as_chosen_in_the_other(store, client, rejection,
                                                                     given, read):
    from nextround.content import load_content
    from nextround.i18n import using

    saved = _choices(given)[1]  # "I have it but did not show it", a strength
    with using(given):
        first = SelfAssessmentModel(content=load_content(lang=given), store=store,
                                    client_id=client.id, application_id=rejection.id)
        first.answer_skill_status = saved
    with using(read):
        content = load_content(lang=read)
        view = SelfAssessment.create(content=content, store=store, client_id=client.id,
                                     application_id=rejection.id)
        radio = by_label(view, content.question("skill_status").text)
    assert radio.value == _choices(read)[1]
    assert view.model.answers["skill_status"] == _choices(read)[1]
    assert content.question("skill_status").strength in view.model.strengths
    # Reading it changed nothing saved: the answer stays as the client chose it.
    assert store.answers(client.id, application_id=rejection.id)["skill_status"] == saved


def test_a_choice_from_another_language_counts_in_the_plan_and_the_summary(store, client,
                                                                           rejection):
    from nextround.components.action_plan import ActionPlanModel
    from nextround.content import load_content
    from nextround.i18n import using
    from nextround.summary import session_summary

    with using("en"):
        SelfAssessmentModel(content=load_content(), store=store, client_id=client.id,
                            application_id=rejection.id).answer_skill_status = _choices("en")[0]
    spanish = load_content(lang="es")
    gap = spanish.question("skill_status").gap
    with using("es"):
        plan = ActionPlanModel(content=spanish, store=store, client_id=client.id,
                               application_id=rejection.id)
        store.set_client_language(client.id, "es")
        summary = session_summary(store, spanish, client.id)
    assert {"weigh_skill", "learn_skill"} <= {p.library_id for p in plan.proposals}
    assert html.escape(gap) in summary.html


def test_an_answer_that_is_a_choice_in_no_language_is_still_refused(store, client, rejection):
    from nextround.choice_answers import in_language
    from nextround.content import load_content

    store.set_answer(client.id, "skill_status", "Something else", application_id=rejection.id)
    spanish = load_content(lang="es")
    model = SelfAssessmentModel(content=spanish, store=store, client_id=client.id,
                                application_id=rejection.id)
    assert "skill_status" not in model.answers
    assert in_language(spanish, {"skill_status": "Something else", "needs_list": "yes",
                                 "next_time": _choices("en")[0]}) == {
        "skill_status": "Something else", "needs_list": "yes", "next_time": _choices("en")[0]}
