"""Fixtures of the reliability suite.

``figures`` collects the counts and durations each test measured (kill
points, writes, fuzz examples, seconds). At the end of the session they are
merged into ``test-artifacts/reliability-figures-<mode>.json`` (mode is
``default`` or ``full``), which ``docs/reliability.md`` reports from.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from reliability_support import FULL, REPO


@pytest.fixture(scope="session")
def figures() -> Iterator[dict]:
    measured: dict = {}
    yield measured
    if not measured:
        return
    folder = REPO / "test-artifacts"
    folder.mkdir(exist_ok=True)
    path = folder / f"reliability-figures-{'full' if FULL else 'default'}.json"
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = {}
    saved.update(measured)
    saved["_run"] = {"at": datetime.now(UTC).isoformat(timespec="seconds"),
                     "mode": "full" if FULL else "default",
                     "python": platform.python_version(), "machine": platform.machine()}
    path.write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n", encoding="utf-8")
