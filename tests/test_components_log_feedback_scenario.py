"""The rejection log, the feedback request and the scenario card, driven as a client would.

Each test sets widget values and clicks buttons, then checks both what the
store saved and what the view shows, and rebuilds the component from the
same store to find the work again.
"""

from __future__ import annotations

import html
from datetime import date, timedelta
from urllib.parse import unquote

import ipywidgets as W
import pytest

from nextround import model
from nextround.advice import check_tone
from nextround.components.feedback_request import FeedbackRequest, mark_flags
from nextround.components.rejection_log import RejectionLog
from nextround.components.scenario_advice import ScenarioAdvice

HOSTILE = "<script>alert(1)</script>"


# --- helpers -------------------------------------------------------------------


def walk(widget):
    """Every widget inside ``widget``, itself included."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def shown_html(view) -> str:
    """All the HTML the component shows (HTML widgets and the status line)."""
    return "\n".join(w.value for w in walk(view) if isinstance(w, W.HTML))


def by_label(view, label: str):
    """The one visible input whose label is ``label`` (as get_by_label finds it)."""
    found = [w for w in walk(view) if getattr(w, "description", None) == label
             and not isinstance(w, W.Button) and w.layout.display != "none"]
    assert len(found) == 1, f"{len(found)} inputs labelled {label!r}"
    return found[0]


def buttons(view, name: str) -> list[W.Button]:
    return [w for w in walk(view) if isinstance(w, W.Button) and w.description == name
            and w.layout.display != "none"]


def button(view, name: str) -> W.Button:
    found = buttons(view, name)
    assert len(found) == 1, f"{len(found)} buttons named {name!r}"
    return found[0]


def visible(widget) -> bool:
    return widget.layout.display != "none"


@pytest.fixture
def client(store):
    return store.create_client("Ada Lovelace")


@pytest.fixture
def rejection(store, client):
    """A logged rejection, chosen as the one being worked on."""
    app = store.add(model.Application(client_id=client.id, company="Acme & Sons",
                                      role="Data Analyst", stage="interview",
                                      applied_on=date(2024, 3, 1), outcome="rejected",
                                      outcome_on=date(2024, 3, 20), contact_name="Grace"))
    store.set_state(client.id, application_id=app.id)
    return app


def make(kind, content, store, client):
    return kind.create(content=content, store=store, client_id=client.id)


# --- rejection log ---------------------------------------------------------------


def test_log_add_fill_choose_and_find_it_again(content, store, client):
    view = make(RejectionLog, content, store, client)
    seen = []
    view.model.observe(lambda change: seen.append(change["new"]), names="application_id")

    button(view, "Add an application").click()
    by_label(view, "Company").value = "Acme & Sons"
    by_label(view, "Role").value = "Data Analyst"
    by_label(view, "Stage you reached").value = "final interview"
    by_label(view, "Date you applied").value = date(2024, 3, 1)
    by_label(view, "Outcome").value = "rejected"
    by_label(view, "Date you heard back").value = date(2024, 3, 20)
    by_label(view, "How you heard").value = "An email from HR"
    by_label(view, "Contact name").value = "Grace"

    [app] = store.list(model.Application, client.id)
    assert (app.company, app.role, app.stage, app.outcome) == (
        "Acme & Sons", "Data Analyst", "final interview", "rejected")
    assert (app.applied_on, app.outcome_on) == (date(2024, 3, 1), date(2024, 3, 20))
    assert (app.how_heard, app.contact_name) == ("An email from HR", "Grace")
    assert "Acme &amp; Sons" in view.table.value
    assert view.status.text.startswith("Saved.")

    chooser = by_label(view, "The rejection you are working on")
    assert [value for _label, value in chooser.options] == ["", app.id]
    chooser.value = app.id
    assert store.get_state(client.id)["application_id"] == app.id
    assert view.model.application_id == app.id
    assert seen == [app.id]

    again = make(RejectionLog, content, store, client)
    assert by_label(again, "Company").value == "Acme & Sons"
    assert by_label(again, "Outcome").value == "rejected"
    assert by_label(again, "Date you applied").value == date(2024, 3, 1)
    assert by_label(again, "The rejection you are working on").value == app.id
    assert by_label(again, "The application you are editing").value == app.id
    assert again.model.application_id == app.id


def test_log_typing_first_creates_the_record_and_add_reuses_a_blank_one(content, store,
                                                                         client):
    view = make(RejectionLog, content, store, client)
    by_label(view, "Company").value = "Globex"
    [app] = store.list(model.Application, client.id)
    assert app.company == "Globex"

    button(view, "Add an application").click()
    button(view, "Add an application").click()
    assert len(store.list(model.Application, client.id)) == 2
    assert by_label(view, "Company").value == ""
    by_label(view, "Company").value = "Initech"
    assert sorted(a.company for a in store.list(model.Application, client.id)) == [
        "Globex", "Initech"]

    editing = by_label(view, "The application you are editing")
    editing.value = app.id
    assert by_label(view, "Company").value == "Globex"


def test_log_lists_only_rejections_escaped(content, store, client):
    store.add(model.Application(client_id=client.id, company="Pending Ltd"))
    store.add(model.Application(client_id=client.id, company=HOSTILE, role="<b>Lead</b>",
                                outcome="rejected"))
    view = make(RejectionLog, content, store, client)
    assert "Pending Ltd" not in view.table.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in view.table.value
    assert "<script" not in shown_html(view)
    assert "<b>Lead" not in shown_html(view)
    labels = [label for label, _value in by_label(view, "The rejection you are working on")
              .options]
    assert labels == ["Choose a rejection", f"{HOSTILE} – <b>Lead</b>"]


def test_log_warns_about_dates_but_keeps_them(content, store, client):
    view = make(RejectionLog, content, store, client)
    by_label(view, "Date you applied").value = date(2024, 5, 10)
    by_label(view, "Date you heard back").value = date(2024, 5, 1)
    [app] = store.list(model.Application, client.id)
    assert app.outcome_on == date(2024, 5, 1)
    assert view.status.text.startswith("Check this:")
    assert "before the date you applied" in view.warning_box.value

    by_label(view, "Date you heard back").value = date(2024, 5, 20)
    assert view.warning_box.value == ""
    assert view.status.text.startswith("Saved.")


def test_log_too_long_text_is_refused_plainly_and_kept_in_the_box(content, store, client):
    view = make(RejectionLog, content, store, client)
    by_label(view, "Company").value = "Acme"
    long_text = "x" * 501
    by_label(view, "Role").value = long_text
    assert view.status.text.startswith("Sorry:")
    assert "Traceback" not in view.status.value
    assert store.list(model.Application, client.id)[0].role == ""
    assert by_label(view, "Role").value == long_text


# --- feedback request -----------------------------------------------------------------


def test_feedback_asks_for_a_rejection_first(content, store, client):
    view = make(FeedbackRequest, content, store, client)
    assert "choose the rejection you are working on" in shown_html(view)
    assert not [w for w in walk(view) if isinstance(w, W.Textarea | W.Text)]


def test_feedback_ladder_follows_the_content_order(content, store, client, rejection):
    view = make(FeedbackRequest, content, store, client)
    page = shown_html(view)
    ladder = page[page.index("<ol class='nr-ladder'>"):]
    positions = [ladder.index(html.escape(source.name)) for source in content.sources]
    assert positions == sorted(positions)
    assert html.escape(content.sources[0].why) in ladder


def test_feedback_composer_fills_checks_tone_and_saves(content, store, client, rejection):
    view = make(FeedbackRequest, content, store, client)
    subject, body = by_label(view, "Subject"), by_label(view, "Your message")
    assert body.disabled
    by_label(view, "Who you are writing to").value = "hiring_manager"
    assert not body.disabled
    assert "Data Analyst" in subject.value
    assert "Acme & Sons" in body.value
    assert body.continuous_update
    assert "Your draft reads as gracious" in view.tone_summary.value

    body.value = body.value + "\nWhat did I do wrong?"
    rule = next(r for r in content.tone_rules if r.id == "what_did_i_do_wrong")
    assert "<mark>What did I do wrong</mark>" in view.tone.value
    assert html.escape(rule.alternative) in view.tone.value
    assert "1 phrase to reword" in view.tone_summary.value
    assert 'aria-live="polite"' in view.tone_summary.value
    assert "Acme &amp; Sons" in view.tone.value

    saved = store.answers(client.id, rejection.id)["draft.hiring_manager"]
    assert saved["body"].endswith("What did I do wrong?")
    assert "What did I do wrong?" in view.copy.value
    assert "Copy this text" in view.copy.value
    href = view.copy.value.split('href="', 1)[1].split('"', 1)[0]
    assert href.startswith("mailto:?subject=")
    assert "What did I do wrong?" in unquote(html.unescape(href))

    body.value = body.value.replace("What did I do wrong?", "I would value your view.")
    assert "<mark>" not in view.tone.value
    assert "Your draft reads as gracious" in view.tone_summary.value

    again = make(FeedbackRequest, content, store, client)
    assert by_label(again, "Who you are writing to").value == "hiring_manager"
    assert by_label(again, "Your message").value.endswith("I would value your view.")


def test_feedback_escapes_hostile_text_everywhere(content, store, client, rejection):
    store.update(model.Application, rejection.id, company=HOSTILE)
    view = make(FeedbackRequest, content, store, client)
    by_label(view, "Who you are writing to").value = "recruiter"
    assert HOSTILE in by_label(view, "Your message").value
    page = shown_html(view)
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in view.tone.value
    assert "&lt;script&gt;" in view.copy.value


def test_feedback_name_fills_an_untouched_draft_only(content, store, client, rejection):
    view = make(FeedbackRequest, content, store, client)
    by_label(view, "Who you are writing to").value = "insider"
    by_label(view, "Their name (optional)").value = "Sam Lee"
    assert "Hi Sam Lee," in by_label(view, "Your message").value

    by_label(view, "Your message").value = "Hi Sam, my own words."
    by_label(view, "Their name (optional)").value = "Kim"
    assert by_label(view, "Your message").value == "Hi Sam, my own words."
    assert "add the name" in view.status.text

    button(view, "Start again from the suggested text").click()
    assert "Hi Kim," in by_label(view, "Your message").value


def test_mark_flags_escapes_around_and_inside_marks(content):
    text = "<b>Hi</b> what did I do wrong & why?"
    marked = mark_flags(text, check_tone(text, content))
    assert marked.startswith("&lt;b&gt;Hi&lt;/b&gt; <mark>what did I do wrong</mark>")
    assert marked.endswith("&amp; why?")


def test_feedback_record_of_what_was_heard(content, store, client, rejection):
    view = make(FeedbackRequest, content, store, client)
    by_label(view, "Who you are writing to").value = "recruiter"
    assert by_label(view, "Who you asked").value == "recruiter"

    by_label(view, "Their name").value = "Pat"
    by_label(view, "Date you asked").value = date(2024, 3, 21)
    by_label(view, "What they said").value = "They chose an internal candidate."
    by_label(view, "Date you heard back").value = date(2024, 3, 25)
    [record] = store.list(model.Feedback, client.id)
    assert (record.application_id, record.source_id, record.person) == (
        rejection.id, "recruiter", "Pat")
    assert record.heard == "They chose an internal candidate."
    assert (record.asked_on, record.heard_on) == (date(2024, 3, 21), date(2024, 3, 25))

    button(view, "Record a reply or a no-reply").click()
    by_label(view, "Who you asked").value = "hiring_manager"
    by_label(view, "No reply").value = True
    records = store.list(model.Feedback, client.id)
    assert len(records) == 2
    assert records[1].no_reply and records[1].source_id == "hiring_manager"
    assert "No reply." in view.entries.value

    again = make(FeedbackRequest, content, store, client)
    assert "“They chose an internal candidate.”" in again.entries.value
    assert "The recruiter or HR contact (Pat)" in again.entries.value
    assert len(by_label(again, "The reply you are editing").options) == 2


def test_feedback_heard_text_is_escaped_in_the_list(content, store, client, rejection):
    view = make(FeedbackRequest, content, store, client)
    by_label(view, "What they said").value = HOSTILE
    assert "&lt;script&gt;" in view.entries.value
    assert "<script" not in shown_html(view)


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


# --- the meeting date in drafted emails ------------------------------------------------


def test_log_records_the_interview_date_under_its_own_label(content, store, client):
    view = make(RejectionLog, content, store, client)
    by_label(view, "Company").value = "Brightwave"
    by_label(view, "Date you applied").value = date(2026, 10, 20)
    by_label(view, "Date of your interview or meeting").value = date(2026, 11, 12)
    by_label(view, "Date you heard back").value = date(2026, 11, 26)
    [app] = store.list(model.Application, client.id)
    assert (app.interview_on, app.outcome_on) == (date(2026, 11, 12), date(2026, 11, 26))
    again = make(RejectionLog, content, store, client)
    assert by_label(again, "Date of your interview or meeting").value == date(2026, 11, 12)
    by_label(again, "Date of your interview or meeting").value = date(2026, 11, 30)
    assert "after the date you heard back" in shown_html(again)


@pytest.mark.parametrize("met_on", [None, date(2026, 11, 12)])
def test_drafts_name_the_meeting_day_never_the_day_the_client_heard_back(content, store,
                                                                         client, met_on):
    """Heard back on 26 November; the drafts speak of meeting only on the day they met."""
    from nextround.components.gracious_steps import GraciousSteps

    app = store.add(model.Application(
        client_id=client.id, company="Brightwave", role="Data Analyst", stage="interview",
        applied_on=date(2026, 10, 20), interview_on=met_on, outcome="rejected",
        outcome_on=date(2026, 11, 26)))
    store.set_state(client.id, application_id=app.id)
    view = make(FeedbackRequest, content, store, client)
    drafts = []
    for source in content.sources:
        by_label(view, "Who you are writing to").value = source.id
        drafts.append(by_label(view, "Subject").value + "\n" + by_label(view, "Your message")
                      .value)
    gracious = make(GraciousSteps, content, store, client)
    drafts += [gracious.model.draft_text(step.id) for step in content.gracious_steps]
    text = "\n".join(drafts)
    assert "26 November" not in text
    assert "[" not in text and "Dear ," not in text and " ." not in text
    assert "Hello,\n" in text  # no contact name: a greeting that needs none
    if met_on:
        assert "I enjoyed our conversation on 12 November." in text
        assert "when we met on 12 November." in text
    else:
        assert "I enjoyed our conversation." in text and "12 November" not in text
