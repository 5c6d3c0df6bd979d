"""The service report's figures: how long it takes for a service of 1,000 clients.

The report reads every client's records (one query per table), turns them into
pandas frames and computes five figures; the files are then written from
those figures. Measured in process, on the caseload benchmark's database
(1,000 clients, each with five applications, twenty answers, five check-ins
and four actions: ``run.caseload_database``):

* ``build``: :func:`nextround.report.build_report`, the store read included;
* ``xlsx`` and ``csv``: writing the report's bytes from the built report;
* ``import``: ``import nextround.report`` (pandas with it) in a fresh process.

Run from the repository root::

    .venv/bin/python benchmarks/report.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from run import CASELOAD_CLIENTS, caseload_database  # noqa: E402

from nextround.content import load_content  # noqa: E402


def timed(action, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def import_seconds(runs: int) -> list[float]:
    code = ("import time; t = time.perf_counter(); import nextround.report; "
            "print(time.perf_counter() - t)")
    return [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(runs)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    from nextround.report import build_report
    from nextround.report_files import csv_bytes, xlsx_bytes
    from nextround.store import Store

    content = load_content()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(caseload_database(Path(folder) / "service.db", content))
        report = build_report(store, content)
        assert report.figure("stages").cell("All clients", "Clients") == CASELOAD_CLIENTS
        figures = {
            "build": timed(lambda: build_report(store, content), args.runs),
            "xlsx": timed(lambda: xlsx_bytes(report), args.runs),
            "csv": timed(lambda: csv_bytes(report), args.runs),
            "import": import_seconds(args.runs),
        }
        store.close()
    print(f"service report, {CASELOAD_CLIENTS:,} clients, {args.runs} runs each (seconds)")
    for name, values in figures.items():
        print(f"  {name:7} median {statistics.median(values):.3f}  "
              f"min {min(values):.3f}  max {max(values):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
