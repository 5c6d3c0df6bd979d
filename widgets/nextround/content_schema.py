"""What the coaching content is: one typed model per file, and the whole of it.

Each YAML file in ``content/`` is validated by its model here (unknown
keys are refused, so a typo shows), and :class:`Content` holds the result
with look-ups by id. Reading the files, with every problem named by file,
line and field, is :mod:`nextround.content`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from .errors import NextRoundError

NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]


class Item(BaseModel):
    """Base for content items: strict about unknown keys, so typos show."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SourcedItem(Item):
    """An item of advice that names the part of the article it comes from."""

    id: Identifier
    source: Identifier


# --- article -----------------------------------------------------------------


class ArticlePart(Item):
    """One part of the source article; ``source:`` fields point at these."""

    id: Identifier
    title: NonEmpty
    summary: NonEmpty


class ArticleFile(Item):
    parts: list[ArticlePart] = Field(min_length=1)


# --- feedback sources --------------------------------------------------------


class FeedbackSource(SourcedItem):
    """Someone to ask for feedback; the file's order is the order to ask."""

    name: NonEmpty
    why: NonEmpty
    expect: NonEmpty
    candour: Literal["low", "medium", "high"]
    template: Identifier


class SourcesFile(Item):
    sources: list[FeedbackSource] = Field(min_length=1)


# --- scenarios ---------------------------------------------------------------


class Cues(Item):
    """Words that suggest a scenario.

    ``phrases`` are matched as whole words, ignoring case, punctuation and
    spacing; ``patterns`` are regular expressions for phrasing that varies.
    ``fallback`` phrases are form-letter wording ("we wish you every
    success") that counts only when no scenario's own cues match, so a
    polite closing line never outweighs a real reason.
    """

    phrases: list[NonEmpty] = Field(default_factory=list)
    patterns: list[NonEmpty] = Field(default_factory=list)
    fallback: list[NonEmpty] = Field(default_factory=list)
    weight: float = Field(default=1.0, gt=0)


class Question(Item):
    id: Identifier
    text: NonEmpty
    hint: str = ""


class Scenario(SourcedItem):
    """One kind of feedback, the article's reading of it, and what to do."""

    title: NonEmpty
    heard: NonEmpty
    reading: NonEmpty
    questions: list[Question] = Field(min_length=3)
    actions: list[Identifier] = Field(min_length=3)
    cues: Cues


class PatternSet(Item):
    """Regular expressions, matched against the lowercased text."""

    patterns: list[NonEmpty] = Field(default_factory=list)


class Readings(Item):
    """How feedback is read beyond each scenario's own cues.

    ``not_reasons`` find praise, thanks, talk of how many or how strong the
    applicants were, and "we'll keep your CV on file": the clause around
    each match is set aside before the cues are read, so "we were impressed
    with your qualifications" never suggests a missing skill.
    ``form_match`` is form-letter wording about someone else fitting better
    ("whose experience more closely matches"): no reason on its own, so the
    reading stays "no specific feedback", with "better qualified" beside it.
    ``skill`` patterns name a missing skill or area in a group called
    ``skill``, which the card quotes; ``not_skill`` lists what such a group
    may catch that is no skill (the company itself, the role).
    """

    not_reasons: PatternSet = Field(default_factory=PatternSet)
    form_match: PatternSet = Field(default_factory=PatternSet)
    skill: PatternSet = Field(default_factory=PatternSet)
    not_skill: PatternSet = Field(default_factory=PatternSet)


class ScenariosFile(Item):
    scenarios: list[Scenario] = Field(min_length=1)
    readings: Readings = Field(default_factory=Readings)


# --- self-assessment ---------------------------------------------------------


class Condition(Item):
    """When an answer counts as a strength or a gap. All given parts must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    at_least: int | None = None
    at_most: int | None = None
    equals: str | bool | None = None
    one_of: list[str] | None = None

    def holds(self, value: Any) -> bool:
        """True when ``value`` meets every part of the condition that is set."""
        if value is None or value == "":
            return False
        checks: list[bool] = []
        if self.at_least is not None:
            checks.append(isinstance(value, int | float) and value >= self.at_least)
        if self.at_most is not None:
            checks.append(isinstance(value, int | float) and value <= self.at_most)
        if self.equals is not None:
            checks.append(_yes_no(value) == _yes_no(self.equals))
        if self.one_of is not None:
            checks.append(value in self.one_of)
        return bool(checks) and all(checks)


def _yes_no(value: Any) -> Any:
    """YAML reads a bare ``yes``/``no`` as a boolean; yes/no answers are strings."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


