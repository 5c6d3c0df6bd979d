"""Accessibility of the app in Chromium: axe, labels, keyboard, zoom, charts and print.

One ``nextround serve`` on this module's own demo database (so the journey
below changes nothing another module sees). A page opened on a demo client
visits every step through the menu, then the counsellor's caseload and a
client page; at each it records

* **axe** (axe-playwright-python, every WCAG 2.0, 2.1 and 2.2 A/AA rule and
  best practice, at 1280 px and at 390 px): no violation of any impact, and
  the colour-contrast rule has checked text and found nothing (AA). Every
  page's counts, by impact, are written to ``test-artifacts/axe-counts.json``;
* **labels**: every ``input``, ``select`` and ``textarea`` has an accessible
  name, and ``get_by_label`` with that name finds it; each radio button sits
  in a radio group that ``get_by_role`` finds by its question;
* **200% zoom**: at 640 CSS pixels wide nothing scrolls sideways (the page,
  or a box inside it, except a keyboard-reachable table region), nothing is
  pushed past the right edge, and no box cuts its content short.

Progress's charts each carry a sentence and a table. The keyboard test walks
a new client through all eight steps with Tab, Shift+Tab, Enter, Space and
the arrow keys alone: at every stop the focus ring shows, within a step the
focus moves down the page, and a new step starts with the focus on its
heading. Save confirmations and tone warnings arrive in a live region that
was on the page before them, and start with a word. The action plan and the
session summary print to PDF on A4 and on Letter.
"""

from __future__ import annotations

import base64
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import unquote_to_bytes

import pytest
from browser_harness import (
    ARTIFACTS,
    VIEWPORT,
    PageLog,
    eventually,
    open_watched_page,
    snapshot,
    wait_for_widgets,
)
from playwright.sync_api import expect

from nextround.components.rejection_log import describe as describe_application
from nextround.content import load_content
from nextround.demo import create_demo
from nextround.model import Action, Application, CheckIn, Feedback
from nextround.settings import LAST_CLIENT
from nextround.steps import STEPS
from nextround.store import Store

DEMO_CLIENT = "Amira Haddad"
#: 200% zoom of a 1280-pixel window leaves 640 CSS pixels.
ZOOMED = {"width": 640, "height": 900}
#: A phone held upright.
PHONE = {"width": 390, "height": 844}
#: Every WCAG 2.0, 2.1 and 2.2 A/AA rule axe has, and its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
#: How long a step may take to appear on a busy machine.
SLOW_MS = 30_000
#: Points per page: A4 is 210 x 297 mm, US Letter 8.5 x 11 in.
PAPER = {"A4": (595.3, 841.9), "Letter": (612.0, 792.0)}

PAGES = [f"step-{n}" for n in range(1, len(STEPS) + 1)] + ["caseload", "counsellor-client"]


# --- the server, the store and a watched page ------------------------------------------


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """Demo clients in this module's own database, opening on the first one."""
    path = tmp_path_factory.mktemp("a11y") / "nextround.db"
    store = Store(path)
    clients = create_demo(store)
    store.set_setting(LAST_CLIENT, next(c.id for c in clients if c.name == DEMO_CLIENT))
    store.close()
    return path


@pytest.fixture(scope="module")
def served(serve_app, database):
    return serve_app(db=database)


@pytest.fixture(scope="module")
def store(served) -> Iterator[Store]:
    """The server's database, opened beside it to check what the kernel saved."""
    opened = Store(served.db)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def content():
    return load_content()


@pytest.fixture(scope="module")
def demo(browser, served) -> Iterator:
    """The app on the demo client, shared by the tests that look rather than type."""
    log = PageLog()
    context, opened = open_watched_page(browser, log)
    opened.goto(served.url)
    wait_for_widgets(opened)
    expect(opened.locator(".nr-step-title")).to_be_visible()
    yield opened
    problems = log.problems()
    context.close()
    assert not problems, "the page misbehaved:\n  " + "\n  ".join(problems)


@pytest.fixture
def journey_page(browser, served, request) -> Iterator:
    """A fresh page on this module's server that fails on console errors or outside requests."""
    log = PageLog()
    context, opened = open_watched_page(browser, log)
    try:
        opened.goto(served.url)
        wait_for_widgets(opened)
        yield opened
        snapshot(opened, request.node.name)
        problems = log.problems()
        assert not problems, "the page misbehaved:\n  " + "\n  ".join(problems)
    finally:
        context.close()


# --- moving around (mouse and locators; these tests look, not type) -------------------


def open_step(page, number: int) -> None:
    step = STEPS[number - 1]
    page.get_by_role("button", name=re.compile(rf"^{number}\. ")).click()
    # Generous: Progress imports pandas and plotly the first time it opens.
    expect(page.locator(".nr-step-title")).to_have_text(step.title, timeout=SLOW_MS)
    expect(page.locator(".nr-menu .nr-current")).to_contain_text(f"{number}. {step.title}")
    if step.key == "progress":
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=SLOW_MS)
    page.wait_for_timeout(300)  # let late widget updates (tables, links) land


def set_counsellor_view(page, on: bool) -> None:
    toggle = page.get_by_role("button", name="Counsellor view")
    if ("mod-active" in (toggle.get_attribute("class") or "")) != on:
        toggle.click()
    if on:  # the caseload, or the client page the counsellor left open
        expect(page.get_by_label("Open a client").or_(
            page.get_by_role("button", name="Back to caseload"))).to_be_visible()
    else:
        expect(page.locator(".nr-step-title")).to_be_visible()


