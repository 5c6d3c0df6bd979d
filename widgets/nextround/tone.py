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
from functools import cache
from typing import TYPE_CHECKING

from .content import Content, ToneRule, load_content

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

#: The check reads at most this many characters: far more than any email,
#: and a pasted book cannot freeze the page (about 0.4 s for 20,000 characters
#: of rude sentences).
MAX_READ = 20_000
#: A sentence aimed at the reader reads as hostile when VADER's compound score
#: is at or below this and it holds a word VADER scores at or below
#: :data:`HOSTILE_WORD` that is not one of the writer's own feelings.
HOSTILE_COMPOUND = -0.25
HOSTILE_WORD = -1.5
#: A question to the reader that scores this low (and asks for no help) is
#: rhetorical: "Why are you wasting my time?"
HOSTILE_QUESTION = -0.3
#: "You clearly …" at or above this score is praise ("you clearly care").
PRAISE_COMPOUND = 0.3
#: Exclamation marks or capitals in a sentence this warm (VADER compound) are
#: delight, not shouting.
WARM_COMPOUND = 0.5
#: Capitalised words this long are shouting unless listed as acronyms; shorter
#: ones only when they are everyday words ("NOT", "HATE"), not short forms.
SHOUT_LETTERS = 5
#: The order in which sentence checks speak when several fit one sentence:
#: the most hurtful first.
CHECK_ORDER = ("insult", "accusation", "demand", "asking_why", "arguing", "sarcasm",
               "shouting")

#: Everyday short words: written in capitals they are shouting, not acronyms.
_SHORT_WORDS = frozenset("""
    all am an and any are as at be best big but by can did do done dont even ever for get
    got had has have he her him his how i if in is it its just let me more most my need
    never no not now of off oh on one only or our out over real really she so stop sure
    than that the them then they this to too up us very want was way we well were what
    when who why will with yes you your
""".split())
_WORDS = re.compile(r"[a-z0-9]+(?:['!*@#$][a-z0-9*]+)*")
_CAPS = re.compile(r"(?<![\w'])[A-Z][A-Z']*[A-Z](?![\w'])")
_REPEATED_MARKS = re.compile(r"[!?]{2,}")
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]\u201d\u2019]*(?=\s)|\n+")
_ENDINGS = r"(?:s|es|ed|d|ing|ic|ics|ly|y|ity|ness|er|ers|ful)?"
#: "That is why I applied" explains; it does not ask.
#: "why" closely followed by the writer or a negation asks about them.
_WHY_ABOUT_ME = re.compile(r"(?:\s+[\w']+){0,3}?\s+(?:i|me|my|i'm|not|[\w]+n't)(?![\w'])")
#: "Thank you for explaining" thanks for an answer; it does not ask for one.
_THANKS_FOR = re.compile(r"thanks?\s+(?:you\s+)?(?:so\s+much\s+|very\s+much\s+)?for\s+$")
_NEGATIONS = frozenset({"not", "never", "no", "dont", "cannot", "cant"})
_NOT_ASKING_WHY = re.compile(r"(?:that|this|which|here|it)(?:'s|\s+is|\s+was)\s+why\b")
#: "I'd like to explain why I applied": the writer explains; nobody is asked.
_I_EXPLAIN_WHY = re.compile(r"(?:i'd\s+like|i\s+would\s+like|i\s+want|let\s+me|allow\s+me)\s+"
                            r"(?:to\s+)?(?:briefly\s+)?(?:explain|say|tell\s+you|share|mention|"
                            r"describe|outline|add)\s+$")
#: "I'm not looking for the reason why…", "I'm not asking why": the writer
#: says outright that they do not ask for the reason.
_DISCLAIMS_ASKING = re.compile(
    r"(?:not|n't|never)\s+(?:\w+\s+)?(?:looking\s+for|asking(?:\s+for)?|seeking|after|"
    r"wanting|need(?:ing)?(?:\s+to\s+know)?)\s+(?:to\s+know\s+)?(?:the\s+|a\s+|any\s+)?"
    r"(?:reasons?\s+)?$")
#: "I would be lying if I said…": an idiom about the writer's own honesty, not
#: an accusation; it is blanked before the sentence checks read the words.
_HONESTY_IDIOM = re.compile(r"(?:would|'d)\s+be\s+lying\s+if\b")


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
        here = [f for f in here if not _vetoed(rules[f.rule_id], text[start:end])]
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


