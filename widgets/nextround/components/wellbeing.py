"""Look after yourself: a mood check-in, the reminders, and an assumption check.

Rejection hurts, and a client who has just been turned down tends to guess
at reasons that are out of their hands. This step lets them say how they
feel, reminds them what a rejection does and does not mean, and, when a
thought like "they wanted someone younger" appears, offers a turn toward
what they can control.

Example::

    from nextround.components import Wellbeing
    Wellbeing.create(content=content, store=store, client_id=client.id)
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W
from traitlets import Int, List, TraitError, Unicode, observe, validate

from .. import answer_keys as keys
from ..advice import AssumptionFlag, check_assumptions
from ..i18n import _
from ..model import CheckIn, ThoughtRecord, utcnow
from ..text import esc
from ._view import heading, paragraph
from .base import Component, StepModel, chosen, labelled, typed

THOUGHT_FIELDS = ("situation", "assumption", "evidence", "reframe")
#: A note typed before any mood is chosen today waits here, so it is not lost.
NOTE_DRAFT = keys.NOTE_DRAFT.key()


class WellbeingModel(StepModel):
    """Today's check-in and the thought record being written.

    Choosing a mood saves today's check-in at once; choosing again the same
    day updates it rather than adding a second one. The thought record is
    created by the first thing typed into it and updated after that.

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
    assumption
        Each change runs the assumption check; its findings land in ``flags``.
    mood
        Saving the first mood of the day sets ``checkin_id``.

    Saves
    -----
    :class:`~nextround.model.CheckIn`
        Today's mood and note, one a day (``mood``, ``note``).
    :class:`~nextround.model.ThoughtRecord`
        The four fields of the thought record (``situation`` ... ``reframe``).
    ``checkin.note_draft``
        A note typed before any mood is chosen today, until one is.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import WellbeingModel
    >>> model = WellbeingModel(content=content, store=store, client_id=sam.id)
    >>> model.mood = 4
    >>> [checkin.mood for checkin in model.checkins()]
    [4]
    """

    mood = chosen(Int(0, help="How the client feels today on the content's scale; 0 is "
                              "not chosen yet."))
    note = typed(Unicode(help="A note about today, saved with today's check-in."))
    situation = typed(Unicode(help="Thought record: what happened."))
    assumption = typed(Unicode(help="Thought record: what the client tells themselves."))
    evidence = typed(Unicode(help="Thought record: what they actually know."))
    reframe = typed(Unicode(help="Thought record: what they can control next time."))
    flags = List(help="What the assumption check found in ``assumption``.")
    checkin_id = Unicode(help="Today's check-in, once a mood is chosen.")
    thought_id = Unicode(help="The thought record being written, once begun.")

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._load()

    def _load(self) -> None:
        today = self.today
        for checkin in reversed(self.store.list(CheckIn, self.client_id)):
            if checkin.at.date() == today:
                self.checkin_id = checkin.id
                self.load(mood=checkin.mood, note=checkin.note)
                break
        else:
            self.load(note=str(self.store.answers(self.client_id).get(NOTE_DRAFT) or ""))
        thoughts = self.store.list(ThoughtRecord, self.client_id)
        if thoughts:
            latest = thoughts[-1]
            self.thought_id = latest.id
            self.load(**{name: getattr(latest, name) for name in THOUGHT_FIELDS})

    @validate("mood")
    def _mood_on_the_scale(self, proposal: dict) -> int:
        scale = self.content.mood
        mood = proposal["value"]
        if mood and not scale.min <= mood <= scale.max:
            raise TraitError(f"mood must be between {scale.min} and {scale.max}")
        return mood

    @observe("assumption")
    def _check_assumption(self, change: dict) -> None:
        self.flags = check_assumptions(change["new"], self.content)

    def save_edit(self, name: str, value: Any) -> CheckIn | ThoughtRecord | None:
        """The saving observer's write: a mood, the note or a thought record field."""
        if name == "mood":
            return self._save_checkin(mood=value) if value else None
        if name == "note":
            return self._save_note(value)
        return self._save_thought(name, value)

    def _save_note(self, note: str) -> CheckIn | None:
        """Save the note beside today's mood; a note alone is kept until a mood is chosen."""
        if not self.checkin_id:
            self.store.set_answer(self.client_id, NOTE_DRAFT, note or None)
            return None
        return self._save_checkin(note=note)

    def _save_checkin(self, **changes: Any) -> CheckIn:
        if self.checkin_id:
            return self.store.update(CheckIn, self.checkin_id, **changes)
        record = self.store.add(CheckIn(client_id=self.client_id, at=utcnow(), mood=self.mood,
                                        note=self.note))
        self.checkin_id = record.id
        if self.note:
            self.store.set_answer(self.client_id, NOTE_DRAFT, None)
        return record

    def _save_thought(self, field: str, text: str) -> ThoughtRecord | None:
        """Save one field of the thought record; the first words typed create it."""
        if self.thought_id:
            return self.store.update(ThoughtRecord, self.thought_id, **{field: text})
        if not text.strip():
            return None
        record = self.store.add(ThoughtRecord(client_id=self.client_id, **{field: text}))
        self.thought_id = record.id
        return record

    def new_thought(self) -> None:
        """Start a fresh thought record; the last one stays saved."""
        self.thought_id = ""
        self.load(**dict.fromkeys(THOUGHT_FIELDS, ""))

    def checkins(self) -> list[CheckIn]:
        """The client's mood check-ins, oldest first."""
        return self.store.list(CheckIn, self.client_id)


