"""Load and validate the coaching content in ``content/*.yaml``.

Counsellors edit advice, questions and email templates as YAML, with no
Python. A typo there must never reach a client as a traceback, so this
module reads every file with ``yaml.safe_load`` semantics, validates it with
pydantic, and turns every problem into one line a person can act on::

    content/scenarios.yaml:14: scenarios[2].reading: Field required

:func:`load_content` gathers all problems from all files before it raises,
so one run of ``nextround check-content`` shows everything to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from .errors import ContentError
from .text import format_loc

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
    "sarcasm": frozenset({"phrases", "praise", "undercut", "adjectives", "quoted", "realize"}),
    "demand": frozenset({"phrases", "verbs", "commands"}),
    "accusation": frozenset({"phrases", "words"}),
    "arguing": frozenset({"phrases", "beliefs", "fit"}),
    "asking_why": frozenset({"asking", "reasons", "decision"}),
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

    def question(self, question_id: str) -> AssessmentQuestion:
        return self._index["questions"][question_id]

    def counts(self) -> dict[str, int]:
        """How many items of each kind, for ``check-content`` to report."""
        return {kind: len(items) for kind, items in self._index.items()}


# --- reading YAML with line numbers --------------------------------------------


def _compose(text: str) -> yaml.Node | None:
    """Parse YAML into nodes (which keep their line marks) with the safe loader.

    libyaml's parser is used when PyYAML has it: it reads the shipped content
    about fifty times faster, which every new kernel feels on its first page.
    When it finds a problem, the pure-Python parser reads the text again, so
    the message is the same with or without libyaml.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


#: A YAML file may expand aliases; this bound stops an "alias bomb" from
#: turning a few lines into billions of values.
MAX_NODES = 200_000


class _TooLarge(Exception):
    pass


#: Key under which ``lines`` records where a block scalar's text begins.
_TEXT = "<text>"


def _to_python(node: yaml.Node, path: tuple, lines: dict[tuple, int],
               budget: list[int] | None = None) -> Any:
    """Turn a node tree into plain data, recording each path's 1-based line.

    Only the safe loader's tags are constructed, so no YAML can run code.
    A repeated mapping key keeps its last value, as ``safe_load`` does.
    """
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _to_python(key_node, path + ("<key>",), {}, budget)
            if not isinstance(key, str | int | float | bool) and key is not None:
                key = str(key)
            result[key] = _to_python(value_node, path + (key,), lines, budget)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(child, path + (i,), lines, budget)
                for i, child in enumerate(node.value)]
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        # A block scalar's text starts on the line after its "|" or ">".
        lines[path + (_TEXT,)] = node.start_mark.line + 2
    return yaml.SafeLoader("").construct_object(node, deep=True)


def _line_for(loc: tuple, lines: dict[tuple, int]) -> int:
    """The line of the deepest part of ``loc`` that exists in the file."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def _problem(path: Path, line: int, loc: Iterable[Any], message: str) -> str:
    return f"{path}:{line}: {_printable(format_loc(loc))}: {_printable(message)}"


def _printable(text: str) -> str:
    """Keys and values quoted from a file may hold line breaks or control
    characters; escaping them keeps each problem one readable line."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


@dataclass
class _Parsed:
    path: Path
    data: Any
    lines: dict[tuple, int]
    model: Item | None = None


def _read_file(path: Path, model: type[Item], problems: list[str]) -> _Parsed | None:
    """Read and validate one file, adding its problems to ``problems``."""
    if not path.is_file():
        problems.append(_problem(path, 1, (), "file is missing"))
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(_problem(path, 1, (), f"cannot be read: {exc}"))
        return None
    try:
        node = _compose(text)
    except RecursionError:
        problems.append(_problem(path, 1, (), "not valid YAML: nested too deeply"))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(_problem(path, line, (), f"not valid YAML: {reason}"))
        return None
    lines: dict[tuple, int] = {}
    try:
        data = _to_python(node, (), lines) if node is not None else None
    except (_TooLarge, RecursionError):
        problems.append(_problem(path, 1, (), f"too large: more than {MAX_NODES} values"))
        return None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(_problem(path, line, (), f"not valid YAML: {reason}"))
        return None
    parsed = _Parsed(path, data, lines)
    if not isinstance(data, dict):
        problems.append(_problem(path, 1, (), "expected a mapping of keys at the top level"))
        return parsed
    try:
        parsed.model = model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = "unknown key (check the spelling)"
            problems.append(_problem(path, _line_for(loc, lines), loc, message))
    return parsed


