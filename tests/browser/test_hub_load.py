"""Many people working through the hub at once: none meets an error.

Each simulated person logs in through the hub's real login page in a browser
context of their own (their own cookies and storage, as a separate browser
has), lands on the app and waits until it is usable (the client picker
shows). All at once, on loopback. The contexts share one Chromium, so that
what loads the machine is the hub, the proxy and people's servers rather than
twenty browsers (in one run with twenty Chromiums on two cores, 18 people's
"your server is starting" pages never moved on, though their servers had
started). Someone who does not land on the app in time is an error naming
them and the page they were on. The count is bounded: 3 people by default,
20 with ``NEXTROUND_FULL=1`` (``benchmarks/hub_load.py`` runs it and writes
the figures). The times and memory are reported, not asserted: a busy
machine makes them slower, not wrong.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

import pytest
from browser_harness import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, WIDGETS_TIMEOUT_MS
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


async def one_person(browser, hub: HubServer, name: str, password: str,
                     arrives_after_s: float = 0.0) -> dict:
    """Log in as ``name`` in a browser context of their own; time until the app is usable.

    ``arrives_after_s`` is when they arrive: the load's schedule, not a wait for anything.
    """
    await asyncio.sleep(arrives_after_s)
    errors: list[str] = []
    context = await browser.new_context()
    # Twenty people arriving at once on two cores: even the login page can take a while.
    context.set_default_timeout(LAND_LIMIT_S * 1000)
    usable = None
    try:
        page = await context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{name}: {error}"))
        started = time.monotonic()
        try:
            await page.goto(f"{hub.url}/hub/login")
            await page.get_by_label("Username").fill(name)
            await page.get_by_label("Password").fill(password)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(f"**/user/{name}/voila/render/**")
            await page.get_by_label("Client", exact=True).wait_for(
                state="visible", timeout=WIDGETS_TIMEOUT_MS * 5)
            usable = time.monotonic() - started
        except PlaywrightTimeout:
            errors.append(f"{name}: the app was not usable in time; the page was at {page.url}")
        await page.screenshot(path=str(ARTIFACTS / f"hub-load-{name}.png"))
    finally:
        await context.close()
    return {"name": name, "first_usable_s": usable, "errors": errors}


async def everyone_at_once(hub: HubServer, people: dict[str, str]) -> list[dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                   args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*(
                one_person(browser, hub, name, password, n * ARRIVAL_GAP_S)
                for n, (name, password) in enumerate(people.items())))
        finally:
            await browser.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@pytest.mark.timeout(RUN_LIMIT_S + 300)
def test_people_log_in_and_work_at_once_without_an_error():
    people = {f"counsellor{n:02d}": f"pass-{n:02d}-load" for n in range(PEOPLE_AT_ONCE)}
    load_before = os.getloadavg()
    hub = HubServer(people=people, groups={"counsellors": sorted(people)},
                    extra_config="c.JupyterHub.concurrent_spawn_limit = 0\n").start()
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        started = time.monotonic()
        results = asyncio.run(everyone_at_once(hub, people))
        wall = time.monotonic() - started
        memory = memory_of(hub)
    finally:
        hub.stop()
    times = [r["first_usable_s"] for r in results if r["first_usable_s"] is not None]
    assert times, [r["errors"] for r in results]
    figures = {
        "people": PEOPLE_AT_ONCE,
        "errors": sum(len(r["errors"]) for r in results),
        "first_usable_p50_s": round(statistics.median(times), 1),
        "first_usable_p95_s": round(percentile(times, 0.95), 1),
        "wall_s": round(wall, 1),
        "arrival_gap_s": ARRIVAL_GAP_S,
        "usable": len(times),
        "hub_and_proxy_mb": round(memory["hub_and_proxy_mb"]),
        "per_person_mb": round(memory["servers_and_kernels_mb"] / PEOPLE_AT_ONCE),
        "hub_and_proxy_pss_mb": round(memory["hub_and_proxy_pss_mb"]),
        "per_person_pss_mb": round(memory["servers_and_kernels_pss_mb"] / PEOPLE_AT_ONCE),
        "hub_and_proxy_cpu_s": round(memory["hub_and_proxy_cpu_s"], 1),
        "cpu_s_per_person": round(memory["servers_and_kernels_cpu_s"] / PEOPLE_AT_ONCE, 1),
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    (ARTIFACTS / "hub-load.json").write_text(json.dumps(figures, indent=2))
    print("hub load:", json.dumps(figures))
    assert figures["errors"] == 0, [r for r in results if r["errors"]]
    assert len(results) == PEOPLE_AT_ONCE
