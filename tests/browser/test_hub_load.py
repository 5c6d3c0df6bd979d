"""Many people working through the hub at once: none meets an error.

Each simulated person is a browser context of their own (their own cookies
and storage, as a separate browser has). They sign in through the hub's real
login page, start their server and follow it until it is ready through the
hub's REST API (as the hub's own "your server is starting" page does, but
without that page's scripts, which give up after 7 s on a saturated machine:
see docs/performance.md), then open their server and wait until the app is
usable (the client picker shown and enabled). The contexts share one
Chromium, so that what loads the machine is the hub, the proxy and people's
servers rather than twenty browsers. Anything that fails is an error naming
the person and where they were: a page error, a refusal or failure from the
hub, or not reaching the app in time. The count and time are bounded: 3
people by default, 20 with ``NEXTROUND_FULL=1`` (``benchmarks/hub_load.py``
runs it and writes the figures). The times and memory are reported, not
asserted: a busy machine makes them slower, not wrong.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from browser_harness import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from page_timeline import PageTimeline
from playwright.async_api import TimeoutError as PlaywrightTimeout

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hub_server import HubServer  # noqa: E402

FULL = os.environ.get("NEXTROUND_FULL") == "1"
PEOPLE_AT_ONCE = int(os.environ.get("NEXTROUND_HUB_PEOPLE", "20" if FULL else "3"))
#: A whole run is bounded: past this, the test fails rather than waiting on.
RUN_LIMIT_S = 900
#: How long one person may take from signing in to the app's page.
LAND_LIMIT_S = 600
#: Seconds between one person's arrival and the next (0: all at the same instant).
ARRIVAL_GAP_S = float(os.environ.get("NEXTROUND_HUB_ARRIVAL_GAP_S", "0"))
#: The hub's ``concurrent_spawn_limit`` (0: none): servers starting at once; anyone past
#: it is told to retry. 10 by default, as ``deploy/jupyterhub_config.py`` sets.
SPAWN_LIMIT = int(os.environ.get("NEXTROUND_HUB_SPAWN_LIMIT", "10"))
#: Seconds between samples of the machine's load average during the run.
LOAD_SAMPLE_S = 5
#: Where each person's server log (server and kernel, at debug level) and the hub's
#: log are kept; each person's page timeline is ``hub-load-NAME.timeline.txt``.
LOGS = ARTIFACTS / "hub-load-logs"


def memory_of(hub: HubServer) -> dict[str, float]:
    """Memory of the hub's process tree, in MB: the hub and proxy, and people's servers.

    Two measures of each side: resident memory (RSS), which counts pages
    shared between processes (Python's libraries, read from the same files)
    once per process, and proportional memory (PSS), which splits each shared
    page among the processes sharing it, so the sum over processes is what
    the machine really holds. PSS is the figure to size a machine from.
    """
    import psutil

    root = psutil.Process(hub.process.pid)
    totals = {"hub_and_proxy_mb": 0.0, "servers_and_kernels_mb": 0.0,
              "hub_and_proxy_pss_mb": 0.0, "servers_and_kernels_pss_mb": 0.0,
              "hub_and_proxy_cpu_s": 0.0, "servers_and_kernels_cpu_s": 0.0}
    for process in [root, *root.children(recursive=True)]:
        try:
            memory = process.memory_full_info()
            cpu = process.cpu_times()
            command = " ".join(process.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        side = ("servers_and_kernels" if "jupyterhub-singleuser" in command
                or "ipykernel" in command else "hub_and_proxy")
        totals[f"{side}_mb"] += memory.rss / 1e6
        totals[f"{side}_pss_mb"] += getattr(memory, "pss", memory.rss) / 1e6
        totals[f"{side}_cpu_s"] += cpu.user + cpu.system
    return totals


class NotReady(Exception):
    """The hub did not start someone's server, or said it failed: one line saying how."""


def api_headers(xsrf: str) -> dict[str, str]:
    """Headers for the hub's REST API from a signed-in browser: its cookie plus the
    hub's XSRF token (set with the login cookie), which the hub asks of any
    cookie-authenticated API request that is not a page view."""
    return {"X-XSRFToken": xsrf, "Accept": "application/json"}


async def sign_in(page, hub: HubServer, name: str, password: str) -> str:
    """Sign in through the hub's login page; return the hub's XSRF token for this session.

    The login page is told to go next to the person's own record in the hub's
    REST API (plain JSON, no scripts), so signing in starts nothing yet and
    depends on no script of the hub's pages.
    """
    await page.goto(f"{hub.url}/hub/login?next={quote(f'/hub/api/users/{name}')}")
    await page.get_by_label("Username").fill(name)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"**/hub/api/users/{name}")
    cookies = {c["name"]: c["value"] for c in await page.context.cookies(hub.url + "/hub/")}
    if "_xsrf" not in cookies:
        raise NotReady(f"{name}: signed in, but the hub set no XSRF cookie")
    return cookies["_xsrf"]


