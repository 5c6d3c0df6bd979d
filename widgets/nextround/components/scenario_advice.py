"""Make sense of it: what the feedback suggests, and what to do about it.

The words an employer uses ("an internal candidate", "a different
direction") tend to mean something specific, and each kind calls for
different next steps. This step reads what the client recorded about the
chosen rejection and *suggests* the scenarios that fit, showing the words
that led there. The client confirms one or chooses another: the reading is
theirs, never a silent decision. The card for it gives the reading,
questions to reflect on (answers save as typed) and actions to add to the
plan with one click.

The card's widgets are made once and refilled when another scenario is
chosen, so switching is a handful of value updates, not a new widget tree.

Example::

    from nextround.components import ScenarioAdvice
    ScenarioAdvice.create(content=content, store=store, client_id=client.id)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import ipywidgets as W
from traitlets import List, TraitError, Unicode, observe, validate

from .. import answer_keys as keys
from ..advice import NO_FEEDBACK, SKILL_GAP, FeedbackReading, highlight, read_feedback
from ..errors import NextRoundError
from ..i18n import _, translator
from ..model import Action, Feedback
from ..text import esc
from ._view import heading
from .base import Component, StepModel, labelled, saves, typed


def reflection_key(scenario_id: str, question_id: str) -> str:
    """The answer key of one reflection question on one scenario card."""
    return keys.REFLECTION.key(scenario=scenario_id, question=question_id)


def reflection_trait(index: int) -> str:
    """The model trait holding the reflection in the card's ``index``-th question."""
    return f"reflection_{index}"


