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

    from nextround.components import FeedbackRequest
    FeedbackRequest.create(content=content, store=store, client_id=client.id)
"""

from __future__ import annotations

import secrets
from typing import Any

import ipywidgets as W

from ..advice import ToneFlag, check_tone
from ..i18n import N_, _, ngettext
from ..model import Feedback
from ..text import esc, nice_date
from ._view import heading, paragraph
from .base import Component, labelled
from .feedback_request_model import (  # noqa: F401 - the step's public names live on here
    CANDOUR,
    CURRENT_KEY,
    FEEDBACK_FIELDS,
    MAX_SHORT,
    REPLY_TRAITS,
    FeedbackRequestModel,
    draft_key,
    save_request,
    saved_request,
    shared_source,
    suggested_request,
)


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


class FeedbackRequest(Component):
    """Ask for feedback: whom to ask, the composer with its tone check, and the replies.

    How a request is worded decides whether anyone answers, so the step
    suggests whom to ask (in order), fills a warm request from the
    content's templates, checks its tone as the client edits it, and keeps
    a record of what each person said.

    Parameters
    ----------
    model : FeedbackRequestModel
        The step's state. ``FeedbackRequest.create(content=..., store=..., client_id=...,
        application_id=None)`` builds it for a client and this view over it
        (see :meth:`Component.create`).

    Events
    ------
    model.entries
        The replies recorded for this rejection, replaced after each change.

    Saves
    -----
    ``draft.current``
        Whom the draft shown is written to.
    ``draft.{source}``
        Each draft (subject, body, name), as typed.
    :class:`~nextround.model.Feedback`
        Each reply recorded.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLogModel
    >>> log = RejectionLogModel(content=content, store=store, client_id=sam.id)
    >>> log.company, log.role, log.outcome = "Northwind", "Data analyst", "rejected"
    >>> from nextround.components import FeedbackRequest
    >>> step = FeedbackRequest.create(content=content, store=store, client_id=sam.id)
    >>> step.model.source_id = "hiring_manager"     # as if chosen in "Whom to ask"
    >>> step.model.subject != ""
    True
    """

    title = "Ask for feedback"

    model_class = FeedbackRequestModel

    def build(self) -> list[W.Widget]:
        self._copy_id = f"nr-copy-{secrets.token_hex(4)}"
        ladder = [heading(_("Whom to ask, in order")),
                  paragraph(_("Start at the top. The last two tend to tell you the most.")),
                  W.HTML(render_ladder(self.model.content.sources))]
        if not self.model.application_id:
            self.missing = W.HTML("<p class='nr-info' role='note'><strong>{}</strong> {}</p>"
                                  .format(esc(_("First, choose a rejection.")), esc(_(
                                      "Go to the log step and choose the rejection you are "
                                      "working on. Then come back here to ask about it."))))
            return [*ladder, self.missing]
        return [*ladder, *self._build_composer(), *self._build_record()]

    # -- composer --

    def _build_composer(self) -> list[W.Widget]:
        model: FeedbackRequestModel = self.model
        sources = [(_("Choose who you are writing to"), "")] + [
            (s.name, s.id) for s in model.content.sources]
        self.source = W.Dropdown(options=sources, value="")
        self.person = W.Text(placeholder=_("For example: Sam Lee"))
        self.subject = W.Text()
        self.body = W.Textarea(rows=12)
        self.bind(self.source, "source_id", to_model=lambda value: value or model.source_id)
        for widget, trait in ((self.person, "person"), (self.subject, "subject"),
                              (self.body, "body")):
            self.bind(widget, trait)
        self.restart = W.Button(description=_("Start again from the suggested text"))
        self.tone_check = ToneCheck()
        self.tone_summary, self.tone = self.tone_check.summary, self.tone_check.details
        self.copy = W.HTML()
        self.on_click(self.restart, self._restart)
        model.observe(lambda _change: self._enable_composer(), names="source_id")
        model.observe(lambda _change: self._show_tone(), names=["subject_flags", "body_flags"])
        self._enable_composer()
        self._show_tone()
        return [
            heading(_("Write your request")),
            paragraph(_("Choose who you are writing to. We fill in a short, kind message from "
                      "your log. Change it as you like: it saves as you type.")),
            labelled(self.source, _("Who you are writing to")),
            labelled(self.person, _("Their name (optional)"),
                     hint=_("We put it in the greeting if you have not changed the text yet.")),
            labelled(self.subject, _("Subject")),
            labelled(self.body, _("Your message")),
            self.restart,
            heading(_("Tone check"), level=4),
            self.tone_check,
            heading(_("Send it"), level=4),
            self.copy,
        ]

    def _enable_composer(self) -> None:
        off = not self.model.source_id
        for widget in (self.person, self.subject, self.body, self.restart):
            widget.disabled = off

    def saved(self, name: str, value: Any, result: Any) -> None:
        """Say what a save did, and show the tone of the text as saved."""
        if name in REPLY_TRAITS.values():
            self._entry_saved(result)
            return
        self._show_tone()
        if name == "source_id":
            self.status.saved(_("Your draft is ready to change. It saves as you type."))
        elif name == "person" and result:
            self.status.saved(_("The name is in your message."))
        elif name == "person":
            self.status.saved(_("The name is saved. You changed the text, so add the name "
                              "to it yourself."))
        else:
            self.status.saved()

    def _restart(self) -> None:
        self.model.restart()
        self._show_tone()
        self.status.saved(_("You are back to the suggested text."))

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
        self.add_entry = W.Button(description=_("Record a reply or a no-reply"), icon="plus")
        self.on_click(self.add_entry, self._add_entry)
        self.entry = W.Dropdown(options=self._entry_options(), value=None)
        self.bind(self.entry, "feedback_id")
        model.observe(lambda _change: self.status.clear(), names="feedback_id")
        sources = [(s.name, s.id) for s in model.content.sources] + [(_("Someone else"), "")]
        self.fields: dict[str, W.Widget] = {
            "source_id": W.Dropdown(options=sources),
            "person": W.Text(),
            "asked_on": W.DatePicker(value=None),
            "heard": W.Textarea(rows=5,
                                placeholder=_("Their words, as close as you can remember them")),
            "no_reply": W.Checkbox(value=False),
            "heard_on": W.DatePicker(value=None),
        }
        for name, widget in self.fields.items():
            self.bind(widget, REPLY_TRAITS[name])
        self.entries = W.HTML(render_entries(model, model.entries))
        model.observe(lambda _change: self._refresh_entries(), names="entries")
        return [
            heading(_("What you heard")),
            paragraph(_("Write down each reply, even a short one. No reply is worth noting "
                      "too. It all saves as you type.")),
            self.add_entry,
            labelled(self.entry, _("The reply you are editing")),
            *(labelled(self.fields[name], _(ENTRY_LABELS[name][0]),
                       hint=_(ENTRY_LABELS[name][1]) if ENTRY_LABELS[name][1] else "")
              for name in FEEDBACK_FIELDS),
            heading(_("Replies so far"), level=4),
            self.entries,
        ]

    def _entry_options(self) -> list[tuple[str, str]]:
        model: FeedbackRequestModel = self.model
        return ([(describe_entry(model, e), e.id) for e in model.entries]
                or [(_("None yet"), "")])

    def _refresh_entries(self) -> None:
        self.replace_options(self.entry, self._entry_options())
        self.entries.value = render_entries(self.model, self.model.entries)

    def _add_entry(self) -> None:
        self.model.add_feedback()
        self.status.info(_("A new reply is ready to fill in. It saves as you type."))

    def _entry_saved(self, record: Feedback) -> None:
        if record.heard_on and record.asked_on and record.heard_on < record.asked_on:
            self.status.warn(_("Saved, but the date you heard back is before the date you "
                             "asked. Check the two dates."))
        else:
            self.status.saved()


#: Each reply field's label and hint.
ENTRY_LABELS = {
    "source_id": (N_("Who you asked"), ""),
    "person": (N_("Their name"), ""),
    "asked_on": (N_("Date you asked"), ""),
    "heard": (N_("What they said"), N_("Write what you heard, or tick “No reply” below.")),
    "no_reply": (N_("No reply"), N_("Tick this if they have not answered.")),
    "heard_on": (N_("Date you heard back"), ""),
}


# --- HTML ---------------------------------------------------------------------


def render_ladder(sources) -> str:
    """Whom to ask, as an ordered list in the content's order."""
    expect = esc(_("What to expect:"))
    items = "".join(
        f"<li><strong>{esc(s.name)}</strong> <span class='nr-candour'>"
        f"({esc(candour(s.candour))})</span>"
        f"<p>{esc(s.why)}</p><p><em>{expect}</em> {esc(s.expect)}</p></li>"
        for s in sources)
    return f"<ol class='nr-ladder'>{items}</ol>"


