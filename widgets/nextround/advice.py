"""The coaching logic: pure functions over content and the client's words.

Nothing here touches widgets or the database, so every rule can be tested on
its own. All judgement calls are *suggestions*: the client confirms a
scenario; the tone check offers alternatives; the assumption check offers a
reframe. The words that drive them live in ``content/`` where a counsellor
can change them.

>>> [s.scenario_id for s in suggest_scenarios("They went with an internal candidate.")][:1]
['internal_candidate']
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .content import Content, Cues, load_content
from .emails import RenderedEmail, render
from .errors import NextRoundError

# --- text matching -----------------------------------------------------------

#: Words that cancel a cue when they come shortly before it in the same clause:
#: "it was not about your skills" must not suggest a skill gap.
NEGATORS = frozenset("""
    not no never nothing none neither nor without cannot cant isnt wasnt arent werent
    dont didnt doesnt hasnt havent hadnt wont wouldnt couldnt shouldnt
""".split())

#: Verbs that carry a negation away from the cue: in "we did not feel you had
#: enough experience" the "not" belongs to "feel", and the cue still stands.
NEGATION_CARRIERS = frozenset("""
    feel felt think thought believe believed seem seemed have had has possess possessed
    show showed shown demonstrate demonstrated see saw get got quite fully really
    convey conveyed come came bring brought
""".split())

#: Words that end a clause, so negation does not leak across them.
CLAUSE_BREAKS = re.compile(r"[.;:!?\n]|\bbut\b|\bhowever\b|\balthough\b|\bthough\b|\bwhile\b"
                           r"|\bwhereas\b|\binstead\b|\brather\b")
NEGATION_WINDOW = 6
#: Cue matching reads at most this many characters of a text: far more than
#: any feedback message or thought, and a pasted book cannot freeze the page
#: (every cue pattern scans the whole text, about 20 ms per 1,000 characters).
MAX_READ = 20_000
#: How far back (in characters) :func:`is_negated` reads. Six words fit many
#: times over; the bound keeps a long text linear rather than quadratic.
NEGATION_LOOKBACK = 1000
_WORD = re.compile(r"[a-z0-9']+")
_WORD_TAIL = re.compile(r"[\w']*")


def normalise(text: str) -> str:
    """Lower-case, straighten quotes and fold runs of white space.

    Matching works on this form so that "Didn’t", "didn't" and "DIDN'T"
    all look the same. Offsets into it equal offsets into the original for
    every character but folded white space, which is why tone flags (whose
    positions matter) match on the original text instead.
    """
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text.lower())


def phrase_pattern(phrase: str) -> str:
    """A regex for a content phrase that tolerates everyday variation.

    Words may be joined by spaces, hyphens or slashes; apostrophes are
    optional; the last word may take a plural or tense ending. So the cue
    "internal candidate" also finds "internal-candidates".
    """
    words = _WORD.findall(normalise(phrase))
    if not words:
        return r"(?!x)x"
    parts = [re.escape(word).replace("'", "'?") for word in words]
    last = parts[-1] + r"(?:s|es|ed|d|ing)?"
    body = r"[\s\-/]+".join(parts[:-1] + [last])
    return rf"(?<![a-z0-9']){body}(?![a-z0-9])"


@dataclass(frozen=True)
class CueMatcher:
    """Compiled cues of one scenario or assumption."""

    item_id: str
    weight: float
    cues: tuple[tuple[re.Pattern[str], float], ...]
    fallback: tuple[tuple[re.Pattern[str], float], ...] = ()

    @classmethod
    def build(cls, item_id: str, cues: Cues) -> CueMatcher:
        return cls(item_id, cues.weight,
                   tuple(_phrase(p) for p in cues.phrases)
                   + tuple((re.compile(p, re.IGNORECASE), 1.25) for p in cues.patterns),
                   tuple(_phrase(p) for p in cues.fallback))

    def find(self, text: str, *, fallback: bool = False) -> list[tuple[int, int, float]]:
        """Spans in normalised ``text`` where a cue stands un-negated, with strengths.

        Overlapping spans count once, keeping the strongest, so a phrase and a
        pattern that see the same words do not double the score.
        """
        spans: list[tuple[int, int, float]] = []
        for regex, strength in (self.fallback if fallback else self.cues):
            for match in regex.finditer(text):
                if match.end() > match.start() and not is_negated(text, match.start()):
                    spans.append((match.start(), match.end(), strength))
        spans.sort(key=lambda span: (-span[2], span[0]))
        kept: list[tuple[int, int, float]] = []  # disjoint, in text order
        starts: list[int] = []
        for span in spans:
            # Only the kept span starting last before this one ends can overlap it.
            at = bisect.bisect_left(starts, span[1])
            if at and kept[at - 1][1] > span[0]:
                continue
            kept.insert(at, span)
            starts.insert(at, span[0])
        return kept


def _phrase(phrase: str) -> tuple[re.Pattern[str], float]:
    """A compiled phrase cue; longer phrases are more specific, so count more."""
    size = len(_WORD.findall(phrase))
    return re.compile(phrase_pattern(phrase)), 1.0 + 0.25 * (size - 1)


def is_negated(text: str, start: int) -> bool:
    """True when a negating word shortly before ``start`` governs the cue there."""
    begin = max(0, start - NEGATION_LOOKBACK)
    before = text[begin:start]
    if begin:  # skip a cut-off word: its tail could pass for a whole word
        before = before[_WORD_TAIL.match(before).end():]
    breaks = list(CLAUSE_BREAKS.finditer(before))
    clause = before[breaks[-1].end():] if breaks else before
    words = [w.replace("'", "") for w in _WORD.findall(clause)][-NEGATION_WINDOW:]
    for i in range(len(words) - 1, -1, -1):
        if words[i] in NEGATORS:
            return not any(word in NEGATION_CARRIERS for word in words[i + 1:])
    return False


@dataclass
class _Compiled:
    content: Content
    scenarios: list[CueMatcher]
    assumptions: list[CueMatcher]
    tone: list[tuple[str, list[re.Pattern[str]]]]


_COMPILED: dict[int, _Compiled] = {}


def _compiled(content: Content) -> _Compiled:
    """Compile a content object's cues once; content objects are immutable."""
    cached = _COMPILED.get(id(content))
    if cached is not None and cached.content is content:
        return cached
    compiled = _Compiled(
        content=content,
        scenarios=[CueMatcher.build(s.id, s.cues) for s in content.scenarios],
        assumptions=[CueMatcher.build(a.id, a.cues) for a in content.assumptions],
        tone=[(rule.id, [re.compile(p, re.IGNORECASE) for p in rule.patterns])
              for rule in content.tone_rules],
    )
    if len(_COMPILED) > 16:
        _COMPILED.clear()
    _COMPILED[id(content)] = compiled
    return compiled


