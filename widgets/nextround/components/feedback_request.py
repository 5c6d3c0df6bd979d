"""Ask for feedback: whom to ask, a kindly worded request, and what was heard.

Feedback after a rejection is worth asking for, but how it is asked
matters: "what did I do wrong?" invites silence, a warm request for a view
invites an answer. So this step shows the people to ask in the order the
article gives, fills an email from the log for the one chosen, checks the
tone live as the client edits it (each phrase to reword is marked, with a
gentler alternative), and keeps a record of what each person said, or that
they did not reply. Drafts save as they are typed, so none is ever lost.

Voilà runs no scripts in HTML widgets, so "copy" is a read-only text box
to select from, plus a ``mailto:`` link that opens the client's email app.

Example::

    from nextround.components.feedback_request import FeedbackRequest
    FeedbackRequest.create(content=content, store=store, client_id=client.id)
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any
from urllib.parse import quote

import ipywidgets as W
from traitlets import Int, List, Unicode

from ..advice import ToneFlag, check_tone, render_email
from ..errors import NextRoundError
from ..model import Feedback
from .base import Component, StepModel, esc, heading, labelled, paragraph

#: The fields of a feedback entry the form edits, in the order shown.
FEEDBACK_FIELDS = ("source_id", "person", "asked_on", "heard", "no_reply", "heard_on")
MAX_SHORT = 500
CURRENT_KEY = "draft.current"
CANDOUR = {"low": "Usually guarded", "medium": "Sometimes open", "high": "Often the most open"}


def draft_key(source_id: str) -> str:
    """The answer key a draft to one kind of person is saved under.

    It is the one copy of that message: the gracious step that asks for
    feedback edits the same draft (see :func:`shared_source`).
    """
    return f"draft.{source_id}"


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


class ToneCheck(W.VBox):
    """The live tone check of a message: a finding in words, and what to reword.

    The feedback step and the gracious step both show it under the text the
    client writes to an employer. The finding is its own live region, so it
    is announced only when it changes, not on every key press.
    """

    def __init__(self, *, preview: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        self.preview = preview
        self.summary = W.HTML()
        self.summary.add_class("nr-live")  # the page keeps it as a live region
        self.details = W.HTML()
        self.children = [self.summary, self.details]

    def show(self, subject: str, subject_flags: list[ToneFlag], body: str,
             body_flags: list[ToneFlag]) -> None:
        """Show the finding; without ``preview`` the marked text shows only when needed."""
        flags = [*subject_flags, *body_flags]
        self.summary.value = render_tone_summary(len(flags))
        if self.preview or flags:
            self.details.value = render_tone(subject, subject_flags, body, body_flags)
        else:
            self.details.value = ""

    def check(self, subject: str, body: str, content) -> list[ToneFlag]:
        """Check the message's tone and show what was found."""
        subject_flags = check_tone(subject, content) if subject else []
        body_flags = check_tone(body, content) if body else []
        self.show(subject, subject_flags, body, body_flags)
        return [*subject_flags, *body_flags]

    def clear(self) -> None:
        self.summary.value = ""
        self.details.value = ""


