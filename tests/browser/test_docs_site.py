"""The built documentation site, opened in Chromium, asks for nothing outside this machine.

Every page is served from a local HTTP server and opened with the same
watch as the app's pages (:class:`PageLog`): a request to another host, a
console error or an uncaught exception fails the test.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_harness import ARTIFACTS, PageLog, open_watched_page

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from docs_build import built_docs  # noqa: E402


@pytest.fixture(scope="module")
def docs_site() -> Iterator[tuple[str, Path]]:
    """The built site on a local HTTP server: its base address and folder."""
    html = built_docs().html
    handler = functools.partial(_QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", html
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def test_every_page_loads_nothing_from_outside_and_logs_no_error(browser, docs_site):
    base, html = docs_site
    pages = sorted(str(p.relative_to(html)) for p in html.rglob("*.html"))
    assert "index.html" in pages and "guides/own-notebook.html" in pages
    log = PageLog()
    context, page = open_watched_page(browser, log)
    try:
        for name in pages:
            response = page.goto(base + name, wait_until="load")
            assert response is not None and response.ok, name
        page.goto(base + "search.html?q=store", wait_until="load")
        page.locator("#search-results li").first.wait_for(state="visible", timeout=20_000)
        ARTIFACTS.mkdir(exist_ok=True)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(base + "guides/own-notebook.html", wait_until="load")
            page.screenshot(path=str(ARTIFACTS / f"docs-own-notebook-{width}.png"),
                            full_page=True)
    finally:
        context.close()
    assert log.requests, "the pages made no requests at all"
    assert not log.problems(), log.problems()
