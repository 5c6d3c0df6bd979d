"""Helpers for the browser tests: start and stop ``nextround serve``, watch a page.

The fixtures that use them are in ``conftest.py``.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 90
WIDGETS_TIMEOUT_MS = 60_000
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
#: The one console error known to be harmless: Voilà's bundled frontend is
#: older than the lab extensions it loads (see DESIGN, "Console noise").
HARMLESS_CONSOLE_ERROR = re.compile(
    r"Unsatisfied version 4\.2\.5 from [@\w./-]+ of shared singleton module "
    r"[@\w./-]+ \(required \^4\.6\.2\)"
)
#: A stylesheet the template serves: ready when this answers, without
#: spending a pre-heated kernel the way a request for the page itself would.
READY_PATH = "voila/templates/nextround/static/nextround.css"
#: The token every test server is started with (through NEXTROUND_TOKEN, so it
#: is not on any command line). Tests that look for it in logs use this value.
TOKEN = "t0k3n-" + secrets.token_urlsafe(24)


# --- the server -------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServedApp:
    """A running ``nextround serve``.

    ``url`` opens the app and logs in with the token (the server then
    redirects to ``base``); ``base`` is the server's address without it.
    """

    url: str
    db: Path
    port: int
    log: Path
    process: subprocess.Popen
    temp_dir: Path
    base: str = ""
    token: str = ""

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def server_env(temp_dir: Path) -> dict[str, str]:
    """The test's environment, with this checkout importable and temp files kept apart."""
    env = dict(os.environ)
    widgets = str(REPO / "widgets")
    env["PYTHONPATH"] = os.pathsep.join(
        [widgets, *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]])
    env["TMPDIR"] = str(temp_dir)
    env.pop("NEXTROUND_DB", None)
    env["NEXTROUND_TOKEN"] = TOKEN
    return env


def wait_until_ready(url: str, process: subprocess.Popen, log: Path,
                     timeout: float = SERVER_START_TIMEOUT) -> None:
    """Poll the template's stylesheet until it answers; fail early if the server dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nextround serve exited with {process.returncode}:\n"
                        f"{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url + READY_PATH, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"nextround serve did not answer within {timeout:.0f} s:\n"
                f"{log.read_text(errors='replace')[-3000:]}")


#: ``nextround serve`` with the kernel pool's refill delay set first (the
#: delay's value is the first argument; the rest is the command line).
SERVE_WITH_FILL_DELAY = (
    "import sys\n"
    "from nextround import serve\n"
    "serve.FILL_DELAY = float(sys.argv.pop(1))\n"
    "from nextround.cli import main\n"
    "sys.exit(main())\n"
)
#: Seconds before the pool is refilled, for a test that opens page after page
#: on one server (a reload takes the pre-heated kernel each time). Voilà's own
#: default; ``nextround serve`` waits longer so a person's first kernel starts
#: alone, which a test that reloads at once would only wait out. Only for a
#: server whose list of clients does not change while its pages are open: a
#: kernel pre-heated before a client is added does not list that client.
QUICK_REFILL = 1.0


def serve_command(port: int, where: list[str], extra: list[str],
                  fill_delay: float | None) -> list[str]:
    """The ``nextround serve`` command line, with ``fill_delay`` when one is given."""
    args = ["serve", "--no-browser", "--port", str(port), *where, *extra]
    if fill_delay is None:
        return [sys.executable, "-m", "nextround.cli", *args]
    return [sys.executable, "-c", SERVE_WITH_FILL_DELAY, str(fill_delay), *args]


def start_server(*, db: Path | None, temp_dir: Path, label: str = "demo",
                 extra: list[str] | None = None, env: dict[str, str] | None = None,
                 fill_delay: float | None = None) -> ServedApp:
    """Start ``nextround serve`` in its own process group and wait until it answers.

    Its output goes to ``test-artifacts/serve-<label>.log``. ``env`` adds to
    (or, with a value of ``None``, removes from) the server's environment.
    ``fill_delay`` replaces the pool's refill delay (:data:`QUICK_REFILL`).
    """
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"serve-{label}.log"
    where = ["--db", str(db)] if db is not None else ["--demo"]
    command = serve_command(port, where, extra or [], fill_delay)
    environment = server_env(temp_dir)
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(command, cwd=temp_dir, env=environment,
                                   stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    token = environment.get("NEXTROUND_TOKEN", "")
    served = ServedApp(url=f"{base}?token={token}", db=db or Path(), port=port, log=log,
                       process=process, temp_dir=temp_dir, base=base, token=token)
    try:
        wait_until_ready(base, process, log)
        if db is None:
            found = sorted(temp_dir.glob("nextround-demo-*/demo.db"))
            assert found, f"no demo database under {temp_dir}"
            served.db = found[0]
    except BaseException:
        stop_server(served)
        raise
    return served


def start_voila(target: Path, *, temp_dir: Path, label: str, db: Path | None = None,
                preheat: bool = True) -> ServedApp:
    """Standalone Voilà on a notebook or a folder, with ``nextround serve``'s settings.

    The same flags as :func:`nextround.serve.voila_argv` (template, no
    tracebacks, kernel pool, culling). A folder is served without pre-heating
    (``preheat=False``), since Voilà would pre-heat a kernel for every notebook
    in it; its notebooks are at ``voila/render/<name>``. ``db`` reaches the
    kernels as ``NEXTROUND_DB``. Output goes to ``test-artifacts/voila-<label>.log``.
    """
    from nextround import serve

    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"voila-{label}.log"
    argv = serve.voila_argv(serve.ServeOptions(notebook=target, port=port, open_browser=False))
    if not preheat:
        argv = [a for a in argv if not a.startswith("--VoilaConfiguration.preheat_kernel=")]
        argv.append("--VoilaConfiguration.preheat_kernel=False")
    env = server_env(temp_dir)
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(REPO / "share" / "jupyter"),
         *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]])
    if db is not None:
        env["NEXTROUND_DB"] = str(db)
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen([sys.executable, "-m", "voila", *argv], cwd=temp_dir,
                                   env=env, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    served = ServedApp(url=f"http://127.0.0.1:{port}/", db=db or Path(), port=port, log=log,
                       process=process, temp_dir=temp_dir, base=f"http://127.0.0.1:{port}/")
    try:
        wait_until_ready(served.base, process, log)
    except BaseException:
        stop_server(served)
        raise
    return served


def stop_processes(processes: list[subprocess.Popen], timeout: float = 20) -> list[int | None]:
    """Stop servers as Ctrl-C would, all at once, then make sure nothing of their
    groups is left; returns their exit codes.

    Every server is asked first and then waited for, so their shutdowns (each
    stopping its kernels) overlap instead of queueing one after another.
    """
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + timeout
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
    codes: list[int | None] = []
    for process in processes:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        try:
            codes.append(process.wait(timeout=5))
        except subprocess.TimeoutExpired:
            codes.append(None)
    return codes


def stop_process(process: subprocess.Popen, timeout: float = 20) -> int | None:
    """Stop a server as Ctrl-C would, then make sure nothing of its group is left."""
    return stop_processes([process], timeout)[0]


def stop_server(served: ServedApp, timeout: float = 20) -> int | None:
    """Stop a ``nextround serve``; returns its exit code."""
    return stop_process(served.process, timeout)


def stop_servers(served: list[ServedApp], timeout: float = 20) -> None:
    """Stop several ``nextround serve`` at once (see :func:`stop_processes`)."""
    stop_processes([one.process for one in served], timeout)


# --- the browser ------------------------------------------------------------------


def is_local_url(url: str) -> bool:
    """True for this machine's addresses and for data:, blob: and about: URLs."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.hostname is not None and parts.hostname.lower() in LOOPBACK_HOSTS


