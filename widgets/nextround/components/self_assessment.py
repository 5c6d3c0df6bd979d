"""Self-assessment: how did you come across, and what is worth working on?

After a rejection it is easy to blame everything or nothing. These questions
ask the client to look at specific things: how their qualifications and
success stories came across, whether a skill was really missing or just not
shown, and whether habits such as interrupting played a part. Each answer
saves as it is given, and a short summary shows the strengths to bring out
and the gaps to work on, so the action plan can build on them.

Example::

    from nextround.components import SelfAssessment
    SelfAssessment.create(content=content, store=store, client_id=client.id)
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W
from traitlets import Any as AnyTrait
from traitlets import Dict, List, dlink

from .. import answer_keys as keys
from ..advice import assessment_signals
from ..choice_answers import in_language
from ..content import AssessmentQuestion, Scale
from ..errors import NextRoundError
from ..i18n import N_, _
from ..text import esc
from ._view import heading, paragraph
from .base import Component, StepModel, chosen, labelled, typed

#: What each topic is called on screen, in the order topics first appear.
TOPIC_TITLES = {
    "qualifications": N_("Your qualifications"),
    "stories": N_("Your success stories"),
    "skills": N_("Skills"),
    "interpersonal": N_("How you came across"),
    "next_time": N_("Next time"),
}

#: A yes/no question's options (labels shown through ``_``).
YES_NO = ((N_("Yes"), "yes"), (N_("No"), "no"))


def scale_of(question: AssessmentQuestion) -> Scale:
    """The question's scale, or the default one when the content gives none."""
    return question.scale or Scale()


def scale_options(question: AssessmentQuestion) -> list[tuple[str, int]]:
    """Radio options for a scale: the ends carry their words, so each is clear alone."""
    scale = scale_of(question)
    options = []
    for value in range(scale.min, scale.max + 1):
        label = str(value)
        if value == scale.min:
            label = f"{value} – {scale.low}"
        elif value == scale.max:
            label = f"{value} – {scale.high}"
        options.append((label, value))
    return options


def answer_trait(question_id: str) -> str:
    """The model trait holding one question's answer (``answer_<id>``)."""
    return f"answer_{question_id}"