def _items(data: Any, key: str) -> list:
    """``data[key]`` if it is a list, else ``[]``: a wrong type is pydantic's to report."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _duplicates(parsed: _Parsed, list_key: str, problems: list[str]) -> None:
    """Report items in one list that reuse an id already taken above them."""
    seen: dict[str, int] = {}
    for i, item in enumerate(_items(parsed.data, list_key)):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        loc = (list_key, i, "id")
        if item["id"] in seen:
            problems.append(_problem(
                parsed.path, _line_for(loc, parsed.lines), loc,
                f"duplicate id '{item['id']}' (first used at {list_key}[{seen[item['id']]}])",
            ))
        else:
            seen[item["id"]] = i


def _references(parsed: _Parsed, list_key: str, field_name: str, known: set[str],
                what: str, problems: list[str]) -> None:
    """Report references from ``list_key[i].field_name`` to ids that do not exist."""
    for i, item in enumerate(_items(parsed.data, list_key)):
        if not isinstance(item, dict):
            continue
        value = item.get(field_name)
        refs = value if isinstance(value, list) else [value]
        for j, ref in enumerate(refs):
            if not isinstance(ref, str) or ref in known:
                continue
            loc = (list_key, i, field_name, j) if isinstance(value, list) else (
                list_key, i, field_name)
            problems.append(_problem(
                parsed.path, _line_for(loc, parsed.lines), loc,
                f"unknown {what} id '{ref}'",
            ))


def _mapping_reference(parsed: _Parsed, key: str, field_name: str, known: set[str],
                       what: str, problems: list[str]) -> None:
    """Report ``key.field_name`` (one mapping, not a list) naming an id that does not exist."""
    item = parsed.data.get(key)
    if not isinstance(item, dict):
        return
    ref = item.get(field_name)
    if isinstance(ref, str) and ref not in known:
        loc = (key, field_name)
        problems.append(_problem(parsed.path, _line_for(loc, parsed.lines), loc,
                                 f"unknown {what} id '{ref}'"))


def _ids(parsed: _Parsed | None, list_key: str) -> set[str]:
    if parsed is None or not isinstance(parsed.data, dict):
        return set()
    items = _items(parsed.data, list_key)
    return {item["id"] for item in items if isinstance(item, dict) and isinstance(
        item.get("id"), str)}


def _check_patterns(parsed: _Parsed, problems: list[str]) -> None:
    """Every regular expression must compile; a bad one would break matching."""
    for loc, value in _walk(parsed.data, ()):
        if "patterns" in loc[-2:-1] and isinstance(value, str):
            try:
                re.compile(value)
            except re.error as exc:
                problems.append(_problem(parsed.path, _line_for(loc, parsed.lines), loc,
                                         f"pattern does not compile: {exc}"))


def _walk(data: Any, loc: tuple) -> Iterator[tuple[tuple, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, loc + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _walk(value, loc + (i,))
    else:
        yield loc, data


def _check_templates(parsed: _Parsed, problems: list[str]) -> None:
    """Every email subject and body must compile, render in the app's sandbox, and
    read well with any value unknown."""
    from .emails import compile_template, draft_problems, render_problem

    for i, item in enumerate(_items(parsed.data, "templates")):
        if not isinstance(item, dict):
            continue
        for key in ("subject", "body"):
            if not isinstance(item.get(key), str):
                continue
            error = compile_template(item[key])
            what = "does not compile"
            if error is None:
                error, what = render_problem(item[key]), "cannot be rendered"
            if error is not None:
                template_line, reason = error
                loc = ("templates", i, key)
                first = parsed.lines.get(loc + (_TEXT,), _line_for(loc, parsed.lines))
                line = first + max(template_line - 1, 0)
                problems.append(_problem(parsed.path, line, loc,
                                         f"template {what}: {reason}"))
                continue
            loc = ("templates", i, key)
            for problem in draft_problems(item[key], subject=key == "subject"):
                problems.append(_problem(parsed.path, _line_for(loc, parsed.lines), loc,
                                         problem))


def _check_question_ids(parsed: _Parsed, problems: list[str]) -> None:
    """A question's answer is saved under its id, so the id must not be another answer's key."""
    from .answer_keys import is_reserved

    for i, item in enumerate(_items(parsed.data, "questions")):
        if isinstance(item, dict) and isinstance(item.get("id"), str) \
                and is_reserved(item["id"]):
            loc = ("questions", i, "id")
            problems.append(_problem(
                parsed.path, _line_for(loc, parsed.lines), loc,
                f"the id '{item['id']}' is reserved for another saved answer; "
                "choose another id"))


def _check_conditions(parsed: _Parsed, problems: list[str]) -> None:
    """Question kinds need their settings: choices for a choice, and so on."""
    for i, item in enumerate(_items(parsed.data, "questions")):
        if not isinstance(item, dict):
            continue
        loc = ("questions", i)
        if item.get("kind") == "choice" and len(_items(item, "choices")) < 2:
            problems.append(_problem(parsed.path, _line_for(loc + ("kind",), parsed.lines),
                                     loc + ("choices",), "a choice question needs 2 or more"
                                     " choices"))


def validate_directory(directory: Path) -> tuple[Content | None, list[str]]:
    """Validate a content folder. Returns the content (if valid) and the problems."""
    directory = Path(directory)
    problems: list[str] = []
    if not directory.is_dir():
        return None, [f"{directory}:1: (top): content folder not found"]
    parsed = {name: _read_file(directory / name, model, problems)
              for name, model in FILES.items()}
    lists = {"article.yaml": "parts", "sources.yaml": "sources", "scenarios.yaml": "scenarios",
             "assessment.yaml": "questions", "wellbeing.yaml": "reminders",
             "emails.yaml": "templates", "gracious.yaml": "steps", "tone.yaml": "rules",
             "actions.yaml": "actions"}
    for name, key in lists.items():
        if parsed[name] is not None and isinstance(parsed[name].data, dict):
            _duplicates(parsed[name], key, problems)
            _check_patterns(parsed[name], problems)
    wellbeing = parsed["wellbeing.yaml"]
    if wellbeing is not None and isinstance(wellbeing.data, dict):
        _duplicates(wellbeing, "assumptions", problems)
    emails = parsed["emails.yaml"]
    if emails is not None and isinstance(emails.data, dict):
        _check_templates(emails, problems)
    assessment = parsed["assessment.yaml"]
    if assessment is not None and isinstance(assessment.data, dict):
        _check_conditions(assessment, problems)
        _check_question_ids(assessment, problems)

    part_ids = _ids(parsed["article.yaml"], "parts")
    action_ids = _ids(parsed["actions.yaml"], "actions")
    email_ids = _ids(parsed["emails.yaml"], "templates")
    if parsed["article.yaml"] is not None and parsed["article.yaml"].model is not None:
        for name, key in lists.items():
            item = parsed[name]
            if item is not None and isinstance(item.data, dict):
                _references(item, key, "source", part_ids, "article part", problems)
        if wellbeing is not None and isinstance(wellbeing.data, dict):
            _references(wellbeing, "assumptions", "source", part_ids, "article part", problems)
            _mapping_reference(wellbeing, "mood", "source", part_ids, "article part", problems)
        actions = parsed["actions.yaml"]
        if actions is not None and isinstance(actions.data, dict):
            _mapping_reference(actions, "keep_searching", "source", part_ids, "article part",
                               problems)
    if parsed["actions.yaml"] is not None and parsed["actions.yaml"].model is not None:
        for name, key, fld in (("scenarios.yaml", "scenarios", "actions"),
                               ("assessment.yaml", "questions", "gap_actions")):
            if parsed[name] is not None and isinstance(parsed[name].data, dict):
                _references(parsed[name], key, fld, action_ids, "action", problems)
    if emails is not None and emails.model is not None:
        for name, key in (("sources.yaml", "sources"), ("gracious.yaml", "steps")):
            if parsed[name] is not None and isinstance(parsed[name].data, dict):
                _references(parsed[name], key, "template", email_ids, "email template",
                            problems)

    if problems:
        return None, problems
    models = {name: p.model for name, p in parsed.items()}
    wb: WellbeingFile = models["wellbeing.yaml"]  # type: ignore[assignment]
    acts: ActionsFile = models["actions.yaml"]  # type: ignore[assignment]
    content = Content(
        directory=directory,
        parts=tuple(models["article.yaml"].parts),  # type: ignore[union-attr]
        sources=tuple(models["sources.yaml"].sources),  # type: ignore[union-attr]
        scenarios=tuple(models["scenarios.yaml"].scenarios),  # type: ignore[union-attr]
        questions=tuple(models["assessment.yaml"].questions),  # type: ignore[union-attr]
        mood=wb.mood,
        reminders=tuple(wb.reminders),
        assumptions=tuple(wb.assumptions),
        emails=tuple(models["emails.yaml"].templates),  # type: ignore[union-attr]
        gracious_steps=tuple(models["gracious.yaml"].steps),  # type: ignore[union-attr]
        tone_rules=tuple(models["tone.yaml"].rules),  # type: ignore[union-attr]
        actions=tuple(acts.actions),
        keep_searching=acts.keep_searching,
        tone_words=models["tone.yaml"].words,  # type: ignore[union-attr]
        readings=models["scenarios.yaml"].readings,  # type: ignore[union-attr]
    )
    return content, []


def default_content_dir() -> Path:
    """The shipped content folder; see :mod:`nextround.paths`."""
    from .paths import content_dir

    return content_dir()


def _signature(directory: Path) -> tuple:
    """File names, sizes and modification times: changes when any file does."""
    try:
        return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                            for p in directory.glob("*.yaml")))
    except OSError:
        return ()


@lru_cache(maxsize=8)
def _load_cached(directory: Path, signature: tuple) -> Content:
    content, problems = validate_directory(directory)
    if content is None:
        raise ContentError(problems)
    return content


def load_content(directory: str | Path | None = None) -> Content:
    """Load and validate content, raising :class:`ContentError` with every problem.

    Results are cached until a file in the folder changes, so components can
    call this freely without re-reading YAML on every render.
    """
    path = Path(directory) if directory is not None else default_content_dir()
    path = path.resolve()
    return _load_cached(path, _signature(path))
