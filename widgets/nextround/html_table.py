"""Every HTML table NextRound shows, built one way.

The log, the contacts, the caseload, the charts' numbers, the service report
and the session summary all build their tables with :func:`html_table`, so
one rule holds for all of them:

* every cell is escaped, unless its caller hands it over as :class:`Markup`
  (text it has already escaped itself, with a ``<br>`` or ``<strong>`` of its own);
* a caption names the table; headers are ``<th scope="col">``, and a row's
  first cell is ``<th scope="row">`` where the row is about one thing (a client);
* each cell carries its column's header in ``data-label``. On a narrow screen
  the page's stylesheet lays each row out as a card, one cell a line with its
  label beside it, instead of squeezing many columns into 390 px. Changing
  ``display`` makes browsers forget that a ``<table>`` is a table, so every
  element also says its role (``table``, ``row``, ``cell``...) out loud, and
  a screen reader still moves through rows and columns.

Pure string work, no widgets: the core modules (charts, summary) use it too.

Example::

    >>> from nextround.html_table import html_table
    >>> print(html_table(["Name"], [["<b>Ada</b>"]], caption="People"))
    <table class='nr-table' role='table'><caption>People</caption><thead role='rowgroup'>\
<tr role='row'><th scope='col' role='columnheader'>Name</th></tr></thead><tbody role='rowgroup'>\
<tr role='row'><td role='cell' data-label='Name'>&lt;b&gt;Ada&lt;/b&gt;</td></tr></tbody></table>
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .text import esc


class Markup(str):
    """Text its caller has already made safe for HTML: a cell that holds markup.

    Only for markup built from escaped pieces (a ``<br>`` between escaped
    lines, a ``<strong>`` around a fixed word). Anything else a cell holds is
    escaped by :func:`html_table`.
    """


def _safe(value: Any) -> str:
    return value if isinstance(value, Markup) else esc(value)


def html_table(head: Sequence[str], rows: Iterable[Sequence[Any]], *,
               caption: Any = None, css: str = "nr-table", row_headers: bool = False) -> str:
    """``rows`` under ``head`` as one accessible table (see the module's text).

    ``caption`` names the table (left out only where a heading right above
    already does, as in the printed summary). With ``row_headers`` the first
    cell of each row is that row's header. Every row must have one cell per
    column: a short row would put its cells under the wrong labels.
    """
    labels = [esc(name) for name in head]
    header = "".join(f"<th scope='col' role='columnheader'>{label}</th>" for label in labels)
    body = "".join(_row(cells, labels, row_headers) for cells in rows)
    named = "" if caption is None else f"<caption>{_safe(caption)}</caption>"
    return (f"<table class='{esc(css)}' role='table'>{named}"
            f"<thead role='rowgroup'><tr role='row'>{header}</tr></thead>"
            f"<tbody role='rowgroup'>{body}</tbody></table>")


def _row(cells: Sequence[Any], labels: list[str], row_headers: bool) -> str:
    if len(cells) != len(labels):
        raise ValueError(f"a table row has {len(cells)} cells for {len(labels)} columns")
    parts = []
    for index, (cell, label) in enumerate(zip(cells, labels, strict=True)):
        if row_headers and index == 0:
            parts.append(f"<th scope='row' role='rowheader' data-label='{label}'>"
                         f"{_safe(cell)}</th>")
        else:
            parts.append(f"<td role='cell' data-label='{label}'>{_safe(cell)}</td>")
    return "<tr role='row'>" + "".join(parts) + "</tr>"