def open_counsellor_client(page, name: str) -> None:
    set_counsellor_view(page, True)
    back = page.get_by_role("button", name="Back to caseload")
    if back.is_visible():
        if page.get_by_role("heading", name=name).is_visible():
            return
        back.click()
    page.get_by_label("Open a client").select_option(label=name)
    expect(page.get_by_role("button", name="Back to caseload")).to_be_visible()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def show(page, name: str) -> None:
    if name.startswith("step-"):
        set_counsellor_view(page, False)
        open_step(page, int(name.removeprefix("step-")))
    elif name == "caseload":
        set_counsellor_view(page, True)
        back = page.get_by_role("button", name="Back to caseload")
        if back.is_visible():
            back.click()
        expect(page.get_by_label("Open a client")).to_be_visible()
    else:
        open_counsellor_client(page, DEMO_CLIENT)


# --- what each page is checked for -----------------------------------------------------

#: Every form control, with the name a screen reader gives it.
INPUTS_JS = """() => [...document.querySelectorAll(
    '#rendered_cells input:not([type=hidden]), #rendered_cells select, #rendered_cells textarea')
  ].map((el, i) => {
    el.setAttribute('data-a11y-probe', String(i));
    const text = node => (node ? node.textContent : '').replace(/\\s+/g, ' ').trim();
    let name = '';
    if (el.getAttribute('aria-labelledby')) {
      name = el.getAttribute('aria-labelledby').split(/\\s+/)
        .map(id => text(document.getElementById(id))).join(' ').trim();
    } else if (el.getAttribute('aria-label')) {
      name = el.getAttribute('aria-label').trim();
    } else if (el.labels && el.labels.length) {
      name = [...el.labels].map(text).join(' ').trim();
    }
    const group = el.type === 'radio' ? el.closest('[role=radiogroup]') : null;
    let groupName = '';
    if (group && group.getAttribute('aria-labelledby')) {
      groupName = text(document.getElementById(group.getAttribute('aria-labelledby')));
    }
    return {probe: String(i), tag: el.tagName.toLowerCase(), type: el.type || '', name,
            radio: el.type === 'radio', groupName};
  })"""

#: At 640 pixels: the page or a box in it scrolling sideways, and anything cut off.
#: A region made to scroll and reachable by keyboard (a wide data table, in a
#: ``role=region`` with ``tabindex=0``) may scroll; nothing else may.
ZOOM_JS = """() => {
  const width = document.documentElement.clientWidth;
  const inScrollRegion = el => !!(el.parentElement
    && el.parentElement.closest('[role=region][tabindex="0"]'));
  const what = el => `${el.tagName.toLowerCase()}.${String(el.className).split(' ').pop()}: `
    + (el.innerText || el.value || '').slice(0, 40).replace(/\\n/g, ' ');
  const cut = [], scrolls = [], clipped = [];
  for (const el of document.querySelectorAll('#rendered_cells *')) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    if (inScrollRegion(el) || el.matches('input, select, textarea, option')) continue;
    const extra = el.scrollWidth - el.clientWidth;
    if (box.right > width + 1 || box.left < -1) {
      cut.push(`${what(el)} (${Math.round(box.left)} to ${Math.round(box.right)})`);
    } else if (extra > 2 && ['auto', 'scroll'].includes(style.overflowX)) {
      scrolls.push(`${what(el)} (${extra}px)`);
    } else if (extra > 2 && ['hidden', 'clip'].includes(style.overflowX)) {
      clipped.push(`${what(el)} (${extra}px)`);
    }
  }
  return {sideways: document.documentElement.scrollWidth - window.innerWidth,
          cut, scrolls, clipped};
}"""


#: The help topics: their words and where they sit on the page.
HELP_JS = """() => [...document.querySelectorAll('nav[aria-label=Help] details > summary')]
  .map(el => { const box = el.getBoundingClientRect();
               return [el.textContent.trim(), Math.round(box.left),
                       Math.round(box.top + window.scrollY)]; })"""


@dataclass
class Scan:
    violations: list[dict] = field(default_factory=list)
    phone_violations: list[dict] = field(default_factory=list)
    passes: list[str] = field(default_factory=list)
    inputs: list[dict] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)
    zoom: dict = field(default_factory=dict)
    help: list = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        by_impact = {"critical": 0, "serious": 0, "moderate": 0, "minor": 0}
        for violation in self.violations:
            by_impact[violation["impact"] or "minor"] += len(violation["nodes"])
        return by_impact


def find_by_label_problems(page, inputs: list[dict]) -> list[str]:
    """Controls that have no name, or that ``get_by_label(name)`` does not find."""
    problems = []
    for item in inputs:
        what = f"<{item['tag']} type={item['type']}> named {item['name']!r}"
        if not item["name"]:
            problems.append(f"{what}: no accessible name")
            continue
        found = page.get_by_label(item["name"], exact=True).evaluate_all(
            "els => els.map(el => el.getAttribute('data-a11y-probe'))")
        if item["probe"] not in found:
            problems.append(f"{what}: get_by_label does not find it")
        if item["radio"]:
            if not item["groupName"]:
                problems.append(f"{what}: radio not in a named radio group")
            elif page.get_by_role("radiogroup", name=item["groupName"], exact=True).count() != 1:
                problems.append(f"{what}: get_by_role finds no group {item['groupName']!r}")
    return problems