class FeedbackRequestModel(StepModel):
    """The draft being written and the feedback entry being recorded.

    The draft (``subject``, ``body``, ``person``) is saved as an answer for
    the chosen rejection on every change. ``subject_flags``/``body_flags``
    hold the tone check's findings. ``feedback_id`` is the entry the record
    form edits; ``revision`` goes up after each save of an entry.
    """

    source_id = Unicode()
    person = Unicode()
    subject = Unicode()
    body = Unicode()
    subject_flags = List()
    body_flags = List()
    feedback_id = Unicode()
    revision = Int(0)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._rendered: tuple[str, str] = ("", "")
        if self.application_id and self.application() is None:
            self.application_id = ""
        if not self.application_id:
            return
        current = self._answers().get(CURRENT_KEY)
        if current in {s.id for s in self.content.sources}:
            self.choose_source(current)
        entries = self.feedback()
        if entries:
            self.feedback_id = entries[-1].id

    # -- the composer --

    def _answers(self) -> dict[str, Any]:
        return self.store.answers(self.client_id, self.application_id)

    def _require_rejection(self) -> None:
        if not self.application_id:
            raise NextRoundError("Choose the rejection you are working on in the log step "
                                 "first.")

    def render(self, source_id: str | None = None, person: str | None = None
               ) -> tuple[str, str]:
        """The suggested subject and body for a source, filled from the log."""
        return suggested_request(self, source_id or self.source_id,
                                 self.person if person is None else person)

    def choose_source(self, source_id: str) -> None:
        """Write to this kind of person: their saved draft, or a fresh one."""
        self._require_rejection()
        self.content.source(source_id)  # unknown ids fail here, before any change
        saved = saved_request(self, source_id)
        self.source_id = source_id
        if saved is not None:
            self.person = saved["person"]
            self._rendered = self.render()
            self.subject = saved["subject"]
            self.body = saved["body"]
        else:
            self.person = ""
            self._rendered = self.render()
            self.subject, self.body = self._rendered
        self.store.set_answer(self.client_id, CURRENT_KEY, source_id, self.application_id)
        self._check()
        self.save_draft()

    def set_person(self, name: str) -> bool:
        """Use this name; the text is refilled only if it was not edited yet.

        Returns True when the subject and body were refilled.
        """
        name = name or ""
        if len(name) > MAX_SHORT:
            raise NextRoundError("That name is too long to save. Please shorten it.")
        untouched = (self.subject, self.body) == self._rendered
        self.person = name
        self._rendered = self.render()
        if untouched:
            self.subject, self.body = self._rendered
            self._check()
        self.save_draft()
        return untouched

    def restart(self) -> None:
        """Throw away the edits and start again from the suggested text."""
        self._rendered = self.render()
        self.subject, self.body = self._rendered
        self._check()
        self.save_draft()

    def edit(self, *, subject: str | None = None, body: str | None = None) -> None:
        """The client changed the text: check its tone and save it."""
        if subject is not None:
            self.subject = subject
        if body is not None:
            self.body = body
        self._check()
        self.save_draft()

    def save_draft(self) -> None:
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
        if not self.application_id:
            return []
        return self.store.list(Feedback, self.client_id, application_id=self.application_id)

    def editing(self) -> Feedback | None:
        if not self.feedback_id:
            return None
        try:
            return self.store.get(Feedback, self.feedback_id)
        except NextRoundError:
            self.feedback_id = ""
            return None

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
        if len(values.get("person") or "") > MAX_SHORT:
            raise NextRoundError("That name is too long to save. Please shorten it.")
        record = self.store.add(Feedback(client_id=self.client_id,
                                         application_id=self.application_id,
                                         **_clean(values)))
        self.feedback_id = record.id
        self.revision += 1
        return record

    def edit_feedback(self, feedback_id: str) -> Feedback | None:
        self.feedback_id = feedback_id
        return self.editing()

    def save_feedback_field(self, field: str, value: Any) -> Feedback:
        """Save one field of the entry; the first thing typed creates the entry."""
        if field not in FEEDBACK_FIELDS:
            raise ValueError(f"unknown feedback field {field!r}")
        self._require_rejection()
        if field == "person" and len(value or "") > MAX_SHORT:
            raise NextRoundError("That name is too long to save. Please shorten it.")
        if self.editing() is None:
            return self.add_feedback(**{field: value})
        record = self.store.update(Feedback, self.feedback_id, **_clean({field: value}))
        self.revision += 1
        return record

    def source_name(self, source_id: str) -> str:
        try:
            return self.content.source(source_id).name
        except KeyError:
            return "Someone else"


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


