"""What one page did, line by line with the seconds since it was opened.

For a page that never draws, the screenshot says only "Loading…". This
records what the browser saw instead: each navigation and load event, each
console line and uncaught error, each failed or refused request, and each
WebSocket opened and closed with a one-line summary of every message over it
(for a Jupyter kernel's channel: which channel, the message type and, for a
comm, its target), so one can read whether the kernel's channel opened and
whether the first widget message arrived.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

#: Longest console line or message summary kept, in characters.
LINE_LIMIT = 300


def kernel_message_summary(payload: str | bytes) -> str:
    """One line for a message on a Jupyter kernel's WebSocket: ``channel msg_type``
    (plus the comm's target, or the kernel's execution state), for either wire
    format: JSON text or the binary ``v1.kernel.websocket.jupyter.org`` one."""
    try:
        if isinstance(payload, bytes):
            from jupyter_server.services.kernels.connection.base import (
                deserialize_msg_from_ws_v1,
            )

            channel, parts = deserialize_msg_from_ws_v1(payload)
            header, content = json.loads(parts[0]), json.loads(parts[3])
        else:
            message = json.loads(payload)
            channel = message.get("channel", "?")
            header, content = message.get("header", {}), message.get("content", {})
    except (ValueError, IndexError, KeyError, TypeError, AttributeError):
        return f"({len(payload)} bytes, not a kernel message)"
    summary = f"{channel} {header.get('msg_type', '?')}"
    if not isinstance(content, dict):
        return summary
    for key in ("target_name", "execution_state", "status"):
        if key in content:
            summary += f" {key}={content[key]}"
    return summary


#: What the page's own state says about how far it got (Voilà's template sets
#: ``cellLoaded`` once every cell is received, its front end ``themeLoaded`` once
#: started; ``jupyterapp`` is the started front end).
PAGE_STATE_SCRIPT = """() => JSON.stringify({
  readyState: document.readyState,
  cellsReceived: !!window.cellLoaded,
  frontEndStarted: !!window.jupyterapp,
  themeLoaded: !!window.themeLoaded,
  loadingShown: !!document.getElementById('loading'),
  widgetsDrawn: document.querySelectorAll('#rendered_cells .jupyter-widgets').length,
  slowNotice: !!document.querySelector('.nextround-slow-load'),
})"""


class PageTimeline:
    """The events of one page, for the person's record in ``test-artifacts/``."""

    def __init__(self, name: str):
        self.name = name
        self.started = time.monotonic()
        self.lines: list[str] = []
        #: Requests sent and not yet answered in full (or failed): request → when sent.
        self.pending: dict = {}

    def note(self, what: str) -> None:
        """Add a line: the clock time (to match the server's log), the seconds since
        the page was opened, and what happened."""
        clock = datetime.now().strftime("%H:%M:%S.%f")[:-3]
        since = time.monotonic() - self.started
        self.lines.append(f"{clock} {since:8.2f}s  {what[:LINE_LIMIT]}")

    def watch(self, page) -> None:
        """Record ``page``'s events from now on."""
        page.on("console", lambda message: self.note(f"console.{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.note(f"page error: {error}"))
        page.on("framenavigated", lambda frame: frame.parent_frame is None
                and self.note(f"navigated to {frame.url}"))
        page.on("domcontentloaded", lambda _: self.note("DOMContentLoaded"))
        page.on("load", lambda _: self.note("load"))
        page.on("requestfailed", lambda request: self.note(
            f"request failed: {request.method} {request.url}: {request.failure}"))
        page.on("response", lambda response: response.status >= 400 and self.note(
            f"HTTP {response.status}: {response.request.method} {response.url}"))
        page.on("websocket", self._watch_socket)
        page.on("request", lambda request: self.pending.__setitem__(request, time.monotonic()))
        page.on("requestfinished", lambda request: self.pending.pop(request, None))
        page.on("requestfailed", lambda request: self.pending.pop(request, None))

    async def note_page_state(self, page) -> None:
        """Note how far the page got: the document's state, whether Voilà's front end
        started and its theme loaded, whether the cells were all received, and how many
        widgets are drawn; and every request still unanswered."""
        for request, sent in self.pending.items():
            self.note(f"still unanswered after {time.monotonic() - sent:.1f} s: "
                      f"{request.method} {request.url}")
        try:
            state = await page.evaluate(PAGE_STATE_SCRIPT)
        except Exception as error:  # noqa: BLE001 (a record of what happened, whatever it was)
            state = f"could not be read: {error}"
        self.note(f"page state: {state}")

    def _watch_socket(self, socket) -> None:
        url = socket.url.split("?")[0]
        self.note(f"websocket opened: {url}")
        socket.on("framereceived", lambda payload: self.note(
            f"ws <- {kernel_message_summary(payload)}"))
        socket.on("framesent", lambda payload: self.note(
            f"ws -> {kernel_message_summary(payload)}"))
        socket.on("socketerror", lambda error: self.note(f"websocket error: {url}: {error}"))
        socket.on("close", lambda _: self.note(f"websocket closed: {url}"))

    def write(self, path: Path) -> None:
        path.write_text("\n".join(self.lines) + "\n")