#: axe.run on the whole page; of the rules that passed only their ids come back
#: (every node each one checked would be megabytes of JSON nobody reads).
AXE_RUN_JS = """options => axe.run(document, options).then(results => ({
  violations: results.violations,
  passes: results.passes.map(rule => ({id: rule.id})),
}))"""


def run_axe(page, axe) -> dict:
    """axe's WCAG 2.2 AA and best-practice rules on the page as it is now.

    The axe-core that axe-playwright-python ships (``axe.axe_script``) is put
    into the page once, not once a run: the page never navigates between runs,
    and a page that did would have lost it and gets it again.
    """
    if not page.evaluate("() => typeof window.axe === 'object' && !!window.axe.run"):
        page.evaluate(axe.axe_script)
    return page.evaluate(AXE_RUN_JS, {"runOnly": {"type": "tag", "values": AXE_TAGS},
                                      "resultTypes": ["violations", "passes"]})


def scan(page, name: str, axe) -> Scan:
    result = Scan()
    response = run_axe(page, axe)
    result.violations = response["violations"]
    result.passes = [rule["id"] for rule in response["passes"]]
    result.inputs = page.evaluate(INPUTS_JS)
    result.unlabelled = find_by_label_problems(page, result.inputs)
    result.help = page.evaluate(HELP_JS)
    page.set_viewport_size(ZOOMED)
    try:
        page.wait_for_timeout(200)
        result.zoom = page.evaluate(ZOOM_JS)
        snapshot(page, f"a11y-zoom-{name}")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(200)
        result.phone_violations = run_axe(page, axe)["violations"]
    finally:
        page.set_viewport_size(VIEWPORT)
    return result


@pytest.fixture(scope="module")
def scans(demo) -> dict[str, Scan]:
    """Every step and both counsellor pages, visited once and checked."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = {}
    for name in PAGES:
        show(demo, name)
        found[name] = scan(demo, name, axe)
    set_counsellor_view(demo, False)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe-counts.json").write_text(json.dumps(
        {name: {"violations": s.counts(),
                "rules": sorted({v["id"] for v in s.violations}),
                "rules_at_390_px": sorted({v["id"] for v in s.phone_violations})}
         for name, s in found.items()},
        indent=1))
    return found


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {', '.join(map(str, n['target']))}: {n['html'][:160]}"
                  for n in v["nodes"][:5]]
    return "\n".join(lines)


# --- axe, labels, contrast, zoom -------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_wcag22_violation_at_1280_px(scans, name):
    """Any impact counts: 2.5.8 Target Size is only "serious", other rules are "minor"."""
    found = scans[name].violations
    assert not found, f"{name}:\n{describe(found)}"


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_wcag22_violation_at_390_px(scans, name):
    found = scans[name].phone_violations
    assert not found, f"{name} at 390 px:\n{describe(found)}"


@pytest.mark.parametrize("name", PAGES)
def test_contrast_is_aa(scans, name):
    page = scans[name]
    assert "color-contrast" in page.passes, f"{name}: axe found no text to check for contrast"
    failing = [v for v in page.violations if v["id"] == "color-contrast"]
    assert not failing, describe(failing)


@pytest.mark.parametrize("name", PAGES)
def test_every_input_is_found_by_its_label(scans, name):
    page = scans[name]
    assert page.inputs, f"{name}: no form controls found"
    assert not page.unlabelled, f"{name}:\n  " + "\n  ".join(page.unlabelled)


def test_the_steps_have_the_inputs_they_should(scans):
    """The label check covers real forms: each kind of control shows up somewhere."""
    kinds = {(i["tag"], i["type"]) for s in scans.values() for i in s.inputs}
    for kind in [("input", "text"), ("input", "date"), ("input", "radio"),
                 ("input", "checkbox"), ("select", "select-one"), ("textarea", "textarea")]:
        assert kind in kinds, kind
    radios = [i for i in scans["step-4"].inputs if i["radio"]]
    assert len({i["groupName"] for i in radios}) >= 5


@pytest.mark.parametrize("name", PAGES)
def test_layout_works_at_200_percent_zoom(scans, name):
    zoom = scans[name].zoom
    assert zoom["sideways"] <= 1, f"{name}: {zoom['sideways']}px of sideways scrolling"
    for kind, found in (("off the edge of the page", zoom["cut"]),
                        ("scrolling sideways inside the page", zoom["scrolls"]),
                        ("cut short by its box", zoom["clipped"])):
        assert not found, f"{name}: {kind}:\n  " + "\n  ".join(found[:15])


def test_help_is_in_the_same_place_on_every_page(scans):
    """WCAG 2.2, 3.2.6 Consistent Help: the same topics, in the same order and place."""
    first = scans[PAGES[0]].help
    assert [text for text, *_ in first] == ["How this works", "Who to contact"], first
    for name in PAGES[1:]:
        assert scans[name].help == first, f"{name}: {scans[name].help} != {first}"


# --- charts -------------------------------------------------------------------------------


def test_every_chart_has_a_sentence_and_a_table(demo, scans):
    show(demo, "step-8")
    charts = demo.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
        const row = plot.closest('.widget-hbox');
        const summary = row && row.querySelector('.nr-chart-summary');
        const table = row && row.querySelector('details.nr-chart-data table');
        return {
          summary: summary ? summary.textContent.trim() : '',
          caption: table && table.caption ? table.caption.textContent.trim() : '',
          headers: table ? [...table.querySelectorAll('thead th[scope=col]')].length : 0,
          rows: table ? table.querySelectorAll('tbody tr').length : 0,
        };
    })""")
    assert len(charts) >= 3, charts
    for chart in charts:
        assert re.fullmatch(r"[A-Z].{20,}[.!]", chart["summary"]), chart
        assert chart["caption"] and chart["headers"] >= 2 and chart["rows"] >= 1, chart
    # Each drawing has a name and a description of its own, is reached by Tab,
    # and points to its table (WCAG 1.1.1, 2.1.1).
    for plot in demo.locator(".nr-plotly").all():
        title = plot.get_attribute("aria-label")
        assert title and plot.get_attribute("tabindex") == "0"
        summary = demo.locator(f"#{plot.get_attribute('aria-describedby')}")
        expect(summary).to_have_class(re.compile("nr-chart-summary"))
        expect(plot).to_have_accessible_description(summary.inner_text().strip())
        expect(demo.locator(f"#{plot.get_attribute('aria-details')}").locator(
            "table caption")).to_have_text(title)
        drawing = plot.locator("svg.main-svg").first
        expect(drawing).to_have_attribute("role", "img")
        expect(drawing).to_have_accessible_name(title)
        expect(demo.get_by_role("img", name=title, exact=True)).to_have_count(1)
    # The table opens from the keyboard (a <summary> is a button).
    toggle = demo.get_by_text("Show the numbers as a table").first
    toggle.focus()
    demo.keyboard.press("Enter")
    expect(demo.locator("details.nr-chart-data").first.locator("table")).to_be_visible()
    demo.keyboard.press("Enter")


