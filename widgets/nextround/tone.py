"""The tone check: flag what may read as rude in an email to an employer.

A reply to a rejection is read by someone who owes the writer nothing, so a
single scornful sentence can close a door for good. This module reads a draft
sentence by sentence and flags the sentences a counsellor would ask the client
to reword, each with a plain reason and a gracious alternative.

Two kinds of evidence, both driven by ``content/tone.yaml`` so a counsellor
can change them without Python:

* a rule's ``patterns`` (regular expressions) mark exact phrasings;
* a rule's ``check`` reads the whole sentence, so new wordings are caught too:
  insults and contempt, shouting, sarcasm, demands, accusations, arguing with
  the decision, and asking to be told why. The checks combine word lists
  (matched with their usual endings) with who the sentence is aimed at, and
  with the VADER sentiment lexicon (``vaderSentiment``, loaded when the check
  first runs) for hostility no list foresaw.

A firm, kind request ("I'd welcome any feedback you can share") is never
flagged: feedback and advice are not reasons, and the writer's own feelings
("I am disappointed") are not hostility.

>>> [f.rule_id for f in check_tone("Thanks for nothing.")]
['sarcasm']
>>> check_tone("Thank you for letting me know. I'd welcome any feedback you can share.")
[]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .content import Content, ToneRule, load_content
from .judgement_languages import tone_check_for
from .tone_checks import (  # noqa: F401  (thresholds re-exported with the check)
    CHECKS,
    HOSTILE_QUESTION,
    PRAISE_COMPOUND,
    SHOUT_LETTERS,
    WARM_COMPOUND,
    _checks_that_fire,
    _vetoed,
    denied,
)
from .tone_words import HOSTILE_COMPOUND, HOSTILE_WORD, _lower, _straighten, cue_regex  # noqa: F401

#: The check reads at most this many characters: far more than any email,
#: and a pasted book cannot freeze the page (about 0.4 s for 20,000 characters
#: of rude sentences).
MAX_READ = 20_000
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]\u201d\u2019]*(?=\s)|\n+")

#: The order in which sentence checks speak when several fit one sentence:
#: the most hurtful first.
CHECK_ORDER = ("insult", "accusation", "demand", "asking_why", "arguing", "sarcasm",
               "shouting")

@dataclass(frozen=True)
class ToneFlag:
    """A phrase in a draft that may read as ungracious, and what to say instead.

    ``phrase`` (at ``start``:``end`` in the checked text) is what to mark: the
    words a pattern matched, or the whole sentence a check flagged.
    ``sentence`` is the sentence it sits in; ``also`` names other rules that
    sentence trips, so the advice can mention them.
    """

    rule_id: str
    phrase: str
    start: int
    end: int
    alternative: str
    why: str
    sentence: str = ""
    also: tuple[str, ...] = ()


def check_tone(text: str, content: Content | None = None) -> list[ToneFlag]:
    """Flag phrasing to avoid in an email draft, with positions in ``text``.

    Each sentence gets at most one flag, for its most hurtful reading
    (:data:`CHECK_ORDER`): the words a pattern marked, or the whole sentence
    when a check found worse; the other rules it trips are named in ``also``
    and in ``why``. Positions index the very characters
    the client typed.
    """
    content = content if content is not None else load_content()
    language_check = tone_check_for(content.lang)  # a language tuned on its own messages
    if language_check is not None:
        return language_check(text, content)
    text = (text or "")[:MAX_READ]
    compiled = _compile(content)
    straight = _straighten(text)
    lower = _lower(straight)
    pattern_flags = _pattern_flags(text, straight, compiled)  # sorted by start
    order = {rule.id: i for i, rule in enumerate(content.tone_rules)}
    rules = {rule.id: rule for rule in content.tone_rules}
    flags: list[ToneFlag] = []
    at = 0  # the next pattern flag not yet placed in a sentence
    for start, end in _sentence_spans(text):
        while at < len(pattern_flags) and pattern_flags[at].start < start:
            flags.append(pattern_flags[at])  # in white space between sentences
            at += 1
        here = []
        while at < len(pattern_flags) and pattern_flags[at].start < end:
            here.append(pattern_flags[at])
            at += 1
        here = [f for f in here if not _vetoed(rules[f.rule_id], text[start:end])
                and not (rules[f.rule_id].check == "accusation"
                         and denied(lower, f.start))]
        fired = _checks_that_fire(straight[start:end], lower[start:end], compiled)
        sentence = text[start:end]
        if here:
            first = min(here, key=lambda f: (_severity(rules[f.rule_id]), order[f.rule_id],
                                             f.start))
            if fired and _severity(fired[0]) < _severity(rules[first.rule_id]):
                here, first = [], None  # a worse reading of the whole sentence leads
        if here:
            also = {f.rule_id for f in here} | {r.id for r in fired}
            also.discard(first.rule_id)
            also_ids = tuple(sorted(also, key=order.__getitem__))
            flags.append(_with(first, sentence=sentence, also=also_ids,
                               why=_why(first.why, also_ids, rules)))
        elif fired:
            rule, also_ids = fired[0], tuple(r.id for r in fired[1:])
            flags.append(ToneFlag(rule.id, sentence, start, end, rule.alternative,
                                  _why(rule.why, also_ids, rules), sentence, also_ids))
    flags.extend(pattern_flags[at:])
    flags.sort(key=lambda f: f.start)
    return flags


def _severity(rule: ToneRule) -> int:
    """How hurtful a rule's reading is: its check's place in CHECK_ORDER. A rule
    with patterns only ranks with asking why."""
    return CHECK_ORDER.index(rule.check or "asking_why")


def _why(why: str, also: tuple[str, ...], rules: dict[str, ToneRule]) -> str:
    """The rule's reason, plus what else the same sentence reads as."""
    labels = [rules[rule_id].label or rule_id.replace("_", " ") for rule_id in also]
    if not labels:
        return why
    listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return f"{why} It also reads as {listed}."