def candour(level: str) -> str:
    """How open a kind of person tends to be, in words."""
    return _(CANDOUR[level]) if level in CANDOUR else level


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
        summary = "<strong>{}</strong> {}".format(esc(_("Check this:")), esc(ngettext(
            "{count} phrase to reword. Each one is marked in your draft below.",
            "{count} phrases to reword. Each one is marked in your draft below.",
            count).format(count=count)))
        kind = "warn"
    else:
        summary = "<strong>{}</strong> {}".format(esc(_("Looks good:")),
                                                  esc(_("Your draft reads as gracious.")))
        kind = "ok"
    return f'<div role="status" aria-live="polite" class="nr-{kind}">{summary}</div>'


def render_tone(subject: str, subject_flags: list[ToneFlag], body: str,
                body_flags: list[ToneFlag]) -> str:
    """The draft with each phrase to reword marked, and what to say instead."""
    flags = [*subject_flags, *body_flags]
    advice = "".join(
        "<li><p>{}</p><p>{}</p><p class='nr-hint'>{}</p></li>".format(
            _("You wrote: “{phrase}”").format(phrase=f"<mark>{esc(f.phrase)}</mark>"),
            _("Try instead: “{words}”").format(words=esc(f.alternative)), esc(f.why))
        for f in flags)
    advice_html = f"<ul class='nr-tone-list'>{advice}</ul>" if flags else ""
    subject_word = esc(_("Subject:"))
    return (f"{advice_html}"
            f"<div class='nr-draft'><p><strong>{subject_word}</strong> "
            f"{mark_flags(subject, subject_flags)}</p>"
            f"<div style='white-space: pre-wrap'>{mark_flags(body, body_flags)}</div></div>")


