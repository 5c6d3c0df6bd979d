"""Many people at once through a real JupyterHub: the figures for docs/performance.md.

Runs ``tests/browser/test_hub_load.py`` (each simulated person logs in through
the hub's login page in a browser of their own and waits until the app is
usable; all at once, on loopback) with 20 people, and prints its figures:
errors, p50 and p95 time to first usable view, memory per person (resident
and proportional), and the machine's load average before and after.

Run from the repository root, on a machine as quiet as you can find (the
figures are times on a shared machine: other work makes them slower)::

    .venv/bin/python benchmarks/hub_load.py               # 20 people
    .venv/bin/python benchmarks/hub_load.py --people 5    # fewer
    .venv/bin/python benchmarks/hub_load.py --arrival-gap 3   # one arrives every 3 s
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


def run(people: int, arrival_gap_s: float = 0.0) -> dict:
    """Run the load test for ``people``, arriving ``arrival_gap_s`` apart (0: at once);
    return the figures it wrote."""
    FIGURES.unlink(missing_ok=True)
    env = dict(os.environ, NEXTROUND_FULL="1", NEXTROUND_HUB_PEOPLE=str(people),
               NEXTROUND_HUB_ARRIVAL_GAP_S=str(arrival_gap_s))
    result = subprocess.run([sys.executable, "-m", "pytest", TEST, "-q", "-s", "-p",
                             "no:cacheprovider"], cwd=REPO, env=env)
    if not FIGURES.exists():
        raise SystemExit(f"the load test wrote no figures (exit {result.returncode})")
    figures = json.loads(FIGURES.read_text())
    figures["test_passed"] = result.returncode == 0
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20, help="people at once (default 20)")
    parser.add_argument("--arrival-gap", type=float, default=0.0, metavar="SECONDS",
                        help="seconds between one person's arrival and the next (default 0)")
    parser.add_argument("--json", type=Path, help="also copy the figures to this file")
    args = parser.parse_args(argv)
    figures = run(args.people, args.arrival_gap)
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0 if figures["test_passed"] and figures["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
