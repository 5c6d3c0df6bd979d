"""How long loading the content takes, in English and in another language.

Each figure is the median of several fresh Python processes (so imports and
the first read of every file are counted, as when a kernel starts)::

    .venv/bin/python benchmarks/content_languages.py [--runs 7] [--lang es]

Figures: ``load_content()`` (English, the path every page takes today) and
``load_content(lang=...)``, which validates the English folder, reads and
checks the language folder, and compares each translated item with English.
Set ``PYTHONPATH`` to another checkout's ``widgets`` to compare versions.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

TIMED = """
import json, sys, time
started = time.perf_counter()
from nextround.content import load_content
load_content(**json.loads(sys.argv[1]))
print(time.perf_counter() - started)
"""


def seconds(kwargs: dict) -> float:
    result = subprocess.run([sys.executable, "-c", TIMED, json.dumps(kwargs)],
                            capture_output=True, text=True, check=True)
    return float(result.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--lang", default="es")
    args = parser.parse_args()
    for label, kwargs in (("load_content() [en]", {}),
                          (f"load_content(lang={args.lang!r})", {"lang": args.lang})):
        values = [seconds(kwargs) for _ in range(args.runs)]
        print(f"{label:28} median {statistics.median(values):.2f} s, "
              f"min {min(values):.2f} s, max {max(values):.2f} s ({args.runs} runs)")


if __name__ == "__main__":
    main()
