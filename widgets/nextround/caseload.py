"""The counsellor's caseload: one line per client, and who needs attention.

A counsellor with many clients cannot open each workbook to see who is
struggling. This module reads each table for all clients at once (not once
per client) and boils each client down to a few numbers and plain reasons, such
as "Latest mood is low (1 of 5)" or "3 overdue actions". It imports no
widget code, so it can be tested and benchmarked on its own.

A caseload of a thousand lines is too long to read or to send to the page at
once, so it is shown a page at a time, clients who need attention first, and
can be narrowed to the clients whose name holds the words searched for
(:func:`caseload_page`).

Example::

    from nextround.caseload import caseload, caseload_page
    for row in caseload(store, content):
        print(row.name, row.needs_attention, row.reasons)
    shown = caseload_page(caseload(store, content), query="ann")
    print(shown.showing())      # "Showing 1–2 of 2 clients matching “ann”"
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from . import answer_keys as keys
from .content import Content
from .i18n import N_, _, ngettext
from .model import Action, Answer, Application, CheckIn, Feedback
from .text import number

#: The label for rejections whose kind of feedback is not yet confirmed (English;
#: shown, and compared with the titles it sits among, through ``_``).
NOT_CONFIRMED = N_("Not yet confirmed")
#: The answer that holds the scenario a client confirmed for a rejection.
SCENARIO_KEY = keys.SCENARIO.key()
#: Days without any recorded activity before a client is flagged.
INACTIVE_DAYS = 14
#: Days a feedback request may wait for a reply before it is flagged.
REPLY_WAIT_DAYS = 7
#: Overdue actions at or above this count are flagged.
OVERDUE_LIMIT = 1
#: Clients on one page of the caseload table: a screen or two to read, and
#: quick to send to the page whatever the caseload's size.
PAGE_SIZE = 50


@dataclass
class CaseloadRow:
    """One client's line in the caseload table."""

    client_id: str
    name: str
    last_activity: datetime | None
    rejections_by_scenario: dict[str, int] = field(default_factory=dict)
    awaiting_replies: int = 0
    overdue_actions: int = 0
    latest_mood: int | None = None
    needs_attention: bool = False
    reasons: list[str] = field(default_factory=list)


def low_mood_limit(content: Content) -> int:
    """The highest mood that counts as low: the bottom quarter of the scale."""
    scale = content.mood
    return scale.min + (scale.max - scale.min) // 4


def scenario_title(content: Content, scenario_id: str) -> str:
    """A scenario's title, or its id when content no longer has it."""
    if not scenario_id:
        return _(NOT_CONFIRMED)
    try:
        return content.scenario(scenario_id).title
    except KeyError:
        return scenario_id


def confirmed_scenarios(feedback: Iterable[Feedback], answers: Iterable[Answer] = (),
                        known: Iterable[str] | None = None) -> dict[str, str]:
    """Each application's confirmed scenario id, read as the scenario step reads it.

    Confirming a reading saves it as the rejection's ``scenario`` answer and
    on its feedback records. The answer wins; otherwise the first feedback
    record with a scenario decides, so each rejection has one reading and
    counts once. Ids not in ``known`` (content that has since changed) are
    skipped when ``known`` is given.
    """
    allowed = set(known) if known is not None else None

    def usable(value: object) -> bool:
        return isinstance(value, str) and bool(value) and (allowed is None or value in allowed)

    chosen: dict[str, str] = {}
    for item in feedback:
        if usable(item.scenario_id):
            chosen.setdefault(item.application_id, item.scenario_id)
    for answer in answers:
        if answer.key == SCENARIO_KEY and answer.application_id and usable(answer.value):
            chosen[answer.application_id] = answer.value
    return chosen


