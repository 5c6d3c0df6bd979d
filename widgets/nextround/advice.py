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
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .content import Content, Cues, load_content
from .emails import RenderedEmail, render
from .errors import NextRoundError
from .tone import ToneFlag, check_tone

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
    convey conveyed come came bring brought convinced sure certain persuaded
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
    not_reasons: list[re.Pattern[str]] = field(default_factory=list)
    form_match: list[re.Pattern[str]] = field(default_factory=list)
    skill: list[re.Pattern[str]] = field(default_factory=list)
    not_skill: list[re.Pattern[str]] = field(default_factory=list)


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
        not_reasons=[re.compile(p) for p in content.readings.not_reasons.patterns],
        form_match=[re.compile(p) for p in content.readings.form_match.patterns],
        skill=[re.compile(p) for p in content.readings.skill.patterns],
        not_skill=[re.compile(p) for p in content.readings.not_skill.patterns],
    )
    if len(_COMPILED) > 16:
        _COMPILED.clear()
    _COMPILED[id(content)] = compiled
    return compiled


def _content(content: Content | None) -> Content:
    return content if content is not None else load_content()


# --- scenarios -----------------------------------------------------------------

NO_FEEDBACK = "no_feedback"
SKILL_GAP = "skill_gap"
BETTER_QUALIFIED = "better_qualified"
#: When the runner-up has at least this share of the leader's score, the
#: evidence is split and both readings are shown side by side.
SPLIT_SHARE = 0.6
#: A named skill's own strength as a cue: a quoted area of experience is as
#: strong a sign as a long phrase.
SKILL_STRENGTH = 1.75

#: Where clauses end for setting praise and courtesy aside: the usual clause
#: breaks, commas, and "and" when a new statement starts after it.
_CLAUSE_EDGE = re.compile(
    r"[.;:!?,\n()]|\bbut\b|\bhowever\b|\balthough\b|\bthough\b|\bwhile\b|\bwhereas\b|\bbecause\b"
    r"|\byet\b|\band(?=\s+(?:we|i|they|he|she|ultimately|unfortunately|so|after|decided|have"
    r"|the\s+(?:other|successful|selected|chosen|person|candidate)|another|someone|in\s+the\s+end))")
#: Words that make a clause a reason even when it also praises.
_REASON_WORDS = re.compile(
    r"\b(?:lack\w*|need\w*|requir\w*|looking\s+for|hoping\s+for|more(?!\s+closely)|less|not|no|n't"
    r"|never|concern\w*|unfortunately|missing|weak\w*|limited|only|too|instead|rather)\b|n't\b")
#: Sentences end at a stop, at a blank line, or at a line break unless the
#: line runs on mid-sentence (a wrapped email line: "with more\nexperience").
_SENTENCE_END = re.compile(r"(?<=[.!?;])[\"')\]]*\s+|\n\s*\n\s*|(?<![a-z,])\n\s*|\n(?![a-z])\s*")
_SKILL_TAIL = re.compile(
    r"\s+(?:for|as|than|to|and\s+(?:that|we|the|it|so)|but|which|who|because|while|so|at\s+this|at\s+the"
    r"|compared|relative|before|during|when|like|we|you|they|in\s+order|that\s+(?:we|the|is|was)"
    r"|was|were|is|are|wasn't|isn't|weren't|aren't|has|have|had|did|does|didn't|doesn't|will"
    r"|would|could|should|central|essential|important|key|needed|required)\b.*$"
    r"|[\s,]+$")


