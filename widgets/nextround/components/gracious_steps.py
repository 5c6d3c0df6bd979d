"""Stay gracious: a checklist with drafted messages, and new contacts to keep.

How someone takes a "no" is remembered. This step lists the gracious moves
(say thanks, request their thoughts, ask them to remember you, add the people you
met to your network) with a drafted message for each, filled in from the
rejection log, so that doing the right thing takes a minute.

The drafts are editable: a client makes a message their own before sending
it, and those edits save as they are made, like every other answer.

Example::

    from nextround.components import GraciousSteps
    GraciousSteps.create(content=content, store=store, client_id=client.id)
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

import ipywidgets as W
from traitlets import Bool, Instance, List, Unicode

from .. import answer_keys as keys
from ..advice import render_email
from ..content import GraciousStep
from ..errors import NextRoundError
from ..html_table import html_table
from ..i18n import N_, _
from ..model import Contact
from ..text import esc
from ._view import heading, paragraph
from .base import Component, StepModel, chosen, labelled, typed
from .feedback_request import (
    ToneCheck,
    save_request,
    saved_request,
    shared_source,
    suggested_request,
)

#: The contact form's fields, each a model trait ``contact_<field>``.
CONTACT_FIELDS = ("name", "company", "how_met", "follow_up_on")
CONTACT_LABELS = {"name": N_("Contact's name"), "company": N_("Their company"),
                  "how_met": N_("How you met"), "follow_up_on": N_("Follow up by")}


def mailto(subject: str, body: str) -> str:
    """A ``mailto:`` URL with subject and body quoted, to open in an email app."""
    return f"mailto:?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def split_draft(text: str) -> tuple[str, str]:
    """Split an edited draft back into subject and body (the first line may be a subject)."""
    first, _, rest = (text or "").partition("\n")
    if first.lower().startswith("subject:"):
        return first[len("subject:"):].strip(), rest.lstrip("\n")
    return "", text or ""


def done_trait(step_id: str) -> str:
    """The model trait that says whether one step is ticked (``done_<id>``)."""
    return f"done_{step_id}"


def draft_trait(step_id: str) -> str:
    """The model trait holding one step's message as shown (``draft_<id>``)."""
    return f"draft_{step_id}"


def contact_trait(field: str) -> str:
    """The model trait holding one field of the contact form (``contact_<field>``)."""
    return f"contact_{field}"


def _iso_day(text: Any) -> date | None:
    """A day saved as ISO text, or None when there is none (or it is damaged)."""
    try:
        return date.fromisoformat(text) if isinstance(text, str) and text else None
    except ValueError:
        return None