async def start_server(request, hub: HubServer, name: str, xsrf: str,
                       deadline: float) -> int:
    """Ask the hub to start ``name``'s server (``POST /hub/api/users/NAME/server``).

    A hub at its ``concurrent_spawn_limit`` answers 429 with a Retry-After; a
    person waits that long and asks again, as the hub's own page tells them
    to, until ``deadline``. Returns how many times the hub said "not yet".
    """
    throttled = 0
    while True:
        reply = await request.post(f"{hub.url}/hub/api/users/{name}/server",
                                   headers=api_headers(xsrf),
                                   timeout=remaining_ms(deadline))
        if reply.status in (201, 202):  # started, or starting
            return throttled
        if reply.status == 400 and "already running" in await reply.text():
            return throttled
        if reply.status != 429:
            raise NotReady(f"{name}: the hub refused to start the server: "
                           f"{reply.status} {(await reply.text())[:200]}")
        throttled += 1
        retry_after = float(reply.headers.get("retry-after", "10"))
        if time.monotonic() + retry_after > deadline:
            raise NotReady(f"{name}: the hub was still too busy to start the server "
                           f"after {throttled} tries")
        await asyncio.sleep(retry_after)  # the hub's own instruction, not a guess


async def wait_until_ready(request, hub: HubServer, name: str, xsrf: str,
                           deadline: float) -> str:
    """Follow the hub's progress stream for ``name``'s server until it is ready;
    return the server's URL.

    ``GET /hub/api/users/NAME/server/progress`` is the event stream the hub's
    "starting" page reads; it ends with an event saying ``ready`` (with the
    URL) or ``failed``. Should the stream end without either (a dropped
    connection), the person's record (``servers[''].ready``) decides, and a
    spawn still pending is followed again, until ``deadline``.
    """
    while time.monotonic() < deadline:
        reply = await request.get(f"{hub.url}/hub/api/users/{name}/server/progress",
                                  headers=api_headers(xsrf),
                                  timeout=remaining_ms(deadline))
        if reply.status != 200:
            raise NotReady(f"{name}: the hub's progress stream answered {reply.status}")
        events = [json.loads(line[len("data:"):]) for line in (await reply.text()).splitlines()
                  if line.startswith("data:")]
        last = events[-1] if events else {}
        if last.get("failed"):
            raise NotReady(f"{name}: the hub says the server failed to start: "
                           f"{last.get('message')}")
        if last.get("ready"):
            return last["url"]
        record = await request.get(f"{hub.url}/hub/api/users/{name}",
                                   headers=api_headers(xsrf), timeout=remaining_ms(deadline))
        server = (await record.json()).get("servers", {}).get("", {})
        if server.get("ready"):
            return server["url"]
        if server.get("pending") != "spawn":
            raise NotReady(f"{name}: the server is neither ready nor starting: {server}")
    raise NotReady(f"{name}: the server was not ready in time")


def remaining_ms(deadline: float) -> float:
    """Milliseconds left until ``deadline`` (at least one), for a request's timeout."""
    return max(1.0, (deadline - time.monotonic()) * 1000)


async def one_person(browser, hub: HubServer, name: str, password: str,
                     arrives_after_s: float = 0.0) -> dict:
    """``name`` signs in, starts their server, and opens the app; time until it is usable.

    A robust client: it signs in through the hub's real login page in a
    browser context of its own, starts and follows its server through the
    hub's REST API (the same calls and event stream the hub's "your server is
    starting" page makes, without that page's scripts, which time out on a
    saturated machine), then opens the server's address, which takes it
    through the server's own sign-in with the hub to the app. The time runs
    from opening the login page to the app's client picker shown and enabled.
    ``arrives_after_s`` is when they arrive: the load's schedule, not a wait
    for anything.
    """
    from playwright.async_api import expect

    await asyncio.sleep(arrives_after_s)
    errors: list[str] = []
    context = await browser.new_context()
    # Twenty people arriving at once on two cores: even the login page can take a while.
    context.set_default_timeout(LAND_LIMIT_S * 1000)
    result = {"name": name, "first_usable_s": None, "server_ready_s": None,
              "throttled": 0, "errors": errors}
    page = None
    timeline = PageTimeline(name)
    try:
        page = await context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{name}: {error}"))
        timeline.watch(page)
        started = time.monotonic()
        deadline = started + LAND_LIMIT_S
        try:
            xsrf = await sign_in(page, hub, name, password)
            timeline.note("signed in; asking the hub to start the server")
            result["throttled"] = await start_server(context.request, hub, name, xsrf,
                                                     deadline)
            timeline.note(f"server starting (told to retry {result['throttled']} times)")
            server_url = await wait_until_ready(context.request, hub, name, xsrf, deadline)
            result["server_ready_s"] = time.monotonic() - started
            timeline.note(f"server ready at {server_url}")
            await page.goto(hub.url + server_url, timeout=remaining_ms(deadline))
            await page.wait_for_url(f"**/user/{name}/voila/render/**",
                                    timeout=remaining_ms(deadline))
            picker = page.get_by_label("Client", exact=True)
            await picker.wait_for(state="visible", timeout=remaining_ms(deadline))
            await expect(picker).to_be_enabled(timeout=remaining_ms(deadline))
            result["first_usable_s"] = time.monotonic() - started
            timeline.note("usable: the client picker is shown and enabled")
        except NotReady as not_ready:
            errors.append(str(not_ready))
        except (PlaywrightTimeout, AssertionError):
            errors.append(f"{name}: the app was not usable in time; the page was at {page.url}")
        for error in errors:
            timeline.note(f"ERROR {error}")
        if errors:
            await timeline.note_page_state(page)
        await page.screenshot(path=str(ARTIFACTS / f"hub-load-{name}.png"))
    finally:
        await context.close()
        timeline.write(ARTIFACTS / f"hub-load-{name}.timeline.txt")
    return result


