"""Saving as you type: the kernel's one queue of answers waiting to be saved.

A text box's save waits a moment after its last key press; anything waiting
is saved at once on any click, choice, step change or download, and when
the kernel shuts down. The binding in :mod:`.base` writes every edited
model trait through this queue.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import weakref
from collections.abc import Callable
from typing import Any

log = logging.getLogger("nextround")


#: Seconds from the last key press in a text box to its save.
SAVE_DELAY = 0.4
#: Seconds from the last change to refreshing what is made from saved work
#: (such as the workbook file's download link).
REFRESH_DELAY = 0.6


class PendingSaves:
    """Typed answers waiting to be saved: one per text box, on the kernel's event loop.

    Saving on every key press would write to disk many times a second;
    saving only when a box loses focus loses what was typed before a reload.
    So a text box's save waits :data:`SAVE_DELAY` after its last key press,
    and whatever still waits is saved at once when the person does anything
    else (a click, a choice, another step, a download) and when the kernel
    shuts down (:func:`atexit`). Outside an event loop (a plain script or a
    test driving ``.value``) a save runs at once.

    It also tells listeners, a moment after the last change, that saved work
    changed, so downloads made from it can be refreshed.

    The kernel has one queue, :data:`saves` (``nextround.components.saves``);
    a step of your own needs it only to save waiting typing before doing
    something with saved work (``saves.flush()``), or to hear of changes.

    Parameters
    ----------
    delay : float
        Seconds from a text box's last change to its save (:data:`SAVE_DELAY`).
    refresh_delay : float
        Seconds from the last change to telling the listeners (:data:`REFRESH_DELAY`).

    Events
    ------
    listen(callback)
        ``callback()`` is called a moment after saved work changes.

    Saves
    -----
    nothing itself
        It runs the saves the models give it (see :meth:`later`).

    Example
    -------
    >>> from nextround.components import saves
    >>> written = []
    >>> saves.later("note", lambda: written.append("note"))  # no event loop: at once
    >>> saves.flush()                                        # nothing left waiting
    >>> written, saves.waiting
    (['note'], 0)
    """

    def __init__(self, delay: float = SAVE_DELAY, refresh_delay: float = REFRESH_DELAY):
        self.delay = delay
        self.refresh_delay = refresh_delay
        self._waiting: dict[Any, tuple[Callable[[], Any], asyncio.TimerHandle]] = {}
        self._listeners: list[weakref.WeakMethod | Callable[[], Any]] = []
        self._refresh: asyncio.TimerHandle | None = None

    @property
    def waiting(self) -> int:
        """How many saves are waiting for their moment."""
        return len(self._waiting)

    def later(self, key: Any, save: Callable[[], Any]) -> None:
        """Run ``save`` soon; a newer save for the same ``key`` replaces it."""
        old = self._waiting.pop(key, None)
        if old is not None:
            old[1].cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            save()
            return
        self._waiting[key] = (save, loop.call_later(self.delay, self._run, key))

    def _run(self, key: Any) -> None:
        item = self._waiting.pop(key, None)
        if item is not None:
            item[0]()

    def flush(self) -> None:
        """Save everything that is waiting, now, in the order it was typed."""
        while self._waiting:
            key = next(iter(self._waiting))
            save, handle = self._waiting.pop(key)
            handle.cancel()
            save()

    def listen(self, callback: Callable[[], Any]) -> None:
        """Call ``callback`` a moment after saved work changes (held weakly if a method)."""
        ref = weakref.WeakMethod(callback) if hasattr(callback, "__self__") else callback
        self._listeners.append(ref)

    def changed(self) -> None:
        """Saved work changed: tell the listeners once the changes settle."""
        if not self._listeners:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._tell()
            return
        if self._refresh is not None:
            self._refresh.cancel()
        self._refresh = loop.call_later(self.refresh_delay, self._tell)

    def _tell(self) -> None:
        self._refresh = None
        alive = []
        for ref in self._listeners:
            callback = ref() if isinstance(ref, weakref.WeakMethod) else ref
            if callback is None:
                continue
            alive.append(ref)
            try:
                callback()
            except Exception:  # noqa: BLE001 - a refresh must never break saving
                log.exception("refresh after a save failed")
        self._listeners = alive


#: The kernel's one list of waiting saves (a kernel serves one page).
saves = PendingSaves()


def _save_before_exit() -> None:
    try:
        saves.flush()
    except Exception:  # noqa: BLE001 - the kernel is going; log, do not raise
        log.exception("saving typed answers at shutdown failed")


atexit.register(_save_before_exit)
