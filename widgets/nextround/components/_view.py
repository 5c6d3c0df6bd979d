"""The pieces of a step's page that every view shares, and nothing else needs.

Headings and paragraphs escape their text; the status line is the one place
a step speaks (a polite live region); :func:`guard` turns any failure in a
callback into a plain message there. The steps, the app and the workbook
file box build on these; a notebook author builds on
:class:`~nextround.components.Component`, which uses them for you.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

import ipywidgets as W

from ..errors import NextRoundError
from ..i18n import _, current_language, using
from ..text import FALLBACK_MESSAGE, esc

log = logging.getLogger("nextround")


def heading(text: str, level: int = 3) -> W.HTML:
    return W.HTML(f"<h{level} class='nr-heading'>{esc(text)}</h{level}>")


def paragraph(text: str, css: str = "nr-text") -> W.HTML:
    return W.HTML(f"<p class='{css}'>{esc(text)}</p>")


def download_link(label: str, filename: str, data: bytes, mime: str) -> str:
    """An ``<a download>`` with a data URI: Voilà's file route refuses most files."""
    from ..exports import data_uri

    return (f'<a class="nr-download" download="{esc(filename)}" '
            f'href="{esc(data_uri(data, mime))}">{esc(label)}</a>')


def fit_buttons(widget: W.Widget) -> None:
    """Size every button inside ``widget`` to its words.

    ipywidgets gives a button a fixed 148 px, which cuts off "Add an
    application" in JupyterLab (the Voilà page's stylesheet hides this, Lab
    does not load it). A width set on purpose is kept.
    """
    if isinstance(widget, W.Button) and not widget.layout.width:
        widget.layout.width = "auto"
        widget.layout.max_width = "100%"
        if not widget.layout.align_self:
            widget.layout.align_self = "flex-start"  # as wide as its words, not the column
    for child in getattr(widget, "children", ()):
        fit_buttons(child)


class StatusLine(W.HTML):
    """A polite live region: saves and warnings reach screen readers.

    Messages carry a word ("Saved", "Check this") as well as a colour, so
    nothing is told by colour alone.
    """

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.add_class("nr-status")
        self.clear()

    def _show(self, kind: str, prefix: str, message: str) -> None:
        self.value = (f'<div role="status" aria-live="polite" class="nr-{kind}">'
                      f"<strong>{esc(prefix)}</strong> {esc(message)}</div>")

    def saved(self, message: str | None = None) -> None:
        self._show("ok", _("Saved."), message or _("Your answer is saved."))

    def info(self, message: str) -> None:
        self._show("info", _("Note:"), message)

    def warn(self, message: str) -> None:
        self._show("warn", _("Check this:"), message)

    def error(self, message: str) -> None:
        self._show("error", _("Sorry:"), message)

    def clear(self) -> None:
        self.value = '<div role="status" aria-live="polite"></div>'

    @property
    def text(self) -> str:
        """The message without markup, for tests and logs."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.value)).strip()


def guard(func: Callable[..., Any], status: StatusLine,
          language: Callable[[], str] | None = None) -> Callable[..., Any]:
    """Wrap a callback so a failure becomes a plain message in ``status``.

    A :class:`NextRoundError` shows its own words; anything else is logged
    and shows :data:`~nextround.text.FALLBACK_MESSAGE`, never a traceback.
    Every step, the app and the workbook file box use this one guard.

    The callback speaks the language the page was built in (the one in
    force when it is wired), or ``language()`` for a page that can change
    language while it is open; see :mod:`nextround.i18n`.
    """
    wired = current_language()

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with using(language() if language else wired):
            try:
                return func(*args, **kwargs)
            except NextRoundError as exc:
                status.error(str(exc))
            except Exception:  # noqa: BLE001 - the page must never show a traceback
                log.exception("callback failed")
                status.error(_(FALLBACK_MESSAGE))
        return None

    return wrapper