def render_copy(text: str, mailto: str, element_id: str) -> str:
    """A read-only box to copy the message from, and a link to an email app."""
    rows = min(20, max(6, text.count("\n") + 2))
    copy, open_app = esc(_("Copy this text")), esc(_("Open in your email app"))
    address = esc(_("(you add their address there)."))
    return (f"<div class='nr-copy'><label for='{esc(element_id)}'>{copy}</label><br>"
            f"<textarea id='{esc(element_id)}' readonly rows='{rows}' "
            f"style='width: 100%; max-width: 46em; box-sizing: border-box'>{esc(text)}</textarea>"
            f"<p><a class='nr-mailto' href=\"{esc(mailto)}\">{open_app}</a> {address}</p></div>")


def describe_entry(model: FeedbackRequestModel, record: Feedback) -> str:
    """A one-line name for a feedback entry (plain text, for a drop-down)."""
    name = model.source_name(record.source_id)
    if record.person.strip():
        name += f": {record.person.strip()}"
    when = record.heard_on or record.asked_on
    return f"{name} ({nice_date(when)})" if when else name


def render_entries(model: FeedbackRequestModel, entries: list[Feedback]) -> str:
    """The replies recorded so far; all of it is the client's text, so escaped."""
    if not entries:
        return "<p class='nr-text'>" + esc(_("Nothing recorded yet.")) + "</p>"
    items = []
    for record in entries:
        who = esc(model.source_name(record.source_id))
        if record.person.strip():
            who += f" ({esc(record.person)})"
        asked = (" " + esc(_("You asked on {date}.").format(date=nice_date(record.asked_on)))
                 if record.asked_on else "")
        if record.no_reply:
            said = "<em>" + esc(_("No reply.")) + "</em>"
        elif record.heard.strip():
            they_said = (_("They said on {date}:").format(date=nice_date(record.heard_on))
                         if record.heard_on else _("They said:"))
            said = (f"{esc(they_said)} <span style='white-space: pre-wrap'>"
                    f"“{esc(record.heard.strip())}”</span>")
        else:
            said = "<em>" + esc(_("Nothing written yet.")) + "</em>"
        items.append(f"<li><strong>{who}</strong>.{asked} {said}</li>")
    return f"<ul class='nr-feedback-list'>{''.join(items)}</ul>"
