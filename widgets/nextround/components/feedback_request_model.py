"""The feedback request's model: the draft being written and the replies recorded.

The composer's fields (whom to write to, their name, subject, body) and the
form of the reply being recorded are traits of
:class:`FeedbackRequestModel`, saved by its one saving observer as the
client edits them. The draft is the one copy of that message: the gracious
step that asks for feedback edits the same one (see :func:`shared_source`).

Example::

    from nextround.components import FeedbackRequestModel
    model = FeedbackRequestModel(content=content, store=store, client_id=client.id)
    model.source_id = "recruiter"   # the suggested draft, saved
    model.body += "Thank you."      # saved (a moment later inside a kernel)
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from traitlets import Bool, Instance, List, Unicode, observe

from .. import answer_keys as keys
from ..advice import ToneFlag, check_tone, render_email
from ..errors import NextRoundError
from ..i18n import N_, _
from ..model import Feedback
from ..text import MAX_SHORT
from .base import StepModel, chosen, saves, typed

#: The fields of a feedback entry the form edits, in the order shown.
FEEDBACK_FIELDS = ("source_id", "person", "asked_on", "heard", "no_reply", "heard_on")
#: The model trait of each entry field (the composer has its own source and person).
REPLY_TRAITS = {"source_id": "reply_source_id", "person": "reply_person",
                "asked_on": "asked_on", "heard": "heard", "no_reply": "no_reply",
                "heard_on": "heard_on"}
CURRENT_KEY = keys.CURRENT_DRAFT.key()
CANDOUR = {"low": N_("Usually guarded"), "medium": N_("Sometimes open"),
           "high": N_("Often the most open")}


def draft_key(source_id: str) -> str:
    """The answer key a draft to one kind of person is saved under.

    It is the one copy of that message: the gracious step that asks for
    feedback edits the same draft (see :func:`shared_source`).
    """
    return keys.DRAFT.key(source=source_id)


def suggested_request(model: StepModel, source_id: str, person: str = "") -> tuple[str, str]:
    """The suggested subject and body to one kind of person, filled from the log."""
    source = model.content.source(source_id)
    context = model.email_context()
    context["source_name"] = source.name
    if person.strip():
        context["contact_name"] = person.strip()
    email = render_email(source.template, context, model.content)
    return email.subject, email.body


def saved_request(model: StepModel, source_id: str) -> dict[str, str] | None:
    """The draft to this kind of person as last saved, or None when not begun."""
    saved = model.store.answers(model.client_id, model.application_id).get(draft_key(source_id))
    if not isinstance(saved, dict):
        return None
    return {name: str(saved.get(name) or "") for name in ("subject", "body", "person")}


def save_request(model: StepModel, source_id: str, draft: dict[str, str] | None) -> None:
    """Save the draft to this kind of person (None goes back to the suggested text)."""
    model.store.set_answer(model.client_id, draft_key(source_id), draft, model.application_id)


def shared_source(model: StepModel, template_id: str) -> str:
    """The kind of person whose feedback request a message with this template is.

    The request being written in the feedback step when it uses this
    template, else the first person the template is written to; "" when no
    rejection is chosen or no one gets this template.
    """
    if not model.application_id:
        return ""
    sources = [s.id for s in model.content.sources if s.template == template_id]
    current = model.store.answers(model.client_id, model.application_id).get(CURRENT_KEY)
    if current in sources:
        return str(current)
    return sources[0] if sources else ""


def _too_long(name: str) -> None:
    if len(name or "") > MAX_SHORT:
        raise NextRoundError(_("That name is too long to save. Please shorten it."))


class FeedbackRequestModel(StepModel):
    """The draft being written and the feedback entry being recorded.

    The draft (``subject``, ``body``, ``person``) is saved as an answer for
    the chosen rejection on every change. ``subject_flags``/``body_flags``
    hold the tone check's findings, refreshed as the draft is saved.
    ``feedback_id`` is the entry the record form edits, its fields the
    traits of :data:`REPLY_TRAITS`; ``entries`` the replies as saved.

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
    source_id
        Choosing whom to ask opens the saved draft to them, or a suggested one.
    subject_flags
        The tone check's findings in the subject, refreshed as the draft is saved.
    body_flags
        The same for the body.
    entries
        Replaced whenever a reply is recorded or changed.

    Saves
    -----
    ``draft.current``
        Whom the draft shown is written to.
    ``draft.{source}``
        The draft to each kind of person (subject, body, name): its only copy.
    :class:`~nextround.model.Feedback`
        Each reply recorded (or "no reply"), field by field.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLogModel
    >>> log = RejectionLogModel(content=content, store=store, client_id=sam.id)
    >>> log.company, log.role, log.outcome = "Northwind", "Data analyst", "rejected"
    >>> from nextround.components import FeedbackRequestModel
    >>> model = FeedbackRequestModel(content=content, store=store, client_id=sam.id)
    >>> model.source_id = "recruiter"
    >>> "Northwind" in model.body or "Data analyst" in model.body
    True
    >>> sorted(key for key in store.answers(sam.id, model.application_id) if "draft" in key)
    ['draft.current', 'draft.recruiter']
    """

    source_id = chosen(Unicode(help="The kind of person the request is written to."))
    person = typed(Unicode(help="Their name, put in the greeting of an untouched draft."))
    subject = typed(Unicode(help="The request's subject line."))
    body = typed(Unicode(help="The request's text."))
    subject_flags = List(help="Tone findings in the subject, as last checked.")
    body_flags = List(help="Tone findings in the body, as last checked.")
    feedback_id = Unicode(help="The reply the record form edits ('' before any).")
    reply_source_id = chosen(Unicode(help="Whom the recorded reply is from."))
    reply_person = typed(Unicode(help="The name of whoever replied."))
    asked_on = chosen(Instance(date, allow_none=True, help="The day the client asked."))
    heard = typed(Unicode(help="What they said, as close as remembered."))
    no_reply = chosen(Bool(False, help="True when they have not answered."))
    heard_on = chosen(Instance(date, allow_none=True, help="The day the client heard back."))
    entries = List(help="The replies recorded for this rejection, oldest first.")

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._rendered: tuple[str, str] = ("", "")
        if self.application_id and self.application() is None:
            self.load(application_id="")
        if not self.application_id:
            return
        current = self.store.answers(self.client_id, self.application_id).get(CURRENT_KEY)
        if current in {s.id for s in self.content.sources}:
            self.load(source_id=current)
            self._open_draft(current)
        self.entries = self.feedback()
        if self.entries:
            self.feedback_id = self.entries[-1].id
        self._show_entry()

    # -- the composer --

    def _require_rejection(self) -> None:
        if not self.application_id:
            raise NextRoundError(_("Choose the rejection you are working on in the log step "
                                 "first."))

    def render(self, source_id: str | None = None, person: str | None = None
               ) -> tuple[str, str]:
        """The suggested subject and body for a source, filled from the log."""
        return suggested_request(self, source_id or self.source_id,
                                 self.person if person is None else person)

    def save_edit(self, name: str, value: Any) -> Any:
        """The saving observer's write: a composer field or a field of the reply."""
        if name == "source_id":
            return self._source_changed(value)
        if name == "person":
            return self.set_person(value)
        if name in ("subject", "body"):
            return self.edit()
        field = next(f for f, trait in REPLY_TRAITS.items() if trait == name)
        if self.editing() is None:
            # The first thing typed creates the entry with all the form shows.
            return self.add_feedback(**{f: getattr(self, t) for f, t in REPLY_TRAITS.items()})
        return self.save_feedback_field(field, value)

    def choose_source(self, source_id: str) -> None:
        """Write to this kind of person: their saved draft, or a fresh one."""
        self._require_rejection()
        self.content.source(source_id)  # unknown ids fail here, before any change
        saves.flush()
        self.source_id = source_id

    def _source_changed(self, source_id: str) -> None:
        if not source_id:
            return
        self.choose_source(source_id)  # checks it
        self._open_draft(source_id)
        self.store.set_answer(self.client_id, CURRENT_KEY, source_id, self.application_id)
        self.save_draft()
        if self.editing() is None:
            self._show_entry()  # a reply not begun yet is about this person

    def _open_draft(self, source_id: str) -> None:
        """Show the saved draft to this kind of person, or the suggested one."""
        saved = saved_request(self, source_id)
        if saved is not None:
            self.load(person=saved["person"])
            self._rendered = self.render()
            self.load(subject=saved["subject"], body=saved["body"])
        else:
            # The name the log already holds is offered, not asked for again.
            self.load(person=self.email_context().get("contact_name", ""))
            self._rendered = self.render()
            self.load(subject=self._rendered[0], body=self._rendered[1])
        self._check()

    def set_person(self, name: str) -> bool:
        """Use this name; the text is refilled only if it was not edited yet.

        Returns True when the subject and body were refilled.
        """
        name = name or ""
        _too_long(name)
        untouched = (self.subject, self.body) == self._rendered
        self.load(person=name)
        self._rendered = self.render()
        if untouched:
            self.load(subject=self._rendered[0], body=self._rendered[1])
            self._check()
        self.save_draft()
        return untouched

    def restart(self) -> None:
        """Throw away the edits and start again from the suggested text."""
        self._rendered = self.render()
        self.load(subject=self._rendered[0], body=self._rendered[1])
        self._check()
        self.save_draft()

    def edit(self, *, subject: str | None = None, body: str | None = None) -> None:
        """The client changed the text: check its tone and save it."""
        self.load(**{name: text for name, text in (("subject", subject), ("body", body))
                     if text is not None})
        self._check()
        self.save_draft()

    def save_draft(self) -> None:
        """Save the draft shown under its kind of person (nothing before one is chosen)."""
        if not self.source_id:
            return
        self._require_rejection()
        save_request(self, self.source_id, {"subject": self.subject, "body": self.body,
                                            "person": self.person})

    def _check(self) -> None:
        self.subject_flags = check_tone(self.subject, self.content)
        self.body_flags = check_tone(self.body, self.content)

    @property
    def flags(self) -> list[ToneFlag]:
        """The tone check's findings in the subject, then the body."""
        return [*self.subject_flags, *self.body_flags]

    def final_text(self) -> str:
        """The message as the client will send it, for copying."""
        return f"Subject: {self.subject}\n\n{self.body}" if self.source_id else ""

    def mailto(self) -> str:
        """A ``mailto:`` address that opens an email app with the draft filled in."""
        body = self.body.replace("\r\n", "\n").replace("\n", "\r\n")
        return f"mailto:?subject={quote(self.subject, safe='')}&body={quote(body, safe='')}"

    # -- the record of what was heard --

    def feedback(self) -> list[Feedback]:
        """The replies recorded for this rejection, oldest first."""
        if not self.application_id:
            return []
        return self.store.list(Feedback, self.client_id, application_id=self.application_id)

    def editing(self) -> Feedback | None:
        """The reply the record form shows, or None before one is begun."""
        if not self.feedback_id:
            return None
        try:
            return self.store.get(Feedback, self.feedback_id)
        except NextRoundError:
            self.feedback_id = ""
            return None

    @observe("feedback_id")
    def _feedback_id_changed(self, _change: dict) -> None:
        self._show_entry()

    def _show_entry(self) -> None:
        """Fill the reply form with the entry edited, or a blank one about the composer's person."""
        saves.flush()  # typing still waiting belongs to the entry shown until now
        record = self.editing()
        values = record.model_dump() if record else {
            "source_id": self.source_id, "person": self.person, "asked_on": None,
            "heard": "", "no_reply": False, "heard_on": None}
        self.load(**{REPLY_TRAITS[field]: values[field] for field in FEEDBACK_FIELDS})

    def add_feedback(self, **values: Any) -> Feedback:
        """Start a new entry, by default for the person the composer is writing to.

        ``values`` are the form's fields when the first thing typed creates
        the entry, so nothing shown in the form is left unsaved.
        """
        self._require_rejection()
        current = self.editing()
        if current is not None and _is_blank(current) and not values:
            return current
        values = {"source_id": self.source_id, "person": self.person, **values}
        _too_long(values.get("person") or "")
        record = self.store.add(Feedback(client_id=self.client_id,
                                         application_id=self.application_id,
                                         **_clean(values)))
        self.entries = self.feedback()
        self.feedback_id = record.id
        return record

    def edit_feedback(self, feedback_id: str) -> Feedback | None:
        """Show another recorded reply in the record form."""
        self.feedback_id = feedback_id
        return self.editing()

    def save_feedback_field(self, field: str, value: Any) -> Feedback:
        """Save one field of the entry; the first thing typed creates the entry."""
        if field not in FEEDBACK_FIELDS:
            raise ValueError(f"unknown feedback field {field!r}")
        self._require_rejection()
        if field == "person":
            _too_long(value)
        if self.editing() is None:
            return self.add_feedback(**{field: value})
        record = self.store.update(Feedback, self.feedback_id, **_clean({field: value}))
        self.entries = self.feedback()
        return record

    def source_name(self, source_id: str) -> str:
        """What the content calls this kind of person (the id itself if unknown)."""
        try:
            return self.content.source(source_id).name
        except KeyError:
            return _("Someone else")


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Widget values as record fields: no None for text, a real bool for the tick."""
    cleaned = {}
    for field, value in values.items():
        if field not in FEEDBACK_FIELDS:
            raise ValueError(f"unknown feedback field {field!r}")
        if field in ("source_id", "person", "heard"):
            value = value or ""
        elif field == "no_reply":
            value = bool(value)
        cleaned[field] = value
    return cleaned


def _is_blank(record: Feedback) -> bool:
    return not (record.heard.strip() or record.no_reply or record.asked_on or record.heard_on)
