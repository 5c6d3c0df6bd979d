"""Browser test harness: a real ``nextround serve`` and Debian's Chromium.

Fixtures
--------
``serve_app``
    Session-scoped factory. ``serve_app()`` runs ``nextround serve --demo``;
    ``serve_app(db=path)`` serves that database instead. Each distinct call
    starts one server, shared by the whole session and stopped at its end.
    ``fill_delay=QUICK_REFILL`` refills the kernel pool sooner, for a module
    that loads page after page (see ``browser_harness.QUICK_REFILL``).
    It returns a :class:`ServedApp`: ``.url`` (base URL, ending in ``/``),
    ``.db`` (the database file), ``.port`` and ``.log`` (the server's output).
``app_server``
    ``serve_app()``: the demo app, for tests that need nothing special.
``browser``
    Session-scoped Chromium (``/usr/bin/chromium``, headless, fresh profile).
``page``
    A new page in a fresh browser context. It fails the test when the page
    asks for anything outside this machine (the request is also aborted), or
    logs a console error or an uncaught exception; see :class:`PageLog`. It
    saves ``test-artifacts/<test name>.png`` at teardown.
``page_log``
    The :class:`PageLog` of ``page``, to assert on mid-test.
``app_page``
    The demo app already loaded (once per module) in a page with the same
    checks as ``page``; cheaper for tests that only look at it.

Helpers: :func:`free_port`, :func:`wait_for_widgets`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser_harness import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    PageLog,
    ServedApp,
    artifact_name,
    free_port,
    open_watched_page,
    start_server,
    stop_servers,
    wait_for_widgets,
)
from playwright.sync_api import expect

__all__ = ["free_port", "wait_for_widgets", "ServedApp", "PageLog"]

#: How long an ``expect`` waits for its condition. Playwright's 5 s is too
#: short for a step to reach a busy 2-core machine's kernel and come back; a
#: page that is right passes as soon as the condition holds, so this only
#: matters when the machine is slow.
EXPECT_TIMEOUT_MS = 30_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def serve_app() -> Iterator[Callable[..., ServedApp]]:
    """Factory: ``serve_app()`` serves demo data, ``serve_app(db=path)`` a given database.

    One server per distinct database, shared for the session.
    """
    servers: dict[str, ServedApp] = {}
    temp_dirs: list[tempfile.TemporaryDirectory] = []

    def serve(db: Path | None = None, *, fill_delay: float | None = None) -> ServedApp:
        key = str(db) if db is not None else "--demo"
        if key not in servers:
            temp = tempfile.TemporaryDirectory(prefix="nextround-serve-")
            temp_dirs.append(temp)
            servers[key] = start_server(db=db, temp_dir=Path(temp.name),
                                        label="demo" if db is None else f"db-{len(servers)}",
                                        fill_delay=fill_delay)
        return servers[key]

    yield serve
    stop_servers(list(servers.values()))
    for temp in temp_dirs:
        temp.cleanup()


@pytest.fixture(scope="session")
def app_server(serve_app) -> ServedApp:
    """The app with demo data, shared by every browser test of the session."""
    return serve_app()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium through Playwright; each launch gets a fresh temporary profile.

    One per test module: Playwright's sync API keeps an asyncio loop marked as
    running in this thread while it is open, and the tests after the browser
    tests (components typed into outside any kernel) must not see one, or
    their saves wait for a loop that never turns.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; ./scripts/test installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def finish_page(opened, log: PageLog, request) -> None:
    """Save the screenshot, then fail the test for anything the page did wrong."""
    ARTIFACTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(ARTIFACTS / f"{artifact_name(request.node.name)}.png"),
                      full_page=True)
    problems = log.problems()
    log.clear()
    if problems:
        pytest.fail("the page misbehaved:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser, page_log: PageLog, request) -> Iterator:
    """A page that fails the test on outside requests, console errors or page errors."""
    context, opened = open_watched_page(browser, page_log)
    try:
        yield opened
        finish_page(opened, page_log, request)
    finally:
        context.close()


@pytest.fixture(scope="module")
def _loaded_app(browser, app_server) -> Iterator:
    log = PageLog()
    context, opened = open_watched_page(browser, log)
    opened.goto(app_server.url)
    wait_for_widgets(opened)
    yield opened, log
    context.close()


@pytest.fixture
def app_page(_loaded_app, request) -> Iterator:
    """The demo app, loaded once per module and shared, with the same checks as ``page``.

    For tests that only look, resize, print-emulate or move focus: each test
    gets the page back at the default size and screen media.
    """
    opened, log = _loaded_app
    yield opened
    try:
        finish_page(opened, log, request)
    finally:
        opened.set_viewport_size(VIEWPORT)
        opened.emulate_media(media="screen")


