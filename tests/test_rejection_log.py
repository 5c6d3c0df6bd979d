"""The rejection log, driven as a client would.

Each test sets widget values and clicks buttons, then checks both what the
store saved and what the view shows, and rebuilds the step from the same
store to find the work again.
"""

from __future__ import annotations

import asyncio
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


@pytest.fixture
def client(store):
    return store.create_client("Ada Lovelace")


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


def test_fields_typed_before_the_record_exists_all_land_in_one_application(content, store,
                                                                            client):
    """Company and role typed quickly, then a choice: one application holds all three."""
    async def typing():
        view = make(RejectionLog, content, store, client)
        by_label(view, "Company").value = "Northwind Traders"
        by_label(view, "Role").value = "Data Analyst"
        by_label(view, "Stage you reached").value = "final interview"
        [app] = store.list(model.Application, client.id)
        assert (app.company, app.role, app.stage) == ("Northwind Traders", "Data Analyst",
                                                      "final interview")
        assert by_label(view, "Role").value == "Data Analyst"

    asyncio.run(typing())
