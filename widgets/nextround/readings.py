"""Reading rejection feedback: which scenario it most likely means, and why.

Courtesy, praise and form-letter wording are set aside before the scenarios'
cues are read, so a form letter reads as no specific feedback; a named skill
is quoted; split evidence is shown as two readings; each reading keeps the
sentences that led to it. Pure functions over content and the client's text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .content import Content
from .cue_matching import MAX_READ, _Compiled, _compiled, _content, is_negated
from .judgement_languages import reader_for

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
    r"\b(?:lack\w*|need\w*|requir(?!ements?\s+(?:of|for)\s+(?:the|this)\s+(?:role|position|job|post)\b)\w*|looking\s+for|hoping\s+for|more(?!\s+closely)|less|not|no|n't"
    r"|never|concern\w*|unfortunately|missing|weak\w*|limited|only|too|instead|rather)\b|n't\b")
#: Sentences end at a stop, at a blank line, or at a line break unless the
#: line runs on mid-sentence (a wrapped email line: "with more\nexperience").
_SENTENCE_END = re.compile(r"(?<=[.!?;])[\"')\]]*\s+|\n\s*\n\s*|(?<![a-z,])\n\s*|\n(?![a-z])\s*")
_SKILL_TAIL = re.compile(
    r"\s+(?:for|as|than|to|and\s+(?:that|we|the|it|so|have|has|had|will|would|are|were|i|they|he|she|you|our|their|then|now|decided)|but|which|who|because|while|so|at\s+this|at\s+the"
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
    remains, the reading is "no specific feedback", said plainly. When the
    cues find a reason but the form-letter model is sure the message is a
    form letter, "no specific feedback" comes first with the cues' reading
    beside it.
    """
    return read_with_cues(text, content, form_letter_model=True)


def read_with_cues(text: str, content: Content | None = None, *,
                   form_letter_model: bool = False) -> FeedbackReading:
    """The reading; by the cues alone unless ``form_letter_model`` (as ``read_feedback``)."""
    content = _content(content)
    language_reader = reader_for(content.lang)  # a language tuned on its own messages
    if language_reader is not None:
        return language_reader(text, content)
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
    if found.get(SKILL_GAP):
        # "Your degree in English was noted" is the applicant's background: a
        # skill cue counts only where its sentence says something was wanted.
        found[SKILL_GAP] = [span for span in found[SKILL_GAP]
                            if _wanted(masked, span[0], span[1])]
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
            # "I have twelve years of experience" is the applicant's own
            # background: experience counts only where it is said to be wanted.
            wanted = [span for span in general if _wanted(masked, span[0], span[1])]
            found[BETTER_QUALIFIED] = _merge(found.get(BETTER_QUALIFIED, []), wanted)
            found[SKILL_GAP] = []
    ranked = [_suggestion(sid, spans, content, flat, sentences, skills)
              for sid, spans in found.items() if spans and sid != NO_FEEDBACK]
    ranked.sort(key=lambda s: (-s.score, order.get(s.scenario_id, 99)))
    if ranked and form_letter_model and ranked[0].scenario_id not in STATED_EVENTS \
            and _reads_as_form_letter(flat, masked):
        # The cues found a reason, but the message as a whole reads like a
        # form letter: say so first and keep the cues' reading beside it.
        return _form_letter_before_cues(text, flat, masked, found, compiled, content,
                                        sentences, ranked)
    if ranked:
        split = len(ranked) > 1 and ranked[1].score >= SPLIT_SHARE * ranked[0].score
        if NO_FEEDBACK in found:
            ranked.append(_suggestion(NO_FEEDBACK, found[NO_FEEDBACK], content, flat,
                                      sentences, ()))
        return FeedbackReading(text, ranked, split=split)
    plain = _no_specific_reason(text, flat, masked, found, compiled, content, sentences)
    if form_letter_model:
        told = _story_reading(text, flat, masked, compiled, content, sentences)
        if told is not None:
            # A reason told as a story, which no cue names: the story model's
            # reading first, "no specific feedback" beside it to choose.
            return FeedbackReading(text, [told, *plain.suggestions], split=True)
    return plain


def says_no_feedback(text: str, content: Content | None = None) -> bool:
    """Whether the text itself says no feedback came ("I never heard back").

    A story model must not read a reason into a message that says there was
    none; the benchmarks ask this of each message as the reader does.
    """
    content = _content(content)
    _flat, masked = courtesy_set_aside(text, content)
    return _says_no_feedback(masked, _compiled(content))


