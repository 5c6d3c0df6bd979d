"""Which reader and tone check a content's language gets.

The scenario readings and the tone check are tuned on real messages in one
language: their cue data lives in that language's content folder, and the few
rules of grammar that are code (where a clause ends, what negates a cue, what
softens a request) differ by language too. English is read by
:mod:`nextround.readings` and :mod:`nextround.tone`; a language listed here is
read by its own module, loaded only when a text in it is first read. A
language not listed (a new translation whose cues are not tuned yet) keeps the
English judgement, with the English cue data its folder inherits.
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

#: Language code → module whose ``read_feedback`` and ``check_tone`` read it.
JUDGEMENT_MODULES = {"es": "nextround.judgement_es"}


@cache
def _module(lang: str) -> Any:
    name = JUDGEMENT_MODULES.get(lang)
    return importlib.import_module(name) if name else None


def reader_for(lang: str) -> Callable | None:
    """The ``read_feedback`` for a language with its own, or None (English)."""
    module = _module(lang)
    return module.read_feedback if module is not None else None


def tone_check_for(lang: str) -> Callable | None:
    """The ``check_tone`` for a language with its own, or None (English)."""
    module = _module(lang)
    return module.check_tone if module is not None else None


def _folded(char: str) -> str:
    if not char.isalpha() or char.isascii():
        return char
    base = unicodedata.normalize("NFD", char)[0]
    return base if base.isascii() else char


_FOLD = {chr(code): _folded(chr(code)) for code in range(0xC0, 0x250)
         if _folded(chr(code)) != chr(code)}
_FOLD_TABLE = str.maketrans(_FOLD)


def fold_accents(text: str) -> str:
    """Letters without their accents (``á`` → ``a``, ``ñ`` → ``n``), one character
    for one, so an offset into the result is an offset into ``text``.

    People type Spanish with and without accents ("por qué", "por que"), so
    cues and text are both read folded.

    >>> fold_accents("Exijo una explicación, señores")
    'Exijo una explicacion, senores'
    """
    return text.translate(_FOLD_TABLE)
