"""Small counts hidden, and no hidden count left to be worked out from a total.

A count of one or two people can point at a person, so a figure for the
whole service shows every count under :data:`SMALL` as "fewer than 5",
never as its number. A total shown beside the counts (or known anyway:
a service knows how many clients it has) would let a reader subtract a
hidden count back, so :func:`suppress` hides as many more counts as it
takes, the smallest first, marked "hidden to protect a small count":
complementary suppression. No widgets and no pandas: plain numbers in and out.

Example::

    cells, total = suppress({"Done": 3, "Not done": 9})
    [c.shown for c in cells.values()], total.shown
    # (['fewer than 5', 'hidden to protect a small count'], 12)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .i18n import N_, _

#: Counts below this are never shown.
SMALL = 5
#: What a count under :data:`SMALL` shows instead of its number (English; see
#: :func:`fewer_than` for the language in force).
FEWER_THAN = f"fewer than {SMALL}"
#: What a count hidden only so that a small one cannot be worked out shows (English;
#: shown through ``_``).
PROTECTING = N_("hidden to protect a small count")


def fewer_than(limit: int = SMALL) -> str:
    """"fewer than 5" in the language in force: what a small count shows."""
    return _("fewer than {count}").format(count=limit)


#: How a count is shown: as its number, as "fewer than 5", or hidden to protect one.
SHOWN, SMALL_COUNT, HIDDEN = "shown", "small", "hidden"


@dataclass(frozen=True)
class Count:
    """A count and how it may be shown."""

    value: int
    state: str = SHOWN

    @property
    def shown(self) -> int | str:
        """The number, or the words that stand for it when it is hidden."""
        if self.state == SHOWN:
            return self.value
        return fewer_than() if self.state == SMALL_COUNT else _(PROTECTING)


def small_count(value: int, limit: int = SMALL) -> Count:
    """A count shown on its own (no total beside it): hidden only when small."""
    return Count(value, SMALL_COUNT if value < limit else SHOWN)


def worked_out(cells: Mapping[str, Count], total: int, limit: int = SMALL) -> list[str]:
    """The hidden counts whose exact value follows from the total and the counts shown.

    Someone reading the figure knows the total, every count shown, that a
    "fewer than 5" is 0 to 4 and that a count hidden to protect one is at
    least 5. The hidden counts add up to the total less the shown ones; a
    hidden count is worked out when that sum leaves it only one possible value.
    """
    hidden = {k: c for k, c in cells.items() if c.state != SHOWN}
    rest = total - sum(c.value for c in cells.values() if c.state == SHOWN)
    bounds = {k: (0, limit - 1) if c.state == SMALL_COUNT else (limit, total)
              for k, c in hidden.items()}
    lows = sum(low for low, _high in bounds.values())
    highs = sum(high for _low, high in bounds.values())
    found = []
    for key, (low, high) in bounds.items():
        least = max(low, rest - (highs - high))
        most = min(high, rest - (lows - low))
        if least >= most:
            found.append(key)
    return found


def suppress(counts: Mapping[str, int], limit: int = SMALL) -> tuple[dict[str, Count], Count]:
    """The counts of one figure and their total, each marked as it may be shown.

    Counts under ``limit`` are hidden as "fewer than 5". Then, while any
    hidden count could be worked out from the total (:func:`worked_out`),
    the smallest count still shown is hidden too. If every count is hidden
    and one could still be worked out, the total is hidden as well. A total
    under ``limit`` is itself a small count: it and every count are hidden.
    """
    total = sum(counts.values())
    if total < limit:
        return {k: Count(v, SMALL_COUNT) for k, v in counts.items()}, Count(total, SMALL_COUNT)
    cells = {k: small_count(v, limit) for k, v in counts.items()}
    while worked_out(cells, total, limit):
        shown = [k for k, c in cells.items() if c.state == SHOWN]
        if not shown:
            return cells, Count(total, HIDDEN)
        smallest = min(shown, key=lambda k: cells[k].value)
        cells[smallest] = Count(cells[smallest].value, HIDDEN)
    return cells, Count(total, SHOWN)
