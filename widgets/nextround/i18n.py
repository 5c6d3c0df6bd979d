"""The interface in the reader's language: gettext catalogues, dates and numbers.

Every interface string is written in English in the code and marked with
:func:`_` (or :func:`ngettext` for a count, :func:`N_` for a constant that is
translated where it is shown). ``pybabel extract`` collects them into
``locale/nextround.pot``; each language's ``locale/<lang>/LC_MESSAGES/nextround.po``
translates them (see ``docs/languages.md``).

Which language a string is shown in is not a global setting: two pages in
two languages can share one kernel. The language is a context variable set
with :func:`using` while a page builds its widgets, and :func:`bound` gives a
callback the language it was wired in, so a click on a Spanish page answers
in Spanish whatever another page in the kernel speaks. Outside any
:func:`using` block the default is ``NEXTROUND_LANG`` (``nextround serve
--lang``), else English.

English is the source language: its "translation" is the text itself, so an
English page is exactly what the code says.

The ``.mo`` files are compiled when the wheel is built (``hatch_build.py``).
A source checkout or an editable install has only the ``.po``: the first use of
a language compiles it beside the ``.po`` when the ``.mo`` is missing or older,
or in memory when the folder cannot be written.

Example::

    >>> from nextround.i18n import _, using, translator
    >>> with using("es"):
    ...     _("Add client")
    'Añadir cliente'
    >>> translator("es").date(__import__("datetime").date(2024, 3, 5))
    '5 de marzo de 2024'
"""

from __future__ import annotations

import contextlib
import gettext
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache, lru_cache, wraps
from pathlib import Path
from typing import Any

#: Every language NextRound speaks, each named in its own words (the picker shows these).
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
#: The language the code is written in.
SOURCE_LANGUAGE = "en"
#: The environment variable holding the default language (``nextround serve --lang``).
LANG_ENV = "NEXTROUND_LANG"
#: The gettext domain: ``locale/<lang>/LC_MESSAGES/nextround.po``.
DOMAIN = "nextround"
LOCALE_DIR = Path(__file__).parent / "locale"

_current: ContextVar[str | None] = ContextVar("nextround_language", default=None)


def supported(tag: str | None) -> str | None:
    """The language NextRound speaks for ``tag`` ("es", "es-MX", "ES_es"), or None."""
    if not tag:
        return None
    base = str(tag).strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def default_language() -> str:
    """``NEXTROUND_LANG`` when it names a language NextRound speaks, else English."""
    return supported(os.environ.get(LANG_ENV)) or SOURCE_LANGUAGE


def current_language() -> str:
    """The language of the page being built or answered now."""
    return _current.get() or default_language()


@contextmanager
def using(lang: str | None) -> Iterator[str]:
    """Speak ``lang`` inside the block (an unknown or empty tag means the default)."""
    chosen = supported(lang) or default_language()
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def bound(func: Callable[..., Any], lang: str | None = None) -> Callable[..., Any]:
    """``func`` run in ``lang`` (default: the language in force now, as it is wired)."""
    chosen = supported(lang) or current_language()

    @wraps(func)
    def in_language(*args: Any, **kwargs: Any) -> Any:
        with using(chosen):
            return func(*args, **kwargs)

    return in_language


# --- widgets answering in their page's language -----------------------------------------

#: The attribute a widget built for a page keeps that page's language in.
_WIDGET_LANGUAGE = "_nextround_language"


def speaks(widget: Any, lang: str) -> None:
    """Tag ``widget`` and everything inside it with ``lang``.

    Whatever the browser then sends to one of these widgets (a click, a
    value, a choice) is handled in ``lang``, so observers that say
    something answer in the page's language even when no callback of ours
    wrapped them. Another page in another language keeps its own tags.
    """
    _answer_in_widget_language()
    setattr(widget, _WIDGET_LANGUAGE, lang)
    for child in getattr(widget, "children", ()):
        speaks(child, lang)


@lru_cache(maxsize=1)
def _answer_in_widget_language() -> None:
    """Handle each widget's messages from the browser in the language it was tagged with."""
    from ipywidgets import Widget

    handle = Widget._handle_msg

    @wraps(handle)
    def in_widget_language(self: Any, msg: dict) -> Any:
        lang = getattr(self, _WIDGET_LANGUAGE, None)
        if lang is None:
            return handle(self, msg)
        with using(lang):
            return handle(self, msg)

    Widget._handle_msg = in_widget_language


# --- catalogues -----------------------------------------------------------------------


def catalogue_path(lang: str) -> Path:
    """Where ``lang``'s ``.po`` lives (its ``.mo`` sits beside it)."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalogue(po_path: Path) -> bytes:
    """The ``.mo`` bytes for a ``.po`` file; fuzzy entries are left out, as gettext does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=po_path.parent.parent.name, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _mo_bytes(lang: str) -> bytes | None:
    """The compiled catalogue of ``lang``: the shipped ``.mo``, or one made now."""
    po_path = catalogue_path(lang)
    mo_path = po_path.with_suffix(".mo")
    po_time = po_path.stat().st_mtime if po_path.exists() else None
    if mo_path.exists() and (po_time is None or mo_path.stat().st_mtime >= po_time):
        return mo_path.read_bytes()
    if po_time is None:
        return None
    data = compile_catalogue(po_path)
    # An installed, read-only package keeps the catalogue in memory only.
    with contextlib.suppress(OSError):
        mo_path.write_bytes(data)
    return data


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    data = _mo_bytes(lang)
    return gettext.GNUTranslations(io.BytesIO(data)) if data else gettext.NullTranslations()


