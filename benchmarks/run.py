"""NextRound's performance figures, against the floor of a bare Voilà page.

One run measures, on this machine:

* **time to first usable view** (``tti``): ``nextround serve --demo`` against
  a baseline, standalone Voilà with the same flags (``nextround.serve.voila_argv``:
  the ``nextround`` template, pre-heating, the same refill delay) on a
  one-cell notebook showing a ``Text``, a ``Button`` and an echo ``Label``.
  The app is usable when its client picker and step menu are visible and
  enabled; the baseline when its text box is. Loads alternate between the
  two, and each server waits at least ``--spacing`` seconds between its own
  loads, so its pool (refilled ``FILL_DELAY`` seconds after a kernel is
  taken) is full every time. Each load opens a new tab in a browser context
  kept per server (a warm HTTP cache, as for someone opening the app again)
  and times from navigation start to the usable view, in the page
  (``performance.now()``). The server logs tell how many loads got a
  pre-heated kernel.
* **click round trip** (``click``): in the app, on "Make sense of it",
  pressing "Confirm this reading" until the card says the reading is
  confirmed; on the baseline, pressing "Go" until the label echoes it. Timed
  in the page, from the click to the DOM change.
* **import** (``import``): ``import nextround.app`` against ``import ipywidgets``,
  each in fresh processes; the figure is the extra seconds (medians).
* **kernel memory** (``rss``): the resident memory of the kernel behind the
  page used for the clicks, app against baseline.
* **in process**: building the Progress step (its four charts) for a client
  with 10,000 applications, and the counsellor's caseload for 1,000 clients.

Run from the repository root::

    .venv/bin/python benchmarks/run.py                       # the full run
    .venv/bin/python benchmarks/run.py --quick --json out.json  # under 5 minutes
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
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

CHROMIUM = "/usr/bin/chromium"
#: As in the browser tests (tests/browser/browser_harness.py).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
READY_PATH = "voila/templates/nextround/static/nextround.css"
PREHEATED = "Using pre-heated kernel"
TARGETS = {"tti_ratio": 1.3, "click_ratio": 1.5, "import_extra_s": 0.3, "rss_ratio": 1.5,
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
    env = environment(temp)
    app_port, baseline_port = free_port(), free_port()
    argv = serve.voila_argv(serve.ServeOptions(notebook=baseline_notebook(temp),
                                               port=baseline_port, open_browser=False))
    token = secrets.token_urlsafe(24)
    app = Server("app", [sys.executable, "-m", "nextround.cli", "serve", "--demo",
                         "--no-browser", "--port", str(app_port)],
                 app_port, APP_USABLE, temp / "app.log", {**env, "NEXTROUND_TOKEN": token},
                 token=token)
    baseline = Server("baseline", [sys.executable, "-m", "voila", *argv], baseline_port,
                      BASELINE_USABLE, temp / "baseline.log", env)
    return app, baseline


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


def open_page(context, server: Server, timeout_ms: float):
    """Open the page in a new tab; (page, seconds from navigation start to usable view)."""
    page = context.new_page()
    page.goto(server.page_url, wait_until="commit")
    handle = page.wait_for_function(server.usable, polling=10, timeout=timeout_ms)
    return page, float(handle.json_value()) / 1000


# --- browser figures ---------------------------------------------------------------------


def measure_tti(contexts, pair: tuple[Server, Server], loads: int, spacing: float,
                timeout_ms: float) -> None:
    for number in range(1, loads + 1):
        for server in pair:
            wait_turn(server, spacing, pair)
            page, seconds = open_page(contexts[server.name], server, timeout_ms)
            page.close()
            server.times.append(seconds)
            print(f"  load {number:2d}  {server.name:8s}  {seconds:.2f} s", flush=True)


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


def browser_figures(pair: tuple[Server, Server], args) -> dict:
    from playwright.sync_api import sync_playwright

    app, baseline = pair
    timeout_ms = args.timeout * 1000
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        contexts = {s.name: browser.new_context(viewport={"width": 1280, "height": 900})
                    for s in pair}
        print(f"time to first usable view: {args.loads} loads each, "
              f"{args.spacing:.0f} s apart per server", flush=True)
        measure_tti(contexts, pair, args.loads, args.spacing, timeout_ms)
        print(f"click round trip: {args.clicks} clicks each", flush=True)
        clicks, rss, kernels = {}, {}, {}
        for server, clicker in ((app, app_clicks), (baseline, baseline_clicks)):
            wait_turn(server, args.spacing, pair)
            page, _ = open_page(contexts[server.name], server, timeout_ms)
            kernels[server.name] = page.evaluate(KERNEL_ID)
            clicks[server.name] = clicker(page, args.clicks)
            print(f"  {line(server.name, clicks[server.name], 'ms', 1000)}", flush=True)
            time.sleep(1)  # let the kernel settle after the last message
            rss[server.name] = server.kernel_rss(kernels[server.name])
            page.close()
        browser.close()
    return {"clicks": clicks, "rss": rss, "kernels": kernels}


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


def caseload_figure(folder: Path, content, runs: int) -> list[float]:
    """Seconds for the caseload of 1,000 clients, each with a few records."""
    from nextround.caseload import caseload
    from nextround.model import Action, Answer, Application, CheckIn, Feedback
    from nextround.store import Store

    rng = random.Random(61)
    today = date.today()
    store = Store(folder / "caseload.db")
    scenarios = [s.id for s in content.scenarios]
    apps, feedback, answers, checkins, actions = [], [], [], [], []
    for number in range(1000):
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
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        rows = caseload(store, content)
        times.append(time.perf_counter() - start)
    assert len(rows) == 1000, len(rows)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer loads (5 each) and runs: under 5 minutes")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--loads", type=int, help="page loads per server (default 10, "
                        "quick 5)")
    parser.add_argument("--clicks", type=int, default=20, help="clicks per page (default 20)")
    parser.add_argument("--spacing", type=float, default=serve.FILL_DELAY + 6,
                        help="least seconds between two loads of the same server, so its "
                             f"kernel pool refills (default {serve.FILL_DELAY + 6})")
    parser.add_argument("--timeout", type=float, default=60, help="seconds a load may take")
    args = parser.parse_args(argv)
    args.loads = args.loads or (5 if args.quick else 10)
    runs = 3 if args.quick else 5
    started = time.monotonic()
    result: dict = {"machine": machine(), "quick": args.quick}

    with tempfile.TemporaryDirectory(prefix="nextround-bench-") as name:
        temp = Path(name)
        pair = servers(temp)
        try:
            for server in pair:
                server.start(temp)
            for server in pair:
                server.wait_ready()
            time.sleep(args.spacing)  # the first pool fill: a kernel runs the notebook
            browser = browser_figures(pair, args)
        finally:
            for server in pair:
                server.stop()
        preheated = {s.name: f"{s.preheated_loads()}/{len(s.times) + 1}" for s in pair}
        app, baseline = pair
        print("import time: 5 fresh processes each", flush=True)
        imports = import_figures(environment(temp), 5)
        for module, times in imports.items():
            print(f"  {line(module, times)}", flush=True)
        print("in process: Progress for 10,000 applications, caseload of 1,000 clients",
              flush=True)
        from nextround.content import load_content

        content = load_content()
        progress = progress_figure(temp, content, runs)
        caseload_times = caseload_figure(temp, content, runs)

    med = statistics.median
    result.update({
        "tti_app_s": stats(app.times), "tti_baseline_s": stats(baseline.times),
        "tti_ratio": med(app.times) / med(baseline.times),
        "preheated_loads": preheated,
        "click_app_s": stats(browser["clicks"]["app"]),
        "click_baseline_s": stats(browser["clicks"]["baseline"]),
        "click_ratio": med(browser["clicks"]["app"]) / med(browser["clicks"]["baseline"]),
        "import_app_s": stats(imports["nextround.app"]),
        "import_ipywidgets_s": stats(imports["ipywidgets"]),
        "import_extra_s": med(imports["nextround.app"]) - med(imports["ipywidgets"]),
        "rss_app_mb": browser["rss"]["app"] / 2**20,
        "rss_baseline_mb": browser["rss"]["baseline"] / 2**20,
        "rss_ratio": browser["rss"]["app"] / browser["rss"]["baseline"],
        "progress_10k_first_s": progress["first"][0],
        "progress_10k_warm_s": stats(progress["warm"]),
        "progress_10k_s": med(progress["warm"]),
        "caseload_1k_runs_s": stats(caseload_times),
        "caseload_1k_s": med(caseload_times),
        "seconds": time.monotonic() - started,
    })

    print()
    print(line("first view, app", app.times))
    print(line("first view, baseline", baseline.times))
    print(line("click, app", browser["clicks"]["app"], "ms", 1000))
    print(line("click, baseline", browser["clicks"]["baseline"], "ms", 1000))
    print(line("import nextround.app", imports["nextround.app"]))
    print(line("import ipywidgets", imports["ipywidgets"]))
    print(f"{'kernel RSS':26s} app {result['rss_app_mb']:.1f} MB   "
          f"baseline {result['rss_baseline_mb']:.1f} MB")
    print(f"{'Progress, 10k apps':26s} first {progress['first'][0]:.3f} s   "
          f"warm median {result['progress_10k_s']:.3f} s")
    print(line("caseload, 1,000 clients", caseload_times))
    print(f"pre-heated kernels used: {result['preheated_loads']} "
          "(loads, counting the click page)")
    print()
    for key, target in TARGETS.items():
        verdict = "met" if result[key] <= target else "NOT met"
        print(f"{key:16s} {result[key]:7.3f}   target <= {target}   {verdict}")
    print(f"({result['seconds']:.0f} s in all)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