def flatten(text: str) -> str:
    """Lower-case and straighten quotes, keeping every character's position.

    Unlike :func:`normalise`, white space is not folded, so an offset into
    the result is an offset into the client's own text: the sentence that
    led to a reading can be highlighted where they wrote it.
    """
    out = []
    for char in text:
        low = char.lower()
        char = low if len(low) == 1 else char
        if char in "\u2019\u2018`":
            char = "'"
        elif char.isspace():
            char = " " if char != "\n" else "\n"
        out.append(char)
    return "".join(out)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Start and end of each sentence (or line) in ``text``, without edge space."""
    spans = []
    start = 0
    for match in list(_SENTENCE_END.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        if match and text[match.start() - 1:match.start()] in ".!?;":
            end = match.start()
        chunk = text[start:end]
        if chunk.strip():
            left = start + len(chunk) - len(chunk.lstrip())
            right = start + len(chunk.rstrip())
            spans.append((left, right))
        start = match.end() if match else len(text)
    return spans


@dataclass(frozen=True)
class ScenarioSuggestion:
    """A scenario that fits the feedback, with the words that led to it.

    ``evidence`` holds the start and end of each sentence, in the client's own
    text, that led to this reading; ``skill`` quotes the missing skill or
    area when the feedback names one.
    """

    scenario_id: str
    score: float
    cues: tuple[str, ...]
    evidence: tuple[tuple[int, int], ...] = ()
    skill: str = ""

    @property
    def id(self) -> str:
        return self.scenario_id


@dataclass(frozen=True)
class FeedbackReading:
    """What the feedback most likely means, and how sure the reading is.

    ``split`` is true when the evidence is weak or points two ways: the two
    likely readings are then shown side by side for the client to choose.
    ``form_letter`` is true when nothing in the text is a specific reason.
    """

    text: str
    suggestions: list[ScenarioSuggestion]
    split: bool = False
    form_letter: bool = False

    @property
    def top(self) -> ScenarioSuggestion | None:
        return self.suggestions[0] if self.suggestions else None

    @property
    def choices(self) -> list[ScenarioSuggestion]:
        """One reading when it is clear, the two likeliest when it is not."""
        return self.suggestions[:2] if self.split else self.suggestions[:1]


def suggest_scenarios(text: str, content: Content | None = None) -> list[ScenarioSuggestion]:
    """Rank the scenarios that fit what the client heard, best first.

    Each suggestion lists the words that matched, so the client can see why
    and confirm or choose another. When nothing specific was said (an empty
    note, a form letter) the "no feedback" scenario is offered first.
    """
    return read_feedback(text, content).suggestions


def read_feedback(text: str, content: Content | None = None) -> FeedbackReading:
    """Read feedback: rank the scenarios, say how sure, and show the sentences why.

    Praise, thanks, talk of how many or how strong the applicants were, and
    promises to keep a CV on file are set aside first: they are courtesy,
    not reasons. What remains is read with each scenario's cues. A named
    missing skill or area makes a skill gap (and is quoted); experience in
    general, with no area, stays "better qualified". When nothing specific
    remains, the reading is "no specific feedback", said plainly.
    """
    content = _content(content)
    text = (text or "")[:MAX_READ]
    flat = flatten(text)
    compiled = _compiled(content)
    order = {scenario.id: i for i, scenario in enumerate(content.scenarios)}
    masked = _set_aside(flat, compiled.not_reasons)
    sentences = sentence_spans(text)
    skills = _skills(masked, compiled)
    masked = _set_aside_form_match(masked, compiled.form_match, skills)
    found: dict[str, list[tuple[int, int, float]]] = {}
    for matcher in compiled.scenarios:
        spans = matcher.find(masked)
        if spans:
            found[matcher.item_id] = spans
    _resolve_overlaps(found)
    if skills:
        # A named area turns "more experience in logistics" into a skill gap.
        named = [sentence for sentence in sentences
                 if any(_overlaps(sentence, skill) for skill in skills)]
        found[BETTER_QUALIFIED] = [span for span in found.get(BETTER_QUALIFIED, [])
                                   if not any(_overlaps(span, s) for s in named)]
        found[SKILL_GAP] = _merge(found.get(SKILL_GAP, []),
                                  [(s, e, SKILL_STRENGTH) for s, e in skills])
    elif found.get(SKILL_GAP):
        # Experience in general, with no area named, is someone else being more
        # qualified; a test, credential or depth still reads as a skill gap.
        general = [span for span in found[SKILL_GAP]
                   if _GENERAL_EXPERIENCE.search(_clause_from(masked, span))
                   and not _SPECIFIC_KIND.search(_clause_from(masked, span))]
        if general and len(general) == len(found[SKILL_GAP]):
            found[BETTER_QUALIFIED] = _merge(found.get(BETTER_QUALIFIED, []), general)
            found[SKILL_GAP] = []
    ranked = [_suggestion(sid, spans, content, flat, sentences, skills)
              for sid, spans in found.items() if spans and sid != NO_FEEDBACK]
    ranked.sort(key=lambda s: (-s.score, order.get(s.scenario_id, 99)))
    if ranked:
        split = len(ranked) > 1 and ranked[1].score >= SPLIT_SHARE * ranked[0].score
        if NO_FEEDBACK in found:
            ranked.append(_suggestion(NO_FEEDBACK, found[NO_FEEDBACK], content, flat,
                                      sentences, ()))
        return FeedbackReading(text, ranked, split=split)
    return _no_specific_reason(text, flat, masked, found, compiled, content, sentences)


def _no_specific_reason(text, flat, masked, found, compiled, content, sentences) -> FeedbackReading:
    """The reading when nothing specific was said: plainly "no feedback".

    Form-letter wording about someone fitting better puts "better
    qualified" beside it, marked as split, since the client may know more.
    """
    spans = found.get(NO_FEEDBACK) or []
    for matcher in compiled.scenarios:
        if matcher.item_id == NO_FEEDBACK and not spans:
            # Set-aside clauses still say "no feedback" ("due to the volume of
            # applications we cannot give feedback"), so read the whole text.
            spans = matcher.find(flat) or matcher.find(flat, fallback=True)
    if spans:
        first = _suggestion(NO_FEEDBACK, spans, content, flat, sentences, ())
    else:
        first = ScenarioSuggestion(NO_FEEDBACK, 0.0, ("no specific reason was given",))
    suggestions = [first]
    form = [(m.start(), m.end(), 1.0) for regex in compiled.form_match
            for m in regex.finditer(flat) if m.end() > m.start()]
    if form and any(s.id == BETTER_QUALIFIED for s in content.scenarios):
        hint = _suggestion(BETTER_QUALIFIED, form, content, flat, sentences, ())
        suggestions.append(ScenarioSuggestion(hint.scenario_id, round(first.score / 2, 3),
                                              hint.cues, hint.evidence))
    return FeedbackReading(text, suggestions, split=len(suggestions) > 1, form_letter=True)


#: Skill-gap wording that speaks of experience in general, not of an area.
_GENERAL_EXPERIENCE = re.compile(r"\b(?:experience[ds]?|inexperienced|senior\w*|junior|years)\b")
#: Words that make skill-gap wording specific even when it says "experience".
_SPECIFIC_KIND = re.compile(
    r"\b(?:skills?|tools?|knowledge|qualifications?|certif\w*|degree|licen[cs]e|tests?|assessment"
    r"|technical|kind|type|area|field|hands.on|practical|direct|industry|sector|domain"
    r"|management|managerial|leadership|people)\b")


def _clause_from(masked: str, span: tuple[int, ...]) -> str:
    """A cue's words and the rest of its clause: "the position required someone
    with more experience" speaks of experience in general although the cue
    itself ("required someone with") does not say what was required."""
    words = masked[span[0]:span[1]]
    if not _OPEN_ENDED.search(words):
        return words
    edge = _FORM_CLAUSE_EDGE.search(masked, span[1])
    return masked[span[0]:edge.start() if edge else len(masked)]


#: A cue that stops before saying what it is about ("required someone with").
_OPEN_ENDED = re.compile(r"\b(?:with|who|someone|somebody|a\s+person|people|candidates?)\s*$")


def _resolve_overlaps(found: dict[str, list[tuple[int, int, float]]]) -> None:
    """Where two readings' cues cover the same words, keep the stronger one.

    "You weren't familiar with our company" is a skill cue ("familiar with")
    inside a longer presentation cue; the longer, more specific words win.
    Ties in strength go to the longer span.
    """
    spans = [(sid, span) for sid, items in found.items() if sid != NO_FEEDBACK
             for span in items]
    beaten: set[tuple[str, tuple[int, int, float]]] = set()
    for sid, span in spans:
        for other_sid, other in spans:
            if other_sid == sid or not _overlaps(span, other):
                continue
            mine = (span[2], span[1] - span[0])
            theirs = (other[2], other[1] - other[0])
            if theirs > mine:
                beaten.add((sid, span))
    for sid, span in beaten:
        found[sid].remove(span)


def _overlaps(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _merge(spans: list[tuple[int, int, float]], extra: list[tuple[int, int, float]]
           ) -> list[tuple[int, int, float]]:
    """Add spans, keeping the stronger where two cover the same words."""
    kept: list[tuple[int, int, float]] = []
    for span in sorted(spans + extra, key=lambda s: (-s[2], s[0])):
        if not any(_overlaps(span, other) for other in kept):
            kept.append(span)
    return sorted(kept)


def _set_aside(flat: str, not_reasons: list[re.Pattern[str]]) -> str:
    """Blank out each clause that only praises, thanks or speaks of the field.

    A clause that also carries reason words ("we need someone with excellent
    Excel skills") is kept: only pure courtesy is set aside. Blanking keeps
    every offset, so what is read still points into the client's text.
    """
    chars = list(flat)
    edges = [0] + [m.start() for m in _CLAUSE_EDGE.finditer(flat)] + [len(flat)]
    for regex in not_reasons:
        for match in regex.finditer(flat):
            if match.end() == match.start():
                continue
            at = bisect.bisect_right(edges, match.start()) - 1
            start = edges[at]
            end = edges[bisect.bisect_left(edges, match.end())] if match.end() < len(flat) \
                else len(flat)
            clause = flat[start:end]
            rest = (flat[start:match.start()] + " " * (match.end() - match.start())
                    + flat[match.end():end])
            if _REASON_WORDS.search(rest):
                continue
            chars[start:end] = [" " if c != "\n" else c for c in clause]
    return "".join(chars)


def _set_aside_form_match(masked: str, form_match: list[re.Pattern[str]],
                          skills: list[tuple[int, int]]) -> str:
    """Blank out form-letter "closer match" clauses that name no skill.

    In "another candidate whose experience aligns more closely with the
    specific requirements of this role" nothing is named: "specific
    requirements" there is boilerplate, not a gap. A clause that names an
    area ("more directly matches our need for 5+ years in app design") is kept.
    """
    chars = list(masked)
    edges = [0] + [m.start() for m in _FORM_CLAUSE_EDGE.finditer(masked)] + [len(masked)]
    for regex in form_match:
        for match in regex.finditer(masked):
            at = bisect.bisect_right(edges, match.start()) - 1
            start = edges[at]
            end = edges[min(bisect.bisect_left(edges, match.end()), len(edges) - 1)]
            if any(_overlaps((start, end), skill) for skill in skills):
                continue
            if _HOW_THEY_FIT.search(masked, start, end):
                continue
            chars[start:end] = [" " if c != "\n" else c for c in masked[start:end]]
    return "".join(chars)


#: A "closer match" clause that says what matched better is kept: values,
#: culture or work style are how the client came across, not boilerplate.
_HOW_THEY_FIT = re.compile(
    r"\b(?:culture|cultural|values|work(?:ing)?\s+style|personality|ethos|way\s+of\s+working)\b")
#: A form-letter clause runs to a comma, stop or "but": "whose ... more closely
#: match the needs of the team" is one clause however long.
_FORM_CLAUSE_EDGE = re.compile(r"[.;:!?,\n]|\bbut\b|\bhowever\b")


def _skills(masked: str, compiled: _Compiled) -> list[tuple[int, int]]:
    """Spans of named skills or areas the feedback says were missing."""
    spans: list[tuple[int, int]] = []
    for regex in compiled.skill:
        for match in regex.finditer(masked):
            if "skill" in regex.groupindex and match.group("skill"):
                start, end = match.span("skill")
            else:
                start, end = match.span()
            value = _SKILL_TAIL.sub("", masked[start:end])
            end = start + len(value.rstrip(" .,;:'\""))
            if end - start < 2 or is_negated(masked, match.start()):
                continue
            if any(bad.fullmatch(masked[start:end].strip()) for bad in compiled.not_skill):
                continue
            if not any(_overlaps((start, end), other) for other in spans):
                spans.append((start, end))
    return sorted(spans)


def _suggestion(scenario_id: str, spans: list[tuple[int, int, float]], content: Content,
                flat: str, sentences: list[tuple[int, int]], skills) -> ScenarioSuggestion:
    weight = next((s.cues.weight for s in content.scenarios if s.id == scenario_id), 1.0)
    score = weight * sum(strength for _s, _e, strength in spans)
    cues = tuple(dict.fromkeys(" ".join(flat[s:e].split()) for s, e, _ in spans))
    evidence = tuple(dict.fromkeys(
        sentence for s, _e, _w in spans for sentence in sentences
        if sentence[0] <= s < sentence[1]))
    skill = ""
    if scenario_id == SKILL_GAP and skills:
        start, end = skills[0]
        skill = " ".join(flat[start:end].split())
    return ScenarioSuggestion(scenario_id, round(score, 3), cues, evidence, skill)


def highlight(text: str, spans: Iterable[tuple[int, int]], *, tag: str = "mark") -> str:
    """The client's text as HTML, escaped, with the given spans wrapped in ``tag``."""
    import html as _html

    out: list[str] = []
    at = 0
    for start, end in sorted(set(spans)):
        if start < at:
            continue
        out.append(_html.escape(text[at:start]))
        out.append(f"<{tag}>{_html.escape(text[start:end])}</{tag}>")
        at = end
    out.append(_html.escape(text[at:]))
    return "".join(out)


# --- tone ------------------------------------------------------------------------
# The tone check lives in :mod:`nextround.tone`; it is re-exported here so
# callers keep one place for the coaching logic.

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
    "AssumptionFlag", "FeedbackReading", "ProposedAction", "ScenarioSuggestion", "ToneFlag",
    "assessment_signals", "check_assumptions", "check_tone", "draft_plan", "flatten",
    "highlight", "normalise", "read_feedback", "render_email", "sentence_spans",
    "suggest_scenarios",
]