class Scale(Item):
    min: int = 1
    max: int = 5
    low: NonEmpty = "Not at all"
    high: NonEmpty = "Very much"


class AssessmentQuestion(SourcedItem):
    """A self-assessment question and how to read its answer."""

    text: NonEmpty
    hint: str = ""
    topic: Literal["qualifications", "stories", "skills", "interpersonal", "next_time"]
    kind: Literal["scale", "yesno", "choice", "text"]
    choices: list[NonEmpty] = Field(default_factory=list)
    scale: Scale | None = None
    strength: str = ""
    strength_when: Condition | None = None
    gap: str = ""
    gap_when: Condition | None = None
    gap_actions: list[Identifier] = Field(default_factory=list)


class AssessmentFile(Item):
    questions: list[AssessmentQuestion] = Field(min_length=1)


# --- wellbeing ---------------------------------------------------------------


class MoodScale(Item):
    question: NonEmpty
    min: int = Field(default=1, ge=0)
    max: int = Field(default=5, le=100)
    labels: dict[int, NonEmpty]
    source: Identifier


class Reminder(SourcedItem):
    text: NonEmpty
    detail: NonEmpty


class Assumption(SourcedItem):
    """An unhelpful guess about a rejection, and a turn toward what one controls."""

    label: NonEmpty
    cues: Cues
    reframe: NonEmpty
    control: list[NonEmpty] = Field(min_length=1)


class WellbeingFile(Item):
    mood: MoodScale
    reminders: list[Reminder] = Field(min_length=1)
    assumptions: list[Assumption] = Field(min_length=1)


# --- emails, gracious steps, tone ------------------------------------------------


class EmailTemplate(SourcedItem):
    """A Jinja2 email: ``subject`` and ``body`` are both templates."""

    title: NonEmpty
    subject: NonEmpty
    body: NonEmpty


class EmailsFile(Item):
    templates: list[EmailTemplate] = Field(min_length=1)


class GraciousStep(SourcedItem):
    title: NonEmpty
    why: NonEmpty
    template: Identifier


class GraciousFile(Item):
    steps: list[GraciousStep] = Field(min_length=1)


#: The sentence-level tone checks (see ``nextround.tone``) and the word lists
#: each one reads from a rule's ``cues``.
TONE_CHECK_CUES: dict[str, frozenset[str]] = {
    "insult": frozenset({"words"}),
    "shouting": frozenset({"acronyms"}),
    "sarcasm": frozenset({"phrases", "hedges", "praise", "undercut", "adjectives", "quoted",
                          "realize", "wishes", "spite", "rhetorical", "values", "lately"}),
    "demand": frozenset({"phrases", "verbs", "commands", "deadlines", "requests"}),
    "accusation": frozenset({"phrases", "words", "reproaches", "norms", "duties", "courtesies",
                             "accepting", "openers", "conduct"}),
    "arguing": frozenset({"phrases", "beliefs", "fit"}),
    "asking_why": frozenset({"asking", "reasons", "decision", "guesses"}),
}
ToneCheck = Literal["insult", "shouting", "sarcasm", "demand", "accusation", "arguing",
                    "asking_why"]


class ToneRule(SourcedItem):
    """A phrasing to avoid, caught by patterns so that variants are caught too.

    ``check`` names a sentence-level check that also runs, reading its word
    lists from ``cues``, so that wordings no pattern foresaw are caught too.
    """

    avoid: NonEmpty
    #: What the rule catches, in a few words ("shouting"), for "It also reads as …".
    label: NonEmpty | None = None
    patterns: list[NonEmpty] = Field(min_length=1)
    check: ToneCheck | None = None
    cues: dict[Identifier, list[NonEmpty]] = Field(default_factory=dict)
    alternative: NonEmpty
    why: NonEmpty

    @model_validator(mode="after")
    def _cues_fit_the_check(self) -> ToneRule:
        allowed = TONE_CHECK_CUES.get(self.check or "", frozenset())
        unknown = sorted(set(self.cues) - allowed)
        if unknown:
            names = ", ".join(sorted(allowed)) or "none without a check"
            raise ValueError(f"unknown cue list {unknown[0]!r} (this check reads: {names})")
        return self


class ToneWords(Item):
    """Word lists every tone check shares: who a sentence is aimed at, and the
    writer's own feelings (which are never hostile)."""

    reader: list[NonEmpty] = Field(default_factory=list)
    feelings: list[NonEmpty] = Field(default_factory=list)
    #: Words that show a sentence asks for help ("advice", "feedback"): a
    #: negative word in it is about the writer's own mistakes, not the reader.
    help: list[NonEmpty] = Field(default_factory=list)


