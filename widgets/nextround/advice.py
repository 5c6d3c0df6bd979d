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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .content import Content
from .cue_matching import (  # noqa: F401  (re-exported: the coaching logic's one place)
    CLAUSE_BREAKS,
    MAX_READ,
    NEGATION_CARRIERS,
    NEGATION_WINDOW,
    NEGATORS,
    CueMatcher,
    _compiled,
    _content,
    is_negated,
    normalise,
    phrase_pattern,
)
from .emails import RenderedEmail, render
from .errors import NextRoundError
from .i18n import _
from .judgement_languages import fold_accents
from .readings import (  # noqa: F401  (re-exported)
    BETTER_QUALIFIED,
    NO_FEEDBACK,
    SKILL_GAP,
    SPLIT_SHARE,
    FeedbackReading,
    ScenarioSuggestion,
    flatten,
    highlight,
    read_feedback,
    sentence_spans,
    suggest_scenarios,
)
from .tone import ToneFlag, check_tone  # noqa: F401  (re-exported)

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
    """Notice "they wanted someone younger"-style guesses in a thought record.

    The cues are the content's own, in its language. A language listed in
    :data:`ASSUMPTION_DENIALS` is read without accents (people type Spanish both
    ways) and with its own rule for what denies a guess ("no fue por mi edad");
    any other language is read as English is.
    """
    content = _content(content)
    normal = normalise((text or "")[:MAX_READ])
    by_id = {a.id: a for a in content.assumptions}
    denial = ASSUMPTION_DENIALS.get(content.lang)
    flags: list[AssumptionFlag] = []
    for matcher in _compiled(content).assumptions:
        spans = (matcher.find(normal) if denial is None
                 else _undenied_spans(matcher, fold_accents(normal), denial))
        if spans:
            item = by_id[matcher.item_id]
            phrases = tuple(dict.fromkeys(normal[s:e].strip() for s, e, _ in spans))
            flags.append(AssumptionFlag(item.id, item.label, phrases, item.reframe,
                                        tuple(item.control)))
    return flags


#: Per language (other than English): a clause's end, and what, ending the
#: words before a guess in the same clause, denies it. Spanish: "no creo que
#: fuera por mi edad" denies the guess; "no sé si fue por mi edad" and "no sé,
#: creo que querían a alguien más joven" do not. Read on text without accents.
ASSUMPTION_DENIALS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "es": (re.compile(r"[.,;:!?\n]|\b(?:pero|sino|aunque|porque|y)\b"),
           re.compile(r"\b(?:no|ni|nunca|jamas|tampoco)\b(?!\s+se\s+si\b)(?:\s+\S+){0,4}\s*$")),
}


def _undenied_spans(matcher: CueMatcher, folded: str,
                    denial: tuple[re.Pattern[str], re.Pattern[str]]
                    ) -> list[tuple[int, int, float]]:
    """Where a matcher's cues stand in ``folded`` text, not denied, without overlaps."""
    clause_end, denies = denial
    spans = []
    for regex, strength in matcher.cues:
        # Cues written with accents read the same as without ("más" as "mas").
        for match in re.compile(fold_accents(regex.pattern), regex.flags).finditer(folded):
            before = folded[max(0, match.start() - 200):match.start()]
            ends = list(clause_end.finditer(before))
            clause = before[ends[-1].end():] if ends else before
            if match.end() > match.start() and not denies.search(clause):
                spans.append((match.start(), match.end(), strength))
    kept: list[tuple[int, int, float]] = []
    for span in sorted(spans, key=lambda span: (-span[2], span[0])):
        if all(span[1] <= other[0] or span[0] >= other[1] for other in kept):
            kept.append(span)
    return sorted(kept)


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
            chosen.setdefault(action_id, _("Suggested for: {reading}").format(
                reading=scenario.title))
    for question in content.questions:
        if question.gap_when and question.gap_when.holds(answers.get(question.id)):
            for action_id in question.gap_actions:
                chosen.setdefault(action_id, _("From your self-assessment: {gap}").format(
                    gap=question.gap))
    keep = content.keep_searching
    if active_applications is not None and active_applications < keep.min_active:
        reason = _("Suggested because fewer than {count} of your applications are still "
                   "open.").format(count=keep.min_active)
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
    "AssumptionFlag", "FeedbackReading", "ProposedAction", "ScenarioSuggestion", "ToneFlag",
    "assessment_signals", "check_assumptions", "check_tone", "draft_plan", "flatten",
    "highlight", "normalise", "read_feedback", "render_email", "sentence_spans",
    "suggest_scenarios",
]
