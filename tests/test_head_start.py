"""The background head start of slow module setup (``tests/head_start.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from head_start import NICENESS, HeadStart


def test_work_not_started_runs_where_it_is_asked_for(tmp_path: Path):
    ran_in: list[tuple[str, Path]] = []

    def prepare(folder: Path) -> str:
        ran_in.append((threading.current_thread().name, folder))
        return "made"

    head = HeadStart("inline", prepare)
    assert head.result(tmp_path) == "made"
    assert head.result(tmp_path / "other") == "made"
    assert ran_in == [(threading.current_thread().name, tmp_path)]


def test_started_work_runs_once_in_the_background_in_its_own_folder(tmp_path: Path):
    release = threading.Event()
    ran_in: list[tuple[str, Path]] = []

    def prepare(folder: Path) -> int:
        release.wait(timeout=30)
        ran_in.append((threading.current_thread().name, folder))
        return 42

    head = HeadStart("background", prepare)
    head.start(tmp_path / "started")
    release.set()
    assert head.result(tmp_path / "asked") == 42
    assert ran_in == [("head start: background", tmp_path / "started")]


def test_what_the_work_raised_is_raised_to_whoever_asks(tmp_path: Path):
    def prepare(folder: Path) -> None:
        raise AssertionError("pip install failed (1)")

    head = HeadStart("failing", prepare)
    head.start(tmp_path)
    for _ in range(2):
        with pytest.raises(AssertionError, match="pip install failed"):
            head.result(tmp_path)


def test_head_starts_take_turns(tmp_path: Path):
    """The second waits for the first: two installs at once would take both cores."""
    first_running = threading.Event()
    let_first_finish = threading.Event()
    order: list[str] = []

    def first(folder: Path) -> None:
        first_running.set()
        let_first_finish.wait(timeout=30)
        order.append("first")

    def second(folder: Path) -> None:
        order.append("second")

    one, two = HeadStart("first", first), HeadStart("second", second)
    one.start(tmp_path)
    assert first_running.wait(timeout=30)
    two.start(tmp_path)
    let_first_finish.set()
    one.result(tmp_path)
    two.result(tmp_path)
    assert order == ["first", "second"]


def test_the_work_and_what_it_starts_give_way_to_the_tests(tmp_path: Path):
    """Linux: a thread's niceness is its own, and the processes it starts inherit it."""
    def prepare(folder: Path) -> tuple[int, int]:
        child = subprocess.run([sys.executable, "-c", "import os; print(os.nice(0))"],
                               capture_output=True, text=True, check=True, timeout=60)
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), int(child.stdout)

    ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    head = HeadStart("nice", prepare)
    head.start(tmp_path)
    thread, child = head.result(tmp_path)
    assert thread >= NICENESS and child >= NICENESS
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == ours, (
        "the tests' own thread keeps its priority")
