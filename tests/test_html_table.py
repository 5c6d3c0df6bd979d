"""The one table builder: escaped cells, a caption, scoped headers, labelled cells, roles."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from nextround.html_table import Markup, html_table

HOSTILE = "<img src=x onerror=alert(1)> & 'quoted' \"too\""
ESCAPED = "&lt;img src=x onerror=alert(1)&gt; &amp; &#x27;quoted&#x27; &quot;too&quot;"


class Cells(HTMLParser):
    """Every element's tag and attributes, and the text inside each cell, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[tuple[str, dict[str, str | None], str]] = []
        self._open: tuple[str, dict[str, str | None]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("td", "th"):
            self._open, self._text = (tag, dict(attrs)), []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._open:
            self.cells.append((*self._open, "".join(self._text)))
            self._open = None

    def handle_data(self, data):
        if self._open:
            self._text.append(data)


def parsed(markup: str) -> Cells:
    parser = Cells()
    parser.feed(markup)
    return parser


def test_cells_caption_and_headers_are_escaped():
    table = html_table([HOSTILE, "Plain"], [[HOSTILE, 3]], caption=HOSTILE)
    assert "<img" not in table
    assert f"<caption>{ESCAPED}</caption>" in table
    assert f"<th scope='col' role='columnheader'>{ESCAPED}</th>" in table
    assert f"<td role='cell' data-label='{ESCAPED}'>{ESCAPED}</td>" in table
    assert "<td role='cell' data-label='Plain'>3</td>" in table
    # Parsed as a browser would: the hostile text is text, inside its own cell.
    cells = parsed(table).cells
    assert [(tag, text) for tag, _attrs, text in cells] == [
        ("th", HOSTILE), ("th", "Plain"), ("td", HOSTILE), ("td", "3")]
    assert cells[2][1]["data-label"] == HOSTILE


def test_every_cell_is_labelled_with_its_columns_header():
    head = ("Company", "Role", "Heard back")
    table = html_table(head, [("Acme", "Clerk", "2024-03-05"), ("Beta", "", "")])
    body = [(attrs["data-label"], text) for tag, attrs, text in parsed(table).cells
            if tag == "td"]
    assert body == [("Company", "Acme"), ("Role", "Clerk"), ("Heard back", "2024-03-05"),
                    ("Company", "Beta"), ("Role", ""), ("Heard back", "")]


def test_headers_are_scoped_and_a_row_header_is_labelled_too():
    table = html_table(("Client", "Mood"), [("Ann", "2 of 5"), ("Bo", "None yet")],
                       row_headers=True, caption="2 clients")
    cells = parsed(table).cells
    heads = [(attrs["scope"], attrs["role"], text) for tag, attrs, text in cells if tag == "th"]
    assert heads == [("col", "columnheader", "Client"), ("col", "columnheader", "Mood"),
                     ("row", "rowheader", "Ann"), ("row", "rowheader", "Bo")]
    assert re.findall(r"<th scope='row' role='rowheader' data-label='Client'>([^<]*)</th>",
                      table) == ["Ann", "Bo"]
    assert [attrs.get("data-label") for tag, attrs, _ in cells if tag == "td"] == ["Mood"] * 2
    # Without row headers every body cell is a plain cell.
    plain = html_table(("Client", "Mood"), [("Ann", "2 of 5")])
    assert "scope='row'" not in plain
    assert "<td role='cell' data-label='Client'>Ann</td>" in plain


def test_every_element_says_its_table_role():
    """A narrow screen changes the table's ``display``; the roles keep it a table."""
    table = html_table(("A", "B"), [("1", "2")], caption="Numbers", css="nr-table nr-x")
    roles = [(tag, attrs.get("role")) for tag, attrs in parsed(table).elements]
    assert roles == [("table", "table"), ("caption", None), ("thead", "rowgroup"),
                     ("tr", "row"), ("th", "columnheader"), ("th", "columnheader"),
                     ("tbody", "rowgroup"), ("tr", "row"), ("td", "cell"), ("td", "cell")]
    assert table.startswith("<table class='nr-table nr-x' role='table'><caption>Numbers")


def test_markup_is_kept_and_plain_text_is_not():
    """A caller that built a cell from escaped pieces hands it over as Markup."""
    table = html_table(("Kinds", "Note"), [(Markup("Skill: 1<br>Fit: 2"), "<br>")])
    assert "<td role='cell' data-label='Kinds'>Skill: 1<br>Fit: 2</td>" in table
    assert "<td role='cell' data-label='Note'>&lt;br&gt;</td>" in table


def test_no_caption_leaves_no_empty_caption():
    assert "<caption>" not in html_table(("A",), [("1",)])


def test_a_row_with_the_wrong_number_of_cells_is_refused():
    with pytest.raises(ValueError, match="a table row has 1 cells for 2 columns"):
        html_table(("A", "B"), [("only one",)])
