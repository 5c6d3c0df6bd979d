"""The background head start of slow module setup (``tests/head_start.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from head_start import NICENESS, HeadStart, hurry_the_background


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
    seen: list[int] = []
    finished = threading.Event()

    def prepare(folder: Path) -> None:
        child = subprocess.run([sys.executable, "-c", "import os; print(os.nice(0))"],
                               capture_output=True, text=True, check=True, timeout=60)
        seen.extend([os.getpriority(os.PRIO_PROCESS, threading.get_native_id()),
                     int(child.stdout)])
        finished.set()

    ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    head = HeadStart("nice", prepare)
    head.start(tmp_path)
    # Asking for the result now would hurry the work (the next test).
    assert finished.wait(timeout=120)
    head.result(tmp_path)
    thread, child = seen
    assert thread >= NICENESS and child >= NICENESS
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == ours, (
        "the tests' own thread keeps its priority")


def test_a_test_waiting_for_the_work_gives_it_back_its_priority(tmp_path: Path):
    """Niced work would crawl on a busy machine while a test waits for it."""
    import psutil

    go_on = threading.Event()
    started: list[subprocess.Popen] = []

    def prepare(folder: Path) -> int:
        child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                                 stdin=subprocess.PIPE)
        started.append(child)
        go_on.wait(timeout=60)
        child.communicate(b"", timeout=60)
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    head = HeadStart("hurried", prepare)
    head.start(tmp_path)
    deadline = time.monotonic() + 60
    while not started and time.monotonic() < deadline:
        time.sleep(0.05)
    [child] = started
    assert psutil.Process(child.pid).nice() >= NICENESS
    hurry_the_background()
    allowed = os.geteuid() == 0  # only a privileged process may lower a niceness
    assert psutil.Process(child.pid).nice() == (ours if allowed else NICENESS)
    go_on.set()
    assert head.result(tmp_path) == (ours if allowed else NICENESS)
