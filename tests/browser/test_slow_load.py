"""A page that cannot draw never waits in silence, in a real Voilà page in Chromium.

In the hub's load test, twenty people starting at once left one or two on
"Loading the workbook…": one of the 72 script chunks Voilà's front end is
made of arrived after webpack's 120 s, so the front end never started. Such
a page now reloads itself (at most twice in a row, ending its kernel first);
and any page with nothing drawn after a while says it is slow, that saved
work is safe, and offers a reload that starts afresh. The first test holds
the kernel's channel open with no server behind it (Playwright's WebSocket
routing), so the page cannot finish loading until the reload lets it through;
the others make a chunk's request fail, as webpack's timeout does."""

from __future__ import annotations

import re

from browser_harness import wait_for_widgets
from playwright.sync_api import expect

#: The kernel's message channel, as the page opens it.
KERNEL_CHANNEL = re.compile(r"/api/kernels/[^/?]+/channels")


def test_a_page_left_loading_says_so_and_a_reload_brings_the_app(page, app_server):
    page.add_init_script("window.NEXTROUND_SLOW_LOAD_MS = 8000")
    held: list[object] = []

    def first_channel_goes_nowhere(socket) -> None:
        if not held:
            held.append(socket)  # never connected to the server: no message arrives
            return
        socket.connect_to_server()

    page.route_web_socket(KERNEL_CHANNEL, first_channel_goes_nowhere)
    opened: list[str] = []
    page.on("websocket", lambda socket: opened.append(socket.url))
    page.goto(app_server.url)
    loading = page.get_by_role("status").filter(has_text="taking longer")
    expect(loading).to_contain_text("This is taking longer than usual", timeout=60_000)
    expect(loading).to_contain_text("Your saved work is safe")
    # The notice comes at a fixed time; on a busy machine the page may open its
    # kernel channel only after it. Wait for that (the condition, not a time).
    for _ in range(120):
        if held:
            break
        page.wait_for_timeout(500)
    assert held, f"the kernel channel was never opened, so nothing was held back: {opened}"
    expect(page.locator("#rendered_cells .jupyter-widgets")).to_have_count(0)
    page.get_by_role("button", name="Reload the page").click()
    wait_for_widgets(page)
    expect(page.get_by_label("Client", exact=True)).to_be_enabled()
    expect(page.get_by_text("This is taking longer than usual")).to_have_count(0)


def test_a_page_that_loads_in_time_never_shows_the_notice(page, app_server):
    page.add_init_script("window.NEXTROUND_SLOW_LOAD_MS = 1")
    page.goto(app_server.url + "&lang=es")
    wait_for_widgets(page)
    # The notice belonged to the loading message, which is gone with it, and
    # once a widget is drawn no notice is added.
    page.wait_for_timeout(500)
    expect(page.get_by_text("Está tardando más de lo normal")).to_have_count(0)
    expect(page.locator(".nextround-slow-load")).to_have_count(0)


#: Voilà's front end arrives as numbered script chunks, fetched by webpack.
FRONT_END_CHUNK = re.compile(r"/voila/static/\d+\.voila\.js")


def forgive_the_failed_chunks(page_log) -> None:
    """Clear the errors a failed chunk is expected to leave (webpack's error and the
    browser's failed load), failing on any other."""
    expected = re.compile(r"Loading chunk \S+ failed|ERR_TIMED_OUT|Failed to load resource")
    unexpected = [error for error in page_log.page_errors + page_log.console_errors
                  if not expected.search(error)]
    page_log.page_errors.clear()
    page_log.console_errors.clear()
    assert not unexpected, unexpected


def test_a_front_end_chunk_that_never_arrives_reloads_the_page_by_itself(page, page_log,
                                                                          app_server):
    """The stuck page in the hub's load test: one of the script chunks Voilà's
    front end is made of arrived after webpack's 120 s, so the front end never
    started, every cell already on the page but nothing to draw them, and
    nothing left to happen. Here the first chunk's first request fails at once
    (the same error webpack raises at its timeout, without waiting for it):
    the page must reload by itself and draw the app, with no one pressing a
    button, and end the kernel its first load started."""
    failed: list[str] = []

    def first_chunk_fails(route) -> None:
        if not failed:
            failed.append(route.request.url)
            route.abort("timedout")
            return
        route.continue_()

    page.route(FRONT_END_CHUNK, first_chunk_fails)
    shut_down: list[str] = []
    page.on("request", lambda request: "/voila/api/shutdown/" in request.url
            and shut_down.append(request.url))
    page.goto(app_server.url)
    wait_for_widgets(page)
    expect(page.get_by_label("Client", exact=True)).to_be_enabled()
    assert failed, "no front-end chunk was requested, so nothing was made to fail"
    assert len(shut_down) == 1, f"the first load's kernel was not ended once: {shut_down}"
    expect(page.locator(".nextround-slow-load")).to_have_count(0)
    forgive_the_failed_chunks(page_log)


def test_a_page_whose_chunks_keep_failing_stops_reloading_and_says_so(page, page_log,
                                                                       app_server):
    """A chunk that never arrives, however often asked for, reloads the page at
    most twice, then leaves the notice and its button rather than reloading for ever."""
    page.add_init_script("window.NEXTROUND_SLOW_LOAD_MS = 600000")
    documents: list[str] = []
    page.on("request", lambda request: request.resource_type == "document"
            and request.redirected_from is None and documents.append(request.url))
    page.route(FRONT_END_CHUNK, lambda route: route.abort("timedout"))
    page.goto(app_server.url)
    notice = page.get_by_role("status").filter(has_text="taking longer")
    expect(notice).to_contain_text("This is taking longer than usual", timeout=60_000)
    expect(page.get_by_role("button", name="Reload the page")).to_be_visible()
    page.wait_for_timeout(1000)  # a further reload, if any, would have begun by now
    assert len(documents) == 3, f"expected the first load and two reloads: {documents}"
    forgive_the_failed_chunks(page_log)
