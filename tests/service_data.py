"""A service whose report is known: 25 clients and their records, generated.

The report's tests (``test_report.py``) check every figure against the
answers written in :func:`add_service`'s docstring; the browser test serves
the same data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from nextround import model

SKILL = "skill_gap"
INSIDER = "internal_candidate"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def _clients(store, name: str, count: int, created: datetime | None = None) -> list[str]:
    made = [model.Client(name=f"{name} {n}", **({"created_at": created} if created else {}))
            for n in range(count)]
    store.add_many(made)
    return [c.id for c in made]


def add_service(store) -> None:
    """25 clients whose figures are known:

    * 3 added in January with nothing saved: not started;
    * 12 with one open application: at "Log the rejection";
    * 8 ("C") rejected on 10 Mar, feedback read as a skill gap, an interview 5 days
      later, 2 actions each due in April (1 done), a check-in in April (mood 4 or 2);
    * 2 ("D") rejected on 20 Mar, read as an internal candidate, no interview on a
      later day, 9 actions due in May (2 done), a check-in in May (mood 2).
    """
    records: list[model.Record] = []
    _clients(store, "Quiet", 3, created=datetime(2026, 1, 5, tzinfo=UTC))
    for cid in _clients(store, "Open", 12):
        records.append(model.Application(client_id=cid, company="Acme",
                                         applied_on=date(2026, 2, 1)))
    for n, cid in enumerate(_clients(store, "C", 8)):
        app = model.Application(client_id=cid, company="Bolt", interview_on=date(2026, 3, 1),
                                outcome="rejected", outcome_on=date(2026, 3, 10))
        records += [
            app,
            model.Application(client_id=cid, company="Next", interview_on=date(2026, 3, 15)),
            model.Feedback(client_id=cid, application_id=app.id, heard="More SQL",
                           scenario_id=SKILL),
            model.Action(client_id=cid, title="Learn SQL", due_on=date(2026, 4, 3), done=True),
            model.Action(client_id=cid, title="Practise", due_on=date(2026, 4, 20)),
            model.CheckIn(client_id=cid, at=at(date(2026, 4, 7)), mood=4 if n < 4 else 2),
        ]
    for n, cid in enumerate(_clients(store, "D", 2)):
        app = model.Application(client_id=cid, company="Core", outcome="rejected",
                                outcome_on=date(2026, 3, 20), interview_on=date(2026, 3, 12))
        records += [
            app,
            # An interview on the day of the rejection is not the next one.
            model.Application(client_id=cid, company="Same", interview_on=date(2026, 3, 20)),
            model.Feedback(client_id=cid, application_id=app.id, heard="An insider",
                           scenario_id=INSIDER),
            model.CheckIn(client_id=cid, at=at(date(2026, 5, 2)), mood=2),
            model.Action(client_id=cid, title="No date"),  # not in the figure
        ]
        records += [model.Action(client_id=cid, title=f"Step {k}", due_on=date(2026, 5, 9),
                                 done=k == 0) for k in range(5 - n)]
    store.add_many(records)