class FeedbackRequest(Component):
    """The view: the ladder, the composer with its tone check, and the record."""

    title = "Ask for feedback"

    model_class = FeedbackRequestModel

    def build(self) -> list[W.Widget]:
        self._quiet = False
        self._copy_id = f"nr-copy-{secrets.token_hex(4)}"
        ladder = [heading("Whom to ask, in order"),
                  paragraph("Start at the top. The last two tend to tell you the most."),
                  W.HTML(render_ladder(self.model.content.sources))]
        if not self.model.application_id:
            self.missing = W.HTML(
                "<p class='nr-info' role='note'><strong>First, choose a rejection.</strong> "
                "Go to the log step and choose the rejection you are working on. "
                "Then come back here to ask about it.</p>")
            return [*ladder, self.missing]
        return [*ladder, *self._build_composer(), *self._build_record()]

    # -- composer --

    def _build_composer(self) -> list[W.Widget]:
        model: FeedbackRequestModel = self.model
        sources = [("Choose who you are writing to", "")] + [
            (s.name, s.id) for s in model.content.sources]
        self.source = W.Dropdown(options=sources, value=model.source_id)
        self.person = W.Text(value=model.person,
                             placeholder="For example: Sam Lee")
        self.subject = W.Text(value=model.subject)
        self.body = W.Textarea(value=model.body, rows=12)
        self.restart = W.Button(description="Start again from the suggested text")
        self.tone_check = ToneCheck()
        self.tone_summary, self.tone = self.tone_check.summary, self.tone_check.details
        self.copy = W.HTML()
        self.on_change(self.source, self._source_chosen)
        self.on_change(self.person, self._person_changed)
        self.on_change(self.subject, lambda text: self._text_changed(subject=text))
        self.on_change(self.body, lambda text: self._text_changed(body=text))
        self.on_click(self.restart, self._restart)
        self._enable_composer()
        self._show_tone()
        return [
            heading("Write your request"),
            paragraph("Choose who you are writing to. We fill in a short, kind message from "
                      "your log. Change it as you like: it saves as you type."),
            labelled(self.source, "Who you are writing to"),
            labelled(self.person, "Their name (optional)",
                     hint="We put it in the greeting if you have not changed the text yet."),
            labelled(self.subject, "Subject"),
            labelled(self.body, "Your message"),
            self.restart,
            heading("Tone check", level=4),
            self.tone_check,
            heading("Send it", level=4),
            self.copy,
        ]

    def _enable_composer(self) -> None:
        off = not self.model.source_id
        for widget in (self.person, self.subject, self.body, self.restart):
            widget.disabled = off

    def _load_composer(self) -> None:
        model = self.model
        self._quiet = True
        try:
            self.person.value = model.person
            self.subject.value = model.subject
            self.body.value = model.body
        finally:
            self._quiet = False
        self._enable_composer()
        self._show_tone()

    def _source_chosen(self, source_id: str) -> None:
        if self._quiet or not source_id:
            return
        self.model.choose_source(source_id)
        self._load_composer()
        if self.model.editing() is None:
            self._load_entry()  # a reply not begun yet is about this person
        self.status.saved("Your draft is ready to change. It saves as you type.")

    def _person_changed(self, name: str) -> None:
        if self._quiet:
            return
        if self.model.set_person(name):
            self._load_composer()
            self.status.saved("The name is in your message.")
        else:
            self.status.saved("The name is saved. You changed the text, so add the name "
                              "to it yourself.")

    def _text_changed(self, **text: str) -> None:
        if self._quiet:
            return
        self.model.edit(**text)
        self._show_tone()

    def _restart(self) -> None:
        self.model.restart()
        self._load_composer()
        self.status.saved("You are back to the suggested text.")

    def _show_tone(self) -> None:
        model: FeedbackRequestModel = self.model
        if not model.source_id:
            self.tone_check.clear()
            self.copy.value = ""
            return
        self.tone_check.show(model.subject, model.subject_flags, model.body, model.body_flags)
        self.copy.value = render_copy(model.final_text(), model.mailto(), self._copy_id)

    # -- record of what was heard --

    def _build_record(self) -> list[W.Widget]:
        model: FeedbackRequestModel = self.model
        self.add_entry = W.Button(description="Record a reply or a no-reply", icon="plus")
        self.on_click(self.add_entry, self._add_entry)
        self.entry = W.Dropdown(options=[])
        self.on_change(self.entry, self._edit_entry)
        sources = [(s.name, s.id) for s in model.content.sources] + [("Someone else", "")]
        self.fields: dict[str, W.Widget] = {
            "source_id": W.Dropdown(options=sources),
            "person": W.Text(),
            "asked_on": W.DatePicker(value=None),
            "heard": W.Textarea(rows=5,
                                placeholder="Their words, as close as you can remember them"),
            "no_reply": W.Checkbox(value=False),
            "heard_on": W.DatePicker(value=None),
        }
        for name, widget in self.fields.items():
            self.on_change(widget, lambda value, name=name: self._entry_changed(name, value))
        self.entries = W.HTML()
        model.observe(lambda _change: self._refresh_entries(), names="revision")
        self._refresh_entries()
        self._load_entry()
        labels = {
            "source_id": ("Who you asked", ""),
            "person": ("Their name", ""),
            "asked_on": ("Date you asked", ""),
            "heard": ("What they said", "Write what you heard, or tick “No reply” below."),
            "no_reply": ("No reply", "Tick this if they have not answered."),
            "heard_on": ("Date you heard back", ""),
        }
        return [
            heading("What you heard"),
            paragraph("Write down each reply, even a short one. No reply is worth noting "
                      "too. It all saves as you type."),
            self.add_entry,
            labelled(self.entry, "The reply you are editing"),
            *(labelled(self.fields[name], labels[name][0], hint=labels[name][1])
              for name in FEEDBACK_FIELDS),
            heading("Replies so far", level=4),
            self.entries,
        ]

    def _refresh_entries(self) -> None:
        model: FeedbackRequestModel = self.model
        entries = model.feedback()
        ids = [e.id for e in entries]
        options = [(describe_entry(model, e), e.id) for e in entries] or [("None yet", "")]
        self._quiet = True
        try:
            self.entry.options = options
            self.entry.value = model.feedback_id if model.feedback_id in ids else \
                (None if entries else "")
        finally:
            self._quiet = False
        self.entries.value = render_entries(model, entries)

    def _load_entry(self) -> None:
        record = self.model.editing()
        values = record.model_dump() if record else {
            "source_id": self.model.source_id, "person": self.model.person, "asked_on": None,
            "heard": "", "no_reply": False, "heard_on": None}
        self._quiet = True
        try:
            for name, widget in self.fields.items():
                widget.value = values[name]
        finally:
            self._quiet = False

    def _add_entry(self) -> None:
        self.model.add_feedback()
        self._refresh_entries()
        self._load_entry()
        self.status.info("A new reply is ready to fill in. It saves as you type.")

    def _edit_entry(self, feedback_id: str | None) -> None:
        if self._quiet or not feedback_id:
            return
        self.model.edit_feedback(feedback_id)
        self._load_entry()
        self.status.clear()

    def _entry_changed(self, name: str, value: Any) -> None:
        if self._quiet:
            return
        if self.model.editing() is None:
            # The first thing typed creates the entry with all the form shows.
            form = {field: widget.value for field, widget in self.fields.items()}
            record = self.model.add_feedback(**form)
        else:
            record = self.model.save_feedback_field(name, value)
        if record.heard_on and record.asked_on and record.heard_on < record.asked_on:
            self.status.warn("Saved, but the date you heard back is before the date you "
                             "asked. Check the two dates.")
        else:
            self.status.saved()