async def everyone_at_once(hub: HubServer,
                          people: dict[str, str]) -> tuple[list[dict], list[float]]:
    """Everyone arrives on the schedule; their results, and the load average sampled."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                   args=CHROMIUM_ARGS)
        loads: list[float] = []
        sampler = asyncio.create_task(sample_load(loads))
        try:
            results = await asyncio.gather(*(
                one_person(browser, hub, name, password, n * ARRIVAL_GAP_S)
                for n, (name, password) in enumerate(people.items())))
        finally:
            sampler.cancel()
            await browser.close()
        return results, loads


async def sample_load(loads: list[float], every_s: float = LOAD_SAMPLE_S) -> None:
    """Note the machine's one-minute load average every ``every_s`` seconds while
    people arrive (a measurement, cancelled when everyone is in or has failed)."""
    while True:
        loads.append(os.getloadavg()[0])
        await asyncio.sleep(every_s)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@pytest.mark.timeout(RUN_LIMIT_S + 300)
def test_people_log_in_and_work_at_once_without_an_error():
    people = {f"counsellor{n:02d}": f"pass-{n:02d}-load" for n in range(PEOPLE_AT_ONCE)}
    load_before = os.getloadavg()
    hub = HubServer(people=people, groups={"counsellors": sorted(people)}, debug_servers=True,
                    extra_config=f"c.JupyterHub.concurrent_spawn_limit = {SPAWN_LIMIT}\n").start()
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.rmtree(LOGS, ignore_errors=True)
    try:
        started = time.monotonic()
        results, loads = asyncio.run(everyone_at_once(hub, people))
        wall = time.monotonic() - started
        memory = memory_of(hub)
    finally:
        hub.keep_logs(LOGS)
        hub.stop()
    times = [r["first_usable_s"] for r in results if r["first_usable_s"] is not None]
    ready = [r["server_ready_s"] for r in results if r["server_ready_s"] is not None]
    assert times, [r["errors"] for r in results]
    figures = {
        "people": PEOPLE_AT_ONCE,
        "errors": sum(len(r["errors"]) for r in results),
        "error_messages": [error for r in results for error in r["errors"]],
        "first_usable_p50_s": round(statistics.median(times), 1),
        "first_usable_p95_s": round(percentile(times, 0.95), 1),
        "server_ready_p50_s": round(statistics.median(ready), 1) if ready else None,
        "server_ready_p95_s": round(percentile(ready, 0.95), 1) if ready else None,
        "wall_s": round(wall, 1),
        "arrival_gap_s": ARRIVAL_GAP_S,
        "arrivals_over_s": round(ARRIVAL_GAP_S * (PEOPLE_AT_ONCE - 1), 1),
        "concurrent_spawn_limit": SPAWN_LIMIT,
        "told_to_retry": sum(r["throttled"] for r in results),
        "usable": len(times),
        "hub_and_proxy_mb": round(memory["hub_and_proxy_mb"]),
        "per_person_mb": round(memory["servers_and_kernels_mb"] / PEOPLE_AT_ONCE),
        "hub_and_proxy_pss_mb": round(memory["hub_and_proxy_pss_mb"]),
        "per_person_pss_mb": round(memory["servers_and_kernels_pss_mb"] / PEOPLE_AT_ONCE),
        "hub_and_proxy_cpu_s": round(memory["hub_and_proxy_cpu_s"], 1),
        "cpu_s_per_person": round(memory["servers_and_kernels_cpu_s"] / PEOPLE_AT_ONCE, 1),
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_during_mean": round(statistics.mean(loads), 1),
        "load_average_during_peak": round(max(loads), 1),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    (ARTIFACTS / "hub-load.json").write_text(json.dumps(figures, indent=2))
    print("hub load:", json.dumps(figures))
    assert figures["errors"] == 0, figures["error_messages"]
    assert len(results) == PEOPLE_AT_ONCE