# --- tables on a phone -------------------------------------------------------------------

#: Every visible NextRound table: its cells whose box scrolls (text wider than
#: the cell), the words broken across two lines (a word's text split over
#: more than one line box), and words wider than their cell. Each cell's label
#: (its ``::before``) is read too, to check it is the cell's column header.
TABLE_WORDS_JS = """() => [...document.querySelectorAll('#rendered_cells table.nr-table')]
  .filter(table => table.getClientRects().length)
  .map(table => {
    const problems = [];
    const cells = [...table.querySelectorAll('tbody th, tbody td')];
    for (const cell of cells) {
      const where = `${cell.getAttribute('data-label')}: ${cell.textContent.slice(0, 40)}`;
      if (cell.scrollWidth > cell.clientWidth + 1) {
        problems.push(`${where}: ${cell.scrollWidth - cell.clientWidth}px wider than its cell`);
      }
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const match of node.data.matchAll(/\\S+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const lines = new Set([...range.getClientRects()].filter(r => r.width)
                                .map(r => Math.round(r.top)));
          if (lines.size > 1) {
            problems.push(`${where}: "${match[0]}" broken over ${lines.size} lines`);
          }
          if (range.getBoundingClientRect().width > cell.clientWidth + 1) {
            problems.push(`${where}: "${match[0]}" wider than its cell`);
          }
        }
      }
    }
    const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
    const labels = [...table.querySelectorAll('tbody tr')].map(row =>
      [...row.querySelectorAll('td')].map(td => {
        // "Company" / "": the label shown, then its (empty) text for screen readers.
        const shown = getComputedStyle(td, '::before').content.match(/^"(?:[^"\\\\]|\\\\.)*"/);
        return shown ? JSON.parse(shown[0]) : null;
      }));
    return {caption: table.caption ? table.caption.textContent.trim() : '', heads, labels,
            cells: cells.length, problems};
  })"""

#: The tables that matter most on a phone, and where they are.
PHONE_TABLES = {"Your past rejections": "step-1", "Your new contacts": "step-6",
                "may need attention": "caseload"}


def phone_tables(page, name: str) -> list[dict]:
    show(page, name)
    page.set_viewport_size(PHONE)
    try:
        expect(page.locator("table.nr-table").first).to_be_visible()
        return page.evaluate(TABLE_WORDS_JS)
    finally:
        page.set_viewport_size(VIEWPORT)


def test_the_table_check_sees_a_squeezed_table(demo):
    """The check below can fail: the log's table squeezed as it was before, letter by letter."""
    show(demo, "step-1")
    demo.evaluate("""() => { const style = document.createElement('style');
        style.id = 'nr-test-squeeze';
        style.textContent = `.nextround .nextround-app table.nr-table { display: table !important;
            width: 100% !important }
          .nextround .nextround-app table.nr-table > * { display: revert !important }
          .nextround .nextround-app table.nr-table tr { display: table-row !important }
          .nextround .nextround-app table.nr-table :is(th, td) { display: table-cell !important;
            padding: 0 !important; overflow-wrap: anywhere !important }`;
        document.head.appendChild(style); }""")
    try:
        (table,) = [t for t in phone_tables(demo, "step-1")
                    if t["caption"] == "Your past rejections"]
    finally:
        demo.evaluate("() => document.getElementById('nr-test-squeeze').remove()")
    assert any("broken over" in problem for problem in table["problems"]), table


@pytest.mark.parametrize("caption", PHONE_TABLES)
def test_no_word_in_a_table_breaks_at_390_px(demo, caption):
    """Each row is a card: every word whole, every cell labelled with its column."""
    tables = [t for t in phone_tables(demo, PHONE_TABLES[caption]) if caption in t["caption"]]
    assert len(tables) == 1, tables
    (table,) = tables
    assert table["cells"] >= 4, table
    assert not table["problems"], f"{caption}:\n  " + "\n  ".join(table["problems"])
    for labels in table["labels"]:
        # The row header (a client's name) heads its card, unlabelled.
        assert labels == table["heads"][len(table["heads"]) - len(labels):], table


