"""Build the documentation site once per test run, as ``nextround docs`` does.

``tests/test_docs.py`` and ``tests/browser/test_docs_site.py`` both look at
the same build; building takes about a minute (it executes every example).
"""

from __future__ import annotations

import functools
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


@dataclass(frozen=True)
class BuiltDocs:
    html: Path
    seconds: float
    output: str


@functools.cache
def built_docs() -> BuiltDocs:
    """The site built from this checkout's ``docs/`` into a temporary folder."""
    html = Path(tempfile.mkdtemp(prefix="nextround-docs-")) / "html"
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "nextround.cli", "docs", "-E", "-o",
                             str(html)], capture_output=True, text=True, cwd=REPO,
                            timeout=900)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise AssertionError(f"the documentation build failed:\n{result.stdout[-4000:]}\n"
                             f"{result.stderr[-4000:]}")
    return BuiltDocs(html=html, seconds=seconds, output=result.stdout + result.stderr)
