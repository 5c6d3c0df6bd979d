"""NextRound's performance figures, against the floor of a stock Voilà page.

One run measures, on this machine, each page figure on two networks: loopback,
and a link emulated through the Chrome DevTools Protocol at 20 Mbit/s with
40 ms latency (``Network.emulateNetworkConditions``), as a counsellor on a
JupyterHub or a client on Binder has:

* **bytes on the wire and requests** (``wire``): the app's first visit (an
  empty browser cache) and a repeat visit (the same browser, later); the
  stock page's first visit for comparison. Counted by Chromium's network
  layer (``encodedDataLength``): what really crossed the network, compressed.
* **time to first usable view** (``tti``): ``nextround serve --demo`` against
  stock Voilà (``voila notebook.ipynb``, stock settings, in this environment
  with the same installed extensions) on a one-cell notebook showing a
  ``Text``, a ``Button`` and an echo ``Label``. The app is usable when its
  client picker and step menu are visible and enabled; the stock page when
  its text box is. Loads alternate between the two, each a first visit (a
  fresh browser context), and each server waits at least ``--spacing``
  seconds between its own loads, so the app's pre-heated kernel is back.
  Timed in the page (``performance.now()`` from navigation start).
* **Progress** (``progress``): from the click on "Your progress" to its four
  charts drawn, the first time (plotly.js fetched) and again in the same page.
* **caseload** (``caseload``): the counsellor view of 1,000 clients, from the
  click on "Counsellor view" to the table's first page drawn (the caseload is
  shown a page at a time).
* **click round trip** (``click``), loopback: confirming a reading in the app
  against the stock page's echo.
* **import** and **kernel memory**, and **in process**: building Progress for
  a client with 10,000 applications, and the caseload of 1,000 clients.

Run from the repository root::

    .venv/bin/python benchmarks/run.py                    # small counts, a few minutes
    .venv/bin/python benchmarks/run.py --full --json out.json   # the counts in the report

``--full`` gives 10 interleaved loads each per network; the default 3.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "widgets"))

from nextround import serve  # noqa: E402
from nextround.caseload import PAGE_SIZE  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
#: As in the browser tests (tests/browser/browser_harness.py).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
#: Answers in every Voilà, whatever the template, without spending a kernel.
READY_PATH = "voila/static/voila.js"
PREHEATED = "Using pre-heated kernel"
#: The emulated network: 20 Mbit/s each way, 40 ms latency.
EMULATED = {"offline": False, "latency": 40, "downloadThroughput": 20_000_000 / 8,
            "uploadThroughput": 20_000_000 / 8}
NETWORKS = {"loopback": None, "20mbit": EMULATED}
#: The targets this work aims at (lower is better for all).
TARGETS = {"first_visit_mb": 3.0, "repeat_visit_mb": 0.3, "tti_ratio_20mbit": 0.8,
           "tti_ratio_loopback": 1.0, "progress_loopback_s": 1.5, "caseload_click_s": 2.0,
           "click_ratio": 1.5, "import_extra_s": 0.3, "rss_ratio": 1.5,
           "progress_10k_s": 1.0, "caseload_1k_s": 1.0}

BASELINE_CELL = """import ipywidgets as W

name = W.Text(description="Name")
go = W.Button(description="Go")
echo = W.Label()
echo.add_class("bench-echo")
clicks = [0]


def on_go(_button):
    clicks[0] += 1
    echo.value = f"Clicked {clicks[0]}: {name.value}"