def _says_no_feedback(masked: str, compiled: _Compiled) -> bool:
    return any(matcher.item_id == NO_FEEDBACK and matcher.find(masked)
               for matcher in compiled.scenarios)


def _story_reading(text, flat, masked, compiled, content, sentences
                   ) -> ScenarioSuggestion | None:
    """The reason a message tells as a story, when the story model is sure of it.

    Only where the cues found no reason and no words saying there was none,
    the form-letter model is sure the message is not a form letter, and the
    story model's likeliest reason is one it was chosen for, at least as
    likely as it was chosen with (``nextround.reader_model.story_settings``).
    The sentence whose words point most to that reason is the one highlighted.
    """
    from . import reader_model

    below, least, readings = reader_model.story_settings()
    if not sentences or _says_no_feedback(masked, compiled) \
            or reader_model.form_letter_probability(flat, masked) >= below:
        return None
    likely = reader_model.reason_probabilities(flat, masked)
    best = max(likely, key=likely.__getitem__)
    if best not in readings or likely[best] < least \
            or not any(s.id == best for s in content.scenarios):
        return None
    _, (start, end) = max((reader_model.sentence_story_weight(flat[a:b], masked[a:b], best), (a, b))
                          for a, b in sentences)
    return ScenarioSuggestion(best, round(likely[best], 3), (" ".join(text[start:end].split()),),
                              ((start, end),))


def courtesy_set_aside(text: str, content: Content | None = None) -> tuple[str, str]:
    """The text lower-cased, and the same with courtesy and form-letter wording blanked.

    What the cues read before they look for reasons; the form-letter model
    (``nextround.reader_model``) reads both.
    """
    content = _content(content)
    flat = flatten((text or "")[:MAX_READ])
    compiled = _compiled(content)
    masked = _set_aside(flat, compiled.not_reasons)
    masked = _set_aside_form_match(masked, compiled.form_match, _skills(masked, compiled))
    return flat, masked


#: Readings that name something that happened (the job went to an insider, the
#: plans changed): a form letter does not make these up, so the form-letter
#: model does not overrule them, however standard the words around them.
STATED_EVENTS = frozenset({"internal_candidate", "different_direction"})


def _reads_as_form_letter(flat: str, masked: str) -> bool:
    """Whether the form-letter model is sure the message gives no specific reason.

    Hand-written cues fit the words they were written from; on new words their
    commonest error is a reason read into a form letter. The model
    (``nextround.reader_model``, imported on first use) looks at the whole
    message instead of single phrases.
    """
    from . import reader_model

    return reader_model.form_letter_probability(flat, masked) >= reader_model.threshold()


def _form_letter_before_cues(text, flat, masked, found, compiled, content, sentences,
                             ranked) -> FeedbackReading:
    """"No specific feedback" first, the cues' reading beside it for the client to choose.

    The no-feedback reading shows the form-letter sentence that led to it: the
    no-feedback cues' sentence where there is one, else the sentence the model
    weighs most as form-letter wording.
    """
    from . import reader_model

    spans = _no_feedback_spans(found, compiled, flat)
    if spans:
        first = _suggestion(NO_FEEDBACK, spans, content, flat, sentences, ())
    else:
        weighed = [(reader_model.sentence_weight(flat[a:b], masked[a:b]), (a, b))
                   for a, b in sentences]
        best = max(weighed, default=(0.0, None))[1]
        first = ScenarioSuggestion(
            NO_FEEDBACK, 0.0,
            (" ".join(text[best[0]:best[1]].split()),) if best else
            ("no specific reason was given",),
            (best,) if best else ())
    first = ScenarioSuggestion(first.scenario_id, ranked[0].score, first.cues, first.evidence)
    return FeedbackReading(text, [first, *ranked], split=True, form_letter=True)


def _no_feedback_spans(found, compiled, flat) -> list[tuple[int, int]]:
    """Where the text says no feedback will come. Set-aside clauses still say it
    ("due to the volume of applications we cannot give feedback"), so the whole
    text is read when the cues found nothing."""
    spans = found.get(NO_FEEDBACK) or []
    for matcher in compiled.scenarios:
        if matcher.item_id == NO_FEEDBACK and not spans:
            spans = matcher.find(flat) or matcher.find(flat, fallback=True)
    return spans


