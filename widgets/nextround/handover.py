"""One client's workbook and nothing else: who the page is locked to, and how the
counsellor takes it back.

A page is locked to one client in two ways:

* ``nextround serve --client ID`` passes :data:`ONLY_CLIENT_ENV` to the kernels.
  Nothing on the page can undo it; the counsellor restarts the server without
  ``--client``.
* The counsellor's "Hand over to the client" switch. The counsellor types a
  passphrase the client does not see, and the handover is kept in the store's
  settings (:data:`HANDED_OVER`), not in the page: a reload, a new tab or a new
  kernel opens locked again, so clicking around or reloading cannot undo it. The
  passphrase typed again is what undoes it.

Why a passphrase chosen at the handover rather than the server's token: the
token is kept out of the kernels on purpose (a kernel runs the client's page),
and a counsellor who opened the app from the printed address never typed it.
Only a salted scrypt hash of the passphrase is kept; wrong guesses are counted
in the same setting, and after :data:`FREE_TRIES` each further try waits
:data:`WAIT_AFTER_FAILURES` seconds, so reloading does not reset the count.

This module holds no widget code; :mod:`nextround.components.handover` shows it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any

from .errors import NextRoundError
from .i18n import _, ngettext

#: The environment variable ``nextround serve --client`` sets for its kernels.
ONLY_CLIENT_ENV = "NEXTROUND_ONLY_CLIENT"
#: The store setting that holds a handover while it lasts.
HANDED_OVER = "app.handed_over"
#: The shortest passphrase accepted: long enough not to be guessed over a shoulder.
MIN_PASSPHRASE = 6
#: Wrong passphrases allowed before each further try has to wait.
FREE_TRIES = 5
WAIT_AFTER_FAILURES = 30
#: scrypt's cost: about 30 ms here, too slow to guess fast, quick enough to type.
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class Lock:
    """The one client a page shows; ``undo`` is False when the server was started so."""

    client_id: str
    undo: bool


def _digest(passphrase: str, salt: bytes) -> str:
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, **SCRYPT).hex()


def served_lock() -> Lock | None:
    """The lock ``nextround serve --client`` set for this kernel, if any."""
    client_id = os.environ.get(ONLY_CLIENT_ENV, "").strip()
    return Lock(client_id, undo=False) if client_id else None


def handed_over(store: Any) -> Lock | None:
    """The handover in force in this store, if any."""
    kept = store.get_setting(HANDED_OVER)
    if not isinstance(kept, dict) or not kept.get("client_id"):
        return None
    return Lock(str(kept["client_id"]), undo=True)


def current_lock(store: Any) -> Lock | None:
    """What this page is locked to: the server's choice first, then a handover."""
    return served_lock() or handed_over(store)


def hand_over(store: Any, client_id: str, passphrase: str) -> Lock:
    """Lock every page of this store to ``client_id`` until ``passphrase`` is typed again."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise NextRoundError(_("choose a passphrase of at least {count} characters; you will "
                               "type it to take the app back.").format(count=MIN_PASSPHRASE))
    store.get_client(client_id)
    salt = secrets.token_bytes(16)
    store.set_setting(HANDED_OVER, {"client_id": client_id, "salt": salt.hex(),
                                    "digest": _digest(passphrase, salt), "failures": 0,
                                    "last_failure": 0})
    return Lock(client_id, undo=True)


def take_back(store: Any, passphrase: str, *, now: float | None = None) -> str:
    """End the handover if ``passphrase`` is right; returns the client it was for.

    A wrong one is counted in the store, and past :data:`FREE_TRIES` the next try
    must wait; both refusals are a :class:`NextRoundError` in plain words.
    """
    now = time.time() if now is None else now
    kept = store.get_setting(HANDED_OVER)
    if not isinstance(kept, dict):
        raise NextRoundError(_("the app is not handed over."))
    failures, last = int(kept.get("failures", 0)), float(kept.get("last_failure", 0))
    wait = WAIT_AFTER_FAILURES - (now - last)
    if failures >= FREE_TRIES and wait > 0:
        seconds = int(wait) + 1
        raise NextRoundError(ngettext("too many wrong passphrases; try again in {count} second.",
                                      "too many wrong passphrases; try again in {count} "
                                      "seconds.", seconds).format(count=seconds))
    expected = str(kept.get("digest", ""))
    if not hmac.compare_digest(_digest(passphrase, bytes.fromhex(kept["salt"])), expected):
        store.set_setting(HANDED_OVER, {**kept, "failures": failures + 1, "last_failure": now})
        raise NextRoundError(_("that is not the passphrase the app was handed over with."))
    store.set_setting(HANDED_OVER, None)
    return str(kept["client_id"])