# --- HTML ---------------------------------------------------------------------


def render_ladder(sources) -> str:
    """Whom to ask, as an ordered list in the content's order."""
    items = "".join(
        f"<li><strong>{esc(s.name)}</strong> <span class='nr-candour'>"
        f"({esc(CANDOUR.get(s.candour, s.candour))})</span>"
        f"<p>{esc(s.why)}</p><p><em>What to expect:</em> {esc(s.expect)}</p></li>"
        for s in sources)
    return f"<ol class='nr-ladder'>{items}</ol>"


def mark_flags(text: str, flags: list[ToneFlag]) -> str:
    """``text`` escaped, with each flagged phrase wrapped in ``<mark>``."""
    parts: list[str] = []
    at = 0
    for flag in sorted(flags, key=lambda f: f.start):
        if flag.start < at:
            continue
        parts.append(esc(text[at:flag.start]))
        parts.append(f"<mark>{esc(text[flag.start:flag.end])}</mark>")
        at = flag.end
    parts.append(esc(text[at:]))
    return "".join(parts)


def render_tone_summary(count: int) -> str:
    """The tone check's finding in words, in a live region (not colour alone)."""
    if count:
        summary = (f"<strong>Check this:</strong> {count} phrase{'s' if count != 1 else ''} "
                   "to reword. Each one is marked in your draft below.")
        kind = "warn"
    else:
        summary = "<strong>Looks good:</strong> Your draft reads as gracious."
        kind = "ok"
    return f'<div role="status" aria-live="polite" class="nr-{kind}">{summary}</div>'


