"""Words and sentiment for the tone check: cue lists as regular expressions,
offsets that survive lower-casing, and VADER's scores read lazily.

VADER (``vaderSentiment``) is imported when a draft is first checked, never
when the app starts, so the import budget in ``docs/performance.md`` holds.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from .tone import _Compiled

#: A sentence aimed at the reader reads as hostile when VADER's compound score
#: is at or below this and it holds a word VADER scores at or below
#: :data:`HOSTILE_WORD` that is not one of the writer's own feelings.
HOSTILE_COMPOUND = -0.25
HOSTILE_WORD = -1.5
_WORDS = re.compile(r"[a-z0-9]+(?:['!*@#$][a-z0-9*]+)*")
_ENDINGS = r"(?:s|es|ed|d|ing|ic|ics|ly|y|ity|ness|er|ers|ful)?"


def _straighten(text: str) -> str:
    """Curly quotes made straight, keeping every offset."""
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")


def _lower(text: str) -> str:
    """Lower case that never changes a length, so offsets stay true."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


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
