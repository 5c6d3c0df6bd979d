"""The service report in the real app, in Chromium: reached from the counsellor view, five
charts found by their accessible names, small counts shown as "fewer than 5", and an
Excel download whose figures match the generated data (``service_data.py``).

At 1280 and 390 px wide, axe finds no WCAG 2.2 AA violation (the rules every other page
is held to), and screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import base64
import io

import pytest
from browser_harness import snapshot, wait_for_widgets
from openpyxl import load_workbook
from playwright.sync_api import expect
from service_data import add_service

from nextround.report import stage_titles
from nextround.store import Store
from nextround.suppression import FEWER_THAN, PROTECTING

TITLES = ("Clients by stage of the journey", "The kinds of feedback heard",
          "Time from a rejection to the next interview", "Actions done against due",
          "Mood over time")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The rules the app's other pages are held to (``test_accessibility.py``).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


#: Scroll the chart's box to its end; the right edge of the drawing, then, in CSS pixels.
SCROLLED_RIGHT_EDGE = """holder => {
  let box = holder.parentElement;
  while (box && !(box.scrollWidth > box.clientWidth
                  && ['auto', 'scroll'].includes(getComputedStyle(box).overflowX))) {
    box = box.parentElement;
  }
  if (!box) return 'no box around the chart scrolls sideways';
  box.scrollLeft = box.scrollWidth;
  return holder.querySelector('svg.main-svg').getBoundingClientRect().right;
}"""


@pytest.fixture(scope="module")
def served(serve_app, tmp_path_factory):
    path = tmp_path_factory.mktemp("service") / "nextround.db"
    store = Store(path)
    add_service(store)
    store.close()
    return serve_app(db=path)


def _open_report(page, served) -> None:
    page.goto(served.url)
    wait_for_widgets(page)
    page.get_by_role("button", name="Counsellor view").click()
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    page.get_by_role("button", name="Service report").click()
    expect(page.get_by_role("heading", name="Service report")).to_be_visible(timeout=60_000)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_service_report_draws_five_named_charts_with_small_counts_hidden(
        page, served, width):
    page.set_viewport_size({"width": width, "height": 900})
    _open_report(page, served)
    for title in TITLES:
        figure = page.get_by_role("figure", name=title)
        expect(figure).to_have_attribute("data-drawn", "yes", timeout=60_000)
        # plotly's drawing carries the same name, for screen readers.
        expect(figure.get_by_role("img", name=title)).to_have_count(1)
    assert page.locator(".nr-plotly[data-drawn='failed']").count() == 0

    # The stages' table: 12 at the first step; the 3 not started are "fewer than 5".
    stages = page.locator("details.nr-chart-data").filter(
        has=page.get_by_text(TITLES[0], exact=True))
    stages.locator("summary").click()
    table = stages.get_by_role("table")
    expect(table.get_by_role("row").filter(has_text=stage_titles()[1])).to_contain_text("12")
    expect(table.get_by_role("row").filter(has_text="Not started yet")).to_contain_text(
        FEWER_THAN)
    expect(table.get_by_role("row").filter(has_text="All clients")).to_contain_text("25")
    expect(page.get_by_text("25 clients were active (all records).")).to_be_visible()
    snapshot(page, f"service-report-{width}px")
    if width < 600:  # the 600 px chart scrolls sideways in its box, to its right edge
        right = page.get_by_role("figure", name=TITLES[0]).evaluate(SCROLLED_RIGHT_EDGE)
        assert isinstance(right, int | float) and right <= width, right

    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                     "resultTypes": ["violations"]}).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in found] == []


def test_the_excel_download_holds_the_known_figures_and_a_first_day_narrows_them(
        page, served):
    _open_report(page, served)
    link = page.get_by_role("link", name="Download the report for Excel (.xlsx)")
    href = link.get_attribute("href")
    prefix = f"data:{XLSX_MIME};base64,"
    assert href and href.startswith(prefix)
    book = load_workbook(io.BytesIO(base64.b64decode(href[len(prefix):])))
    assert ("May 2026", 9, FEWER_THAN, PROTECTING) in list(
        book["Actions"].iter_rows(values_only=True))
    # A first day, typed into its labelled box: the figures cover only records from then.
    page.get_by_label("Only records from").fill("2026-05-01")
    expect(page.get_by_text("Actions due by month (since 1 May 2026).")).to_be_visible()
    page.get_by_role("button", name="Back to caseload").click()
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
