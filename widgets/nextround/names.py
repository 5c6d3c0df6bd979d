"""Names for clients that tell apart two people with the same name.

Names need not be unique: a counsellor may well have two clients called
Jordan. Every list of clients (the picker, the caseload, "Open a client")
then adds when each was added, and the time or a number only when the day
is the same too.

Example::

    labels = client_labels(store.list_clients())
    labels[client.id]        # "Jordan (added 3 Nov 2026)" or just "Robin"
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from .model import Client, visible_name
from .text import short_date


def added_on(when: datetime) -> str:
    """"3 Nov 2026": the day a client was added, as people write it."""
    return short_date(when)


def known_client(store, client_id: str) -> str:
    """``client_id`` when the store holds that client ("" stays ""); else a plain NotFound."""
    if client_id:
        store.get_client(client_id)
    return client_id


def client_labels(clients: Iterable[Client]) -> dict[str, str]:
    """A label per client id: the name, plus what tells it apart from the same name."""
    clients = list(clients)
    by_name: dict[str, list[Client]] = defaultdict(list)
    for client in clients:
        by_name[client.name.casefold()].append(client)
    labels: dict[str, str] = {}
    for same in by_name.values():
        if len(same) == 1:
            labels[same[0].id] = visible_name(same[0].name)
            continue
        days = Counter(added_on(c.created_at) for c in same)
        ordered = sorted(same, key=lambda c: (_utc(c.created_at), c.id))
        for client in ordered:
            day = added_on(client.created_at)
            labels[client.id] = (f"{visible_name(client.name)} (added {day})"
                                 if days[day] == 1 else None)
        clashing = [c for c in ordered if labels[c.id] is None]
        times = Counter(_added_at(c) for c in clashing)
        seen: Counter = Counter()
        for client in clashing:
            when = _added_at(client)
            if times[when] == 1:
                labels[client.id] = f"{visible_name(client.name)} (added {when})"
            else:
                seen[when] += 1
                labels[client.id] = (f"{visible_name(client.name)} (added {when}, "
                                   f"{seen[when]} of {times[when]})")
    return labels


def same_name(clients: Iterable[Client], name: str) -> list[Client]:
    """The clients already called ``name`` (ignoring case and extra spaces)."""
    wanted = " ".join(name.split()).casefold()
    return [c for c in clients if " ".join(c.name.split()).casefold() == wanted]


def _utc(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _added_at(client: Client) -> str:
    when = _utc(client.created_at)
    return f"{added_on(when)}, {when:%H:%M}"
