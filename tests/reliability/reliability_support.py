"""Shared pieces of the reliability suite.

This is the one place that reads ``NEXTROUND_FULL``: with ``NEXTROUND_FULL=1``
every test runs its full count (more crash points, writes and fuzz examples);
without it, a smaller default keeps the suite inside CI's time.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

FULL = os.environ.get("NEXTROUND_FULL") == "1"

REPO = Path(__file__).resolve().parents[2]
WIDGETS_DIR = REPO / "widgets"


def scaled(default: int, full: int) -> int:
    """``default`` in CI, ``full`` with ``NEXTROUND_FULL=1``."""
    return full if FULL else default


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child Python process that imports ``nextround``."""
    env = {**os.environ, "PYTHONPATH": str(WIDGETS_DIR), **extra}
    env.pop("NEXTROUND_DB", None)
    return env


def python() -> str:
    return sys.executable


def snapshot(folder: Path) -> dict[str, tuple[str, str]]:
    """Every entry under ``folder`` (relative path -> kind and content hash).

    Symlinks are recorded, not followed, so a link pointing outside the
    folder is seen as a link rather than as what it points at.
    """
    entries: dict[str, tuple[str, str]] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            entries[name] = ("link", os.readlink(path))
        elif path.is_dir():
            entries[name] = ("dir", "")
        else:
            entries[name] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
    return entries


def changed(before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]]
            ) -> dict[str, list[str]]:
    """What differs between two snapshots: added, removed and modified entries."""
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "modified": sorted(k for k in set(before) & set(after) if before[k] != after[k]),
    }