def test_a_screen_reader_still_reads_the_caseload_as_a_table_at_390_px(demo):
    """Shown as cards, the caseload keeps its rows, headers and cells for assistive tech."""
    show(demo, "caseload")
    demo.set_viewport_size(PHONE)
    try:
        table = demo.get_by_role("table", name=re.compile("may need attention"))
        expect(table).to_be_visible()
        expect(table.get_by_role("columnheader", name="Needs attention")).to_have_count(1)
        expect(table.get_by_role("rowheader", name=DEMO_CLIENT)).to_have_count(1)
        row = table.get_by_role("row").filter(has=demo.get_by_role("rowheader", name=DEMO_CLIENT))
        expect(row.get_by_role("cell")).to_have_count(6)
        # The visible label is not read out a second time inside the cell.
        expect(row.get_by_role("cell").last).not_to_have_accessible_name(
            re.compile("^Needs attention"))
    finally:
        demo.set_viewport_size(VIEWPORT)


# --- focus never hidden (WCAG 2.2, 2.4.11) ----------------------------------------------

#: Whatever stays put while the page scrolls (fixed or sticky), shown, with a size.
PINNED_JS = """() => [...document.querySelectorAll('body *')].filter(el => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return ['fixed', 'sticky'].includes(style.position) && style.display !== 'none'
      && style.visibility !== 'hidden' && box.width > 0 && box.height > 0;
  }).map(el => { el.setAttribute('data-pinned', ''); return el.tagName; })"""

#: The focused control, whether it is on screen, and the pinned boxes over it.
COVERED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const box = el.getBoundingClientRect();
  const overlaps = r => Math.min(box.right, r.right) > Math.max(box.left, r.left)
    && Math.min(box.bottom, r.bottom) > Math.max(box.top, r.top);
  const covers = [...document.querySelectorAll('[data-pinned]')]
    .filter(other => !other.contains(el) && overlaps(other.getBoundingClientRect()))
    .map(other => `${other.tagName.toLowerCase()}.${other.className}`);
  return {what: `${el.tagName.toLowerCase()} ${(el.getAttribute('aria-label')
                  || el.innerText || el.value || '').slice(0, 40)}`,
          inView: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
          inCells: document.getElementById('rendered_cells').contains(el), covers};
}"""


def hidden_focus_stops(page, limit: int = 150) -> tuple[int, list[str]]:
    """Tab from the step's heading to the end of the page; every stop that is hidden."""
    page.evaluate(PINNED_JS)
    title = page.locator(".nr-step-title")
    title.evaluate("el => { el.setAttribute('tabindex', '-1'); el.focus(); }")
    stops, hidden = 0, []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(COVERED_JS)
        if info is None or not info["inCells"]:
            break  # past the last control on the page
        stops += 1
        if info["covers"] or not info["inView"]:
            hidden.append(f"{info['what']!r}: covered by {info['covers']}, "
                          f"on screen: {info['inView']}")
    return stops, hidden


def test_the_focus_check_sees_a_pinned_banner(demo):
    """The check below can fail: a fixed banner over the page covers every stop."""
    show(demo, "step-1")
    demo.evaluate("""() => { const banner = document.createElement('div');
        banner.id = 'nr-test-banner';
        banner.style.cssText = 'position:fixed;inset:0;background:rgba(0,0,0,.01)';
        document.body.appendChild(banner); }""")
    try:
        stops, hidden = hidden_focus_stops(demo, limit=5)
    finally:
        demo.evaluate("() => document.getElementById('nr-test-banner').remove()")
        demo.evaluate("() => document.querySelectorAll('[data-pinned]')"
                      ".forEach(el => el.removeAttribute('data-pinned'))")
    assert stops and len(hidden) == stops, hidden


@pytest.mark.parametrize("width", [VIEWPORT, PHONE], ids=["1280px", "390px"])
def test_tabbing_through_every_step_never_hides_the_focus(demo, width):
    found = {}
    demo.set_viewport_size(width)
    try:
        for number in range(1, len(STEPS) + 1):
            show(demo, f"step-{number}")
            stops, hidden = hidden_focus_stops(demo)
            assert stops >= 5, f"step {number}: Tab found only {stops} stops"
            if hidden:
                found[number] = hidden
    finally:
        demo.set_viewport_size(VIEWPORT)
    assert not found, "\n".join(f"step {n}: {h}" for n, hs in found.items() for h in hs)


def test_the_completion_bar_is_a_progressbar_with_its_value(demo):
    show(demo, "step-8")
    bar = demo.get_by_role("progressbar", name=re.compile(r"^Workbook completed: \d of \d steps$"))
    expect(bar).to_have_count(1)
    name = bar.get_attribute("aria-labelledby")
    done, total = map(int, re.findall(r"\d+", demo.locator(f"#{name}").inner_text()))
    assert bar.get_attribute("aria-valuenow") == str(done)
    assert (bar.get_attribute("aria-valuemin"), bar.get_attribute("aria-valuemax")) == (
        "0", str(total))
    assert bar.get_attribute("aria-valuetext") == f"{done} of {total}"


# --- printing -------------------------------------------------------------------------------


