"""Many people at once through a real JupyterHub: the figures for docs/performance.md.

Runs ``tests/browser/test_hub_load.py`` with 20 people and prints its figures.
Each simulated person signs in through the hub's login page in a browser
context of their own, starts their server and follows it through the hub's
REST API until it is ready, then opens the app and waits until it is usable;
all at once (or on a stated arrival schedule), on loopback. The figures:
errors, p50 and p95 time from opening the login page to the app's first
usable view (and to the server being ready), memory per person (resident and
proportional), CPU per person, and the machine's load average before, during
(mean and peak of samples every 5 s) and after, with the arrival schedule and
the hub's ``concurrent_spawn_limit`` used.

Run from the repository root, on a machine as quiet as you can find (the
figures are times on a shared machine: other work makes them slower)::

    .venv/bin/python benchmarks/hub_load.py               # 20 people
    .venv/bin/python benchmarks/hub_load.py --people 5    # fewer
    .venv/bin/python benchmarks/hub_load.py --arrival-gap 3   # one arrives every 3 s
    .venv/bin/python benchmarks/hub_load.py --spawn-limit 0   # no limit (default 10, as deployed)
    .venv/bin/python benchmarks/hub_load.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIGURES = REPO / "test-artifacts" / "hub-load.json"
TEST = "tests/browser/test_hub_load.py"


def run(people: int, arrival_gap_s: float = 0.0, spawn_limit: int = 10) -> dict:
    """Run the load test for ``people``, arriving ``arrival_gap_s`` apart (0: at once),
    with the hub starting at most ``spawn_limit`` servers at a time (0: no limit);
    return the figures it wrote."""
    FIGURES.unlink(missing_ok=True)
    env = dict(os.environ, NEXTROUND_FULL="1", NEXTROUND_HUB_PEOPLE=str(people),
               NEXTROUND_HUB_ARRIVAL_GAP_S=str(arrival_gap_s),
               NEXTROUND_HUB_SPAWN_LIMIT=str(spawn_limit))
    result = subprocess.run([sys.executable, "-m", "pytest", TEST, "-q", "-s", "-p",
                             "no:cacheprovider"], cwd=REPO, env=env)
    if not FIGURES.exists():
        raise SystemExit(f"the load test wrote no figures (exit {result.returncode})")
    figures = json.loads(FIGURES.read_text())
    figures["test_passed"] = result.returncode == 0
    return figures


def summary(figures: dict) -> str:
    """The run in one paragraph, saying how people arrived and how loaded the machine was."""
    arrival = ("all at the same instant" if not figures["arrival_gap_s"] else
               f"one every {figures['arrival_gap_s']:g} s, over {figures['arrivals_over_s']:g} s")
    limit = figures["concurrent_spawn_limit"] or "none"
    return (f"{figures['usable']} of {figures['people']} people in, arriving {arrival} "
            f"(hub's concurrent_spawn_limit: {limit}; told to retry "
            f"{figures['told_to_retry']} times); {figures['errors']} errors; first usable "
            f"view p50 {figures['first_usable_p50_s']} s, p95 {figures['first_usable_p95_s']} s; "
            f"{figures['per_person_pss_mb']} MB PSS and {figures['cpu_s_per_person']} CPU-s "
            f"per person; {figures['cpus']} cores, load average "
            f"{figures['load_average_before'][0]} before, {figures['load_average_during_mean']} "
            f"mean and {figures['load_average_during_peak']} peak during the run.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20, help="people at once (default 20)")
    parser.add_argument("--arrival-gap", type=float, default=0.0, metavar="SECONDS",
                        help="seconds between one person's arrival and the next (default 0)")
    parser.add_argument("--spawn-limit", type=int, default=10, metavar="N",
                        help="the hub's concurrent_spawn_limit (default 10, as "
                             "deploy/jupyterhub_config.py; 0: no limit)")
    parser.add_argument("--json", type=Path, help="also copy the figures to this file")
    args = parser.parse_args(argv)
    figures = run(args.people, args.arrival_gap, args.spawn_limit)
    print(json.dumps(figures, indent=2))
    print(summary(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0 if figures["test_passed"] and figures["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