def _no_specific_reason(text, flat, masked, found, compiled, content, sentences) -> FeedbackReading:
    """The reading when nothing specific was said: plainly "no feedback".

    Form-letter wording about someone fitting better puts "better
    qualified" beside it, marked as split, since the client may know more.
    """
    spans = _no_feedback_spans(found, compiled, flat)
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
#: culture or work style are how the client came across, not boilerplate; a
#: fit that was lost ("no longer the right fit") tells of a change of plan.
_HOW_THEY_FIT = re.compile(
    r"\b(?:culture|cultural|values|work(?:ing)?\s+style|personality|ethos|way\s+of\s+working)\b"
    # a fit that was there and went: "no longer the right fit", "not a fit any more"
    r"|\bno\s+longer\b|\bany\s*more\b|\bany\s+longer\b")
#: A form-letter clause runs to a comma, stop or "but": "whose ... more closely
#: match the needs of the team" is one clause however long.
_FORM_CLAUSE_EDGE = re.compile(r"[.;:!?,\n]|\bbut\b|\bhowever\b|\band\s+(?=(?:we|i|they|our)\b)")


#: Words that say an area was missing, needed or wanted more of: "more
#: experience in logistics", "we need someone with SAP", "she had a stronger
#: publication record". A named area is a gap only with one of these before it
#: in its sentence; "I have ten years of experience in retail" is the
#: applicant's background, and "the position of Professor of English" a title.
_WANTED = re.compile(
    r"\b(?:lack\w*|need\w*|requir\w*|want\w*|wish\w*|more|less|fewer|limited|little|no|not|never"
    r"|without|missing|insufficient|stronger|deeper|broader|greater|wider|longer|further"
    r"|additional|enough|looking\s+for|seek\w*|sought|prefer\w*|after|someone(?!\s+else)|somebody(?!\s+else)"
    r"|candidates?|applicants?|person|individual|people|gaps?|weak\w*|improve|develop|build"
    r"|strengthen|short|fell|better|closer|other|another|successful|chosen|selected|appointed"
    r"|hired|winning|only|too|hop\w+|ideally|must|should|essential|key|critical|concern\w*"
    r"|unfamiliar|inexperienced|yet|still|compared|versus|vs|whereas|instead|rather"
    r"|call(?:s|ed|ing)?\s+for|demand\w*|benefit\w*|help(?:ed)?|factor|decid\w*|reasons?"
    r"|issue|problem|held\s+back|below|under|fail\w*|short\s+of|outscored|scored|behind"
    r"|brush\w*|work\s+on|unable|couldn.t|could\s+not|can.t|cannot)\b|n't\b")
#: Where the clause of a named area ends: "I have a background in chemistry
#: and was told they went with someone else" says nothing more of chemistry.
_WANT_CLAUSE_EDGE = re.compile(
    r"[.;:!?,\n]|\bbut\b|\bhowever\b|\band\s+(?=(?:we|i|they|our|was|were|got|then|he|she|it|have|had"
    r"|has)\b)")
#: Where a sentence starts, for reading what comes before a named area: a
#: single line break is a wrapped email line ("someone with more\nexperience").
_SENTENCE_START = re.compile(r"[.!?;]|\n\s*\n")


def _wanted(masked: str, start: int, end: int) -> bool:
    """Whether the area from ``start`` to ``end`` is said to be wanted: by words
    before it in its sentence, or after it in its clause ("your knowledge of
    payroll wasn't deep enough"), not by a later clause about something else."""
    begin = max((m.end() for m in _SENTENCE_START.finditer(masked, 0, start)), default=0)
    edge = _WANT_CLAUSE_EDGE.search(masked, end)
    return bool(_WANTED.search(masked, begin, edge.start() if edge else len(masked)))


#: "no" right before a named area states the gap ("no experience with SAP"); it
#: does not cancel it the way "it was not your experience with SAP" does.
_NO_RIGHT_BEFORE = re.compile(r"(?<![a-z'])no\s+$")


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
            if end - start < 2 or (is_negated(masked, match.start())
                                   and not _NO_RIGHT_BEFORE.search(masked, 0, match.start())):
                continue
            if any(bad.fullmatch(masked[start:end].strip()) for bad in compiled.not_skill):
                continue
            # Words after the area count when the pattern reads on past it
            # ("she's bilingual and I'm not").
            raw_end = match.span("skill")[1] if "skill" in regex.groupindex \
                and match.group("skill") else match.end()
            if not _wanted(masked, match.start(), match.end() if match.end() > raw_end else end):
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
