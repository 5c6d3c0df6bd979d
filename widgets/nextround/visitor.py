"""Who the app is shown to: a client, a counsellor or a supervisor.

Behind a service's hub each person's server reaches the database as that
person's own role, so the database says who they are
(:meth:`~nextround.store.Store.connected_person`), and its row-level
security decides what they can read. The app follows the same answer:

* a client sees their own workbook only: the page is locked to their client
  record, as ``nextround serve --client`` locks it (no picker, no counsellor
  view, no other name);
* a counsellor sees the app as on one machine, with the caseload their role
  reads;
* a supervisor sees the service report, and no workbook.

``NEXTROUND_ROLE`` (set by :mod:`nextround.hub`) is only a hint. It can narrow
what is shown, never widen it: the person the database names wins, and a
server told it is a client's but connected as nobody in particular shows
nothing rather than every client.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from .errors import NextRoundError
from .model import PERSON_KINDS

#: The environment variable the hub sets with the kind of person a server is for.
ROLE_ENV = "NEXTROUND_ROLE"


@dataclass(frozen=True)
class Visitor:
    """The kind of person the page is for and, for a client, their client record."""

    kind: str
    client_id: str | None = None


#: Whoever opens the app on one machine: the counsellor, who sees everything.
OWNER = Visitor("counsellor")


def role_hint() -> str | None:
    """The kind the hub said this server is for, if it said one NextRound knows."""
    hint = os.environ.get(ROLE_ENV, "").strip()
    return hint if hint in PERSON_KINDS else None


def visitor_of(store: Any, hint: str | None = None) -> Visitor:
    """Who the page is for: the person the store is connected as, else the hint.

    Raises :class:`NextRoundError` when nothing safe can be shown: a client
    person without a client record, or a client's server whose database
    connection is not a client's own.
    """
    person = store.connected_person()
    if person is not None:
        if person.kind == "client":
            if not person.client_id:
                raise NextRoundError(f"{person.name} has no workbook yet; ask your "
                                     "counsellor to set one up.")
            return Visitor("client", person.client_id)
        return Visitor(person.kind)
    if hint == "client":
        raise NextRoundError("this server is for a client, but its database connection "
                             "is not one client's own, so nothing is shown; ask your "
                             "administrator to check the service's setup.")
    if hint == "supervisor":
        return Visitor("supervisor")
    return OWNER