go.on_click(on_go)
W.VBox([name, go, echo])
"""

#: True once the app's client picker and its step menu can be used.
APP_USABLE = """() => {
  const label = [...document.querySelectorAll('label')]
    .find(l => l.textContent.trim() === 'Client' && l.htmlFor);
  const picker = label && document.getElementById(label.htmlFor);
  const step = document.querySelector('.nr-menu button');
  const usable = el => el && !el.disabled && el.offsetParent !== null;
  return usable(picker) && usable(step) ? performance.now() : false;
}"""
#: True once the counsellor view's button can be used (a caseload with no client open).
COUNSELLOR_USABLE = """() => {
  const button = [...document.querySelectorAll('button')]
    .find(b => b.textContent.trim() === 'Counsellor view');
  return button && !button.disabled && button.offsetParent !== null ? performance.now() : false;
}"""
#: True once the baseline's text box can be used.
BASELINE_USABLE = """() => {
  const label = [...document.querySelectorAll('label')]
    .find(l => l.textContent.trim() === 'Name' && l.htmlFor);
  const box = label && document.getElementById(label.htmlFor);
  return box && !box.disabled && box.offsetParent !== null ? performance.now() : false;
}"""
#: Click a button; for each ``[selector, text]``, milliseconds until an element matching
#: the selector contains the text.
CLICK_UNTIL = """([button, marks]) => new Promise((resolve, reject) => {
  const times = marks.map(() => null);
  const check = () => {
    marks.forEach(([selector, expected], i) => {
      if (times[i] === null && [...document.querySelectorAll(selector)]
          .some(el => el.textContent.includes(expected))) {
        times[i] = performance.now() - start;
      }
    });
    if (times.every(t => t !== null)) { stop(); resolve(times); }
  };
  const start = performance.now();
  const observer = new MutationObserver(check);
  const poll = setInterval(check, 2);
  const stop = () => { observer.disconnect(); clearInterval(poll); clearTimeout(limit); };
  observer.observe(document.body, {subtree: true, childList: true, characterData: true,
                                   attributes: true});
  const limit = setTimeout(() => { stop(); reject(new Error('no change: ' + marks)); },
                           20000);
  button.click();
})"""
#: Click the step, and milliseconds until its four charts are drawn.
PROGRESS_DRAWN = """(button) => new Promise((resolve, reject) => {
  const start = performance.now();
  const drawn = () => document.querySelectorAll(".nr-plotly[data-drawn='yes']").length;
  const poll = setInterval(() => {
    if (document.querySelectorAll('.nr-plotly').length === 4 && drawn() === 4) {
      clearInterval(poll); clearTimeout(limit); resolve(performance.now() - start);
    }
  }, 5);
  const limit = setTimeout(() => { clearInterval(poll); reject(new Error('no charts')); },
                           120000);
  button.click();
})"""
#: Click the counsellor view, and milliseconds until the caseload table holds ``rows`` rows.
CASELOAD_DRAWN = """([button, rows]) => new Promise((resolve, reject) => {
  const start = performance.now();
  const poll = setInterval(() => {
    if (document.querySelectorAll('table.nr-caseload tbody tr').length >= rows) {
      clearInterval(poll); clearTimeout(limit); resolve(performance.now() - start);
    }
  }, 5);
  const limit = setTimeout(() => { clearInterval(poll); reject(new Error('no table')); },
                           120000);
  button.click();
})"""
KERNEL_ID = """() => {
  const el = document.getElementById('jupyter-config-data');
  return el ? JSON.parse(el.textContent).kernelId || '' : '';
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def line(name: str, values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    s = stats(values)
    return (f"{name:26s} median {s['median'] * scale:8.3f} {unit}   min {s['min'] * scale:8.3f}"
            f"   max {s['max'] * scale:8.3f}   (n={s['n']})")


# --- servers ---------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    command: list[str]
    port: int
    usable: str
    log: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None
    times: list[float] = field(default_factory=list)
    last_load: float = 0.0
    token: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def page_url(self) -> str:
        """The page, logged in with the token when the server needs one."""
        return f"{self.url}?token={self.token}" if self.token else self.url

    def start(self, cwd: Path) -> None:
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                self.command, cwd=cwd, env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} server exited:\n{self.log.read_text()[-2000:]}")
            with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError), \
                    urllib.request.urlopen(self.url + READY_PATH, timeout=2) as response:
                if response.status == 200:
                    return
            time.sleep(0.25)
        raise SystemExit(f"{self.name} server did not start:\n{self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)

    def preheated_loads(self) -> int:
        return self.log.read_text(errors="replace").count(PREHEATED)

    def kernel_rss(self, kernel_id: str) -> int:
        """Resident bytes of this server's kernel ``kernel_id`` (its newest kernel if unknown)."""
        import psutil

        kernels = [p for p in psutil.Process(self.process.pid).children(recursive=True)
                   if "ipykernel" in " ".join(p.cmdline())]
        if kernel_id:
            kernels = [p for p in kernels if kernel_id in " ".join(p.cmdline())] or kernels
        if not kernels:
            raise SystemExit(f"{self.name}: no kernel process found")
        newest = max(kernels, key=lambda p: p.create_time())
        return newest.memory_info().rss


def environment(temp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "widgets"), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]])
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(REPO / "share" / "jupyter"),
         *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]])
    env["TMPDIR"] = str(temp)
    env.pop("NEXTROUND_DB", None)
    return env


