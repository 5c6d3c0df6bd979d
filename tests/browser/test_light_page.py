"""The app's page is light: only the widget manager first, plotly.js when Progress opens.

Against a real ``nextround serve --demo`` in Chromium:

* the first view loads no lab extension but the widget manager, nothing from
  outside this machine, and logs no console error (the ``page`` fixture fails
  the test on either);
* its JavaScript, CSS and JSON arrive gzipped;
* every content-hashed file is marked ``immutable``, and a second visit in the
  same browser moves almost nothing over the network (counted through the
  Chrome DevTools Protocol, which sees the bytes on the wire);
* opening Progress fetches plotly.js once, from this server, and draws four
  interactive charts beside their sentences and tables.

Sizes here are limits with room to spare, not timings: the figures themselves
are in ``benchmarks/run.py`` and ``docs/performance.md``.
"""

from __future__ import annotations

import json
import re

import pytest
from browser_harness import is_local_url, open_step, wait_for_widgets
from playwright.sync_api import expect

from nextround.serve import FIRST_VIEW_EXTENSIONS
from nextround.web import is_content_hashed

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Responses smaller than this are not worth compressing (tornado skips them too).
COMPRESS_FROM_BYTES = 1024
#: A repeat visit may move the page itself and a few small answers, no more.
REPEAT_VISIT_LIMIT = 300_000
#: The first view moved 10.3 MB before; now about 1.5 MB. Generous room.
FIRST_VISIT_LIMIT = 3_000_000
TEXT_TYPES = re.compile(r"javascript|css|json")


class Wire:
    """Bytes on the wire per request, as Chromium's network layer counts them."""

    def __init__(self, context, page):
        self.session = context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.urls: dict[str, str] = {}
        self.bytes: dict[str, int] = {}
        self.session.on("Network.requestWillBeSent",
                        lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        self.session.on("Network.loadingFinished",
                        lambda e: self.bytes.__setitem__(e["requestId"],
                                                         e["encodedDataLength"]))

    @property
    def total(self) -> int:
        return int(sum(self.bytes.values()))

    def biggest(self, count: int = 5) -> list[tuple[int, str]]:
        return sorted(((int(n), self.urls.get(k, k)) for k, n in self.bytes.items()),
                      reverse=True)[:count]


def page_config(page) -> dict:
    return json.loads(page.locator("#jupyter-config-data").text_content())


def test_first_view_loads_only_the_widget_manager_compressed(page, app_server):
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto(app_server.url)
    wait_for_widgets(page)
    expect(page.get_by_role("button", name="8. Your progress")).to_be_visible()

    loaded = {ext["name"] for ext in page_config(page)["federated_extensions"]}
    assert loaded == set(FIRST_VIEW_EXTENSIONS)
    urls = [r.url for r in responses]
    assert not [u for u in urls if "plotly" in u or "anywidget" in u], \
        "the first view fetched part of plotly or anywidget"
    assert all(is_local_url(u) for u in urls)

    uncompressed = []
    for response in responses:
        headers = response.all_headers()
        size = int(headers.get("content-length") or len(response.body()))
        if (response.status == 200 and TEXT_TYPES.search(headers.get("content-type", ""))
                and size >= COMPRESS_FROM_BYTES
                and headers.get("content-encoding") != "gzip"):
            uncompressed.append(f"{response.url} ({headers.get('content-type')})")
    checked = [r for r in responses if TEXT_TYPES.search(r.headers.get("content-type", ""))]
    assert len(checked) > 20
    assert uncompressed == []


def test_hashed_files_are_kept_for_good_and_a_repeat_visit_moves_almost_nothing(
        browser, app_server):
    context = browser.new_context()
    try:
        first_page = context.new_page()
        responses = []
        first_page.on("response", lambda r: responses.append(r))
        first = Wire(context, first_page)
        first_page.goto(app_server.url)
        wait_for_widgets(first_page)
        first_page.close()

        hashed = [r for r in responses if r.status == 200 and is_content_hashed(
            r.url.split("?")[0], {"v": ["1"]} if "?v=" in r.url else {})]
        assert len(hashed) > 10
        not_immutable = [r.url for r in hashed
                         if "immutable" not in r.headers.get("cache-control", "")]
        assert not_immutable == []
        assert first.total < FIRST_VISIT_LIMIT, first.biggest()

        again = context.new_page()
        repeat = Wire(context, again)
        again.goto(app_server.url)
        wait_for_widgets(again)
        assert repeat.total < REPEAT_VISIT_LIMIT, repeat.biggest()
        hashed_again = [url for url in repeat.urls.values()
                        if url in {r.url for r in hashed}]
        assert hashed_again, "the repeat visit did not load the same files"
        sent = {repeat.urls[k]: n for k, n in repeat.bytes.items() if k in repeat.urls}
        assert [u for u in hashed_again if sent.get(u, 0) > 0] == [], \
            "a content-hashed file came over the network again"
    finally:
        context.close()


def test_progress_fetches_plotly_once_from_this_server_and_draws_four_charts(
        page, app_server, page_log):
    page.goto(app_server.url)
    wait_for_widgets(page)
    assert not [u for u in page_log.requests if "plotly" in u]
    open_step(page, 8, "Your progress")
    drawn = page.locator(".nr-plotly[data-drawn='yes'] .main-svg")
    expect(drawn.first).to_be_visible(timeout=60_000)
    page.wait_for_function(
        "document.querySelectorAll(\".nr-plotly[data-drawn='yes']\").length === 4",
        timeout=60_000)
    assert page.locator(".nr-plotly[data-drawn='failed']").count() == 0

    plotly = [u for u in page_log.requests if "plotly" in u]
    assert len(plotly) == 1 and is_local_url(plotly[0])
    assert re.search(r"/nextround/static/plotly\.[0-9a-f]{16}\.min\.js$", plotly[0])

    # Each chart keeps its sentence and its table.
    expect(page.locator(".nr-chart-summary")).to_have_count(4)
    assert page.locator("details.nr-chart-data").count() >= 3
    # Interactive: a hover label on a bar, and the zoom controls.
    bars = page.locator(".nr-plotly").first
    bars.scroll_into_view_if_needed()
    point = bars.locator(".point").first
    box = point.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(bars.locator(".hoverlayer .hovertext").first).to_be_visible(timeout=10_000)
    assert bars.locator(".modebar-btn[data-attr='dragmode'][data-val='zoom']").count() == 1