class ToneFile(Item):
    words: ToneWords = Field(default_factory=ToneWords)
    rules: list[ToneRule] = Field(min_length=1)


# --- actions -----------------------------------------------------------------


class LibraryAction(SourcedItem):
    """A reusable plan step; ``due_days`` sets its default due date."""

    title: NonEmpty
    detail: NonEmpty
    due_days: int = Field(ge=0, le=365)


class KeepSearching(Item):
    min_active: int = Field(ge=0, le=100)
    message: NonEmpty
    source: Identifier


class ActionsFile(Item):
    keep_searching: KeepSearching
    actions: list[LibraryAction] = Field(min_length=1)


# --- help ------------------------------------------------------------------------


class HelpTopic(Item):
    """One of the help links on every step: its words and what it opens to."""

    title: NonEmpty
    text: NonEmpty  # plain paragraphs, separated by blank lines


class HelpFile(Item):
    """The same two help links in the same place on every step (WCAG 3.2.6)."""

    how_it_works: HelpTopic
    who_to_contact: HelpTopic


#: Every content file, the model that validates it, and its label in counts.
FILES: dict[str, type[Item]] = {
    "article.yaml": ArticleFile,
    "sources.yaml": SourcesFile,
    "scenarios.yaml": ScenariosFile,
    "assessment.yaml": AssessmentFile,
    "wellbeing.yaml": WellbeingFile,
    "emails.yaml": EmailsFile,
    "gracious.yaml": GraciousFile,
    "tone.yaml": ToneFile,
    "actions.yaml": ActionsFile,
    "help.yaml": HelpFile,
}


@dataclass(frozen=True)
class Content:
    """All validated content, with look-ups by id."""

    directory: Path
    parts: tuple[ArticlePart, ...]
    sources: tuple[FeedbackSource, ...]
    scenarios: tuple[Scenario, ...]
    questions: tuple[AssessmentQuestion, ...]
    mood: MoodScale
    reminders: tuple[Reminder, ...]
    assumptions: tuple[Assumption, ...]
    emails: tuple[EmailTemplate, ...]
    gracious_steps: tuple[GraciousStep, ...]
    tone_rules: tuple[ToneRule, ...]
    actions: tuple[LibraryAction, ...]
    keep_searching: KeepSearching
    tone_words: ToneWords = field(default_factory=ToneWords)
    readings: Readings = field(default_factory=Readings)
    help: HelpFile | None = None
    #: The language of the text: ``"en"``, or the folder a translation came from.
    lang: str = "en"
    #: ``(file, id)`` of every item shown in English because the language has no
    #: translation of it yet, such as ``("scenarios.yaml", "skill_gap")``; a
    #: mapping item is named by its key (``("wellbeing.yaml", "mood")``). Empty
    #: for English. Judgement data (cues, patterns) is never listed.
    fallbacks: frozenset[tuple[str, str]] = frozenset()
    _index: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for kind in ("parts", "sources", "scenarios", "questions", "reminders",
                     "assumptions", "emails", "gracious_steps", "tone_rules", "actions"):
            self._index[kind] = {item.id: item for item in getattr(self, kind)}

    def scenario(self, scenario_id: str) -> Scenario:
        return self._index["scenarios"][scenario_id]

    def action(self, action_id: str) -> LibraryAction:
        return self._index["actions"][action_id]

    def email(self, template_id: str) -> EmailTemplate:
        return self._index["emails"][template_id]

    def source(self, source_id: str) -> FeedbackSource:
        return self._index["sources"][source_id]

    def part(self, part_id: str) -> ArticlePart:
        return self._index["parts"][part_id]

    def gracious_step(self, step_id: str) -> GraciousStep:
        return self._index["gracious_steps"][step_id]

    def find(self, kind: str, item_id: str, what: str) -> Any:
        """The item of ``kind`` with this id, or a plain error naming ``what`` was missing."""
        try:
            return self._index[kind][item_id]
        except KeyError:
            raise NextRoundError(f"There is no {what} '{item_id}'.") from None

    def question(self, question_id: str) -> AssessmentQuestion:
        return self._index["questions"][question_id]

    def is_fallback(self, file: str, item_id: str) -> bool:
        """True when the item ``item_id`` of ``file`` is shown in English for want of a
        translation, so the counsellor view can say "not yet translated"."""
        return (file, item_id) in self.fallbacks

    def counts(self) -> dict[str, int]:
        """How many items of each kind, for ``check-content`` to report."""
        return {kind: len(items) for kind, items in self._index.items()}
