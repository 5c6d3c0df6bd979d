"""Stay gracious: a checklist with drafted messages, and new contacts to keep.

How someone takes a "no" is remembered. This step lists the gracious moves
(say thanks, request their thoughts, ask them to remember you, add the people you
met to your network) with a drafted message for each, filled in from the
rejection log, so that doing the right thing takes a minute.

The drafts are editable: a client makes a message their own before sending
it, and those edits save as they are made, like every other answer.

Example::

    from nextround.components.gracious_steps import GraciousSteps
    GraciousSteps.create(content=content, store=store, client_id=client.id)
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

import ipywidgets as W
from traitlets import Dict, List

from ..advice import render_email
from ..content import GraciousStep
from ..errors import NextRoundError
from ..model import Contact
from .base import Component, StepModel, esc, heading, labelled, paragraph
from .feedback_request import (
    ToneCheck,
    save_request,
    saved_request,
    shared_source,
    suggested_request,
)

DONE_PREFIX = "gracious."
DRAFT_SUFFIX = ".draft"
CONTACT_PREFIX = "contact_draft."
CONTACT_FIELDS = ("name", "company", "how_met", "follow_up_on")


def mailto(subject: str, body: str) -> str:
    """A ``mailto:`` URL with subject and body quoted, to open in an email app."""
    return f"mailto:?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def split_draft(text: str) -> tuple[str, str]:
    """Split an edited draft back into subject and body (the first line may be a subject)."""
    first, _, rest = (text or "").partition("\n")
    if first.lower().startswith("subject:"):
        return first[len("subject:"):].strip(), rest.lstrip("\n")
    return "", text or ""


class GraciousStepsModel(StepModel):
    """The checklist, the message drafts, the contact form draft and the contacts.

    Ticks and edited drafts belong to the rejection being worked on
    (``gracious.<step>`` and ``gracious.<step>.draft``). Contacts belong to
    the client, so the unfinished contact form is a general answer
    (``contact_draft.<field>``) and is cleared once the contact is added.
    """

    done = Dict()
    drafts = Dict()
    contact_draft = Dict()
    contacts = List()

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._load()

    def _load(self) -> None:
        answers = self.store.answers(self.client_id, application_id=self.application_id or None)
        steps = [step.id for step in self.content.steps]
        self.done = {sid: bool(answers.get(DONE_PREFIX + sid)) for sid in steps}
        self.drafts = {sid: answers[DONE_PREFIX + sid + DRAFT_SUFFIX] for sid in steps
                       if answers.get(DONE_PREFIX + sid + DRAFT_SUFFIX)}
        general = self.store.answers(self.client_id)
        self.contact_draft = {name: general.get(CONTACT_PREFIX + name)
                              for name in CONTACT_FIELDS}
        self.contacts = self.store.list(Contact, self.client_id)

    def step(self, step_id: str) -> GraciousStep:
        for step in self.content.steps:
            if step.id == step_id:
                return step
        raise NextRoundError(f"There is no step '{step_id}'.")

    def set_done(self, step_id: str, done: bool) -> None:
        """Tick or untick one step; saved at once for this rejection."""
        self.step(step_id)
        self.store.set_answer(self.client_id, DONE_PREFIX + step_id, bool(done),
                              application_id=self.application_id)
        self.done = {**self.done, step_id: bool(done)}

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

    def draft_text(self, step_id: str) -> str:
        """The client's edited draft, or the template's when they have not edited it."""
        source_id = self.shared_source(step_id)
        if source_id:
            saved = saved_request(self, source_id)
            if saved is not None and (saved["subject"] or saved["body"]):
                return f"Subject: {saved['subject']}\n\n{saved['body']}"
        return self.drafts.get(step_id) or self.template_text(step_id)

    def save_draft(self, step_id: str, text: str) -> None:
        """Keep the client's own wording; a cleared draft goes back to the template.

        A feedback request is saved as the feedback step's draft, so both
        steps show and edit one message.
        """
        self.step(step_id)
        source_id = self.shared_source(step_id)
        if source_id:
            saved = saved_request(self, source_id)
            subject, body = split_draft(text)
            save_request(self, source_id, {"subject": subject, "body": body,
                                           "person": saved["person"] if saved else ""}
                         if text.strip() else None)
            return
        edited = text if text.strip() and text != self.template_text(step_id) else None
        self.store.set_answer(self.client_id, DONE_PREFIX + step_id + DRAFT_SUFFIX, edited,
                              application_id=self.application_id)
        drafts = {k: v for k, v in self.drafts.items() if k != step_id}
        if edited:
            drafts[step_id] = edited
        self.drafts = drafts

    def mailto(self, step_id: str) -> str:
        return mailto(*split_draft(self.draft_text(step_id)))

    def save_contact_field(self, name: str, value: Any) -> None:
        """Save one field of the contact form as it is typed, so a reload keeps it."""
        if name not in CONTACT_FIELDS:
            raise NextRoundError(f"There is no contact field '{name}'.")
        if isinstance(value, date):
            value = value.isoformat()
        value = value if value not in ("", None) else None
        self.store.set_answer(self.client_id, CONTACT_PREFIX + name, value)
        self.contact_draft = {**self.contact_draft, name: value}

    def draft_date(self) -> date | None:
        """The follow-up date in the form draft (saved as ISO text)."""
        value = self.contact_draft.get("follow_up_on")
        try:
            return date.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return None

    def add_contact(self) -> Contact:
        """Turn the form draft into a contact, then clear the draft."""
        draft = self.contact_draft
        name = (draft.get("name") or "").strip()
        if not name:
            raise NextRoundError("Please add the person's name first.")
        contact = self.store.add(Contact(
            client_id=self.client_id, name=name,
            company=(draft.get("company") or "").strip(),
            how_met=(draft.get("how_met") or "").strip(),
            follow_up_on=self.draft_date()))
        for field in CONTACT_FIELDS:
            self.store.set_answer(self.client_id, CONTACT_PREFIX + field, None)
        self.contact_draft = dict.fromkeys(CONTACT_FIELDS)
        self.contacts = self.store.list(Contact, self.client_id)
        return contact

    def remove_contact(self, contact_id: str) -> None:
        self.store.delete(Contact, contact_id)
        self.contacts = self.store.list(Contact, self.client_id)


class GraciousSteps(Component):
    """The view: a tick box, the why and an editable draft per step; a contact form."""

    title = "Stay gracious"

    model_class = GraciousStepsModel

    def build(self) -> list[W.Widget]:
        model: GraciousStepsModel = self.model
        parts: list[W.Widget] = [
            heading("Your checklist"),
            paragraph("How you take a no is remembered. These steps keep the door open. "
                      "Tick each one when it is done."),
        ]
        self.checks: dict[str, W.Checkbox] = {}
        self.drafts: dict[str, W.Textarea] = {}
        self.links: dict[str, W.HTML] = {}
        self.tones: dict[str, ToneCheck] = {}
        for step in model.content.steps:
            parts.append(self._step_box(step))
        return [*parts, *self._contact_form()]

    def _step_box(self, step: GraciousStep) -> W.Widget:
        model: GraciousStepsModel = self.model
        check = W.Checkbox(value=model.done.get(step.id, False))
        draft = W.Textarea(value=model.draft_text(step.id), rows=10)
        link = W.HTML()
        tone = ToneCheck(preview=False)
        self.checks[step.id], self.drafts[step.id], self.links[step.id] = check, draft, link
        self.tones[step.id] = tone
        self._show_link(step)
        self.on_change(check, lambda value, sid=step.id: self._ticked(sid, value))
        self.on_change(draft, lambda text, s=step: self._draft_changed(s, text))
        box = W.VBox([
            labelled(check, step.title),
            paragraph(step.why, "nr-hint"),
            labelled(draft, f"Draft: {step.title}",
                     hint="Change the words to make them yours. Your changes are saved."),
            tone,
            link,
        ])
        box.add_class("nr-card")
        return box

    def _show_link(self, step: GraciousStep) -> None:
        """The email-app link and the tone check, both for the draft as it is now."""
        self.tones[step.id].check(*split_draft(self.model.draft_text(step.id)),
                                  self.model.content)
        self.links[step.id].value = (
            f'<a class="nr-mailto" href="{esc(self.model.mailto(step.id))}">'
            f"Open “{esc(step.title)}” in your email app</a>")

    def _ticked(self, step_id: str, value: bool) -> None:
        self.model.set_done(step_id, value)
        self.status.saved("Ticked off. Well done." if value else "Your checklist is saved.")

    def _draft_changed(self, step: GraciousStep, text: str) -> None:
        # A box emptied while typing stays empty; the suggested text comes back
        # the next time the step opens.
        self.model.save_draft(step.id, text)
        self._show_link(step)
        self.status.saved("Your draft is saved.")

    # -- contacts --

    def _contact_form(self) -> list[W.Widget]:
        model: GraciousStepsModel = self.model
        draft = model.contact_draft
        self.contact_inputs: dict[str, W.Widget] = {
            "name": W.Text(value=draft.get("name") or ""),
            "company": W.Text(value=draft.get("company") or ""),
            "how_met": W.Text(value=draft.get("how_met") or ""),
            "follow_up_on": W.DatePicker(value=model.draft_date()),
        }
        labels = {"name": "Contact's name", "company": "Their company",
                  "how_met": "How you met", "follow_up_on": "Follow up by"}
        for name, widget in self.contact_inputs.items():
            self.on_change(widget, lambda value, name=name: self._contact_typed(name, value))
        add = W.Button(description="Add this contact", button_style="primary")
        self.add_button = add
        self.on_click(add, self._add_contact)
        self.contact_table = W.HTML()
        self.remove_buttons = W.VBox()
        model.observe(lambda _change: self._show_contacts(), names="contacts")
        self._show_contacts()
        return [
            heading("People to keep in touch with"),
            paragraph("Add the people you met. A short, friendly note later keeps you in "
                      "their mind."),
            *(labelled(self.contact_inputs[name], labels[name]) for name in CONTACT_FIELDS),
            add,
            self.contact_table,
            self.remove_buttons,
        ]

    def _contact_typed(self, name: str, value: Any) -> None:
        self.model.save_contact_field(name, value)
        self.status.saved("Saved as you typed. Add the contact when you are ready.")

    def _add_contact(self) -> None:
        contact = self.model.add_contact()
        with self.quietly():
            for name, widget in self.contact_inputs.items():
                widget.value = None if name == "follow_up_on" else ""
        self.status.saved(f"{contact.name} is in your contacts.")

    def _show_contacts(self) -> None:
        contacts: list[Contact] = self.model.contacts
        self.contact_table.value = render_contacts(contacts)
        buttons = []
        for contact in contacts:
            button = W.Button(description=f"Remove {contact.name}",
                              layout=W.Layout(width="auto"))
            self.on_click(button, lambda cid=contact.id: self._remove(cid))
            buttons.append(button)
        self.remove_buttons.children = buttons

    def _remove(self, contact_id: str) -> None:
        self.model.remove_contact(contact_id)
        self.status.saved("The contact is removed.")


def render_contacts(contacts: list[Contact]) -> str:
    """The contact list as an HTML table; every field escaped."""
    if not contacts:
        return "<p class='nr-text'>No contacts added yet.</p>"
    rows = "".join(
        f"<tr><td>{esc(c.name)}</td><td>{esc(c.company)}</td><td>{esc(c.how_met)}</td>"
        f"<td>{esc(c.follow_up_on.isoformat() if c.follow_up_on else '')}</td></tr>"
        for c in contacts)
    return ("<table class='nr-table'><caption>Your new contacts</caption><thead><tr>"
            "<th scope='col'>Name</th><th scope='col'>Company</th>"
            "<th scope='col'>How you met</th><th scope='col'>Follow up by</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")
