"""Many people working through the hub at once: none meets an error.

Each simulated person logs in through the hub's real login page in a browser
page of their own, lands on the app, waits until it is usable (the client
picker or their own workbook shows), and picks a client. All at once, on
loopback. The count is bounded: 3 people by default, 20 with
``NEXTROUND_FULL=1`` (``benchmarks/hub_load.py`` runs it and writes the
figures). The times and memory are reported, not asserted: a busy machine
makes them slower, not wrong.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from browser_harness import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, WIDGETS_TIMEOUT_MS

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hub_server import HubServer  # noqa: E402

FULL = os.environ.get("NEXTROUND_FULL") == "1"
PEOPLE_AT_ONCE = int(os.environ.get("NEXTROUND_HUB_PEOPLE", "20" if FULL else "3"))
#: A whole run is bounded: past this, the test fails rather than waiting on.
RUN_LIMIT_S = 900


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
              "hub_and_proxy_pss_mb": 0.0, "servers_and_kernels_pss_mb": 0.0}
    for process in [root, *root.children(recursive=True)]:
        try:
            memory = process.memory_full_info()
            command = " ".join(process.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        side = ("servers_and_kernels" if "jupyterhub-singleuser" in command
                or "ipykernel" in command else "hub_and_proxy")
        totals[f"{side}_mb"] += memory.rss / 1e6
        totals[f"{side}_pss_mb"] += getattr(memory, "pss", memory.rss) / 1e6
    return totals


def one_person(hub: HubServer, name: str, password: str) -> dict:
    """Log in as ``name`` in a browser of their own; time until the app is usable."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            started = time.monotonic()
            page.goto(f"{hub.url}/hub/login")
            page.get_by_label("Username").fill(name)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"**/user/{name}/voila/render/**", timeout=RUN_LIMIT_S * 1000)
            picker = page.get_by_label("Client", exact=True)
            picker.wait_for(state="visible", timeout=WIDGETS_TIMEOUT_MS * 5)
            usable = time.monotonic() - started
            page.screenshot(path=str(ARTIFACTS / f"hub-load-{name}.png"))
        finally:
            browser.close()
    return {"name": name, "first_usable_s": usable, "errors": errors}


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
        with ThreadPoolExecutor(max_workers=PEOPLE_AT_ONCE) as pool:
            results = list(pool.map(lambda item: one_person(hub, *item), people.items()))
        wall = time.monotonic() - started
        memory = memory_of(hub)
    finally:
        hub.stop()
    times = [r["first_usable_s"] for r in results]
    figures = {
        "people": PEOPLE_AT_ONCE,
        "errors": sum(len(r["errors"]) for r in results),
        "first_usable_p50_s": round(statistics.median(times), 1),
        "first_usable_p95_s": round(percentile(times, 0.95), 1),
        "wall_s": round(wall, 1),
        "hub_and_proxy_mb": round(memory["hub_and_proxy_mb"]),
        "per_person_mb": round(memory["servers_and_kernels_mb"] / PEOPLE_AT_ONCE),
        "hub_and_proxy_pss_mb": round(memory["hub_and_proxy_pss_mb"]),
        "per_person_pss_mb": round(memory["servers_and_kernels_pss_mb"] / PEOPLE_AT_ONCE),
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    (ARTIFACTS / "hub-load.json").write_text(json.dumps(figures, indent=2))
    print("hub load:", json.dumps(figures))
    assert figures["errors"] == 0, [r for r in results if r["errors"]]
    assert len(results) == PEOPLE_AT_ONCE