def baseline_notebook(folder: Path) -> Path:
    notebook = folder / "baseline.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(BASELINE_CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, notebook)
    return notebook


def servers(temp: Path) -> tuple[Server, Server]:
    """The app on demo data, and stock Voilà on the one-cell notebook."""
    env = environment(temp)
    app_port, baseline_port = free_port(), free_port()
    token = secrets.token_urlsafe(24)
    app = app_server("app", ["--demo"], app_port, temp, {**env, "NEXTROUND_TOKEN": token},
                     token)
    baseline = Server("stock", [sys.executable, "-m", "voila",
                                str(baseline_notebook(temp)), "--no-browser",
                                "--Voila.ip=127.0.0.1", f"--Voila.port={baseline_port}"],
                      baseline_port, BASELINE_USABLE, temp / "stock.log", env)
    return app, baseline


def app_server(name: str, where: list[str], port: int, temp: Path, env: dict[str, str],
               token: str, usable: str = APP_USABLE) -> Server:
    return Server(name, [sys.executable, "-m", "nextround.cli", "serve", *where,
                         "--no-browser", "--port", str(port)],
                  port, usable, temp / f"{name}.log", env, token=token)


def kernels_busy(pair: tuple[Server, ...]) -> float:
    """CPU percent used by all the servers' kernels over half a second."""
    import psutil

    kernels = []
    for server in pair:
        with contextlib.suppress(psutil.Error):
            kernels += [p for p in psutil.Process(server.process.pid).children(recursive=True)
                        if "ipykernel" in " ".join(p.cmdline())]
    for kernel in kernels:
        with contextlib.suppress(psutil.Error):
            kernel.cpu_percent(None)
    time.sleep(0.5)
    total = 0.0
    for kernel in kernels:
        with contextlib.suppress(psutil.Error):
            total += kernel.cpu_percent(None)
    return total


def wait_turn(server: Server, spacing: float, pair: tuple[Server, ...] = (),
              settle: float = 30) -> None:
    """Wait until the server's pool has had ``spacing`` seconds to refill, then until no
    kernel of either server is busy (a refill running its notebook), for up to ``settle``
    seconds, so one server's refill does not slow the other's load."""
    wait = server.last_load + spacing - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    deadline = time.monotonic() + settle
    while pair and time.monotonic() < deadline and kernels_busy(pair) > 5:
        pass
    server.last_load = time.monotonic()


@dataclass
class Load:
    """One page load: seconds to the usable view, and what crossed the network."""

    seconds: float
    bytes: int
    requests: int


