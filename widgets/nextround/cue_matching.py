"""Cue matching: finding content phrases in a client's words, with negation.

Shared by the scenario readings (:mod:`nextround.readings`) and the
assumption check (:mod:`nextround.advice`). Phrases tolerate hyphens, plurals
and apostrophes; a cue shortly after "not" in the same clause does not count
unless a carrier verb ("did not feel you had") takes the negation.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .content import Content, Cues, load_content

#: Words that cancel a cue when they come shortly before it in the same clause:
#: "it was not about your skills" must not suggest a skill gap.
NEGATORS = frozenset("""
    not no never nothing none neither nor without cannot cant isnt wasnt arent werent
    dont didnt doesnt hasnt havent hadnt wont wouldnt couldnt shouldnt
""".split())

#: Verbs that carry a negation away from the cue: in "we did not feel you had
#: enough experience" the "not" belongs to "feel", and the cue still stands;
#: in "we didn't like your shoes" the dislike is the feedback.
NEGATION_CARRIERS = frozenset("""
    feel felt think thought believe believed seem seemed have had has possess possessed
    show showed shown demonstrate demonstrated see saw get got quite fully really
    convey conveyed come came bring brought convinced sure certain persuaded
    like liked love loved enjoy enjoyed appreciate appreciated care cared
""".split())

#: Words that turn "not" into "not only": in "state your points, not just
#: ramble" the rambling is what the feedback is about.
NEGATION_LIMITERS = frozenset({"just", "only", "merely", "simply"})

#: Words that end a clause, so negation does not leak across them. A cause
#: ("because", or "as" / "since" before a subject) starts a new clause ("we did
#: not hire you because you lacked Excel", "couldn't be hired as she hadn't
#: finished her degree"), unless the negation is about the cause itself ("it
#: was not because of your skills").
CLAUSE_BREAKS = re.compile(r"[.;:!?\n]|\bbut\b|\bhowever\b|\balthough\b|\bthough\b|\bwhile\b"
                           r"|\bwhereas\b|\binstead\b|\brather\b"
                           r"|(?<!\bnot\s)(?<!n't\s)(?<!\bnot\sjust\s)(?<!\bnot\sonly\s)"
                           r"(?:\bbecause\b|\b(?:as|since)\b(?=\s+(?:i|you|he|she|they|we|it)\b))")
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
            if words[i + 1:i + 2] and words[i + 1] in NEGATION_LIMITERS:
                return False  # "not just ramble": the rambling still happened
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
