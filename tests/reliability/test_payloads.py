"""The XSS corpus (``payloads.py``) and what can be checked without a browser.

The corpus is what the browser journey types into every free-text field.
Here it is checked for what the issue asks of it (40 or more payloads, every
kind), then carried through the parts that need no browser:

* the store and the workbook file keep every payload exactly as typed;
* the summary page and the caseload table have the same HTML structure
  (the same elements and attribute names, in the same order) whether the
  client typed the corpus or plain words, so no payload adds an element
  or an attribute, and the text reads back literally once unescaped;
* the Markdown exports carry no raw ``<`` at all.

Whether anything runs in a real page (plotly hover text, MathJax, the
widgets) is the browser suite's to check, with this same corpus.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from payloads import KINDS, PAYLOADS, by_kind, fitting

from nextround import model
from nextround.caseload import caseload
from nextround.components.counsellor import caseload_table
from nextround.errors import NextRoundError
from nextround.exports import build_workbook, import_workbook, plan_to_markdown, workbook_bytes
from nextround.summary import session_summary


def test_the_corpus_has_40_or_more_payloads_of_every_kind(figures):
    assert len(PAYLOADS) >= 40
    assert {p.kind for p in PAYLOADS} == set(KINDS)
    assert len({p.id for p in PAYLOADS}) == len(PAYLOADS)
    assert all(p.id in p.text for p in PAYLOADS)  # whatever runs names itself
    assert max(len(p) for p in PAYLOADS) >= 20_000
    assert len(fitting(200)) >= 40  # enough even for a client's name
    assert any("\u202e" in p.text for p in by_kind("rtl"))
    assert any("\\href{javascript:" in p.text for p in by_kind("mathjax"))
    assert any("</script>" in p.text for p in by_kind("close-tag"))
    figures["xss.payloads"] = len(PAYLOADS)
    figures["xss.payloads_by_kind"] = {kind: len(by_kind(kind)) for kind in KINDS}


def _carrier(store, texts: list[str], name: str) -> model.Client:
    """A client whose every free-text field holds one of ``texts`` in turn."""
    client = store.create_client(name)
    for n, text in enumerate(texts):
        short = text[:500]
        app = store.add(model.Application(client_id=client.id, company=short, role=short,
                                          outcome="rejected", stage="interview",
                                          applied_on=date(2024, 1, 1 + n % 28),
                                          outcome_on=date(2024, 2, 1 + n % 28),
                                          how_heard=short, contact_name=short))
        store.add(model.Feedback(client_id=client.id, application_id=app.id, person=short,
                                 heard=text, scenario_id="skill_gap"))
        store.set_answer(client.id, f"reflect.skill_gap.q{n}", text, application_id=app.id)
        store.add(model.CheckIn(client_id=client.id, mood=n % 5 + 1, note=text))
        store.add(model.ThoughtRecord(client_id=client.id, situation=text, assumption=text,
                                      evidence=text, reframe=text))
        store.add(model.Action(client_id=client.id, title=short, due_on=date(2024, 3, 1)))
        store.add(model.Contact(client_id=client.id, name=short, company=short,
                                how_met=short))
        store.add(model.Note(client_id=client.id, text=text))
    return client


def test_every_payload_survives_the_store_and_the_workbook_file_exactly(store):
    """As data, exactly; as a name, folded and NFC (control and text-direction
    characters are refused in names, so lists never hide or reorder them)."""
    def problem(text: str) -> str | None:
        return model.name_problem(" ".join(text.split()))

    names = [p.text for p in fitting(200) if problem(p.text) is None]
    refused = [p.text for p in fitting(200) if problem(p.text) is not None]
    assert len(names) >= 40 and refused
    for text in refused:
        with pytest.raises(NextRoundError, match="This name cannot be used"):
            store.create_client(text)
    clients = {store.create_client(text).id: model.clean_name(text) for text in names}
    carrier = _carrier(store, [p.text for p in PAYLOADS], "Carrier")
    files = {cid: workbook_bytes(build_workbook(store, cid, include_notes=True))
             for cid in [*clients, carrier.id]}
    before = {cid: store.export_records(cid, include_notes=True) for cid in files}
    for cid in files:
        store.erase_client(cid)
    for cid, raw in files.items():
        import_workbook(store, raw)
        assert store.export_records(cid, include_notes=True) == before[cid]
    assert {c.id: c.name for c in store.list_clients() if c.id in clients} == clients
    notes = [n.text for n in store.list(model.Note, carrier.id)]
    assert notes == [p.text for p in PAYLOADS]


class _Shape(HTMLParser):
    """The elements and attribute names of a page, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.shape: list[tuple[str, tuple[str, ...]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.shape.append((tag, tuple(sorted(name for name, _ in attrs))))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.shape.append(("/" + tag, ()))

    def handle_data(self, data):
        self.text.append(data)


def _shape(page: str) -> tuple[list, str]:
    parser = _Shape()
    parser.feed(page)
    parser.close()
    return parser.shape, "".join(parser.text)


def _plain(n: int) -> str:
    return f"plain words number {n}"


def test_summary_page_and_caseload_gain_no_element_from_any_payload(store, content):
    texts = [p.text for p in PAYLOADS if "\n" not in p.text and "\u2028" not in p.text]
    hostile = _carrier(store, texts, "Hostile")
    benign = _carrier(store, [_plain(n) for n in range(len(texts))], "Benign")
    hostile_page = session_summary(store, content, hostile.id, include_notes=True).html
    benign_page = session_summary(store, content, benign.id, include_notes=True).html
    hostile_shape, hostile_text = _shape(hostile_page)
    benign_shape, _ = _shape(benign_page)
    assert hostile_shape == benign_shape
    for text in texts:
        if len(text) <= 500:  # short fields show whole; long ones are checked by length
            assert " ".join(text.split()) in " ".join(hostile_text.split()), text[:80]
    assert "<script" not in hostile_page.lower()

    rows = {row.name: row for row in caseload(store, content)}
    today = date(2024, 6, 1)
    hostile_table = caseload_table([rows["Hostile"]], today, content.mood.max)
    benign_table = caseload_table([rows["Benign"]], today, content.mood.max)
    assert _shape(hostile_table)[0] == _shape(benign_table)[0]


def test_markdown_exports_carry_no_raw_markup_links_or_maths(store, content):
    import mistune

    texts = [p.text for p in PAYLOADS]
    client = _carrier(store, texts, "Markdown <b>client</b> $x$")
    summary = session_summary(store, content, client.id, include_notes=True).markdown
    plan = plan_to_markdown(store.list(model.Action, client.id), client.name)
    for markdown in (summary, plan):
        # Raw HTML passes through Markdown; escaped, it cannot. The summary's own
        # line breaks inside table cells are the one tag it writes.
        assert "<" not in markdown.replace("<br>", "")
        assert re.search(r"(?<!\\)\]\(", markdown) is None  # no link or image syntax
        assert re.search(r"(?<!\\)\$", markdown) is None  # no maths for MathJax to typeset
        rendered = mistune.html(markdown)
        for forbidden in ("<a ", "<img", "<script", "<svg", "<iframe", "<details", "<input"):
            assert forbidden not in rendered
    assert "&lt;script&gt;alert('nrx01')&lt;/script&gt;" in summary
