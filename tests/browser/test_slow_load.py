"""A page that stays loading says so and offers a reload, in a real Voilà page in Chromium.

On a busy server a kernel's first message can be lost (one person in twenty
in the hub's load test was left on "Loading the workbook…"). The page must
not say "Loading" for ever: after a while it says it is slow, that saved
work is safe, and offers a reload that starts afresh. Here the kernel's
channel is held open with no server behind it (Playwright's WebSocket
routing), so the page cannot finish loading until the reload lets it through.
"""

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