class ScenarioAdviceModel(StepModel):
    """Suggestions from the feedback, the scenario shown, and the one confirmed.

    ``selected_id`` is the scenario whose card is shown; ``confirmed_id``
    the one the client confirmed (saved on each feedback record and as the
    ``scenario`` answer of the rejection). ``planned`` lists the library
    actions already in the plan for this rejection. The card's reflections
    are the traits ``reflection_0``, ``reflection_1``… (one per question
    of the largest card), loaded whenever another card is shown.

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
    selected_id
        Another card shown: its reflections are loaded into ``reflection_<n>``.
    confirmed_id
        The reading the client confirmed (:meth:`confirm`).
    planned
        Replaced when an action is added to the plan (:meth:`add_to_plan`).

    Saves
    -----
    ``scenario``
        The reading confirmed for this rejection.
    :class:`~nextround.model.Feedback`
        The confirmed reading, on each reply recorded for this rejection.
    ``reflect.{scenario}.{question}``
        Each reflection under a card, as typed.
    :class:`~nextround.model.Action`
        An action from the card, added to the plan.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLogModel
    >>> log = RejectionLogModel(content=content, store=store, client_id=sam.id)
    >>> log.company, log.role, log.outcome = "Northwind", "Data analyst", "rejected"
    >>> from nextround.components import ScenarioAdviceModel
    >>> model = ScenarioAdviceModel(content=content, store=store, client_id=sam.id)
    >>> model.confirm("skill_gap")
    'skill_gap'
    >>> store.answers(sam.id, model.application_id)["scenario"]
    'skill_gap'
    """

    suggestions = List(help="The readings that fit the feedback, most likely first.")
    #: The whole reading behind ``suggestions`` (plain attribute, set by suggest()).
    reading: FeedbackReading | None = None
    selected_id = Unicode(help="The scenario whose card is shown ('' for none).")
    confirmed_id = Unicode(help="The scenario the client confirmed ('' until then).")
    planned = List(help="Library ids of the actions already in the plan for this rejection.")

    def __init__(self, **kwargs: Any):
        most = max(len(s.questions) for s in kwargs["content"].scenarios)
        self.add_traits(**{reflection_trait(i): typed(Unicode(
            help=f"The reflection on the shown card's question {i + 1}.")) for i in range(most)})
        super().__init__(**kwargs)
        if self.application_id and self.application() is None:
            self.application_id = ""
        if not self.application_id:
            return
        self.suggest()
        self.confirmed_id = self._saved_scenario()
        self.selected_id = self.confirmed_id or self._top()
        self.planned = self._planned()

    @validate("selected_id")
    def _a_known_scenario(self, proposal: dict) -> str:
        if proposal["value"] and not self._known(proposal["value"]):
            raise TraitError(f"unknown scenario {proposal['value']!r}")
        return proposal["value"]

    @observe("selected_id")
    def _load_reflections(self, change: dict) -> None:
        scenario = self.scenario()
        answers = self.reflections(scenario.id) if scenario else {}
        ids = [q.id for q in scenario.questions] if scenario else []
        self.load(**{reflection_trait(i): answers.get(ids[i], "") if i < len(ids) else ""
                     for i in range(self.slots())})

    def slots(self) -> int:
        """How many reflection traits there are (the questions of the largest card)."""
        return max(len(s.questions) for s in self.content.scenarios)

    def scenario(self):
        """The scenario whose card is shown, or None."""
        return self.content.scenario(self.selected_id) if self.selected_id else None

    # -- reading --

    def _known(self, scenario_id: str) -> bool:
        return scenario_id in {s.id for s in self.content.scenarios}

    def _saved_scenario(self) -> str:
        saved = self.store.answers(self.client_id, self.application_id).get(keys.SCENARIO.key())
        if isinstance(saved, str) and self._known(saved):
            return saved
        for record in self.feedback():
            if self._known(record.scenario_id):
                return record.scenario_id
        return ""

    def _top(self) -> str:
        return self.suggestions[0].scenario_id if self.suggestions else ""

    def _planned(self) -> list[str]:
        actions = self.store.list(Action, self.client_id, application_id=self.application_id)
        return sorted({a.library_id for a in actions if a.library_id})

    def feedback(self) -> list[Feedback]:
        """The replies recorded for this rejection, oldest first."""
        if not self.application_id:
            return []
        return self.store.list(Feedback, self.client_id, application_id=self.application_id)

    def feedback_text(self) -> str:
        """Everything heard about this rejection; replies that never came add nothing."""
        return "\n".join(f.heard.strip() for f in self.feedback()
                         if not f.no_reply and f.heard.strip())

    def reflections(self, scenario_id: str) -> dict[str, str]:
        """The client's answers to one card's questions, by question id."""
        if not self.application_id:
            return {}
        answers = self.store.answers(self.client_id, self.application_id)
        found = {}
        for key, value in answers.items():
            parts = keys.REFLECTION.parse(key)
            if parts is not None and parts["scenario"] == scenario_id:
                found[parts["question"]] = str(value or "")
        return found

    # -- writing --

    def _require_rejection(self) -> None:
        if not self.application_id:
            raise NextRoundError(_("Choose the rejection you are working on in the log step "
                                 "first."))

    def suggest(self) -> list:
        """Read the recorded feedback again and rank the scenarios that fit.

        ``reading`` keeps the whole reading (how sure it is, the sentences
        that led to it) for the view; ``suggestions`` the ranked list.
        """
        self.reading = read_feedback(self.feedback_text(), self.content)
        self.suggestions = self.reading.suggestions
        return self.suggestions

    def skill(self) -> str:
        """The missing skill the feedback names, quoted from it, if any."""
        reading = self.reading
        return next((s.skill for s in reading.suggestions if s.scenario_id == SKILL_GAP
                     and s.skill), "") if reading else ""

    def select(self, scenario_id: str) -> None:
        """Show this scenario's card (not yet a confirmation)."""
        if not self._known(scenario_id):
            raise NextRoundError(_("Please choose one of the listed readings."))
        saves.flush()  # a reflection still waiting belongs to the card shown until now
        self.selected_id = scenario_id

    def confirm(self, scenario_id: str | None = None) -> str:
        """The client says this reading fits: save it on the feedback and as an answer."""
        self._require_rejection()
        scenario_id = scenario_id or self.selected_id
        self.select(scenario_id)
        stale = [record.id for record in self.feedback() if record.scenario_id != scenario_id]
        self.store.update_and_answer(Feedback, stale, {"scenario_id": scenario_id},
                                     client_id=self.client_id, key=keys.SCENARIO.key(),
                                     value=scenario_id, application_id=self.application_id)
        self.confirmed_id = scenario_id
        return scenario_id

    def save_edit(self, name: str, value: Any) -> None:
        """The saving observer's write: a reflection on the card shown."""
        index = int(name.removeprefix("reflection_"))
        scenario = self.scenario()
        if scenario is None or index >= len(scenario.questions):
            return
        self.save_reflection(scenario.id, scenario.questions[index].id, value)

    def save_reflection(self, scenario_id: str, question_id: str, text: str) -> None:
        """Save one reflection under a scenario's question, for this rejection."""
        self._require_rejection()
        self.store.set_answer(self.client_id, reflection_key(scenario_id, question_id),
                              text or "", self.application_id)

    def add_to_plan(self, library_id: str) -> Action | None:
        """Add a suggested action to the plan, once per rejection.

        Returns None when it is already there.
        """
        self._require_rejection()
        item = self.content.action(library_id)
        if library_id in self._planned():
            self.planned = self._planned()
            return None
        record = self.store.add(Action(client_id=self.client_id, title=item.title,
                                       library_id=library_id,
                                       due_on=self.today + timedelta(days=item.due_days),
                                       application_id=self.application_id))
        self.planned = self._planned()
        return record