def pdf_text(data: bytes) -> tuple[int, tuple[float, float], str]:
    """Pages, the first page's size in points, and all the text, spaces collapsed."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    text = unicodedata.normalize("NFKC", text)  # the "fi" ligature becomes "fi"
    return len(reader.pages), (float(box.width), float(box.height)), " ".join(text.split())


def assert_prints(page, must_show: list[str], must_hide: list[str], label: str) -> None:
    for paper, (width, height) in PAPER.items():
        data = page.pdf(format=paper, print_background=True)
        (ARTIFACTS / f"a11y-print-{label}-{paper}.pdf").write_bytes(data)
        pages, size, text = pdf_text(data)
        assert pages >= 1
        assert abs(size[0] - width) < 1 and abs(size[1] - height) < 1, (paper, size)
        for words in must_show:
            assert " ".join(words.split()) in text, f"{paper}: {words!r} is not in the PDF"
        for words in must_hide:
            assert words not in text, f"{paper}: {words!r} should not print"


def test_action_plan_prints_on_a4_and_letter(demo, store):
    [client] = [c for c in store.list_clients() if c.name == DEMO_CLIENT]
    titles = [a.title for a in store.list(Action, client.id)]
    assert titles
    show(demo, "step-7")
    for number, title in enumerate(titles, start=1):
        expect(demo.get_by_label(f"Step {number} title")).to_have_value(title)
    assert_prints(demo, ["Your action plan", DEMO_CLIENT, *titles],
                  ["Add your own step", "Your steps", "Download my workbook file",
                   "New client's name"], "plan")


def test_session_summary_prints_on_a4_and_letter(demo, store):
    [client] = [c for c in store.list_clients() if c.name == DEMO_CLIENT]
    titles = [a.title for a in store.list(Action, client.id)]
    companies = {a.company for a in store.list(Application, client.id, outcome="rejected")}
    open_counsellor_client(demo, DEMO_CLIENT)
    link = demo.get_by_role("link", name="Download the summary as a web page (HTML)")
    href = link.get_attribute("href") or ""
    set_counsellor_view(demo, False)
    header, _, payload = href.partition(",")
    assert header.startswith("data:text/html"), header
    html = (base64.b64decode(payload) if header.endswith(";base64")
            else unquote_to_bytes(payload)).decode("utf-8")
    summary = demo.context.new_page()
    try:
        summary.set_content(html)
        assert_prints(summary, [DEMO_CLIENT, *titles, *companies], [], "summary")
    finally:
        summary.close()


# --- the keyboard journey --------------------------------------------------------------------

FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  if (!el.hasAttribute('data-kb')) {
    window.kbCount = (window.kbCount || 0) + 1;
    el.setAttribute('data-kb', String(window.kbCount));
  }
  const text = node => (node ? (node.innerText || node.textContent || '') : '')
    .replace(/\\s+/g, ' ').trim();
  let name = el.getAttribute('aria-label') || '';
  if (!name && el.labels && el.labels.length) name = text(el.labels[0]);
  if (!name) name = text(el);
  const group = el.closest('[role=radiogroup]');
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return {
    id: el.getAttribute('data-kb'), tag: el.tagName.toLowerCase(), type: el.type || '', name,
    group: group ? text(document.getElementById(group.getAttribute('aria-labelledby'))) : '',
    region: el.closest('.nr-menu') ? 'menu' : el.closest('.nr-main') ? 'main'
            : el.closest('.nr-workbook-file') ? 'file' : 'top',
    y: box.top + window.scrollY, x: box.left, checked: !!el.checked,
    value: el.tagName === 'SELECT' ? text(el.options[el.selectedIndex]) : (el.value || ''),
    outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    inView: box.bottom > 0 && box.top < window.innerHeight && box.right > 0
            && box.left < window.innerWidth,
  };
}"""

REGIONS = ("top", "menu", "main", "file")


class Keyboard:
    """Drive the page with keys only, checking the focus at every Tab stop."""

    def __init__(self, page):
        self.page = page

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUS_JS)

    def press(self, key: str) -> dict | None:
        self.page.keyboard.press(key)
        info = self.focused()
        if key in ("Tab", "Shift+Tab"):
            assert info is not None, f"{key} left the focus nowhere"
            assert info["outline"] != "none" and info["outlineWidth"] >= 2, (
                f"no visible focus ring on {info}")
            assert info["inView"], f"the focused control is off screen: {info}"
        return info

    def tab_to(self, name: str, *, back: bool = False, group: str | None = None,
               limit: int = 120) -> dict:
        """Tab (or Shift+Tab) until the focused control is called ``name``."""
        key = "Shift+Tab" if back else "Tab"
        seen = []
        for _ in range(limit):
            info = self.press(key)
            seen.append(info["name"])
            if info["name"] == name and (group is None or info["group"] == group):
                return info
        pytest.fail(f"{key} never reached {name!r}; went through {seen}")

    def type(self, text: str) -> None:
        """Type, then pause as a person would before the next key.

        ipywidgets holds back a widget's later updates while its first one is
        on the way to the kernel, so a key pressed on another widget at once
        (Enter on a button) could reach the kernel before the last letters.
        """
        self.page.keyboard.type(text)
        self.page.wait_for_timeout(300)

    def choose(self, option: str, limit: int = 30) -> None:
        """Move a focused drop-down with the arrow keys until it shows ``option``."""
        for key in ("ArrowDown", "ArrowUp"):
            for _ in range(limit):
                if self.focused()["value"] == option:
                    return
                before = self.focused()["value"]
                self.press(key)
                if self.focused()["value"] == before:
                    break
        assert self.focused()["value"] == option, f"arrows never reached {option!r}"
        self.page.wait_for_timeout(300)  # the kernel answers (fields it enables, and so on)

    def type_date(self, day: date) -> None:
        """A date box takes month, day and year in turn (en-US)."""
        self.type(day.strftime("%m%d%Y"))

    def sweep(self, last: str) -> list[dict]:
        """Tab from here through the step to the control called ``last``, then Shift+Tab.

        Checks the order: regions in page order (the menu may come first),
        and within the step the focus never moves up the page. Shift+Tab
        from ``last`` goes back to the stop before it.
        """
        stops = []
        while not stops or stops[-1]["name"] != last:
            stops.append(self.press("Tab"))
            assert len(stops) < 150, f"never reached {last!r}: {[s['name'] for s in stops]}"
        regions = [REGIONS.index(s["region"]) for s in stops]
        assert regions == sorted(regions), [(s["region"], s["name"]) for s in stops]
        main = [s for s in stops if s["region"] == "main"]
        assert main, "Tab never entered the step"
        for before, after in zip(main, main[1:], strict=False):
            assert after["y"] >= before["y"] - 4, (
                f"focus moved up the page: {before['name']!r} (y={before['y']:.0f}) then "
                f"{after['name']!r} (y={after['y']:.0f})")
        if len(stops) > 1:
            back = self.press("Shift+Tab")
            assert back["id"] == stops[-2]["id"], (back["name"], stops[-2]["name"])
            self.press("Tab")
        return stops


