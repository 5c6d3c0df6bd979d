"""Pasting a rejection email on the log step, and the reading shown on the scenario step."""

from __future__ import annotations

import html
from datetime import date

import pytest
from visible_widgets import (
    HOSTILE,
    button,
    by_label,
    make,
    shown_html,
)

from nextround import model
from nextround.components.rejection_log import RejectionLog
from nextround.components.scenario_advice import ScenarioAdvice
from nextround.errors import NextRoundError

EMAIL = """From: Priya Shah <priya@brightwater.example>
Date: 14 October 2025
Subject: Your application

Dear Sam,

Thank you for interviewing for the Senior Analyst position at Brightwater Energy.
We were impressed by your background. However, we need someone with more
experience in energy trading, so we will not be offering you the role.

Kind regards,
Priya Shah
"""


@pytest.fixture
def client(store):
    return store.create_client("Sam Lee")


def paste(view, text):
    by_label(view, "The rejection email you received").value = text
    button(view, "Read this email").click()


def test_pasting_an_email_fills_the_form_records_feedback_and_reads_it(content, store, client):
    view = make(RejectionLog, content, store, client)
    paste(view, EMAIL)
    [app] = store.list(model.Application, client.id)
    assert (app.company, app.role, app.contact_name) == (
        "Brightwater Energy", "Senior Analyst", "Priya Shah")
    assert app.outcome_on == date(2025, 10, 14)
    assert app.outcome == "rejected"
    # The form shows what was filled in, for the client to check.
    assert by_label(view, "Company").value == "Brightwater Energy"
    assert by_label(view, "Contact name").value == "Priya Shah"
    assert by_label(view, "The rejection you are working on").value == app.id
    result = view.paste_result.value
    assert "Please check these details" in result
    assert "Company: <strong>Brightwater Energy</strong> – filled in" in result
    # The email is this rejection's feedback, and the reading names the skill.
    [feedback] = store.list(model.Feedback, client.id, application_id=app.id)
    assert feedback.heard == EMAIL.strip()
    assert feedback.person == "Priya Shah"
    assert html.escape(content.scenario("skill_gap").title) in result
    assert "<mark>However, we need someone with more\nexperience in energy trading" in result

    scenario = make(ScenarioAdvice, content, store, client)
    assert scenario.model.suggestions[0].scenario_id == "skill_gap"
    assert "The skill they named:</strong> “energy trading”" in scenario.card.value


def test_the_clients_own_values_are_kept_and_said_so(content, store, client):
    view = make(RejectionLog, content, store, client)
    by_label(view, "Company").value = "Brightwater Energy"
    by_label(view, "Role").value = "Analyst (energy)"
    paste(view, EMAIL)
    [app] = store.list(model.Application, client.id)
    assert app.role == "Analyst (energy)"
    assert "Role: <strong>Senior Analyst</strong> – not changed" in view.paste_result.value
    assert "Company: <strong>Brightwater Energy</strong> – already there" in \
        view.paste_result.value


def test_an_email_about_another_company_starts_a_new_application(content, store, client):
    view = make(RejectionLog, content, store, client)
    by_label(view, "Company").value = "Other Ltd"
    paste(view, EMAIL)
    companies = sorted(a.company for a in store.list(model.Application, client.id))
    assert companies == ["Brightwater Energy", "Other Ltd"]


def test_a_form_letter_without_a_date_says_so_plainly(content, store, client, monkeypatch):
    view = make(RejectionLog, content, store, client)
    monkeypatch.setattr(type(view.model), "today", property(lambda _self: date(2026, 1, 5)))
    paste(view, "Dear Sam,\nThank you for applying. We have decided to move forward with other "
                "candidates whose experience more closely matches our needs. We will keep your "
                "CV on file.\n\nBest wishes,\nJo Park")
    [app] = store.list(model.Application, client.id)
    assert app.outcome_on == date(2026, 1, 5)
    result = view.paste_result.value
    assert "no specific reason was given" in result
    assert "Date you heard back: <strong>5 January 2026</strong> – filled in" in result
    assert "today&#x27;s date is filled in" in result
    assert "Company: not found in the email" in result


def test_the_pasted_email_is_escaped_everywhere(content, store, client):
    view = make(RejectionLog, content, store, client)
    paste(view, f"We felt you lacked SQL {HOSTILE} skills.\n\nRegards,\nJo Park")
    assert "<script" not in shown_html(view)
    scenario = make(ScenarioAdvice, content, store, client)
    assert "<script" not in shown_html(scenario)
    assert html.escape(HOSTILE) in scenario.suggestion_box.value


def test_an_empty_paste_is_refused_plainly(content, store, client):
    view = make(RejectionLog, content, store, client)
    with pytest.raises(NextRoundError, match="Paste the email"):
        view.model.read_email("   ")
    paste(view, "   ")
    assert "Paste the email into the box first." in view.status.value
    assert store.list(model.Application, client.id) == []


def test_split_feedback_shows_two_readings_side_by_side(content, store, client):
    view = make(RejectionLog, content, store, client)
    paste(view, "You came across as rather nervous. The other finalist also had more "
                "experience in retail banking.")
    scenario = make(ScenarioAdvice, content, store, client)
    box = scenario.suggestion_box.value
    assert "The feedback points two ways" in box
    assert "nr-side-by-side" in box
    assert box.count("class='nr-choice'") == 2
    for scenario_id in ("presentation", "skill_gap"):
        assert html.escape(content.scenario(scenario_id).title) in box


def test_form_letter_feedback_is_named_plainly_on_the_scenario_step(content, store, client):
    view = make(RejectionLog, content, store, client)
    paste(view, "We were very impressed with your qualifications. Due to the high volume of "
                "applications, we have chosen other candidates.")
    scenario = make(ScenarioAdvice, content, store, client)
    assert "No specific reason was given." in scenario.suggestion_box.value
    assert "the advice for “No feedback at all” applies" in scenario.suggestion_box.value
    assert by_label(scenario, "Which fits best?").value == "no_feedback"


def test_a_pasted_email_not_yet_read_comes_back_after_a_reload(content, store, client):
    from nextround.components.base import saves

    view = make(RejectionLog, content, store, client)
    by_label(view, "The rejection email you received").value = EMAIL
    saves.flush()
    reopened = make(RejectionLog, content, store, client)
    assert by_label(reopened, "The rejection email you received").value == EMAIL
    button(reopened, "Read this email").click()
    assert by_label(reopened, "The rejection email you received").value == ""
    assert by_label(make(RejectionLog, content, store, client),
                    "The rejection email you received").value == ""