def _content(content: Content | None) -> Content:
    return content if content is not None else load_content()


# --- scenarios -----------------------------------------------------------------

NO_FEEDBACK = "no_feedback"


@dataclass(frozen=True)
class ScenarioSuggestion:
    """A scenario that fits the feedback, with the words that led to it."""

    scenario_id: str
    score: float
    cues: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.scenario_id


def suggest_scenarios(text: str, content: Content | None = None) -> list[ScenarioSuggestion]:
    """Rank the scenarios that fit what the client heard, best first.

    Each suggestion lists the words that matched, so the client can see why
    and confirm or choose another. When nothing specific was said (an empty
    note, a form letter) the "no feedback" scenario is offered.
    """
    content = _content(content)
    normal = normalise((text or "")[:MAX_READ])
    order = {scenario.id: i for i, scenario in enumerate(content.scenarios)}
    matchers = _compiled(content).scenarios
    found = _ranked(matchers, normal, order, fallback=False)
    if not found:
        found = _ranked(matchers, normal, order, fallback=True)
    specific = [s for s in found if s.scenario_id != NO_FEEDBACK]
    if not specific and NO_FEEDBACK in order:
        cues = next((s.cues for s in found if s.scenario_id == NO_FEEDBACK), ())
        reason = cues or ("no specific reason was given",)
        return [ScenarioSuggestion(NO_FEEDBACK, found[0].score if found else 0.0, reason)]
    return found


def _ranked(matchers: list[CueMatcher], normal: str, order: dict[str, int], *,
            fallback: bool) -> list[ScenarioSuggestion]:
    found: list[ScenarioSuggestion] = []
    for matcher in matchers:
        spans = matcher.find(normal, fallback=fallback)
        if spans:
            score = matcher.weight * sum(strength for _s, _e, strength in spans)
            cues = tuple(dict.fromkeys(normal[s:e].strip() for s, e, _ in spans))
            found.append(ScenarioSuggestion(matcher.item_id, round(score, 3), cues))
    found.sort(key=lambda s: (-s.score, order.get(s.scenario_id, 99)))
    return found


# --- tone ------------------------------------------------------------------------


@dataclass(frozen=True)
class ToneFlag:
    """A phrase in a draft that may read as ungracious, and what to say instead."""

    rule_id: str
    phrase: str
    start: int
    end: int
    alternative: str
    why: str


def check_tone(text: str, content: Content | None = None) -> list[ToneFlag]:
    """Flag phrasing to avoid in an email draft, with positions in ``text``.

    Patterns run on the original text (case-insensitive) so that ``start``
    and ``end`` index the very characters the client typed, which the
    composer marks up.
    """
    content = _content(content)
    text = text or ""
    straight = text.replace("\u2019", "'").replace("\u2018", "'")
    rules = {rule.id: rule for rule in content.tone_rules}
    flags: list[ToneFlag] = []
    for rule_id, patterns in _compiled(content).tone:
        rule = rules[rule_id]
        for regex in patterns:
            for match in regex.finditer(straight):
                if match.end() == match.start():
                    continue
                flags.append(ToneFlag(rule_id, text[match.start():match.end()], match.start(),
                                      match.end(), rule.alternative, rule.why))
    return _without_overlaps(flags)