def mark_live_regions(page) -> None:
    """Tag the live regions on the page now, to tell them from ones added later."""
    page.evaluate("""() => document.querySelectorAll('[aria-live]').forEach(
        el => el.setAttribute('data-live-before', ''))""")


def assert_announced(page, words: str) -> None:
    """``words`` shows in a live region that was on the page before it appeared."""
    message = page.locator("[aria-live]", has_text=words).last
    expect(message).to_be_visible()
    found = page.get_by_text(words).last.evaluate("""el => {
        const region = el.closest('[aria-live][data-live-before]');
        return region ? {live: region.getAttribute('aria-live'), text: region.innerText} : null;
    }""")
    assert found, f"{words!r} is not in a live region that was there before it"
    assert found["live"] in ("polite", "assertive")
    # A word says what kind of message it is, not only a colour.
    assert re.match(r"(Saved|Check this|Looks good|Note|Sorry)\b", found["text"].strip()), found


def contrast_failures(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page, options={"runOnly": ["color-contrast"]}).response
    return response["violations"]


def next_step(kb: Keyboard, number: int) -> None:
    """Press the step's Next button from the keyboard and wait for the next step."""
    title = STEPS[number - 1].title
    info = kb.focused()
    assert info and info["name"] == f"Next: {title}", info
    kb.press("Enter")
    expect(kb.page.locator(".nr-step-title")).to_have_text(title, timeout=SLOW_MS)
    # The old step (and the button) are gone: the focus moves to the new heading.
    expect(kb.page.locator(".nr-step-title")).to_be_focused()
    info = kb.focused()
    assert info["outline"] != "none" and info["inView"], info


CLIENT = "Kim Keys"
COMPANY = "Harbour Books"
ROLE = "Shop Manager"
HEARD = "We hired someone with more experience of stock systems."
RUDE = "Why didn't you hire me?"
KIND = "Thank you for letting me know. I would value any thoughts you can share."
OWN_STEP = "Ask Sam to run a mock interview"