class ScenarioAdvice(Component):
    """Make sense of it: readings of the feedback, the choice, and the card.

    The step reads the feedback heard for the chosen rejection, suggests the
    readings that fit it (most likely first), and shows the chosen one's
    card: what it means, questions to reflect on, and actions to add to the plan.

    Parameters
    ----------
    model : ScenarioAdviceModel
        The step's state. ``ScenarioAdvice.create(content=..., store=..., client_id=...,
        application_id=None)`` builds it for a client and this view over it
        (see :meth:`Component.create`).

    Events
    ------
    model.confirmed_id
        The reading the client confirmed with "This fits".
    model.planned
        The card's actions already in the plan.

    Saves
    -----
    ``scenario``
        The confirmed reading (see :class:`ScenarioAdviceModel`).
    :class:`~nextround.model.Feedback`
        The confirmed reading, on each reply recorded.
    ``reflect.{scenario}.{question}``
        Each reflection, as typed.
    :class:`~nextround.model.Action`
        An action added to the plan from the card.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLogModel
    >>> log = RejectionLogModel(content=content, store=store, client_id=sam.id)
    >>> log.company, log.role, log.outcome = "Northwind", "Data analyst", "rejected"
    >>> from nextround.components import ScenarioAdvice
    >>> step = ScenarioAdvice.create(content=content, store=store, client_id=sam.id)
    >>> step.model.select("presentation")        # show that card
    >>> step.model.reflection_0 = "I talked over the panel."
    >>> store.answers(sam.id, step.model.application_id)["reflect.presentation.what_was_said"]
    'I talked over the panel.'
    """

    title = "Make sense of it"

    model_class = ScenarioAdviceModel

    def build(self) -> list[W.Widget]:
        model: ScenarioAdviceModel = self.model
        if not model.application_id:
            self.missing = W.HTML("<p class='nr-info' role='note'><strong>{}</strong> {}</p>"
                                  .format(esc(_("First, choose a rejection.")), esc(_(
                                      "Go to the log step and choose the rejection you are "
                                      "working on. Then come back here to make sense of it."))))
            return [heading(_("What your feedback suggests")), self.missing]
        self.suggestion_box = W.HTML()
        self.again = W.Button(description=_("Check my feedback again"))
        self.on_click(self.again, self._suggest_again)
        self.choice = W.Dropdown(options=[(s.title, s.id) for s in model.content.scenarios],
                                 value=None)
        self.bind(self.choice, "selected_id", to_widget=lambda value: value or None,
                  to_model=lambda value: value or model.selected_id)
        self.confirm = W.Button(description=_("Confirm this reading"), button_style="primary")
        self.on_click(self.confirm, self._confirm)
        self.card = W.HTML()
        self._build_slots()
        self.refresh()
        model.observe(lambda _change: self._show_card(), names=["selected_id", "confirmed_id"])
        model.observe(self._selected, names="selected_id")
        model.observe(lambda _change: self._show_actions(model.scenario()), names="planned")
        return [
            heading(_("What your feedback suggests")),
            self.suggestion_box,
            self.again,
            labelled(self.choice, _("Which fits best?")),
            self.confirm,
            self.card,
            self.questions_heading,
            *self.question_slots,
            self.actions_heading,
            *self.action_slots,
        ]

    def _build_slots(self) -> None:
        """Enough question and action widgets for the largest card, made once."""
        scenarios = self.model.content.scenarios
        most_questions = max(len(s.questions) for s in scenarios)
        most_actions = max(len(s.actions) for s in scenarios)
        self.questions_heading = heading(_("Questions to think about"), level=4)
        self.actions_heading = heading(_("Things you could do"), level=4)
        self.answers: list[W.Textarea] = []
        self.hints: list[W.HTML] = []
        self.question_slots: list[W.VBox] = []
        for index in range(most_questions):
            area = W.Textarea(rows=3)
            self.bind(area, reflection_trait(index))
            hint = W.HTML()
            self.answers.append(area)
            self.hints.append(hint)
            self.question_slots.append(W.VBox([labelled(area, _("Question")), hint]))
        self.action_texts: list[W.HTML] = []
        self.plan_buttons: list[W.Button] = []
        self.action_slots: list[W.VBox] = []
        self._action_ids: list[str] = [""] * most_actions
        for index in range(most_actions):
            text = W.HTML()
            button = W.Button(description=_("Add to my plan"), icon="plus")
            self.on_click(button, lambda index=index: self._add(index))
            self.action_texts.append(text)
            self.plan_buttons.append(button)
            self.action_slots.append(W.VBox([text, button], layout=W.Layout(margin="0 0 1em 0")))

    # -- showing --

    def refresh(self) -> None:
        """Show the suggestions, the choice and the card as the model has them."""
        model: ScenarioAdviceModel = self.model
        reading = model.reading or FeedbackReading("", [])
        self.suggestion_box.value = render_suggestions(model.content, reading,
                                                       bool(model.feedback()))
        self._show_card()

    def _show_card(self) -> None:
        """Refill the card's widgets for the selected scenario (values only)."""
        model: ScenarioAdviceModel = self.model
        scenario = model.content.scenario(model.selected_id) if model.selected_id else None
        if scenario is None:
            self.card.value = ""
            return
        self.card.value = render_card(scenario, confirmed=scenario.id == model.confirmed_id,
                                      skill=model.skill())
        for index, slot in enumerate(self.question_slots):
            if index >= len(scenario.questions):
                slot.layout.display = "none"
                continue
            question = scenario.questions[index]
            labelled(self.answers[index], question.text)
            self.hints[index].value = (f"<div class='nr-hint'>{esc(question.hint)}</div>"
                                       if question.hint else "")
            slot.layout.display = None
        self._show_actions(scenario)

    def _show_actions(self, scenario) -> None:
        if scenario is None:
            return
        planned = set(self.model.planned)
        for index, slot in enumerate(self.action_slots):
            if index >= len(scenario.actions):
                slot.layout.display = "none"
                self._action_ids[index] = ""
                continue
            item = self.model.content.action(scenario.actions[index])
            self._action_ids[index] = item.id
            self.action_texts[index].value = (f"<p><strong>{esc(item.title)}</strong><br>"
                                              f"{esc(item.detail)}</p>")
            button = self.plan_buttons[index]
            done = item.id in planned
            button.description = _("In your plan") if done else _("Add to my plan")
            button.icon = "check" if done else "plus"
            button.disabled = done
            button.tooltip = (_("{step}: in your plan") if done else
                              _("Add “{step}” to my plan")).format(step=item.title)
            slot.layout.display = None

    # -- user actions --

    def _suggest_again(self) -> None:
        model: ScenarioAdviceModel = self.model
        model.suggest()
        if not model.confirmed_id and model.suggestions:
            model.select(model.suggestions[0].scenario_id)
        self.refresh()
        self.status.info(_("The suggestions now use everything you have recorded."))

    def _selected(self, change: dict) -> None:
        if not change["new"]:
            return
        if change["new"] == self.model.confirmed_id:
            self.status.info(_("This is the reading you confirmed."))
        else:
            self.status.info(_("Read the card below. If it fits, press “Confirm this reading”."))

    def _confirm(self) -> None:
        # The card answers the click at once; "Saved." follows once the choice is
        # on disk (a durable commit takes about 10 ms here). If saving fails, the
        # card goes back to what is saved and the status says so.
        model: ScenarioAdviceModel = self.model
        chosen = self.choice.value or model.selected_id
        if chosen and model._known(chosen) and model.application_id:
            self.card.value = render_card(model.content.scenario(chosen), confirmed=True,
                                          skill=model.skill())
        try:
            scenario_id = model.confirm(self.choice.value)
        except Exception:
            self._show_card()
            raise
        self.card.value = render_card(model.content.scenario(scenario_id), confirmed=True,
                                      skill=model.skill())
        self.status.saved(_("You chose: {reading}.").format(
            reading=model.content.scenario(scenario_id).title))

    def _add(self, index: int) -> None:
        library_id = self._action_ids[index]
        if not library_id:
            return
        record = self.model.add_to_plan(library_id)
        button = self.plan_buttons[index]
        button.description, button.icon, button.disabled = _("In your plan"), "check", True
        if record is None:
            self.status.info(_("That step is already in your plan."))
        else:
            self.status.saved(_("“{step}” is in your plan, due {date}.").format(
                step=record.title, date=translator().day_month(record.due_on)))