def _without_overlaps(flags: list[ToneFlag]) -> list[ToneFlag]:
    """Keep the longest flag where several cover the same words."""
    flags.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[ToneFlag] = []
    for flag in flags:
        if kept and flag.start < kept[-1].end:
            continue
        kept.append(flag)
    return kept


# --- assumptions -------------------------------------------------------------------


@dataclass(frozen=True)
class AssumptionFlag:
    """An unhelpful assumption noticed in a thought, with its reframe."""

    assumption_id: str
    label: str
    phrases: tuple[str, ...]
    reframe: str
    control: tuple[str, ...]


def check_assumptions(text: str, content: Content | None = None) -> list[AssumptionFlag]:
    """Notice "they wanted someone younger"-style guesses in a thought record."""
    content = _content(content)
    normal = normalise((text or "")[:MAX_READ])
    by_id = {a.id: a for a in content.assumptions}
    flags: list[AssumptionFlag] = []
    for matcher in _compiled(content).assumptions:
        spans = matcher.find(normal)
        if spans:
            item = by_id[matcher.item_id]
            phrases = tuple(dict.fromkeys(normal[s:e].strip() for s, e, _ in spans))
            flags.append(AssumptionFlag(item.id, item.label, phrases, item.reframe,
                                        tuple(item.control)))
    return flags


# --- plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposedAction:
    """A plan step offered to the client, who may edit or drop it.

    ``detail`` is the action's own description from the content, shown under
    its title; ``reason`` says briefly why it is offered. They are kept
    apart so one step's text can never be shown as another's.
    """

    library_id: str
    title: str
    due_on: date
    reason: str
    detail: str = ""


def assessment_signals(answers: Mapping[str, Any], content: Content | None = None
                       ) -> tuple[list[str], list[str]]:
    """Strengths to bring out and gaps to work on, from self-assessment answers."""
    content = _content(content)
    strengths: list[str] = []
    gaps: list[str] = []
    for question in content.questions:
        value = answers.get(question.id)
        if question.strength and question.strength_when and question.strength_when.holds(value):
            strengths.append(question.strength)
        if question.gap and question.gap_when and question.gap_when.holds(value):
            gaps.append(question.gap)
    return strengths, gaps


def draft_plan(
    scenario_id: str | None = None,
    answers: Mapping[str, Any] | None = None,
    *,
    content: Content | None = None,
    today: date | None = None,
    active_applications: int | None = None,
    exclude: Iterable[str] = (),
) -> list[ProposedAction]:
    """Propose plan steps from the confirmed scenario and the self-assessment.

    The scenario's own actions come first, then actions for each gap the
    assessment revealed, then, when fewer applications are active than the
    content asks for, a step to keep the search going. ``exclude`` drops
    library actions already in the plan, so proposals never duplicate.
    """
    content = _content(content)
    today = today or date.today()
    answers = answers or {}
    chosen: dict[str, str] = {}
    if scenario_id:
        try:
            scenario = content.scenario(scenario_id)
        except KeyError:
            raise NextRoundError(f"unknown scenario '{scenario_id}'") from None
        for action_id in scenario.actions:
            chosen.setdefault(action_id, f"Suggested for: {scenario.title}")
    for question in content.questions:
        if question.gap_when and question.gap_when.holds(answers.get(question.id)):
            for action_id in question.gap_actions:
                chosen.setdefault(action_id, f"From your self-assessment: {question.gap}")
    keep = content.keep_searching
    if active_applications is not None and active_applications < keep.min_active:
        reason = (f"Suggested because fewer than {keep.min_active} of your applications "
                  "are still open.")
        for action in content.actions:
            if action.source == keep.source:
                chosen.setdefault(action.id, reason)
    skip = set(exclude)
    proposals: list[ProposedAction] = []
    for action_id, reason in chosen.items():
        if action_id in skip:
            continue
        action = content.action(action_id)
        proposals.append(ProposedAction(action.id, action.title,
                                        today + timedelta(days=action.due_days), reason,
                                        action.detail))
    return proposals


# --- email -------------------------------------------------------------------------


def render_email(template_id: str, context: Mapping[str, Any],
                 content: Content | None = None) -> RenderedEmail:
    """Fill an email template from the log: names, company, role."""
    content = _content(content)
    try:
        template = content.email(template_id)
    except KeyError:
        raise NextRoundError(f"unknown email template '{template_id}'") from None
    return render(template.subject, template.body, dict(context))


__all__ = [
    "AssumptionFlag", "ProposedAction", "ScenarioSuggestion", "ToneFlag",
    "assessment_signals", "check_assumptions", "check_tone", "draft_plan",
    "normalise", "render_email", "suggest_scenarios",
]