def rejections_by_scenario(applications: Iterable[Application], scenarios: dict[str, str],
                           content: Content) -> dict[str, int]:
    """How many rejections had each kind of feedback, "Not yet confirmed" for the rest.

    Kinds come in the content's order, with the unconfirmed ones last.
    """
    counts: dict[str, int] = {}
    for app in applications:
        if app.outcome == "rejected":
            title = scenario_title(content, scenarios.get(app.id, ""))
            counts[title] = counts.get(title, 0) + 1
    order = {s.title: n for n, s in enumerate(content.scenarios)}
    unconfirmed = _(NOT_CONFIRMED)
    return dict(sorted(counts.items(), key=lambda kv: (kv[0] == unconfirmed,
                                                       order.get(kv[0], len(order)), kv[0])))


def is_awaiting(item: Feedback) -> bool:
    """Feedback was asked for, nothing was heard, and it is not given up on."""
    return item.asked_on is not None and not item.heard.strip() and not item.no_reply


def _group(records: Iterable, key: str = "client_id") -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for record in records:
        grouped[getattr(record, key)].append(record)
    return grouped


def caseload(store, content: Content, today: date | None = None) -> list[CaseloadRow]:
    """Every client's caseload line, in the store's client order (by name).

    Applications, feedback, check-ins, actions and activity are each read in
    one query for all clients, so a caseload of a thousand clients opens in
    well under a second.
    """
    today = today or date.today()
    applications = _group(store.list_all(Application))
    feedback = _group(store.list_all(Feedback))
    scenario_answers = _scenario_answers(store, applications)
    checkins = _group(store.list_all(CheckIn))
    actions = _group(store.list_all(Action))
    activity = store.last_activities()
    return [
        client_row(client.id, client.name, content, today,
                   applications=applications.get(client.id, []),
                   feedback=feedback.get(client.id, []),
                   scenario_answers=scenario_answers.get(client.id, []),
                   checkins=checkins.get(client.id, []),
                   actions=actions.get(client.id, []),
                   last_activity=activity.get(client.id))
        for client in store.list_clients()
    ]


def _scenario_answers(store, applications: dict[str, list[Application]]
                      ) -> dict[str, list[Answer]]:
    """The ``scenario`` answers of every client with a rejection, in one query."""
    rejected = {client_id for client_id, apps in applications.items()
                if any(app.outcome == "rejected" for app in apps)}
    return {client_id: answers for client_id, answers
            in _group(store.list_all(Answer, key=SCENARIO_KEY)).items()
            if client_id in rejected}


def caseload_row(store, content: Content, client_id: str, today: date | None = None
                 ) -> CaseloadRow:
    """One client's caseload line, read with that client's own queries.

    After a session only one client has changed; re-reading their records
    is quicker than re-reading the whole caseload.
    """
    client = store.get_client(client_id)
    return client_row(client.id, client.name, content, today or date.today(),
                      applications=store.list(Application, client_id),
                      feedback=store.list(Feedback, client_id),
                      scenario_answers=store.list(Answer, client_id, key=SCENARIO_KEY),
                      checkins=store.list(CheckIn, client_id),
                      actions=store.list(Action, client_id),
                      last_activity=store.last_activity(client_id))


def client_row(client_id: str, name: str, content: Content, today: date, *,
               applications: list[Application], feedback: list[Feedback],
               scenario_answers: list[Answer], checkins: list[CheckIn], actions: list[Action],
               last_activity: datetime | None) -> CaseloadRow:
    """One client's line from their records (already read from the store)."""
    known = (s.id for s in content.scenarios)
    by_scenario = rejections_by_scenario(
        applications, confirmed_scenarios(feedback, scenario_answers, known), content)
    awaiting = [item for item in feedback if is_awaiting(item)]
    overdue = sum(1 for a in actions if not a.done and a.due_on is not None and a.due_on < today)
    latest = max(checkins, key=lambda c: c.at).mood if checkins else None
    row = CaseloadRow(client_id=client_id, name=name, last_activity=last_activity,
                      rejections_by_scenario=by_scenario, awaiting_replies=len(awaiting),
                      overdue_actions=overdue, latest_mood=latest)
    row.reasons = attention_reasons(row, content, today, awaiting)
    row.needs_attention = bool(row.reasons)
    return row