# --- HTML ------------------------------------------------------------------------


#: Longer recorded feedback shows only the sentences that led to a reading.
QUOTE_LIMIT = 1500


def render_suggestions(content, reading: FeedbackReading, has_feedback: bool) -> str:
    """The reading of the feedback, how sure it is, and the sentences why, escaped.

    A form letter is named as such, plainly. Split evidence shows the two
    likely readings side by side. The client's own words are quoted with
    the sentence that led to each reading marked.
    """
    suggestions = reading.suggestions
    if not suggestions:
        return "<p class='nr-text'>{}</p>".format(esc(_(
            "Nothing in what you recorded points to one reading. Choose the one that fits "
            "best below.")))
    parts = []
    if not has_feedback:
        parts.append("<p class='nr-text'>{}</p>".format(esc(_(
            "You have not recorded any feedback for this rejection yet."))))
    elif reading.form_letter:
        parts.append("<p class='nr-text'><strong>{}</strong> {}</p>".format(
            esc(_("No specific reason was given.")), esc(_(
                "What you heard reads as a standard message: polite words, but no reason. "
                "So the advice for “No feedback at all” applies."))))
    elif reading.split:
        parts.append("<p class='nr-text'>{}</p>".format(esc(_(
            "The feedback points two ways. Read both and choose the one that fits:"))))
    else:
        parts.append("<p class='nr-text'>{}</p>".format(esc(_(
            "From what you recorded, this reading fits best."))))
    shown = reading.choices or suggestions[:1]
    cards = "".join(_suggestion_card(content, reading, s, has_feedback) for s in shown)
    css = "nr-choices nr-side-by-side" if len(shown) > 1 else "nr-choices"
    parts.append(f"<div class='{css}'>{cards}</div>")
    others = [s for s in suggestions if s not in shown]
    if others:
        names = ", ".join(esc(content.scenario(s.scenario_id).title) for s in others)
        parts.append("<p class='nr-hint'>{}</p>".format(
            _("Less likely: {readings}.").format(readings=names)))
    parts.append("<p class='nr-hint'>{}</p>".format(esc(_(
        "This is only a suggestion. You know best: confirm it, or choose another reading "
        "below."))))
    return f"<div class='nr-reading'>{''.join(parts)}</div>"