def render_tone(subject: str, subject_flags: list[ToneFlag], body: str,
                body_flags: list[ToneFlag]) -> str:
    """The draft with each phrase to reword marked, and what to say instead."""
    flags = [*subject_flags, *body_flags]
    advice = "".join(
        f"<li><p>You wrote: “<mark>{esc(f.phrase)}</mark>”</p>"
        f"<p>Try instead: “{esc(f.alternative)}”</p><p class='nr-hint'>{esc(f.why)}</p></li>"
        for f in flags)
    advice_html = f"<ul class='nr-tone-list'>{advice}</ul>" if flags else ""
    return (f"{advice_html}"
            f"<div class='nr-draft'><p><strong>Subject:</strong> "
            f"{mark_flags(subject, subject_flags)}</p>"
            f"<div style='white-space: pre-wrap'>{mark_flags(body, body_flags)}</div></div>")


def render_copy(text: str, mailto: str, element_id: str) -> str:
    """A read-only box to copy the message from, and a link to an email app."""
    rows = min(20, max(6, text.count("\n") + 2))
    return (f"<div class='nr-copy'><label for='{esc(element_id)}'>Copy this text</label><br>"
            f"<textarea id='{esc(element_id)}' readonly rows='{rows}' "
            f"style='width: 100%; max-width: 46em; box-sizing: border-box'>{esc(text)}</textarea>"
            f"<p><a class='nr-mailto' href=\"{esc(mailto)}\">Open in your email app</a> "
            "(you add their address there).</p></div>")


def describe_entry(model: FeedbackRequestModel, record: Feedback) -> str:
    """A one-line name for a feedback entry (plain text, for a drop-down)."""
    name = model.source_name(record.source_id)
    if record.person.strip():
        name += f": {record.person.strip()}"
    when = record.heard_on or record.asked_on
    return f"{name} ({_date(when)})" if when else name


def render_entries(model: FeedbackRequestModel, entries: list[Feedback]) -> str:
    """The replies recorded so far; all of it is the client's text, so escaped."""
    if not entries:
        return "<p class='nr-text'>Nothing recorded yet.</p>"
    items = []
    for record in entries:
        who = esc(model.source_name(record.source_id))
        if record.person.strip():
            who += f" ({esc(record.person)})"
        asked = f" You asked on {_date(record.asked_on)}." if record.asked_on else ""
        if record.no_reply:
            said = "<em>No reply.</em>"
        elif record.heard.strip():
            heard_on = f" on {_date(record.heard_on)}" if record.heard_on else ""
            said = (f"They said{heard_on}: <span style='white-space: pre-wrap'>"
                    f"“{esc(record.heard.strip())}”</span>")
        else:
            said = "<em>Nothing written yet.</em>"
        items.append(f"<li><strong>{who}</strong>.{asked} {said}</li>")
    return f"<ul class='nr-feedback-list'>{''.join(items)}</ul>"


def _date(value: date | None) -> str:
    return f"{value:%d %B %Y}".lstrip("0") if value else ""