class Translator:
    """Everything one language needs: its strings, counts, dates and numbers."""

    def __init__(self, lang: str):
        self.lang = lang
        self._catalogue = _translations(lang)

    def gettext(self, message: str) -> str:
        return self._catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return self._catalogue.ngettext(singular, plural, number)

    def date(self, value: date) -> str:
        """"5 March 2024", "5 de marzo de 2024"."""
        if self.lang == SOURCE_LANGUAGE:
            return f"{value.day} {value:%B %Y}"
        from babel.dates import format_date

        return format_date(value, "long", locale=self.lang)

    def short_date(self, value: date) -> str:
        """"5 Mar 2024", "5 mar 2024"."""
        if self.lang == SOURCE_LANGUAGE:
            return f"{value.day} {value:%b %Y}"
        from babel.dates import format_date

        return format_date(value, "medium", locale=self.lang)

    def day_month(self, value: date) -> str:
        """"5 March", "5 de marzo": a date this year, where the year goes without saying."""
        if self.lang == SOURCE_LANGUAGE:
            return f"{value.day} {value:%B}"
        from babel.dates import format_skeleton

        return format_skeleton("MMMMd", value, locale=self.lang)

    def month_year(self, value: date) -> str:
        """"Apr 2026", "abr 2026": a month, where space is short."""
        if self.lang == SOURCE_LANGUAGE:
            return f"{value:%b %Y}"
        from babel.dates import format_skeleton

        return format_skeleton("yMMM", value, locale=self.lang)

    def month_names(self) -> tuple[list[str], list[str]]:
        """The twelve months' names, whole and short ("March", "Mar"; "marzo", "mar"),
        for a chart library that writes its own dates."""
        from babel.dates import get_month_names

        wide = get_month_names("wide", locale=self.lang)
        short = get_month_names("abbreviated", locale=self.lang)
        return [wide[m] for m in range(1, 13)], [short[m] for m in range(1, 13)]

    def number_marks(self) -> str:
        """The decimal mark then the thousands mark (".," in English, ",." in Spanish)."""
        from babel.numbers import get_decimal_symbol, get_group_symbol

        return get_decimal_symbol(self.lang) + get_group_symbol(self.lang)

    def number(self, value: float, places: int | None = None) -> str:
        """1,234.5 in English, 1234,5 in Spanish: the locale's own digits and marks;
        with ``places``, always that many decimals ("1.0", "1,0")."""
        from babel.numbers import format_decimal

        pattern = None if places is None else "#,##0" + ("." + "0" * places if places else "")
        return format_decimal(value, format=pattern, locale=self.lang)


def translator(lang: str | None = None) -> Translator:
    """The translator for ``lang`` (default: the language in force), made once per language."""
    return _translator_for(supported(lang) or current_language())


@cache
def _translator_for(lang: str) -> Translator:
    return Translator(lang)


def _(message: str) -> str:
    """``message`` in the language in force."""
    return _translator_for(current_language()).gettext(message)


def ngettext(singular: str, plural: str, number: int) -> str:
    """The form of a message for ``number`` in the language in force (``%(n)s`` style
    placeholders are left for the caller to fill)."""
    return _translator_for(current_language()).ngettext(singular, plural, number)


def N_(message: str) -> str:
    """Mark a constant for the catalogue; it is translated with :func:`_` where shown."""
    return message


def client_language(store: Any, client_id: str) -> str:
    """The language a client's own files speak: theirs, else the page's."""
    chosen = supported(getattr(store.get_client(client_id), "language", None))
    return chosen or current_language()


def content_for(lang: str | None = None, directory: Any = None) -> Any:
    """The coaching content a page in ``lang`` shows (English where a text is missing).

    ``directory`` keeps a page on the content folder it was given (a counsellor's
    own copy) when its language changes; None is the shipped content.
    """
    from .content import load_content

    return load_content(directory, lang=supported(lang) or SOURCE_LANGUAGE)


def language_from_query(query: str | None) -> str | None:
    """The ``lang`` parameter of a query string when NextRound speaks it, else None."""
    from urllib.parse import parse_qs

    values = parse_qs(query or "").get("lang") or [""]
    return supported(values[0])


__all__ = ["DOMAIN", "LANGUAGES", "LANG_ENV", "LOCALE_DIR", "N_", "SOURCE_LANGUAGE",
           "Translator", "_", "bound", "catalogue_path", "client_language", "content_for",
           "compile_catalogue",
           "current_language", "default_language", "language_from_query", "ngettext",
           "speaks", "supported", "translator", "using"]
