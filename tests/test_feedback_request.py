"""The feedback request, driven as a client would: the composer and the replies.

Each test sets widget values and clicks buttons, then checks both what the
store saved and what the view shows, and rebuilds the step from the same
store to find the work again.
"""

from __future__ import annotations

import html
from datetime import date
from urllib.parse import unquote

import ipywidgets as W
import pytest
from visible_widgets import (
    HOSTILE,
    button,
    by_label,
    logged_rejection,
    make,
    shown_html,
)
from widget_finders import walk

from nextround import model
from nextround.advice import check_tone
from nextround.components.feedback_request import FeedbackRequest, mark_flags


@pytest.fixture
def client(store):
    return store.create_client("Ada Lovelace")


@pytest.fixture
def rejection(store, client):
    """A logged rejection, chosen as the one being worked on."""
    return logged_rejection(store, client)


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


def test_the_name_in_the_log_is_offered_not_asked_again(content, store, client, rejection):
    """WCAG 2.2, 3.3.7 Redundant Entry: the contact the log names fills the name box."""
    view = make(FeedbackRequest, content, store, client)
    by_label(view, "Who you are writing to").value = "recruiter"
    assert by_label(view, "Their name (optional)").value == "Grace"
    assert "Grace" in by_label(view, "Your message").value
    by_label(view, "Their name (optional)").value = "Kim"
    again = make(FeedbackRequest, content, store, client)
    assert by_label(again, "Their name (optional)").value == "Kim"  # the client's word wins


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




# --- the meeting date in drafted emails ------------------------------------------------


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