def _suggestion_card(content, reading: FeedbackReading, suggestion, has_feedback: bool) -> str:
    scenario = content.scenario(suggestion.scenario_id)
    if suggestion.scenario_id == NO_FEEDBACK and not has_feedback:
        why = esc(_("Nothing was recorded about why."))
    elif suggestion.cues == ("no specific reason was given",):
        why = esc(_("No specific reason was given."))
    else:
        cues = ", ".join(f"“{esc(cue)}”" for cue in suggestion.cues)
        why = _("Words that led here: {words}").format(words=cues)
    skill = ("<p><strong>{}</strong> “{}”</p>".format(
        esc(_("The skill they named:")), esc(suggestion.skill)) if suggestion.skill else "")
    quote = ""
    if suggestion.evidence:
        if len(reading.text) <= QUOTE_LIMIT:
            marked = highlight(reading.text, suggestion.evidence)
        else:
            marked = " … ".join(f"<mark>{esc(reading.text[s:e])}</mark>"
                                for s, e in suggestion.evidence)
        quote = ("<p class='nr-hint'>{}</p>".format(
                     esc(_("Why: the marked words in what you recorded.")))
                 + f"<blockquote class='nr-quote'>{marked}</blockquote>")
    return (f"<div class='nr-choice' role='group' aria-label='{esc(scenario.title)}'>"
            f"<p><strong>{esc(scenario.title)}</strong><br>{why}</p>{skill}{quote}</div>")


def render_card(scenario, *, confirmed: bool, skill: str = "") -> str:
    """The top of a scenario card: what was heard and the article's reading.

    On the skill-gap card, the skill the feedback named is quoted.
    """
    note = ("<p><strong>{}</strong></p>".format(esc(_("You confirmed this reading.")))
            if confirmed else "<p><em>{}</em> {}</p>".format(
                esc(_("Not confirmed yet.")),
                esc(_("If this fits, press “Confirm this reading”."))))
    may_hear, often_means = esc(_("What you may hear:")), esc(_("What it often means:"))
    return (f"<div class='nr-card nr-scenario' role='region' aria-label='{esc(scenario.title)}'>"
            f"<h4>{esc(scenario.title)}</h4>{note}"
            f"<p><strong>{may_hear}</strong> {esc(scenario.heard)}</p>"
            + ("<p><strong>{}</strong> “{}”</p>".format(esc(_("The skill they named:")),
                                                        esc(skill))
               if skill and scenario.id == SKILL_GAP else "")
            + f"<p><strong>{often_means}</strong> {esc(scenario.reading)}</p></div>")