# --- text ----------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    """The sentences (or lines) the check reads, in order."""
    return [text[a:b] for a, b in _sentence_spans(text)]


def _sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence or line, trimmed of white space."""
    at = 0
    for match in _SENTENCE_END.finditer(text):
        yield from _trimmed(text, at, match.end())
        at = match.end()
    yield from _trimmed(text, at, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def _with(flag: ToneFlag, **changes) -> ToneFlag:
    return ToneFlag(**{**flag.__dict__, **changes})


# --- compiled content --------------------------------------------------------------


@dataclass(frozen=True)
class _Cues:
    """One rule's cue lists, compiled to regular expressions."""

    rule: ToneRule
    lists: dict[str, re.Pattern[str] | None]
    acronyms: frozenset[str]

    def find(self, name: str, text: str) -> re.Match[str] | None:
        regex = self.lists.get(name)
        return regex.search(text) if regex is not None else None


@dataclass(frozen=True)
class _Compiled:
    content: Content
    patterns: tuple[tuple[ToneRule, tuple[re.Pattern[str], ...]], ...]
    checks: tuple[tuple[str, _Cues], ...]
    reader: re.Pattern[str] | None
    feelings: re.Pattern[str] | None
    help: re.Pattern[str] | None


_CACHE: dict[int, _Compiled] = {}


def _compile(content: Content) -> _Compiled:
    """Compile a content object's tone rules once; content objects are immutable."""
    cached = _CACHE.get(id(content))
    if cached is not None and cached.content is content:
        return cached
    rules = content.tone_rules
    checks = sorted(
        ((rule.check, _Cues(rule, {name: cue_regex(words) for name, words in rule.cues.items()},
                            frozenset(w.upper() for w in rule.cues.get("acronyms", ()))))
         for rule in rules if rule.check),
        key=lambda pair: CHECK_ORDER.index(pair[0]))
    compiled = _Compiled(
        content=content,
        patterns=tuple((rule, tuple(re.compile(p, re.IGNORECASE) for p in rule.patterns))
                       for rule in rules),
        checks=tuple(checks),
        reader=cue_regex(content.tone_words.reader),
        feelings=cue_regex(content.tone_words.feelings, whole=True),
        help=cue_regex(content.tone_words.help),
    )
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[id(content)] = compiled
    return compiled


# --- patterns ----------------------------------------------------------------------


def _pattern_flags(text: str, straight: str, compiled: _Compiled) -> list[ToneFlag]:
    """Every phrase a rule's patterns match. Where matches overlap, the rule
    listed first in the content wins (the file lists the most specific first),
    then the longest match."""
    found: list[tuple[int, ToneFlag]] = []
    for order, (rule, patterns) in enumerate(compiled.patterns):
        for regex in patterns:
            for match in regex.finditer(straight):
                start, end = match.span()
                while end > start and straight[end - 1].isspace():
                    end -= 1
                while start < end and straight[start].isspace():
                    start += 1
                if end > start:
                    found.append((order, ToneFlag(rule.id, text[start:end], start, end,
                                                  rule.alternative, rule.why)))
    found.sort(key=lambda pair: (pair[0], -(pair[1].end - pair[1].start), pair[1].start))
    kept: list[ToneFlag] = []  # disjoint, in text order
    starts: list[int] = []
    for _order, flag in found:
        at = bisect.bisect_left(starts, flag.start)
        if at and kept[at - 1].end > flag.start:
            continue  # overlaps the kept flag before it
        if at < len(kept) and kept[at].start < flag.end:
            continue  # overlaps the kept flag after it
        kept.insert(at, flag)
        starts.insert(at, flag.start)
    return kept


__all__ = ["CHECK_ORDER", "ToneFlag", "check_tone", "cue_regex", "sentences"]
