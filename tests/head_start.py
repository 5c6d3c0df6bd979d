"""Slow preparation begun in the background as soon as the run knows it needs it.

Some modules need a minute of setup that no other test touches: a fresh virtual
environment with every dependency installed, a wheel and an sdist built and
installed. Done in the module's own fixture, that minute sits on the suite's
critical path while the machine's second core waits. Such a module names the
work in ``HEAD_START``, a :class:`HeadStart`. At the first test outside
``tests/browser`` (browser tests keep both cores busy already), the fixture
``head_starts`` in ``tests/conftest.py`` starts the head start of every
module that has a test selected, one after another on one background thread,
so the work overlaps the single-threaded tests that run before the module's own.

The module's fixture then asks for :meth:`HeadStart.result`: it waits for the
work, or does it there and then when nothing started it (the module run on
its own, or its turn not yet come), and raises whatever the work raised, so
a failed install fails the module's tests exactly as it did before.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

#: One head start at a time: two installs at once would take both cores from
#: the tests running meanwhile.
ONE_AT_A_TIME = threading.Lock()


#: The background thread's niceness: the tests running meanwhile come first.
NICENESS = 10


def yield_to_the_tests() -> None:
    """Lower this thread's CPU priority, and so that of the installs it runs.

    On Linux a thread has its own niceness and the processes it starts inherit
    it, so the tests in the foreground keep their core and their timing; where
    that is not so, the work simply runs at normal priority.
    """
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)


#: The native ids of the threads doing head starts.
BACKGROUND_THREADS: set[int] = set()


def hurry_the_background() -> None:
    """A test now waits for the work: give the background threads, and the processes
    they started, this thread's priority again.

    Lowering a niceness takes privileges (root, as in CI); without them the work
    goes on at its lower priority, only more slowly on a machine busy with
    other work.
    """
    import psutil

    ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    for thread in list(BACKGROUND_THREADS):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, thread, ours)
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if child.nice() == NICENESS:
                child.nice(ours)


class HeadStart(Generic[T]):
    """``prepare(folder)``, run once: in the background after :meth:`start`, else on demand.

    ``folder`` is a new empty directory for what the work makes, kept until
    the end of the run (pytest's own temporary directories).
    """

    def __init__(self, name: str, prepare: Callable[[Path], T]):
        self.name = name
        self._prepare = prepare
        self._claim = threading.Lock()
        self._folder: Path | None = None
        self._claimed = False
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    def start(self, folder: Path) -> None:
        """Begin the work on the background thread, after any head start before it."""
        self._folder = folder

        def work() -> None:
            BACKGROUND_THREADS.add(threading.get_native_id())
            try:
                yield_to_the_tests()
                with ONE_AT_A_TIME:
                    self._run_once()
            finally:
                BACKGROUND_THREADS.discard(threading.get_native_id())

        threading.Thread(target=work, name=f"head start: {self.name}", daemon=True).start()

    def result(self, folder: Path) -> T:
        """What the work made; ``folder`` is used only if the work starts here."""
        if self._folder is None:
            self._folder = folder
        self._run_once()
        if not self._done.is_set():
            hurry_the_background()
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value

    def _run_once(self) -> None:
        with self._claim:
            if self._claimed:
                return
            self._claimed = True
        try:
            self._value = self._prepare(self._folder)
        except BaseException as error:  # handed to whoever asks for the result
            self._error = error
        finally:
            self._done.set()