@dataclass
class PageLog:
    """What a page asked for and complained about."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def on_route(self, route) -> None:
        url = route.request.url
        if is_local_url(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def on_request(self, request) -> None:
        self.requests.append(request.url)

    def on_websocket(self, websocket) -> None:
        self.requests.append(websocket.url)
        if not is_local_url(websocket.url):
            self.blocked.append(websocket.url)

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        text = message.text
        if HARMLESS_CONSOLE_ERROR.search(text):
            self.ignored.append(text)
        else:
            self.console_errors.append(text)

    def on_page_error(self, error) -> None:
        self.page_errors.append(str(error))

    def clear(self) -> None:
        for entries in (self.requests, self.blocked, self.console_errors, self.page_errors,
                        self.ignored):
            entries.clear()

    def outside_requests(self) -> list[str]:
        return sorted({*self.blocked, *(u for u in self.requests if not is_local_url(u))})

    def problems(self) -> list[str]:
        found = [f"request outside this machine: {url}" for url in self.outside_requests()]
        found += [f"console error: {text}" for text in self.console_errors]
        found += [f"page error: {text}" for text in self.page_errors]
        return found


def artifact_name(nodeid_name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", nodeid_name).strip("_") or "page"


def wait_for_widgets(page, timeout: float = WIDGETS_TIMEOUT_MS) -> None:
    """Wait until Voilà has shown the cells and at least one widget is visible."""
    page.wait_for_selector("#loading", state="detached", timeout=timeout)
    page.locator("#rendered_cells").wait_for(state="visible", timeout=timeout)
    page.locator("#rendered_cells .jupyter-widgets").first.wait_for(state="visible",
                                                                  timeout=timeout)


def snapshot(page, name: str) -> Path:
    """Save a full-page screenshot as ``test-artifacts/<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{artifact_name(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def eventually(read, check=bool, *, timeout: float = 20, what: str = "the expected value"):
    """Call ``read()`` until ``check`` accepts its result; return that result.

    For what the kernel writes to the store a moment after the page changes:
    the test waits for it rather than sleeping. Fails with the last value read.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if check(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:.0f} s for {what}; last saw: {value!r}",
                        pytrace=False)
        time.sleep(0.1)


VIEWPORT = {"width": 1280, "height": 900}


def open_watched_page(browser, log: PageLog):
    """A fresh context and page whose requests, console and errors go to ``log``."""
    context = browser.new_context(viewport=VIEWPORT)
    context.route("**/*", log.on_route)
    opened = context.new_page()
    opened.on("request", log.on_request)
    opened.on("websocket", log.on_websocket)
    opened.on("console", log.on_console)
    opened.on("pageerror", log.on_page_error)
    return context, opened


def open_step(page, number: int, title: str, *, timeout: float = 30_000) -> None:
    """Open a step from the app's menu and wait until its title shows."""
    from playwright.sync_api import expect

    page.get_by_role("button", name=f"{number}. {title}").click()
    expect(page.locator(".nr-step-title")).to_have_text(title, timeout=timeout)


def type_key_by_key(field, text: str) -> None:
    """Type at the end of what a box holds, a key at a time, as a person does,
    and stay in the box (no Tab, no click elsewhere)."""
    field.click()
    field.press("Control+End")
    field.press_sequentially(text)