class Wellbeing(Component):
    """Look after yourself: mood buttons, a note, the reminders and the thought record.

    A client just turned down tends to guess at reasons out of their hands;
    this step lets them say how they feel, and turns such a guess toward
    what they can control (the assumption check under the thought record).

    Parameters
    ----------
    model : WellbeingModel
        The step's state. ``Wellbeing.create(content=..., store=..., client_id=...,
        application_id=None)`` builds it for a client and this view over it
        (see :meth:`Component.create`).

    Events
    ------
    model.flags
        The assumption check's findings, shown under the thought record.

    Saves
    -----
    :class:`~nextround.model.CheckIn`
        Today's mood and note (see :class:`WellbeingModel`).
    :class:`~nextround.model.ThoughtRecord`
        The thought record, field by field as it is typed.
    ``checkin.note_draft``
        A note typed before today's mood is chosen.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import Wellbeing
    >>> step = Wellbeing.create(content=content, store=store, client_id=sam.id)
    >>> step.mood.value = 2                  # the client picks "2" on the mood scale
    >>> [checkin.mood for checkin in step.model.checkins()], step.status.text
    ([2], "Saved. Today's check-in is saved.")
    """

    title = "Look after yourself"

    model_class = WellbeingModel

    def build(self) -> list[W.Widget]:
        model: WellbeingModel = self.model
        scale = model.content.mood
        options = [(f"{value} – {scale.labels.get(value, '')}".rstrip(" –"), value)
                   for value in range(scale.min, scale.max + 1)]
        self.mood = W.RadioButtons(options=options, value=None)
        self.note = W.Textarea(placeholder=_("Anything you want to say about today"))
        self.bind(self.mood, "mood", to_widget=lambda mood: mood or None,
                  to_model=lambda value: int(value or 0))
        self.bind(self.note, "note")

        self.thought_inputs = {name: W.Textarea() for name in THOUGHT_FIELDS}
        labels = {
            "situation": (_("What happened?"), _("A line or two is enough.")),
            "assumption": (_("What are you telling yourself about why?"),
                           _("Write the thought as it comes, for example “they wanted someone "
                             "younger”.")),
            "evidence": (_("What do you actually know?"), _("Only what you were told or saw.")),
            "reframe": (_("What can you control next time?"), ""),
        }
        for name, widget in self.thought_inputs.items():
            self.bind(widget, name)
        self.flag_box = W.HTML()
        model.observe(lambda _change: self._show_flags(), names="flags")
        self._show_flags()
        new_thought = W.Button(description=_("Start a new thought record"), icon="")
        self.on_click(new_thought, self._new_thought)

        reminders = "".join(
            f"<li><strong>{esc(r.text)}</strong> {esc(r.detail)}</li>"
            for r in model.content.reminders)
        return [
            heading(_("How are you feeling today?")),
            labelled(self.mood, scale.question),
            labelled(self.note, _("A note about today (optional)")),
            heading(_("Things to remember")),
            W.HTML(f"<ul class='nr-reminders'>{reminders}</ul>"),
            heading(_("Check a thought")),
            paragraph(_("When a rejection stings, the mind fills in reasons. Write the thought "
                      "down and look at it in daylight.")),
            *(labelled(self.thought_inputs[name], labels[name][0], hint=labels[name][1])
              for name in THOUGHT_FIELDS),
            self.flag_box,
            new_thought,
        ]

    def saved(self, name: str, value: Any, result: Any) -> None:
        if name == "mood":
            self.status.saved(_("Today's check-in is saved."))
        elif name == "note" and result is None:
            self.status.saved(_("Your note is kept. Choose how you feel above to save it "
                              "with today's check-in."))
        elif name == "note":
            self.status.saved(_("Your note is saved."))
        else:
            self.status.saved()

    def _new_thought(self) -> None:
        self.model.new_thought()
        self.status.info(_("Your last thought record is saved. This one starts blank."))

    def _show_flags(self) -> None:
        self.flag_box.value = render_flags(self.model.flags)


def render_flags(flags: list[AssumptionFlag]) -> str:
    """The assumption check's findings as HTML, user words escaped."""
    if not flags:
        return ""
    items = []
    for flag in flags:
        control = "".join(f"<li>{esc(item)}</li>" for item in flag.control)
        heard = ", ".join(_("“{words}”").format(words=esc(p)) for p in flag.phrases)
        items.append(
            "<div class='nr-card nr-assumption' role='note'>"
            "<p><strong>{}</strong> ({})</p>".format(
                esc(_("This sounds like a guess: {kind}").format(kind=flag.label)), heard)
            + f"<p>{esc(flag.reframe)}</p><p>" + esc(_("What you can control:")) + "</p>"
            f"<ul>{control}</ul></div>")
    return "".join(items)