class SelfAssessmentModel(StepModel):
    """The answers given so far, and what they say about strengths and gaps.

    Each question is a trait of its own (``answer_<question id>``, added for
    the content's questions), saved as the client answers it. Answers are
    kept per rejection (``application_id``), keyed by question id, exactly
    as given: an int for a scale, ``"yes"``/``"no"``, the chosen text of a
    choice, or free text. ``answers`` gathers the ones given.

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
    answers
        Replaced after each answer is saved.
    strengths
        What the answers say to bring out, refreshed with ``answers``.
    gaps
        What they say to work on, refreshed with ``answers``.

    Saves
    -----
    ``{question}``
        Each answer, under the question's id, for this rejection (an
        ``answer_<question id>`` trait changed, or :meth:`save`).

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLogModel
    >>> log = RejectionLogModel(content=content, store=store, client_id=sam.id)
    >>> log.company, log.role, log.outcome = "Northwind", "Data analyst", "rejected"
    >>> from nextround.components import SelfAssessmentModel
    >>> model = SelfAssessmentModel(content=content, store=store, client_id=sam.id)
    >>> model.answer_qualifications_shown = 5
    >>> model.answers
    {'qualifications_shown': 5}
    >>> len(model.strengths)
    1
    """

    answers = Dict(help="The answers given, by question id (unanswered ones left out).")
    strengths = List(help="What the answers say to bring out.")
    gaps = List(help="What the answers say to work on.")

    def __init__(self, **kwargs: Any):
        content = kwargs["content"]
        self.add_traits(**{
            answer_trait(q.id): (typed if q.kind == "text" else chosen)(
                AnyTrait(None, allow_none=True, help=q.text))
            for q in content.questions})
        super().__init__(**kwargs)
        given = self._saved_answers()
        self.load(**{answer_trait(qid): value for qid, value in given.items()})
        self._set_answers(given)

    def _saved_answers(self) -> dict[str, Any]:
        """The saved answers that still fit their questions (the content may have changed)."""
        saved = in_language(self.content, self.store.answers(
            self.client_id, application_id=self.application_id or None))
        given = {}
        for question in self.content.questions:
            try:
                value = self.clean(question, saved.get(keys.ASSESSMENT.key(question=question.id)))
            except NextRoundError:
                continue
            if value is not None:
                given[question.id] = value
        return given

    def _set_answers(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.strengths, self.gaps = assessment_signals(answers, self.content)

    def save_edit(self, name: str, value: Any) -> Any:
        """The saving observer's write: one question's answer changed."""
        return self.save(name.removeprefix("answer_"), value)

    def question(self, question_id: str) -> AssessmentQuestion:
        """The content's question with this id (an unknown id is refused)."""
        return self.content.find("questions", question_id, "question")

    def save(self, question_id: str, value: Any) -> Any:
        """Check an answer fits its question, save it, and refresh the summary."""
        question = self.question(question_id)
        value = self.clean(question, value)
        self.store.set_answer(self.client_id, keys.ASSESSMENT.key(question=question.id), value,
                              application_id=self.application_id)
        answers = {k: v for k, v in self.answers.items() if k != question.id}
        if value is not None:
            answers[question.id] = value
        self._set_answers(answers)
        return value

    @staticmethod
    def clean(question: AssessmentQuestion, value: Any) -> Any:
        """The answer as it is stored; a value that does not fit is refused plainly."""
        if value is None or value == "":
            return None
        if question.kind == "text":
            return str(value)
        if question.kind == "scale":
            scale = scale_of(question)
            if isinstance(value, bool) or not isinstance(value, int) \
                    or not scale.min <= value <= scale.max:
                raise NextRoundError(_("Choose a number from {low} to {high}.").format(
                    low=scale.min, high=scale.max))
            return value
        allowed = [v for _label, v in YES_NO] if question.kind == "yesno" else question.choices
        if value not in allowed:
            raise NextRoundError(_("Choose one of the options given."))
        return value

    def topics(self) -> list[tuple[str, list[AssessmentQuestion]]]:
        """Questions grouped by topic, topics in the order they first appear."""
        groups: dict[str, list[AssessmentQuestion]] = {}
        for question in self.content.questions:
            groups.setdefault(question.topic, []).append(question)
        return list(groups.items())


class SelfAssessment(Component):
    """Self-assessment: one labelled input per question, grouped by topic, and a summary.

    Honest answers about how the interview went turn into strengths to
    bring out next time and gaps to work on, each with actions to plan.

    Parameters
    ----------
    model : SelfAssessmentModel
        The step's state. ``SelfAssessment.create(content=..., store=..., client_id=...,
        application_id=None)`` builds it for a client and this view over it
        (see :meth:`Component.create`).

    Events
    ------
    answers
        The answers given, by question id, followed from the model.

    Saves
    -----
    ``{question}``
        Each answer under its question's id (see :class:`SelfAssessmentModel`).

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLogModel
    >>> log = RejectionLogModel(content=content, store=store, client_id=sam.id)
    >>> log.company, log.role, log.outcome = "Northwind", "Data analyst", "rejected"
    >>> from nextround.components import SelfAssessment
    >>> step = SelfAssessment.create(content=content, store=store, client_id=sam.id)
    >>> step.inputs["needs_list"].value = "yes"     # as if "Yes" was chosen
    >>> step.answers
    {'needs_list': 'yes'}
    """

    title = "Self-assessment"
    answers = Dict(help="The answers given so far, by question id (the model's, followed).")

    model_class = SelfAssessmentModel

    def build(self) -> list[W.Widget]:
        model: SelfAssessmentModel = self.model
        dlink((model, "answers"), (self, "answers"))
        self.inputs: dict[str, W.Widget] = {}
        parts: list[W.Widget] = [
            heading(_("Look at how it went")),
            paragraph(_("Be honest and kind with yourself. There are no wrong answers. "
                      "Your answers save as you go.")),
        ]
        for topic, questions in model.topics():
            parts.append(heading(_(TOPIC_TITLES[topic]) if topic in TOPIC_TITLES
                                 else topic.replace("_", " ").capitalize(),
                                 4))
            for question in questions:
                widget = self._input_for(question)
                self.inputs[question.id] = widget
                self._bind_answer(widget, question)
                parts.append(labelled(widget, question.text, hint=question.hint))
        self.summary = W.HTML()
        self.summary.add_class("nr-summary")
        model.observe(lambda _change: self._show_summary(), names=["strengths", "gaps"])
        self._show_summary()
        return [*parts, heading(_("What your answers say")), self.summary]

    @staticmethod
    def _input_for(question: AssessmentQuestion) -> W.Widget:
        """The input that fits the question's kind (its value comes from the model)."""
        if question.kind == "text":
            return W.Textarea()
        if question.kind == "scale":
            options: list[tuple[str, Any]] = scale_options(question)
        elif question.kind == "yesno":
            options = [(_(label), value) for label, value in YES_NO]
        else:
            options = [(choice, choice) for choice in question.choices]
        return W.RadioButtons(options=options, value=None)

    def _bind_answer(self, widget: W.Widget, question: AssessmentQuestion) -> None:
        """Tie an input to its answer (the model holds only answers that fit)."""
        if question.kind == "text":
            self.bind(widget, answer_trait(question.id),
                      to_widget=lambda value: value if isinstance(value, str) else "",
                      to_model=lambda text: text or None)
            return
        self.bind(widget, answer_trait(question.id))

    def _show_summary(self) -> None:
        self.summary.value = render_summary(self.model.strengths, self.model.gaps)


def render_summary(strengths: list[str], gaps: list[str]) -> str:
    """Strengths and gaps as HTML lists; every line escaped."""
    if not strengths and not gaps:
        return "<p class='nr-text'>{}</p>".format(esc(_(
            "As you answer, the strengths to bring out and the gaps to work on will show here.")))

    def block(title: str, items: list[str], empty: str) -> str:
        body = ("<ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>"
                if items else f"<p>{esc(empty)}</p>")
        return f"<div class='nr-card'><h4>{esc(title)}</h4>{body}</div>"

    return (block(_("Strengths to bring out"), strengths, _("None yet. Keep going."))
            + block(_("Gaps to work on"), gaps, _("None so far.")))
