"""The gracious steps, driven as a client would: ticks, drafts, contacts.

Each test sets widget values and clicks buttons, then checks both what the
store saved and what the view shows, and rebuilds the component from the
same store to find the work again.
"""

from __future__ import annotations

import html
import re
from datetime import date

import ipywidgets as W
from widget_finders import HOSTILE, assert_escaped, button, by_label, html_values, text_of

from nextround import model
from nextround.components.gracious_steps import GraciousSteps, mailto, split_draft


def make_gracious(content, store, client, rejection=None):
    return GraciousSteps.create(content=content, store=store, client_id=client.id,
                                application_id=rejection.id if rejection else None)


def test_ticking_a_step_saves_it_for_the_rejection(content, store, client, rejection):
    view = make_gracious(content, store, client, rejection)
    thank = content.gracious_steps[0]
    box = by_label(view, thank.title)
    assert isinstance(box, W.Checkbox) and box.value is False
    box.value = True
    assert store.answers(client.id, application_id=rejection.id)[f"gracious.{thank.id}"] is True
    assert "Saved." in view.status.text

    again = make_gracious(content, store, client, rejection)
    assert by_label(again, thank.title).value is True
    assert by_label(again, content.gracious_steps[1].title).value is False


def test_each_step_shows_why_and_a_draft_filled_from_the_log(content, store, client,
                                                              rejection):
    view = make_gracious(content, store, client, rejection)
    shown = text_of("\n".join(html_values(view)))
    for step in content.gracious_steps:
        assert step.why in shown
        draft = by_label(view, f"Draft: {step.title}")
        assert isinstance(draft, W.Textarea)
        assert draft.value.startswith("Subject: ")
    thank = by_label(view, f"Draft: {content.gracious_steps[0].title}").value
    assert "Northwind" in thank and "Data Analyst" in thank and "Amira Haddad" in thank
    link = view.links[content.gracious_steps[0].id].value
    assert 'href="mailto:?subject=' in link and "Northwind" in link
    assert " " not in re.search(r'href="([^"]+)"', link).group(1)


def test_an_edited_draft_is_saved_restored_and_mailed(content, store, client, rejection):
    view = make_gracious(content, store, client, rejection)
    step = content.gracious_steps[2]  # "ask to be kept in mind": a message of this step alone
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


def test_the_contact_form_offers_the_person_the_log_names(content, store, client, rejection):
    """WCAG 2.2, 3.3.7 Redundant Entry: name, company and role come from the log."""
    view = make_gracious(content, store, client, rejection)
    assert by_label(view, "Contact's name").value == "Sam Lee"
    assert by_label(view, "Their company").value == "Northwind"
    assert "Data Analyst" in by_label(view, "How you met").value
    assert not any(key.startswith("contact_draft.") for key in store.answers(client.id))
    button(view, "Add this contact").click()
    [contact] = store.list(model.Contact, client.id)
    assert (contact.name, contact.company) == ("Sam Lee", "Northwind")
    # Once they are a contact, the form is not filled with them again.
    again = make_gracious(content, store, client, rejection)
    assert by_label(again, "Contact's name").value == ""


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
    draft = by_label(view, f"Draft: {content.gracious_steps[0].title}")
    draft.value = f"Subject: {HOSTILE}\n\n{HOSTILE}"
    assert store.list(model.Contact, client.id)[0].name == HOSTILE
    assert html.escape(HOSTILE) in view.contact_table.value
    assert_escaped(view)