def _straighten(text: str) -> str:
    """Curly quotes made straight, keeping every offset."""
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")


def _lower(text: str) -> str:
    """Lower case that never changes a length, so offsets stay true."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


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


def cue_regex(entries, *, whole: bool = False) -> re.Pattern[str] | None:
    """One regex for a list of cue words or phrases, as counsellors write them.

    Words in a phrase may be joined by spaces or hyphens, apostrophes are
    optional, the last word takes its usual endings ("idiot" finds "idiots",
    "idiotic"), and a trailing ``*`` takes any ending ("discriminat*").
    ``whole`` makes the regex match a single word exactly (for ``fullmatch``).

    >>> bool(cue_regex(["waste of time"]).search("a waste-of-times"))
    True
    >>> bool(cue_regex(["idiot"]).search("idiosyncratic"))
    False
    """
    parts = [_cue_part(entry) for entry in entries if entry.strip()]
    if not parts:
        return None
    body = "|".join(sorted(parts, key=len, reverse=True))
    if whole:
        return re.compile(rf"(?:{body})")
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])")


def _cue_part(entry: str) -> str:
    words = _lower(_straighten(entry)).split()
    pieces = []
    for i, word in enumerate(words):
        wild = word.endswith("*") and len(word) > 1
        stem = word[:-1] if wild else word
        piece = re.escape(stem).replace("'", "'?")
        if wild:
            piece += r"[\w'*]*"
        elif i == len(words) - 1 and stem[-1:].isalpha():
            piece += _ENDINGS
        pieces.append(piece)
    return r"[\s\-]+".join(pieces)


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


# --- sentence checks ----------------------------------------------------------------


def _checks_that_fire(sentence: str, lower: str, compiled: _Compiled) -> list[ToneRule]:
    """The rules whose sentence check fires on this sentence, most hurtful first."""
    lower = _HONESTY_IDIOM.sub(lambda m: " " * len(m.group()), lower)
    reader = compiled.reader
    aimed = bool(reader and reader.search(lower))
    fired: list[ToneRule] = []
    for check, cues in compiled.checks:
        if cues.rule in fired:
            continue
        if CHECKS[check](sentence, lower, cues, aimed, compiled):
            fired.append(cues.rule)
    return fired


def _insult(sentence, lower, cues, aimed, compiled) -> bool:
    return bool(cues.find("words", lower)) or (aimed and _hostile(sentence, lower, compiled))


def _shouting(sentence, lower, cues, aimed, compiled) -> bool:
    """"!!", "??" or capitals, unless the sentence is plainly warm (see _warm)."""
    loud = bool(_REPEATED_MARKS.search(sentence)) or _has_shouted_word(sentence, cues)
    return loud and not _warm(sentence)


def _warm(sentence: str) -> bool:
    """"Thanks so much!!" is delight, not anger: VADER scores it plainly warm."""
    return _analyzer().polarity_scores(sentence)["compound"] >= WARM_COMPOUND


#: Sentences in which a check's own patterns do not count either.
VETOES = {"shouting": _warm}


def _vetoed(rule: ToneRule, sentence: str) -> bool:
    veto = VETOES.get(rule.check or "")
    return bool(veto and veto(sentence))


def _has_shouted_word(sentence: str, cues: _Cues) -> bool:
    for match in _CAPS.finditer(sentence):
        word = match.group().replace("'", "")
        if word in cues.acronyms:
            continue
        if len(word) >= SHOUT_LETTERS or word.lower() in _SHORT_WORDS \
                or _vader_valence(word.lower()) != 0:
            return True
    return False


def _sarcasm(sentence, lower, cues, aimed, compiled) -> bool:
    """Sarcastic turns of phrase, and the shapes sarcasm takes in polite words:

    * praise or thanks undercut in the same breath ("It was kind of you to
      write, given you had already decided"; "Thank you for replying, albeit
      a month late");
    * "How disappointing to realize …": a judging word, then what the writer
      found out (a listed adjective, or one VADER scores negative that is not
      the writer's own feeling);
    * scare quotes around the reader's own words, in a sentence aimed at the
      reader ("your "careful consideration"").
    """
    if cues.find("phrases", lower):
        return True
    praise = cues.find("praise", lower)
    if praise and cues.find("undercut", lower[praise.end():]):
        return True
    if _how_adjective_to_realize(lower, cues, compiled):
        return True
    return aimed and any(cues.find("quoted", _lower(_straighten(quoted)))
                         for quoted in _scare_quoted(sentence))


#: "How disappointing to realize", "How convenient to find out".
_HOW_ADJECTIVE = re.compile(r"(?:^|[\s,;:(\-])(?:how|what\s+an?)\s+([a-z]+)\s+"
                            r"(?:it\s+(?:is|was)\s+)?(?:to|that)\s+")


def _how_adjective_to_realize(lower: str, cues: _Cues, compiled: _Compiled) -> bool:
    for match in _HOW_ADJECTIVE.finditer(lower):
        adjective = match.group(1)
        if not cues.find("realize", lower[match.end():match.end() + 40]):
            continue
        if cues.lists.get("adjectives") is not None and cues.lists["adjectives"].fullmatch(
                adjective):
            return True
        own_feeling = compiled.feelings is not None and compiled.feelings.fullmatch(adjective)
        if not own_feeling and _vader_valence(adjective) <= -1.0:
            return True
    return False


#: A short quoted span: "careful consideration", “fit”.
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201c\u201d\n]{2,40})[\"\u201d]")


def _scare_quoted(sentence: str) -> list[str]:
    """Quoted spans of at most four words: a longer quotation reports speech."""
    return [m.group(1) for m in _QUOTED.finditer(sentence) if len(m.group(1).split()) <= 4]


def _demand(sentence, lower, cues, aimed, compiled) -> bool:
    if cues.find("phrases", lower):
        return True
    verbs = cues.lists.get("verbs")
    if verbs is not None and _after_i(lower, verbs):
        return True
    commands = cues.lists.get("commands")
    words = _WORDS.findall(lower)
    return bool(commands is not None and len(words) > 1 and commands.fullmatch(words[0])
                and words[1] in ("me", "us", "why", "what", "how", "your", "my"))


def _accusation(sentence, lower, cues, aimed, compiled) -> bool:
    """Blame phrases; blame words aimed at the reader; "you" with "clearly"
    close behind in a sentence that is not praise ("you had clearly decided");
    and a hostile question put to the reader ("Why are you wasting my time?")
    that asks for no help."""
    if cues.find("phrases", lower) or (aimed and cues.find("words", lower)):
        return True
    if _YOU_CLEARLY.search(lower) and _compound(sentence) < PRAISE_COMPOUND:
        return True
    return _hostile_question(sentence, lower, compiled)


#: "you clearly", "you had obviously", "you were evidently": a claim about the
#: reader's mind.
_YOU_CLEARLY = re.compile(r"(?<![\w'])you(?:\s+[\w']+){0,2}?\s+(?:clearly|obviously|evidently)\b")
_SECOND_PERSON = re.compile(
    r"(?<![\w'])(?:you|your|you're|you've|you'd|you'll|yourselves)(?![\w'])")


def _hostile_question(sentence: str, lower: str, compiled: _Compiled) -> bool:
    """A question to "you" that scores hostile and asks for no help: rhetorical."""
    if "?" not in sentence or not _SECOND_PERSON.search(lower):
        return False
    return _negative_judgement(lower, compiled) and _compound(sentence) <= HOSTILE_QUESTION


def _arguing(sentence, lower, cues, aimed, compiled) -> bool:
    if cues.find("phrases", lower):
        return True
    beliefs = cues.lists.get("beliefs")
    return bool(beliefs is not None and cues.find("fit", lower) and _after_i(lower, beliefs))


def _after_i(lower: str, regex: re.Pattern[str], *, within: int = 2) -> bool:
    """True when ``regex`` matches a word soon after "I", with no "not" between:
    "I require", "I really thought", but not "I don't require"."""
    for i_word in re.finditer(r"(?<![\w'])i(?![\w'])", lower):
        at = i_word.end()
        for _ in range(within + 1):
            gap = re.match(r"\s+", lower[at:])
            if not gap:
                break
            at += gap.end()
            if regex.match(lower, at):
                return True
            word = re.match(r"[\w']+", lower[at:])
            if not word or word.group() in _NEGATIONS or word.group().endswith("n't"):
                break
            at += word.end()
    return False


def _asking_why(sentence, lower, cues, aimed, compiled) -> bool:
    """A request or question for the reason one was not chosen.

    "why" counts when the decision or the writer ("I", "me", "not") follows it
    closely, or when it ends the question ("understand why?"); other reason
    words ("the reason", "the deciding factor") need a decision word, or an
    explicit request ("explain the reason"). Thanks for an explanation
    already given is not a request.
    """
    requested = any(not _THANKS_FOR.search(lower, max(0, m.start() - 24), m.start())
                    for m in _finditer(cues.lists.get("asking"), lower))
    if not (requested or "?" in sentence):
        return False
    decision = cues.find("decision", lower)
    for match in _finditer(cues.lists.get("reasons"), lower):
        if _NOT_ASKING_WHY.search(lower, max(0, match.start() - 12), match.end()):
            continue
        if _I_EXPLAIN_WHY.search(lower[max(0, match.start() - 40):match.start()]):
            continue
        if _DISCLAIMS_ASKING.search(lower[max(0, match.start() - 40):match.start()]):
            continue
        if match.group().startswith("why"):
            after = lower[match.end():]
            if _WHY_ABOUT_ME.match(after) or not after.strip(" ?!.\"')"):
                return True
            if decision and decision.start() > match.start():
                return True
        elif decision or requested:
            return True  # "explain the reason" asks for it even with no decision word
    return False


def _finditer(regex: re.Pattern[str] | None, text: str) -> Iterator[re.Match[str]]:
    return regex.finditer(text) if regex is not None else iter(())


CHECKS = {"insult": _insult, "shouting": _shouting, "sarcasm": _sarcasm, "demand": _demand,
          "accusation": _accusation, "arguing": _arguing, "asking_why": _asking_why}


# --- sentiment ----------------------------------------------------------------------


def _hostile(sentence: str, lower: str, compiled: _Compiled) -> bool:
    """A strongly negative judgement, not the writer's own feeling, by VADER's scores."""
    return _negative_judgement(lower, compiled) and _compound(sentence) <= HOSTILE_COMPOUND


def _negative_judgement(lower: str, compiled: _Compiled) -> bool:
    """A word VADER scores strongly negative that is not the writer's own feeling,
    in a sentence that asks for no help ("advice on avoiding my mistakes" is
    about the writer)."""
    if compiled.help is not None and compiled.help.search(lower):
        return False
    feelings = compiled.feelings
    for match in _WORDS.finditer(lower):
        word = match.group()
        if _vader_valence(word) > HOSTILE_WORD or (feelings and feelings.fullmatch(word)):
            continue
        if _I_FEEL_BEFORE.search(lower, 0, match.start()) and \
                _ABOUT_MYSELF_AFTER.match(lower, match.end()):
            continue  # "I hate that I missed it": the writer's feeling about themselves
        return True
    return False


_I_FEEL_BEFORE = re.compile(r"(?<![\w'])i(?:\s+[a-z]+)?\s+$")
_ABOUT_MYSELF_AFTER = re.compile(r"\s+(?:that\s+i(?![\w])|to\s|missing|having|being|losing)")


def _compound(sentence: str) -> float:
    """VADER's compound score, with inflected words read by their listed forms."""
    plain = re.sub(r"[A-Za-z]+", lambda m: _plain_form(m.group()), sentence)
    return _analyzer().polarity_scores(plain)["compound"]


def _plain_form(word: str) -> str:
    """The word as VADER's lexicon lists it: "idiots" becomes "idiot" when only
    that is listed, so the sentence score sees it. Capitals are kept (VADER
    reads them as emphasis)."""
    lower = word.lower()
    lexicon = _analyzer().lexicon
    if lower in lexicon:
        return word
    base = _listed_base(lower)
    if base is None:
        return word
    return base.upper() if word.isupper() and len(word) > 1 else base


def _vader_valence(word: str) -> float:
    """VADER's score for a word, or for its plain form when the lexicon lists
    only that ("idiots" scores as "idiot")."""
    lexicon = _analyzer().lexicon
    if word in lexicon:
        return lexicon[word]
    base = _listed_base(word)
    return lexicon[base] if base is not None else 0.0


def _listed_base(word: str) -> str | None:
    """The plain form of an inflected word, when VADER's lexicon lists it."""
    lexicon = _analyzer().lexicon
    for ending, replacement in _INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            base = word[: len(word) - len(ending)] + replacement
            if base in lexicon:
                return base
    return None


_INFLECTIONS = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
                ("ing", "e"), ("ly", ""))


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    """VADER's analyzer, built on first use: its lexicon (about 6 MB) is read
    only when a draft is first checked, never when the app starts."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


__all__ = ["CHECK_ORDER", "ToneFlag", "check_tone", "cue_regex", "sentences"]