def open_page(context, server: Server, timeout_ms: float, network: dict | None = None):
    """Open the page in a new tab on ``network``; (page, :class:`Load`).

    Bytes are Chromium's own count of what crossed the network (compressed,
    headers included); files the browser kept add nothing.
    """
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if network:
        cdp.send("Network.emulateNetworkConditions", network)
    sizes: dict[str, float] = {}
    requests: set[str] = set()
    cdp.on("Network.requestWillBeSent", lambda e: requests.add(e["requestId"]))
    cdp.on("Network.loadingFinished",
           lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(server.page_url, wait_until="commit")
    handle = page.wait_for_function(server.usable, polling=10, timeout=timeout_ms)
    seconds = float(handle.json_value()) / 1000
    page.wait_for_load_state("load", timeout=timeout_ms)
    return page, Load(seconds, int(sum(sizes.values())), len(requests))


# --- browser figures ---------------------------------------------------------------------


def measure_tti(browser, pair: tuple[Server, Server], loads: int, spacing: float,
                timeout_ms: float, network_name: str) -> dict[str, list[Load]]:
    """First visits (a fresh browser context each), alternating the two servers."""
    found: dict[str, list[Load]] = {s.name: [] for s in pair}
    for number in range(1, loads + 1):
        for server in pair:
            wait_turn(server, spacing, pair)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page, load = open_page(context, server, timeout_ms, NETWORKS[network_name])
            context.close()
            found[server.name].append(load)
            print(f"  {network_name:8s} load {number:2d}  {server.name:8s}  "
                  f"{load.seconds:.2f} s  {load.bytes / 1e6:.2f} MB  {load.requests} requests",
                  flush=True)
    return found


def repeat_visit(browser, server: Server, spacing: float, timeout_ms: float,
                 network: dict | None) -> tuple[Load, Load]:
    """A first visit, then a second one in the same browser (its cache kept)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        wait_turn(server, spacing, (server,))
        page, first = open_page(context, server, timeout_ms, network)
        page.close()
        wait_turn(server, spacing, (server,))
        page, again = open_page(context, server, timeout_ms, network)
        page.close()
    finally:
        context.close()
    return first, again


def settle_after_load(server: Server) -> None:
    """Wait out the pool refill a load sets off (a kernel starting ``FILL_DELAY`` s
    later and running the notebook), so a click is timed on a quiet server, as a
    person reading the first view for a few seconds would find it."""
    wait = server.last_load + serve.FILL_DELAY + 2 - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and kernels_busy((server,)) > 5:
        pass


def open_step_timed(page, number: int, title: str, timeout_ms: float) -> None:
    """Open a step from the menu (its button may say "(you are here)") and wait for it."""
    from playwright.sync_api import expect

    page.get_by_role("button", name=re.compile(rf"^{number}\. {title}")).click()
    expect(page.locator(".nr-step-title")).to_have_text(title, timeout=timeout_ms)


def progress_times(browser, server: Server, spacing: float, timeout_ms: float,
                   network: dict | None) -> tuple[float, float]:
    """Seconds from the click on Progress to four charts drawn: first, and again.

    The app reopens the step last open, so the plan step is opened first.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        wait_turn(server, spacing, (server,))
        page, _ = open_page(context, server, timeout_ms, network)
        settle_after_load(server)
        times = []
        for _ in range(2):
            open_step_timed(page, 7, "Your action plan", timeout_ms)
            step = page.get_by_role("button", name=re.compile(r"^8\. Your progress"))
            times.append(page.evaluate(PROGRESS_DRAWN, step.element_handle()) / 1000)
    finally:
        context.close()
    return times[0], times[1]


def caseload_time(browser, server: Server, spacing: float, timeout_ms: float,
                  network: dict | None, clients: int) -> float:
    """Seconds from the click on "Counsellor view" to the caseload's first page drawn."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        wait_turn(server, spacing, (server,))
        page, _ = open_page(context, server, timeout_ms, network)
        settle_after_load(server)
        button = page.get_by_role("button", name="Counsellor view").element_handle()
        return page.evaluate(CASELOAD_DRAWN, [button, clients]) / 1000
    finally:
        context.close()


def app_clicks(page, clicks: int) -> list[float]:
    """Confirm a scenario ``clicks`` times, alternating two, until its card says so."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="3. Make sense of it", exact=True).click()
    expect(page.locator(".nr-step-title")).to_have_text("Make sense of it", timeout=30000)
    choice = page.get_by_label("Which fits best?")
    values = [v for v in choice.locator("option").evaluate_all(
        "options => options.map(o => o.textContent)") if v.strip()]
    button = page.get_by_role("button", name="Confirm this reading").element_handle()
    times = []
    for number in range(clicks):
        title = values[number % 2]
        choice.select_option(label=title)
        expect(page.locator(".nr-scenario h4")).to_have_text(title, timeout=20000)
        expect(page.locator(".nr-scenario")).to_contain_text("Not confirmed yet",
                                                             timeout=20000)
        [ms] = page.evaluate(CLICK_UNTIL, [button, [[".nr-scenario",
                                                      "You confirmed this reading"]]])
        times.append(ms / 1000)
    return times


def baseline_clicks(page, clicks: int) -> list[float]:
    button = page.get_by_role("button", name="Go").element_handle()
    times = []
    for number in range(1, clicks + 1):
        [ms] = page.evaluate(CLICK_UNTIL, [button, [[".bench-echo", f"Clicked {number}:"]]])
        times.append(ms / 1000)
        time.sleep(0.05)
    return times


def browser_figures(pair: tuple[Server, Server], caseload_server: Server, args) -> dict:
    from playwright.sync_api import sync_playwright

    app, baseline = pair
    timeout_ms = args.timeout * 1000
    found: dict = {"tti": {}, "wire": {}, "progress": {}, "caseload": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        for network, conditions in NETWORKS.items():
            print(f"{network}: first usable view, {args.loads} first visits each, "
                  f"{args.spacing:.0f} s apart per server", flush=True)
            found["tti"][network] = measure_tti(browser, pair, args.loads, args.spacing,
                                                timeout_ms, network)
            first, again = repeat_visit(browser, app, args.spacing, timeout_ms, conditions)
            found["wire"][network] = {"first": first, "repeat": again}
            print(f"  {network:8s} app first visit {first.bytes / 1e6:.3f} MB "
                  f"({first.requests} requests), repeat {again.bytes / 1e6:.3f} MB "
                  f"({again.requests} requests)", flush=True)
            found["progress"][network] = [
                progress_times(browser, app, args.spacing, timeout_ms, conditions)
                for _ in range(args.repeats)]
            print(f"  {network:8s} Progress drawn (first, again): "
                  f"{found['progress'][network]}", flush=True)
            found["caseload"][network] = [
                caseload_time(browser, caseload_server, args.spacing, timeout_ms, conditions,
                              CASELOAD_FIRST_PAGE) for _ in range(args.repeats)]
            print(f"  {network:8s} caseload drawn: {found['caseload'][network]}", flush=True)

        print(f"click round trip (loopback): {args.clicks} clicks each", flush=True)
        clicks, rss, kernels = {}, {}, {}
        for server, clicker in ((app, app_clicks), (baseline, baseline_clicks)):
            wait_turn(server, args.spacing, pair)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page, _ = open_page(context, server, timeout_ms)
            kernels[server.name] = page.evaluate(KERNEL_ID)
            clicks[server.name] = clicker(page, args.clicks)
            print(f"  {line(server.name, clicks[server.name], 'ms', 1000)}", flush=True)
            time.sleep(1)  # let the kernel settle after the last message
            rss[server.name] = server.kernel_rss(kernels[server.name])
            context.close()
        browser.close()
    found.update({"clicks": clicks, "rss": rss, "kernels": kernels})
    return found


# --- import time ---------------------------------------------------------------------------


def import_seconds(module: str, env: dict[str, str]) -> float:
    code = (f"import time; t = time.perf_counter(); import {module}; "
            "print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def import_figures(env: dict[str, str], runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"ipywidgets": [], "nextround.app": []}
    for _ in range(runs):
        for module in times:
            times[module].append(import_seconds(module, env))
    return times


# --- in-process figures ----------------------------------------------------------------------


def _bulk(store, records: list) -> None:
    """Insert many records in one transaction (benchmark set-up only)."""
    store.add_many(records)


def progress_figure(folder: Path, content, runs: int) -> dict[str, list[float]]:
    """Seconds to build Progress (with its charts) for a client with 10,000 applications."""
    from nextround.model import Action, Application, CheckIn, Feedback
    from nextround.store import Store

    rng = random.Random(6)
    today = date.today()
    store = Store(folder / "progress.db")
    client = store.create_client("Many Applications")
    scenarios = [s.id for s in content.scenarios]
    apps = []
    for number in range(10_000):
        applied = today - timedelta(days=rng.randrange(0, 720))
        outcome = rng.choice(["pending", "rejected", "rejected", "offer", "withdrawn"])
        apps.append(Application(
            client_id=client.id, company=f"Company {number % 700}", role="Analyst",
            applied_on=applied, outcome=outcome,
            outcome_on=applied + timedelta(days=20) if outcome != "pending" else None))
    _bulk(store, apps)
    rejected = [a for a in apps if a.outcome == "rejected"]
    _bulk(store, [Feedback(client_id=client.id, application_id=a.id, heard="They chose "
                           "someone else.", scenario_id=rng.choice(scenarios))
                  for a in rejected[:2000]])
    _bulk(store, [CheckIn(client_id=client.id, mood=rng.randrange(0, 101),
                          at=datetime.now() - timedelta(days=d)) for d in range(365)])
    _bulk(store, [Action(client_id=client.id, title=f"Step {n}", done=n % 3 == 0,
                         due_on=today + timedelta(days=n % 60 - 30)) for n in range(300)])
    from nextround.components.progress import Progress  # noqa: F401  (the module's import)

    times = {"first": [], "warm": []}
    for run in range(runs + 1):
        start = time.perf_counter()
        Progress.create(content=content, store=store, client_id=client.id).close()
        (times["first"] if run == 0 else times["warm"]).append(time.perf_counter() - start)
    store.close()
    return times


#: Clients in the caseload figures.
CASELOAD_CLIENTS = 1000
#: Rows on the caseload's first page: the table drawn after the click.
CASELOAD_FIRST_PAGE = min(PAGE_SIZE, CASELOAD_CLIENTS)


def caseload_database(path: Path, content) -> Path:
    """A database of 1,000 clients, each with a few records of every kind."""
    from nextround.model import Action, Answer, Application, CheckIn, Feedback
    from nextround.store import Store

    rng = random.Random(61)
    today = date.today()
    store = Store(path)
    scenarios = [s.id for s in content.scenarios]
    apps, feedback, answers, checkins, actions = [], [], [], [], []
    for number in range(CASELOAD_CLIENTS):
        client = store.create_client(f"Client {number:04d}")
        for n in range(5):
            applied = today - timedelta(days=rng.randrange(0, 120))
            outcome = rng.choice(["pending", "rejected", "offer"])
            app = Application(client_id=client.id, company=f"Company {n}", role="Role",
                              applied_on=applied, outcome=outcome,
                              outcome_on=applied + timedelta(days=10)
                              if outcome != "pending" else None)
            apps.append(app)
            if outcome == "rejected":
                scenario = rng.choice(scenarios)
                feedback.append(Feedback(client_id=client.id, application_id=app.id,
                                         heard="No reason given.", no_reply=n % 2 == 0))
                answers.append(Answer(client_id=client.id, application_id=app.id,
                                      key="scenario", value=scenario))
        answers.extend(Answer(client_id=client.id, key=f"q{n}", value="Some words.")
                       for n in range(20))
        checkins.extend(CheckIn(client_id=client.id, mood=rng.randrange(0, 101),
                                at=datetime.now() - timedelta(days=d)) for d in range(5))
        actions.extend(Action(client_id=client.id, title=f"Step {n}", done=n == 0,
                              due_on=today + timedelta(days=n - 2)) for n in range(4))
    for records in (apps, feedback, answers, checkins, actions):
        _bulk(store, records)
    store.close()
    return path


def caseload_figure(path: Path, content, runs: int) -> list[float]:
    """Seconds for the caseload of 1,000 clients, in process."""
    from nextround.caseload import caseload
    from nextround.store import Store

    store = Store(path)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        rows = caseload(store, content)
        times.append(time.perf_counter() - start)
    assert len(rows) == CASELOAD_CLIENTS, len(rows)
    store.close()
    return times


# --- the run -----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = next((ln.split(":", 1)[1].strip() for ln in
                Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")),
               platform.processor())
    memory = next((ln.split(":", 1)[1].strip() for ln in
                   Path("/proc/meminfo").read_text().splitlines()
                   if ln.startswith("MemTotal")), "")
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True,
                              text=True).stdout.strip()
    return {"cpus": str(os.cpu_count()), "cpu": cpu, "memory": memory, "chromium": chromium,
            "python": platform.python_version(), "load": " ".join(
                f"{x:.2f}" for x in os.getloadavg())}


def load_stats(loads: list[Load]) -> dict:
    return {"seconds": stats([x.seconds for x in loads]),
            "mb": stats([x.bytes / 1e6 for x in loads]),
            "requests": stats([x.requests for x in loads])}


def summarise(browser: dict) -> dict:
    """The figures the report gives, from the raw browser measurements."""
    med = statistics.median
    out: dict = {}
    for network in NETWORKS:
        tti = browser["tti"][network]
        app_s = med(x.seconds for x in tti["app"])
        stock_s = med(x.seconds for x in tti["stock"])
        wire = browser["wire"][network]
        progress = browser["progress"][network]
        out[network] = {
            "tti_app": load_stats(tti["app"]), "tti_stock": load_stats(tti["stock"]),
            "tti_ratio": app_s / stock_s,
            "first_visit": vars(wire["first"]), "repeat_visit": vars(wire["repeat"]),
            "progress_first_s": stats([f for f, _ in progress]),
            "progress_again_s": stats([a for _, a in progress]),
            "caseload_click_s": stats(browser["caseload"][network]),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true",
                        help="the report's counts: 10 loads each per network, 3 Progress and "
                             "caseload opens, 20 clicks, 5 runs (about 20 minutes)")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--loads", type=int, help="first visits per server and network "
                        "(default 3, full 10)")
    parser.add_argument("--clicks", type=int, help="clicks per page (default 5, full 20)")
    parser.add_argument("--spacing", type=float, default=serve.FILL_DELAY + 6,
                        help="least seconds between two loads of the same server, so its "
                             f"kernel pool refills (default {serve.FILL_DELAY + 6})")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a load may take")
    args = parser.parse_args(argv)
    args.loads = args.loads or (10 if args.full else 3)
    args.clicks = args.clicks or (20 if args.full else 5)
    args.repeats = 3 if args.full else 1
    runs = 5 if args.full else 2
    started = time.monotonic()
    result: dict = {"machine": machine(), "full": args.full, "loads": args.loads}

    from nextround.content import load_content

    content = load_content()
    with tempfile.TemporaryDirectory(prefix="nextround-bench-") as name:
        temp = Path(name)
        pair = servers(temp)
        env = environment(temp)
        token = pair[0].token
        caseload_db = caseload_database(temp / "caseload.db", content)
        caseload_server = app_server("caseload", ["--db", str(caseload_db)], free_port(),
                                     temp, {**env, "NEXTROUND_TOKEN": token}, token,
                                     usable=COUNSELLOR_USABLE)
        everything = (*pair, caseload_server)
        try:
            for server in everything:
                server.start(temp)
            for server in everything:
                server.wait_ready()
            time.sleep(args.spacing)  # the first pool fill: a kernel runs the notebook
            browser = browser_figures(pair, caseload_server, args)
        finally:
            for server in everything:
                server.stop()
        app, baseline = pair
        preheated = {s.name: s.preheated_loads() for s in (app, caseload_server)}
        print("import time: 5 fresh processes each", flush=True)
        imports = import_figures(env, 5)
        for module, times in imports.items():
            print(f"  {line(module, times)}", flush=True)
        print("in process: Progress for 10,000 applications, caseload of 1,000 clients",
              flush=True)
        progress = progress_figure(temp, content, runs)
        caseload_times = caseload_figure(caseload_db, content, runs)

    med = statistics.median
    pages = summarise(browser)
    loop, slow = pages["loopback"], pages["20mbit"]
    result.update({
        "pages": pages,
        "first_visit_mb": max(loop["first_visit"]["bytes"], slow["first_visit"]["bytes"]) / 1e6,
        "repeat_visit_mb": max(loop["repeat_visit"]["bytes"],
                               slow["repeat_visit"]["bytes"]) / 1e6,
        "tti_ratio_20mbit": slow["tti_ratio"], "tti_ratio_loopback": loop["tti_ratio"],
        "progress_loopback_s": loop["progress_first_s"]["median"],
        "caseload_click_s": max(loop["caseload_click_s"]["median"],
                                slow["caseload_click_s"]["median"]),
        "click_app_s": stats(browser["clicks"]["app"]),
        "click_stock_s": stats(browser["clicks"]["stock"]),
        "click_ratio": med(browser["clicks"]["app"]) / med(browser["clicks"]["stock"]),
        "import_app_s": stats(imports["nextround.app"]),
        "import_ipywidgets_s": stats(imports["ipywidgets"]),
        "import_extra_s": med(imports["nextround.app"]) - med(imports["ipywidgets"]),
        "rss_app_mb": browser["rss"]["app"] / 2**20,
        "rss_stock_mb": browser["rss"]["stock"] / 2**20,
        "rss_ratio": browser["rss"]["app"] / browser["rss"]["stock"],
        "progress_10k_first_s": progress["first"][0],
        "progress_10k_warm_s": stats(progress["warm"]),
        "progress_10k_s": med(progress["warm"]),
        "caseload_1k_runs_s": stats(caseload_times),
        "caseload_1k_s": med(caseload_times),
        "preheated_loads": preheated,
        "seconds": time.monotonic() - started,
    })

    print()
    for network, figures in pages.items():
        print(f"[{network}]")
        for who in ("app", "stock"):
            t = figures[f"tti_{who}"]
            print(f"  first usable view, {who:5s} median {t['seconds']['median']:.3f} s "
                  f"(min {t['seconds']['min']:.3f}, max {t['seconds']['max']:.3f}, "
                  f"n={t['seconds']['n']}); {t['mb']['median']:.2f} MB, "
                  f"{t['requests']['median']:.0f} requests")
        print(f"  ratio app/stock {figures['tti_ratio']:.2f}")
        for visit in ("first_visit", "repeat_visit"):
            v = figures[visit]
            print(f"  app {visit.replace('_', ' ')}: {v['bytes'] / 1e6:.3f} MB, "
                  f"{v['requests']} requests, usable at {v['seconds']:.2f} s")
        print(f"  Progress: first {figures['progress_first_s']['median']:.2f} s, again "
              f"{figures['progress_again_s']['median']:.2f} s; caseload of 1,000: "
              f"{figures['caseload_click_s']['median']:.2f} s")
    print(line("click, app", browser["clicks"]["app"], "ms", 1000))
    print(line("click, stock", browser["clicks"]["stock"], "ms", 1000))
    print(line("import nextround.app", imports["nextround.app"]))
    print(line("import ipywidgets", imports["ipywidgets"]))
    print(f"{'kernel RSS':26s} app {result['rss_app_mb']:.1f} MB   "
          f"stock {result['rss_stock_mb']:.1f} MB")
    print(f"{'Progress, 10k apps':26s} first {progress['first'][0]:.3f} s   "
          f"warm median {result['progress_10k_s']:.3f} s")
    print(line("caseload, 1,000 clients", caseload_times))
    print(f"pre-heated kernels used: {result['preheated_loads']}")
    print()
    for key, target in TARGETS.items():
        verdict = "met" if result[key] <= target else "NOT met"
        print(f"{key:20s} {result[key]:7.3f}   target <= {target}   {verdict}")
    print(f"({result['seconds']:.0f} s in all)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
