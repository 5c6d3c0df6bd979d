"""How long opening a store takes, and what Alembic adds to it.

Each figure is the median of several fresh Python processes (so imports are
counted, as when a kernel starts), on a quiet machine ideally::

    .venv/bin/python benchmarks/store_open.py [--runs 9]

Figures: importing ``nextround.store``; importing it and opening a database
that is up to date (the app's case: Alembic must not load); opening a new
database (the schema made through Alembic); opening a file written before
Alembic (its revision recorded once); and importing Alembic alone.
Set ``PYTHONPATH`` to another checkout's ``widgets`` to compare versions.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "data" / "store" / \
    "written_by_schema_3.db"

TIMED = """
import json, sys, time
started, cpu = time.perf_counter(), time.process_time()
{work}
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
print(json.dumps([seconds, cpu, "alembic" in sys.modules]))
"""

OPEN = "from nextround.store import Store\nStore(sys.argv[1]).close()"


def timed(work: str, *args: str) -> tuple[float, float, bool]:
    """Seconds ``work`` took in a fresh process (wall clock, then CPU: the second
    barely moves when other programs load the machine), and whether Alembic loaded."""
    done = subprocess.run([sys.executable, "-c", TIMED.format(work=work), *args],
                          capture_output=True, text=True, check=True)
    seconds, cpu, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return seconds, cpu, loaded


def figures(runs: int) -> dict[str, dict[str, object]]:
    folder = Path(tempfile.mkdtemp(prefix="nextround-open-"))
    found: dict[str, list[tuple[float, float, bool]]] = {
        "import nextround.store": [], "open an up-to-date database": [],
        "open a new database": [], "open a file written before Alembic": [],
        "import alembic.command": []}
    try:
        current = folder / "current.db"
        timed(OPEN, str(current))
        for n in range(runs):
            found["import nextround.store"].append(timed("import nextround.store"))
            found["open an up-to-date database"].append(timed(OPEN, str(current)))
            found["open a new database"].append(timed(OPEN, str(folder / f"new-{n}.db")))
            old = folder / f"old-{n}.db"
            shutil.copyfile(FIXTURE, old)
            found["open a file written before Alembic"].append(timed(OPEN, str(old)))
            found["import alembic.command"].append(timed("import alembic.command"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {name: {"median_s": round(statistics.median(s for s, _, _ in results), 3),
                   "median_cpu_s": round(statistics.median(c for _, c, _ in results), 3),
                   "alembic_loaded": any(loaded for _, _, loaded in results)}
            for name, results in found.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    for name, figure in figures(args.runs).items():
        print(f"{name:36} {figure['median_s']:.3f} s, CPU {figure['median_cpu_s']:.3f} s"
              f"   alembic loaded: {figure['alembic_loaded']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