def attention_reasons(row: CaseloadRow, content: Content, today: date,
                      awaiting: list[Feedback]) -> list[str]:
    """Why a client needs attention, in plain words (in the language in force);
    empty when all is well."""
    reasons = []
    if row.latest_mood is not None and row.latest_mood <= low_mood_limit(content):
        reasons.append(_("Latest mood is low ({mood} of {most})").format(
            mood=row.latest_mood, most=content.mood.max))
    if row.overdue_actions >= OVERDUE_LIMIT:
        reasons.append(ngettext("{count} overdue action", "{count} overdue actions",
                                row.overdue_actions).format(count=row.overdue_actions))
    if row.last_activity is not None:
        idle = (today - row.last_activity.date()).days
        if idle >= INACTIVE_DAYS:
            reasons.append(ngettext("No activity for {count} day", "No activity for {count} days",
                                    idle).format(count=idle))
    cutoff = today - timedelta(days=REPLY_WAIT_DAYS)
    stale = sum(1 for item in awaiting if item.asked_on < cutoff)
    if stale:
        reasons.append(ngettext("{count} reply awaited for over a week",
                                "{count} replies awaited for over a week", stale).format(
            count=stale))
    return reasons


# --- one page of the caseload --------------------------------------------------------


@dataclass(frozen=True)
class CaseloadPage:
    """The caseload lines on one page, and where that page sits among the rest."""

    rows: list[CaseloadRow]
    #: The page shown, counted from 0 (a page past the end shows the last one).
    number: int
    #: How many pages the matching lines fill (at least one).
    pages: int
    #: Lines matching the search (every line when there is none).
    matching: int
    #: Lines in the whole caseload.
    total: int
    #: Position of the first line shown among the matching ones, from 0.
    start: int
    #: The search, trimmed; empty when there is none.
    query: str = ""

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number < self.pages - 1

    def showing(self) -> str:
        """Where this page sits, in plain words: "Showing 1–50 of 1,000 clients"
        (numbers written as the language in force writes them)."""
        if not self.matching:
            if self.query:
                return _("No client's name matches “{query}”.").format(query=self.query)
            return _("No clients yet.")
        first, last = number(self.start + 1), number(self.start + len(self.rows))
        if self.query:
            return ngettext(
                "Showing {first}–{last} of {count} client matching “{query}” "
                "(of {total} in all)",
                "Showing {first}–{last} of {count} clients matching “{query}” "
                "(of {total} in all)", self.matching).format(
                first=first, last=last, count=number(self.matching), query=self.query,
                total=number(self.total))
        return ngettext("Showing {first}–{last} of {count} client",
                        "Showing {first}–{last} of {count} clients", self.total).format(
            first=first, last=last, count=number(self.total))


def attention_first(rows: Iterable[CaseloadRow]) -> list[CaseloadRow]:
    """Clients who need attention first; each group keeps its order (by name)."""
    return sorted(rows, key=lambda row: not row.needs_attention)


def name_matches(label: str, query: str) -> bool:
    """True when every word searched for is in the name, in any case and order."""
    name = label.casefold()
    return all(word in name for word in query.casefold().split())


def caseload_page(rows: Iterable[CaseloadRow], *, labels: Mapping[str, str] | None = None,
                  query: str = "", number: int = 0, size: int = PAGE_SIZE) -> CaseloadPage:
    """One page of the caseload: clients who need attention first, narrowed by ``query``.

    ``labels`` are the names shown (see :func:`nextround.names.client_labels`),
    so a search finds what the counsellor reads. A page number out of range
    shows the nearest page, so a shorter caseload never leaves an empty page.
    """
    if size < 1:
        raise ValueError(f"a caseload page holds at least one client, not {size}")
    labels = labels or {}
    everyone = list(rows)
    query = " ".join(query.split())
    matching = [row for row in attention_first(everyone)
                if name_matches(labels.get(row.client_id, row.name), query)]
    pages = max(1, -(-len(matching) // size))
    number = min(max(number, 0), pages - 1)
    start = number * size
    return CaseloadPage(rows=matching[start:start + size], number=number, pages=pages,
                        matching=len(matching), total=len(everyone), start=start,
                        query=query)
