"""How NextRound writes things for people: escaping, dates, counts, places.

Every page, summary, export and message goes through these few functions,
so one rule holds everywhere: user text reaching HTML is escaped with
:func:`esc`, user text reaching Markdown with :func:`md_escape`, a date reads
"5 March 2024" (or "5 Mar 2024" where space is short), a count agrees with
its noun, and a place in a file reads ``scenarios[2].reading``.

Pure functions and constants only: no widget, no store, nothing slow to
import, so the core modules and the command line can use it too.

Example::

    >>> from datetime import date
    >>> from nextround.text import esc, nice_date, plural
    >>> esc("<b>Ada</b>"), nice_date(date(2024, 3, 5)), plural(2, "action")
    ('&lt;b&gt;Ada&lt;/b&gt;', '5 March 2024', '2 actions')
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from .i18n import N_, translator

#: The longest a short answer (a company, a role, a name) may be.
MAX_SHORT = 500

#: What a step says when something failed that the person cannot fix:
#: no traceback, and the reassurance that saved work is untouched.
FALLBACK_MESSAGE = N_("something went wrong there. Everything you saved before is safe; "
                      "please try again.")


# --- escaping -------------------------------------------------------------------------


def esc(text: Any) -> str:
    """User text made safe for HTML, quotes included (``None`` is empty)."""
    return html.escape("" if text is None else str(text), quote=True)


#: Characters that make markup anywhere in a line (``$`` starts maths where
#: MathJax renders it). ``<``, ``>`` and ``&`` are made entities first, so raw
#: HTML cannot get through. Other punctuation stays as typed, so the Markdown
#: still reads as plain text: "(overdue)", "nerves.", "10:30".
_MD_INLINE = re.compile(r"([\\`*_\[\]|~$])")
#: What makes a heading, list, quote or rule when it starts a line.
_MD_LINE_START = re.compile(r"^(\s*)([#+=-]|\d+(?=[.)]))")

#: How the lines of one escaped text are joined: a hard break, indented so
#: the text stays inside the list item or table cell it is written in.
HARD_BREAK = "  \n  "


def md_escape(text: Any, *, one_line: bool = False) -> str:
    """User text as literal Markdown: no markup, no raw HTML, no new blocks.

    Inline markup characters get a backslash, and so does whatever would
    start a heading or a list. Line breaks become hard breaks
    (:data:`HARD_BREAK`); with ``one_line`` all white space is folded to
    single spaces instead, for a line that must stay one line (a checklist
    item).
    """
    raw = "" if text is None else str(text)
    lines = [" ".join(raw.split())] if one_line else raw.strip().splitlines()
    return HARD_BREAK.join(_md_line(line) for line in lines)


def _md_line(line: str) -> str:
    line = _MD_INLINE.sub(r"\\\1", html.escape(line, quote=False))
    return _MD_LINE_START.sub(lambda m: m.group(1) + _line_start(m.group(2)), line)


def _line_start(marker: str) -> str:
    """``1.`` becomes ``1\\.`` (a number starts a list only before its dot); ``#`` ``\\#``."""
    return marker + "\\" if marker.isdigit() else "\\" + marker


# --- dates ----------------------------------------------------------------------------


def nice_date(value: date | None, missing: str = "") -> str:
    """``2024-03-05`` as "5 March 2024" (``missing`` for None), the same in every country,
    in the language in force ("5 de marzo de 2024").

    A ``datetime`` is a ``date`` too and shows its day.
    """
    if value is None:
        return missing
    return translator().date(value)


def short_date(value: date | None, missing: str = "") -> str:
    """``2024-03-05`` as "5 Mar 2024", for lists and menus where space is short."""
    if value is None:
        return missing
    return translator().short_date(value)


# --- counts ---------------------------------------------------------------------------


def plural(number: int, word: str, words: str | None = None) -> str:
    """"1 action", "2 actions"; ``words`` for a plural that is not ``word + "s"``."""
    return f"{number} {word if number == 1 else (words or word + 's')}"


def number(value: float, places: int | None = None) -> str:
    """A number as the language in force writes it: "3.5" and "1,000" in English,
    "3,5" and "1000" in Spanish (through Babel); ``places`` fixes the decimals."""
    return translator().number(value, places)


# --- places in a file ------------------------------------------------------------------


def format_loc(loc: Iterable[Any], prefix: str = "") -> str:
    """``('scenarios', 2, 'reading')`` becomes ``scenarios[2].reading``.

    ``prefix`` names what holds it (``applications[3]``); an empty place is
    ``(top)``, the whole file.
    """
    text = prefix
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + str(part)
    return text or "(top)"


__all__ = ["FALLBACK_MESSAGE", "HARD_BREAK", "MAX_SHORT", "esc", "format_loc", "md_escape",
           "nice_date", "number", "plural", "short_date"]