def test_keyboard_only_journey(journey_page, store, content):
    page = journey_page
    kb = Keyboard(page)
    today = date.today()
    applied, heard_back = today - timedelta(days=20), today - timedelta(days=3)

    # A new client: name, then Add client, from the top of the page.
    kb.tab_to("New client's name")
    kb.type(CLIENT)
    mark_live_regions(page)
    kb.tab_to("Add client")
    kb.press("Enter")
    assert_announced(page, "New client added.")
    expect(page.get_by_label("The application you are editing")).to_contain_text(
        "No applications yet")
    client = eventually(lambda: [c for c in store.list_clients() if c.name == CLIENT],
                        lambda found: len(found) == 1, what="the new client")[0]

    # 1. Log the rejection.
    kb.sweep("Next: Ask for feedback")
    kb.tab_to("Company", back=True)
    kb.type(COMPANY)
    kb.press("Tab")
    assert kb.focused()["name"] == "Role"
    kb.type(ROLE)
    kb.tab_to("Stage you reached")
    kb.choose("Final interview")
    kb.tab_to("Date you applied")
    kb.type_date(applied)
    kb.tab_to("Outcome")
    mark_live_regions(page)
    kb.choose("Rejected")
    # The only rejection is chosen for the next steps at once, and that is said.
    assert_announced(page, "The next steps will work on this rejection.")
    kb.tab_to("Date you heard back")
    kb.type_date(heard_back)
    kb.tab_to("How you heard")
    application = eventually(
        lambda: store.list(Application, client.id),
        lambda apps: len(apps) == 1 and apps[0].outcome == "rejected"
        and apps[0].outcome_on == heard_back and apps[0].applied_on == applied
        and apps[0].stage == "final interview", what="the logged rejection")[0]
    assert (application.company, application.role) == (COMPANY, ROLE)
    kb.tab_to("The rejection you are working on")
    expect(page.get_by_label("The rejection you are working on").locator(
        "option:checked")).to_have_text(describe_application(application))
    eventually(lambda: store.get_state(client.id).get("application_id"),
               lambda chosen: chosen == application.id, what="the chosen rejection")
    kb.tab_to("Next: Ask for feedback")
    next_step(kb, 2)

    # 2. Ask for feedback: what the recruiter said, then a draft and its tone.
    kb.sweep("Next: Make sense of it")
    kb.tab_to("Who you asked", back=True)
    kb.choose("The recruiter or HR contact")
    kb.tab_to("What they said")
    kb.type(HEARD)
    kb.press("Tab")
    feedback = eventually(lambda: store.list(Feedback, client.id),
                          lambda found: len(found) == 1 and found[0].heard == HEARD,
                          what="the recorded feedback")[0]
    assert feedback.source_id == "recruiter"
    kb.tab_to("Who you are writing to", back=True)
    kb.choose("The recruiter or HR contact")
    expect(page.get_by_label("Your message")).to_be_enabled()  # the kernel drafted it
    expect(page.get_by_label("Your message")).not_to_have_value("")
    kb.tab_to("Your message")
    mark_live_regions(page)
    page.keyboard.press("ControlOrMeta+a")
    kb.type(RUDE)
    assert_announced(page, "Check this: 1 phrase to reword.")
    expect(page.locator(".nr-draft mark")).to_be_visible()
    contrast = contrast_failures(page)  # the warning colours and the marked phrase
    assert not contrast, describe(contrast)
    page.keyboard.press("ControlOrMeta+a")
    kb.type(KIND)
    assert_announced(page, "Looks good: Your draft reads as gracious.")
    kb.tab_to("Next: Make sense of it")
    next_step(kb, 3)

    # 3. Make sense of it: confirm the suggested reading, add its first action.
    kb.sweep("Next: Look at yourself honestly")
    mark_live_regions(page)
    kb.tab_to("Confirm this reading", back=True)
    kb.press("Enter")
    assert_announced(page, "You chose:")
    expect(page.get_by_text("You confirmed this reading.")).to_be_visible()
    kb.tab_to("Add to my plan")
    kb.press("Space")
    eventually(lambda: store.list(Action, client.id), lambda found: len(found) == 1,
               what="the action added from the card")
    scenario = store.answers(client.id, application.id).get("scenario")
    assert scenario in {s.id for s in content.scenarios}
    kb.tab_to("Next: Look at yourself honestly")
    next_step(kb, 4)

    # 4. Radio groups: Tab enters a group, the arrow keys choose.
    kb.sweep("Next: Look after yourself")
    qualifications = content.question("qualifications_shown")
    needs_list = content.question("needs_list")
    first = kb.tab_to("1 – Not well at all", back=True, group=qualifications.text)
    assert not first["checked"]
    kb.press("Space")
    for _ in range(3):
        kb.press("ArrowDown")
    assert kb.focused()["name"] == "4" and kb.focused()["checked"]
    kb.press("Tab")
    assert kb.focused()["group"] == needs_list.text
    kb.press("ArrowDown")
    assert kb.focused()["name"] == "No" and kb.focused()["checked"]
    eventually(lambda: store.answers(client.id, application.id),
               lambda answers: answers.get(qualifications.id) == 4
               and answers.get(needs_list.id) == "no", what="the radio answers")
    kb.tab_to("Next: Look after yourself")
    next_step(kb, 5)

    # 5. Mood: the arrow keys move along the scale.
    kb.sweep("Next: Stay gracious")
    mood = content.mood
    kb.tab_to(f"1 – {mood.labels[1]}", back=True, group=mood.question)
    mark_live_regions(page)
    kb.press("Space")
    assert_announced(page, "Today's check-in is saved.")
    for _ in range(3):
        kb.press("ArrowRight")
    assert kb.focused()["name"] == f"4 – {mood.labels[4]}"
    eventually(lambda: store.list(CheckIn, client.id),
               lambda found: len(found) == 1 and found[0].mood == 4, what="the check-in")
    kb.tab_to("Next: Stay gracious")
    next_step(kb, 6)

    # 6. Stay gracious: Space ticks a checklist item.
    kb.sweep("Next: Your action plan")
    thank = content.gracious_steps[0]
    kb.tab_to(thank.title, back=True)
    mark_live_regions(page)
    kb.press("Space")
    assert kb.focused()["checked"]
    assert_announced(page, "Ticked off. Well done.")
    kb.tab_to("Next: Your action plan")
    next_step(kb, 7)

    # 7. The plan: a step of one's own with a date, and the first step done.
    kb.sweep("Next: Your progress")
    kb.tab_to("Add your own step", back=True)
    kb.press("Enter")
    expect(page.get_by_label("Step 2 title")).to_be_visible()
    kb.tab_to("Step 2 title", back=True)
    kb.type(OWN_STEP)
    kb.tab_to("Step 2 due date")
    own_due = today + timedelta(days=9)
    kb.type_date(own_due)
    kb.tab_to("Step 1 done", back=True)
    kb.press("Space")
    actions = eventually(
        lambda: {a.title: a for a in store.list(Action, client.id)},
        lambda found: OWN_STEP in found and found[OWN_STEP].due_on == own_due
        and sum(a.done for a in found.values()) == 1, what="the plan")
    assert len(actions) == 2
    kb.tab_to("Next: Your progress")
    next_step(kb, 8)

    # 8. Progress: the charts' tables open from the keyboard.
    stops = kb.sweep("Back: Your action plan")
    assert any(s["name"] == "Show the numbers as a table" for s in stops)
    kb.tab_to("Show the numbers as a table", back=True)
    kb.press("Enter")
    expect(page.locator("details.nr-chart-data[open] table").first).to_be_visible()