class GraciousStepsModel(StepModel):
    """The checklist, the message drafts, the contact form and the contacts.

    Each step has two traits, added for the content's steps: ``done_<id>``
    (ticked) and ``draft_<id>`` (the message as shown and edited). Both
    belong to the rejection being worked on. Contacts belong to the client,
    so the contact form (``contact_<field>``) is saved as the client's own
    answers as it is typed, and cleared once the contact is added.

    Parameters
    ----------
    content : nextround.content.Content
        The advice, questions and templates (:func:`nextround.load_content`).
    store : nextround.Store
        Where the client's work is read and saved.
    client_id : str
        The client whose work this is.
    application_id : str, optional
        The rejection to work on; by default the one chosen last, or the only
        one logged.

    Events
    ------
    contacts
        Replaced when a contact is added or removed.

    Saves
    -----
    ``gracious.{step}``
        True once a step is ticked as done, for this rejection.
    ``gracious.{step}.draft``
        The client's own wording of a step's message.
    ``contact_draft.{field}``
        A field of the contact form, until the contact is added.
    :class:`~nextround.model.Contact`
        Each contact added (:meth:`add_contact`).

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLogModel
    >>> log = RejectionLogModel(content=content, store=store, client_id=sam.id)
    >>> log.company, log.role, log.outcome = "Northwind", "Data analyst", "rejected"
    >>> from nextround.components import GraciousStepsModel
    >>> model = GraciousStepsModel(content=content, store=store, client_id=sam.id)
    >>> model.done_thank = True
    >>> store.answers(sam.id, model.application_id)["gracious.thank"]
    True
    >>> model.contact_name = "Ana Silva"
    >>> model.add_contact().name
    'Ana Silva'
    """

    contact_name = typed(Unicode(help="Contact form: the person's name."))
    contact_company = typed(Unicode(help="Contact form: their company."))
    contact_how_met = typed(Unicode(help="Contact form: how the client met them."))
    contact_follow_up_on = chosen(Instance(date, allow_none=True,
                                           help="Contact form: the day to follow up by."))
    contacts = List(help="The client's contacts, oldest first.")

    def __init__(self, **kwargs: Any):
        steps = kwargs["content"].gracious_steps
        self.add_traits(**{name: trait for step in steps for name, trait in (
            (done_trait(step.id), chosen(Bool(False, help=f"Done: {step.title}"))),
            (draft_trait(step.id), typed(Unicode(help=f"The message for: {step.title}"))))})
        super().__init__(**kwargs)
        self._load()

    def _load(self) -> None:
        answers = self.store.answers(self.client_id, application_id=self.application_id or None)
        general = self.store.answers(self.client_id)
        values: dict[str, Any] = {}
        for step in self.content.gracious_steps:
            values[done_trait(step.id)] = bool(answers.get(keys.GRACIOUS_DONE.key(step=step.id)))
            edited = answers.get(keys.GRACIOUS_DRAFT.key(step=step.id))
            values[draft_trait(step.id)] = self._shown_draft(step.id, edited)
        self.contacts = self.store.list(Contact, self.client_id)
        offered = self._contact_from_log()
        for field in CONTACT_FIELDS:
            key = keys.CONTACT_DRAFT.key(field=field)
            # A field the client has touched (even emptied) keeps their word.
            value = general[key] if key in general else offered.get(field)
            values[contact_trait(field)] = (_iso_day(value) if field == "follow_up_on"
                                            else str(value or ""))
        self.load(**values)

    def _contact_from_log(self) -> dict[str, str]:
        """The person the log names, offered for the contact form (WCAG 3.3.7).

        Nothing is offered once that person is already a contact, so adding
        them does not bring the same name straight back.
        """
        app = self.application()
        if app is None or not app.contact_name.strip():
            return {}
        known = {(c.name.casefold(), c.company.casefold()) for c in self.contacts}
        if (app.contact_name.strip().casefold(), app.company.strip().casefold()) in known:
            return {}
        role = app.role.strip()
        return {"name": app.contact_name.strip(), "company": app.company.strip(),
                "how_met": _("Met about the {role} role").format(role=role) if role else ""}

    def step(self, step_id: str) -> GraciousStep:
        """The content's gracious step with this id (an unknown id is refused)."""
        return self.content.find("gracious_steps", step_id, "step")

    def save_edit(self, name: str, value: Any) -> Any:
        """The saving observer's write: a tick, a draft or a contact form field."""
        if name.startswith("contact_"):
            return self._save_contact_field(name.removeprefix("contact_"), value)
        kind, _, step_id = name.partition("_")
        if kind == "done":
            self.step(step_id)
            self.store.set_answer(self.client_id, keys.GRACIOUS_DONE.key(step=step_id),
                                  bool(value), application_id=self.application_id)
            return bool(value)
        return self._save_draft(step_id, value)

    def shared_source(self, step_id: str) -> str:
        """The feedback request this step's message is, if any (one draft for both steps)."""
        return shared_source(self, self.step(step_id).template)

    def template_text(self, step_id: str) -> str:
        """The step's message drafted from its template and the rejection log."""
        source_id = self.shared_source(step_id)
        if source_id:
            saved = saved_request(self, source_id)
            subject, body = suggested_request(self, source_id, saved["person"] if saved else "")
            return f"Subject: {subject}\n\n{body}"
        email = render_email(self.step(step_id).template, self.email_context(), self.content)
        return f"Subject: {email.subject}\n\n{email.body}"

    def _shown_draft(self, step_id: str, edited: Any) -> str:
        """What the draft box opens with: the client's words, else the template's."""
        source_id = self.shared_source(step_id)
        if source_id:
            saved = saved_request(self, source_id)
            if saved is not None and (saved["subject"] or saved["body"]):
                return f"Subject: {saved['subject']}\n\n{saved['body']}"
            return self.template_text(step_id)
        return edited if isinstance(edited, str) and edited else self.template_text(step_id)

    def draft_text(self, step_id: str) -> str:
        """The message as it stands: the box's words, or the template's when it is empty."""
        text = getattr(self, draft_trait(self.step(step_id).id))
        return text if text.strip() else self.template_text(step_id)

    def _save_draft(self, step_id: str, text: str) -> None:
        """Keep the client's own wording; a cleared draft goes back to the template.

        A feedback request is saved as the feedback step's draft, so both
        steps show and edit one message.
        """
        source_id = self.shared_source(step_id)
        if source_id:
            saved = saved_request(self, source_id)
            subject, body = split_draft(text)
            save_request(self, source_id, {"subject": subject, "body": body,
                                           "person": saved["person"] if saved else ""}
                         if text.strip() else None)
            return
        edited = text if text.strip() and text != self.template_text(step_id) else None
        self.store.set_answer(self.client_id, keys.GRACIOUS_DRAFT.key(step=step_id), edited,
                              application_id=self.application_id)

    def mailto(self, step_id: str) -> str:
        """A ``mailto:`` URL that opens an email app with this step's message."""
        return mailto(*split_draft(self.draft_text(step_id)))

    def _save_contact_field(self, field: str, value: Any) -> None:
        """Save one field of the contact form as it is typed, so a reload keeps it."""
        if isinstance(value, date):
            value = value.isoformat()
        self.store.set_answer(self.client_id, keys.CONTACT_DRAFT.key(field=field),
                              value if value not in ("", None) else None)

    def add_contact(self) -> Contact:
        """Turn the contact form into a contact, then clear the form."""
        name = self.contact_name.strip()
        if not name:
            raise NextRoundError(_("Please add the person's name first."))
        contact = self.store.add(Contact(
            client_id=self.client_id, name=name, company=self.contact_company.strip(),
            how_met=self.contact_how_met.strip(), follow_up_on=self.contact_follow_up_on))
        for field in CONTACT_FIELDS:
            self.store.set_answer(self.client_id, keys.CONTACT_DRAFT.key(field=field), None)
        self.load(contact_name="", contact_company="", contact_how_met="",
                  contact_follow_up_on=None)
        self.contacts = self.store.list(Contact, self.client_id)
        return contact

    def remove_contact(self, contact_id: str) -> None:
        """Delete a contact; the list of contacts follows."""
        self.store.delete(Contact, contact_id)
        self.contacts = self.store.list(Contact, self.client_id)


class GraciousSteps(Component):
    """Stay gracious: a tick box, the why and an editable message per step; a contact form.

    How a client answers a rejection can open the next door: a thank-you,
    a request for feedback, asking to be kept in mind, and keeping in touch.
    Each step's message is drafted from the log and can be edited and sent.

    Parameters
    ----------
    model : GraciousStepsModel
        The step's state. ``GraciousSteps.create(content=..., store=..., client_id=...,
        application_id=None)`` builds it for a client and this view over it
        (see :meth:`Component.create`).

    Events
    ------
    model.contacts
        The client's contacts, replaced when one is added or removed.

    Saves
    -----
    ``gracious.{step}``
        A step ticked as done.
    ``gracious.{step}.draft``
        A step's message as edited.
    ``contact_draft.{field}``
        The contact form, as typed, until the contact is added.
    :class:`~nextround.model.Contact`
        Each contact added.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLogModel
    >>> log = RejectionLogModel(content=content, store=store, client_id=sam.id)
    >>> log.company, log.role, log.outcome = "Northwind", "Data analyst", "rejected"
    >>> from nextround.components import GraciousSteps
    >>> step = GraciousSteps.create(content=content, store=store, client_id=sam.id)
    >>> step.model.done_keep_in_mind = True      # as if the box was ticked
    >>> store.answers(sam.id, step.model.application_id)["gracious.keep_in_mind"]
    True
    """

    title = "Stay gracious"

    model_class = GraciousStepsModel

    def build(self) -> list[W.Widget]:
        model: GraciousStepsModel = self.model
        parts: list[W.Widget] = [
            heading(_("Your checklist")),
            paragraph(_("How you take a no is remembered. These steps keep the door open. "
                      "Tick each one when it is done.")),
        ]
        self.links: dict[str, W.HTML] = {}
        self.tones: dict[str, ToneCheck] = {}
        for step in model.content.gracious_steps:
            parts.append(self._step_box(step))
        return [*parts, *self._contact_form()]

    def _step_box(self, step: GraciousStep) -> W.Widget:
        check = W.Checkbox()
        draft = W.Textarea(rows=10)
        self.bind(check, done_trait(step.id))
        self.bind(draft, draft_trait(step.id))
        self.links[step.id], self.tones[step.id] = W.HTML(), ToneCheck(preview=False)
        self._show_link(step.id)
        box = W.VBox([
            labelled(check, step.title),
            paragraph(step.why, "nr-hint"),
            labelled(draft, f"Draft: {step.title}",
                     hint=_("Change the words to make them yours. Your changes are saved.")),
            self.tones[step.id],
            self.links[step.id],
        ])
        box.add_class("nr-card")
        return box

    def _show_link(self, step_id: str) -> None:
        """The email-app link and the tone check, both for the draft as it is now."""
        self.tones[step_id].check(*split_draft(self.model.draft_text(step_id)),
                                  self.model.content)
        self.links[step_id].value = (
            f'<a class="nr-mailto" href="{esc(self.model.mailto(step_id))}">'
            + esc(_("Open “{step}” in your email app").format(
                step=self.model.step(step_id).title)) + "</a>")

    def saved(self, name: str, value: Any, result: Any) -> None:
        """Say what was saved; a saved draft also refreshes its link and tone check."""
        if name.startswith("done_"):
            self.status.saved(_("Ticked off. Well done.") if value
                              else _("Your checklist is saved."))
        elif name.startswith("draft_"):
            # A box emptied while typing stays empty; the suggested text comes
            # back the next time the step opens.
            self._show_link(name.removeprefix("draft_"))
            self.status.saved(_("Your draft is saved."))
        else:
            self.status.saved(_("Saved as you typed. Add the contact when you are ready."))

    # -- contacts --

    def _contact_form(self) -> list[W.Widget]:
        self.contact_inputs: dict[str, W.Widget] = {
            field: W.DatePicker() if field == "follow_up_on" else W.Text()
            for field in CONTACT_FIELDS}
        for field, widget in self.contact_inputs.items():
            self.bind(widget, contact_trait(field))
        self.add_button = W.Button(description=_("Add this contact"), button_style="primary")
        self.on_click(self.add_button, self._add_contact)
        self.contact_table = W.HTML()
        self.remove_buttons = W.VBox()
        self.model.observe(lambda _change: self._show_contacts(), names="contacts")
        self._show_contacts()
        return [
            heading(_("People to keep in touch with")),
            paragraph(_("Add the people you met. A short, friendly note later keeps you in "
                      "their mind.")),
            *(labelled(self.contact_inputs[field], _(CONTACT_LABELS[field]))
              for field in CONTACT_FIELDS),
            self.add_button,
            self.contact_table,
            self.remove_buttons,
        ]

    def _add_contact(self) -> None:
        contact = self.model.add_contact()
        self.status.saved(_("{name} is in your contacts.").format(name=contact.name))

    def _show_contacts(self) -> None:
        contacts: list[Contact] = self.model.contacts
        self.contact_table.value = render_contacts(contacts)
        buttons = []
        for contact in contacts:
            button = W.Button(description=_("Remove {name}").format(name=contact.name),
                              layout=W.Layout(width="auto"))
            self.on_click(button, lambda cid=contact.id: self._remove(cid))
            buttons.append(button)
        self.remove_buttons.children = buttons

    def _remove(self, contact_id: str) -> None:
        self.model.remove_contact(contact_id)
        self.status.saved(_("The contact is removed."))


def render_contacts(contacts: list[Contact]) -> str:
    """The contact list as an HTML table; every field escaped."""
    if not contacts:
        return "<p class='nr-text'>" + esc(_("No contacts added yet.")) + "</p>"
    rows = [(c.name, c.company, c.how_met, c.follow_up_on.isoformat() if c.follow_up_on else "")
            for c in contacts]
    head = (_("Name"), _("Company"), _("How you met"), _("Follow up by"))
    return html_table(head, rows, caption=_("Your new contacts"))
