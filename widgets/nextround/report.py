"""The service report: figures a supervisor can show the people who fund the service.

Five figures, each a table of counts (or averages) for the whole service,
never a client's name:

* clients by the stage of the journey they have reached;
* the kinds of feedback heard after a rejection;
* the time from a rejection to the next interview;
* actions done against actions due, by month;
* mood over time, by month.

Small counts can point at a person, so **every count under 5 is shown as
"fewer than 5"**, never as its number (:func:`nextround.suppression.suppress`). A total shown beside
hidden counts would let anyone subtract them back, so a figure hides as many
more counts as it takes (the smallest first, marked "hidden to protect a
small count") until no hidden count can be worked out exactly from the total
and the counts shown: complementary suppression. Totals themselves are never
rounded or left out, because they are known elsewhere anyway (a service
knows how many clients it has).

The inputs (:class:`Inputs`) come through the store's API (one query per
table for every client) or, for a supervisor on PostgreSQL, whose role reads
no workbook, through the database's report functions, which give
de-identified rows only (:func:`read_inputs`). Either way they become the same
pandas frames (:func:`frames_of`), and each figure is computed from the
frames (:func:`build_report`). pandas is imported here and nowhere
else in the package, and this module only when a report is asked for
(``nextround report`` or the service report view), never on the app's first view.

Example::

    from nextround.report import build_report
    report = build_report(store, content, since=date(2026, 9, 1))
    for figure in report.figures:
        print(figure.title, figure.rows)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from . import answer_keys as keys
from .caseload import NOT_CONFIRMED, confirmed_scenarios, scenario_title
from .charts import WORKBOOK_STEPS, Chart, Trace, chart_esc, completed_steps
from .content import Content
from .errors import NextRoundError
from .i18n import N_, _, ngettext, translator
from .model import Action, Answer, Application, CheckIn, Feedback
from .steps import BY_KEY
from .store.access import report_reading, signed_in
from .suppression import (
    FEWER_THAN,
    PROTECTING,
    SHOWN,
    SMALL,
    Count,
    fewer_than,
    small_count,
    suppress,
)
from .text import nice_date, number

# The labels below are English, as the code is written; a report is built in the
# language in force, which shows each of them through ``_``.

#: An average over fewer than :data:`SMALL` clients could be one person's (English;
#: :func:`few_clients` in the language in force).
FEW_CLIENTS = f"not shown: {FEWER_THAN} clients"
NOT_STARTED = N_("Not started yet")
NO_INTERVIEW = N_("No interview since")
NO_DATE = N_("Rejection date not recorded")
#: Days from a rejection to the next interview, as (first day, last day, label).
INTERVIEW_BANDS = ((1, 7, N_("1 to 7 days")), (8, 14, N_("8 to 14 days")),
                   (15, 30, N_("15 to 30 days")), (31, 60, N_("31 to 60 days")),
                   (61, 90, N_("61 to 90 days")), (91, None, N_("More than 90 days")))


def few_clients() -> str:
    """What an average over too few clients shows, in the language in force."""
    return _("not shown: {fewer} clients").format(fewer=fewer_than())


def month_label(day: date) -> str:
    """"Apr 2026", "abr 2026": a month of the report in the language in force."""
    return translator().month_year(day)

# --- records to frames ---------------------------------------------------------------


@dataclass(frozen=True)
class Frames:
    """Every client's records, one frame per kind, as the figures need them."""

    clients: pd.DataFrame      # stage, active_on
    rejections: pd.DataFrame   # client_id, application_id, rejected_on, kind
    interviews: pd.DataFrame   # client_id, interview_on
    actions: pd.DataFrame      # due_on, done
    checkins: pd.DataFrame     # client_id, on, mood


def stage_titles() -> list[str]:
    """The stages a client can be at, in journey order: the steps' own titles."""
    return [_(NOT_STARTED), *(f"{n}. {_(BY_KEY[key].title)}"
                              for n, (key, _what) in enumerate(WORKBOOK_STEPS, start=1))]


def client_stage(completed: list[str]) -> str:
    """A client's stage: the furthest step of the workbook that holds their saved work
    (as Progress counts it, :func:`nextround.charts.completed_steps`)."""
    if not completed:
        return _(NOT_STARTED)
    keys = [key for key, _what in WORKBOOK_STEPS]
    return stage_titles()[keys.index(completed[-1]) + 1]


def _by_client(records: list) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for record in records:
        grouped.setdefault(record.client_id, []).append(record)
    return grouped


def _frame(rows: list[dict[str, Any]], columns: list[str], dates: tuple[str, ...] = ()
           ) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame


@dataclass(frozen=True)
class Inputs:
    """What the figures are made from, naming nobody.

    ``client`` in a row is a key that tells one client's rows apart from
    another's within one reading and means nothing outside it: the client's id
    when the records are read directly, a number drawn afresh for each call
    when a supervisor reads them through the database's report functions.
    """

    clients: list[dict[str, Any]]       # stage, active_on
    applications: list[dict[str, Any]]  # client, application, rejected, outcome_on,
    #                                     interview_on, scenario_id
    actions: list[dict[str, Any]]       # due_on, done
    checkins: list[dict[str, Any]]      # client, on, mood


class ReportRefused(NextRoundError):
    """The signed-in person may not build the service report."""


def read_inputs(store, content: Content) -> Inputs:
    """The report's inputs, read as the signed-in person may read them.

    The database's owner, and anyone on SQLite (one machine, one counsellor),
    reads the records themselves. A supervisor on a shared PostgreSQL database
    reads no workbook, so their inputs come through the database's report
    functions (:data:`nextround.store.access.REPORT_FUNCTIONS`), which give
    de-identified rows only. Anyone else is refused in one line.
    """
    person = signed_in(store)
    reading = report_reading(person)
    if reading == "records":
        return inputs_from_records(store, content)
    if reading == "functions":
        return inputs_from_report_functions(store, content)
    raise ReportRefused(
        _("only supervisors can build the service report, and this database login is a "
          "{kind}'s; ask a supervisor for it").format(kind=person.kind))


def inputs_from_records(store, content: Content) -> Inputs:
    """The inputs from every client's records, one store query per table."""
    applications = store.list_all(Application)
    feedback = store.list_all(Feedback)
    answers = store.list_all(Answer)
    checkins = store.list_all(CheckIn)
    actions = store.list_all(Action)
    scenarios = confirmed_scenarios(feedback, answers, (s.id for s in content.scenarios))
    grouped = {name: _by_client(records) for name, records in (
        ("applications", applications), ("feedback", feedback), ("answers", answers),
        ("checkins", checkins), ("actions", actions))}
    activity = store.last_activities()
    clients = []
    for client in store.list_clients():
        apps = grouped["applications"].get(client.id, [])
        done = completed_steps(
            content, applications=apps, feedback=grouped["feedback"].get(client.id, []),
            scenarios={a.id: scenarios[a.id] for a in apps if a.id in scenarios},
            answers=grouped["answers"].get(client.id, []),
            checkins=grouped["checkins"].get(client.id, []),
            actions=grouped["actions"].get(client.id, []))
        active = activity.get(client.id) or client.created_at
        clients.append({"stage": client_stage(done), "active_on": active.date()})
    return Inputs(
        clients=clients,
        applications=[{"client": a.client_id, "application": a.id,
                       "rejected": a.outcome == "rejected", "outcome_on": a.outcome_on,
                       "interview_on": a.interview_on, "scenario_id": scenarios.get(a.id, "")}
                      for a in applications],
        actions=[{"due_on": a.due_on, "done": a.done} for a in actions],
        checkins=[{"client": c.client_id, "on": c.at.date(), "mood": c.mood}
                  for c in checkins])


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def inputs_from_report_functions(store, content: Content) -> Inputs:
    """The inputs as a supervisor's role reads them: through the report functions,
    which count over every client's rows and give back no name, text or id."""
    from sqlalchemy import text

    known = [s.id for s in content.scenarios]
    questions = [keys.ASSESSMENT.key(question=q.id) for q in content.questions]
    step_keys = [key for key, _what in WORKBOOK_STEPS]

    def read(conn) -> Inputs:
        def rows(sql: str, **params: Any) -> list[dict[str, Any]]:
            return [dict(row) for row in conn.execute(text(sql), params).mappings()]

        clients = rows("SELECT * FROM nextround_report_clients(:known, :questions)",
                       known=known, questions=questions)
        applications = rows("SELECT * FROM nextround_report_applications(:known)", known=known)
        actions = rows("SELECT * FROM nextround_report_actions()")
        checkins = rows("SELECT * FROM nextround_report_checkins()")
        return Inputs(
            clients=[{"stage": client_stage([key for key in step_keys if row[key]]),
                      "active_on": _day(row["active_on"])}
                     for row in clients],
            applications=[{"client": row["client_key"], "application": row["application_key"],
                           "rejected": row["rejected"], "outcome_on": _day(row["outcome_on"]),
                           "interview_on": _day(row["interview_on"]),
                           "scenario_id": row["scenario_id"]} for row in applications],
            actions=[{"due_on": _day(row["due_on"]), "done": row["done"]} for row in actions],
            checkins=[{"client": row["client_key"], "on": _day(row["checked_in_on"]),
                       "mood": row["mood"]} for row in checkins])

    return store.database.read(read)


def read_frames(store, content: Content, since: date | None = None) -> Frames:
    """Every client's records as frames (:func:`read_inputs`, then :func:`frames_of`)."""
    return frames_of(read_inputs(store, content), content, since)


def frames_of(inputs: Inputs, content: Content, since: date | None = None) -> Frames:
    """The inputs as frames, the same whoever read them.

    With ``since``, the clients are those with activity (or added) on or
    after that day, the rejections those on or after it (undated ones left
    out, as their day is unknown), the actions those due on or after it and
    the check-ins those made on or after it.
    """
    clients = [row for row in inputs.clients if not (since and row["active_on"] < since)]
    rejections = [{"client_id": a["client"], "application_id": a["application"],
                   "rejected_on": a["outcome_on"],
                   "kind": scenario_title(content, a["scenario_id"])}
                  for a in inputs.applications if a["rejected"]
                  and not (since and (a["outcome_on"] is None or a["outcome_on"] < since))]
    interviews = [{"client_id": a["client"], "interview_on": a["interview_on"]}
                  for a in inputs.applications if a["interview_on"] is not None]
    dated_actions = [a for a in inputs.actions if a["due_on"] is not None
                     and not (since and a["due_on"] < since)]
    moods = [{"client_id": c["client"], "on": c["on"], "mood": c["mood"]}
             for c in inputs.checkins if not (since and c["on"] < since)]
    return Frames(
        clients=_frame(clients, ["stage", "active_on"]),
        rejections=_frame(rejections, ["client_id", "application_id", "rejected_on", "kind"],
                          ("rejected_on",)),
        interviews=_frame(interviews, ["client_id", "interview_on"], ("interview_on",)),
        actions=_frame(dated_actions, ["due_on", "done"], ("due_on",)),
        checkins=_frame(moods, ["client_id", "on", "mood"], ("on",)))


# --- frames to figures ---------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure of the report: its table (plain headings, one row per category),
    a sentence that says what it shows, and the chart the app draws of it.

    A cell holds a number, or the words that stand for a hidden one.
    """

    key: str
    sheet: str
    title: str
    head: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    summary: str
    chart: Chart

    def cell(self, row: str, column: str) -> Any:
        """The cell in the row whose first cell is ``row``, under the heading ``column``."""
        index = self.head.index(column)
        return next(r[index] for r in self.rows if r[0] == row)


@dataclass(frozen=True)
class ServiceReport:
    """The whole report: its figures, and the period they cover."""

    figures: tuple[Figure, ...]
    since: date | None
    made_on: date

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    @property
    def period(self) -> str:
        return period_words(self.since)

    def about(self) -> list[tuple[str, str]]:
        """What the report is, as (heading, text) pairs: the first sheet of the workbook."""
        return [
            (_("Report"), _("NextRound service report")),
            (_("Made on"), self.made_on.isoformat()),
            (_("Covers"), self.period),
            (_("Small counts"), _(
                "Every count under {small} shows as “{fewer}”, never its number. Where a "
                "total would let a hidden count be worked out by subtraction, more counts "
                "show as “{protecting}”.").format(small=SMALL, fewer=fewer_than(),
                                                  protecting=_(PROTECTING))),
            *((figure.title, figure.summary) for figure in self.figures),
        ]


def period_words(since: date | None) -> str:
    """"since 1 September 2026" or "all records": what a report covers."""
    return _("since {date}").format(date=nice_date(since)) if since else _("all records")


def _bar_label(label: str, value: Any) -> str:
    """A bar's label, escaped; a hidden count says so on a second line."""
    if isinstance(value, int | float):
        return chart_esc(label)
    return f"{chart_esc(label)}<br>({chart_esc(value)})"


def counts_chart(key: str, title: str, summary: str, rows: list[tuple[str, Any]],
                 head: tuple[str, str], total_row: tuple[str, Any]) -> Chart:
    """Horizontal bars of counted categories, the first on top; a hidden count gets no
    bar and says so beside its label. Its table has the total too, as the figure's has."""
    shown = list(reversed(rows))  # plotly lists categories from the bottom up
    labels = [_bar_label(label, value) for label, value in shown]
    values = [value if isinstance(value, int) else None for _label, value in shown]
    hover = [f"{chart_esc(label)}: {chart_esc(value)}" for label, value in shown]
    x_title = head[1]
    trace = Trace("hbar", x_title, values, labels, hover, {"color": "#0072B2", "pattern": ""})
    return Chart(key, title, summary, (trace,) if rows else (), head,
                 (*rows, total_row), x_title=x_title, count_axis="x",
                 count_max=max((v for v in values if v is not None), default=0))


def counted_figure(key: str, sheet: str, title: str, head: tuple[str, str], total_label: str,
                   counts: dict[str, int], summary_of) -> Figure:
    """A figure of categories and their total, with small counts suppressed."""
    cells, total = suppress(counts)
    rows = [(label, cells[label].shown) for label in counts]
    summary = summary_of(rows, total)
    total_row = (total_label, total.shown)
    chart = counts_chart(f"service-{key}", title, summary, rows, head, total_row)
    return Figure(key, sheet, title, head, (*rows, total_row), summary, chart)


def _largest(rows: list[tuple[str, Any]]) -> tuple[str, int] | None:
    shown = [(label, value) for label, value in rows if isinstance(value, int) and value]
    return max(shown, key=lambda item: item[1]) if shown else None


def stages_figure(frames: Frames, period: str) -> Figure:
    """Clients by the furthest step of the workbook they have reached."""
    found = frames.clients["stage"].value_counts()
    counts = {stage: int(found.get(stage, 0)) for stage in stage_titles()}

    def summary(rows: list[tuple[str, Any]], total: Count) -> str:
        if total.state != SHOWN:
            return _("Fewer than {small} clients were active ({period}), so no stage is "
                     "shown.").format(small=SMALL, period=period)
        text = ngettext("{count} client was active ({period}).",
                        "{count} clients were active ({period}).", total.value).format(
            count=number(total.value), period=period)
        top = _largest(rows)
        return text + (" " + ngettext(
            "The most common stage reached was “{stage}” ({count} client).",
            "The most common stage reached was “{stage}” ({count} clients).", top[1]).format(
            stage=top[0], count=number(top[1])) if top else "")

    return counted_figure("stages", _("Stages"), _("Clients by stage of the journey"),
                          (_("Stage reached"), _("Clients")), _("All clients"), counts,
                          summary)


def feedback_figure(frames: Frames, content: Content, period: str) -> Figure:
    """Rejections by the kind of feedback the client confirmed."""
    found = frames.rejections["kind"].value_counts()
    kinds = [s.title for s in content.scenarios]
    unconfirmed = _(NOT_CONFIRMED)
    kinds += sorted(set(found.index) - set(kinds) - {unconfirmed}) + [unconfirmed]
    counts = {kind: int(found.get(kind, 0)) for kind in kinds}

    def summary(rows: list[tuple[str, Any]], total: Count) -> str:
        if total.state != SHOWN:
            return _("Fewer than {small} rejections were logged ({period}), so no kind of "
                     "feedback is shown.").format(small=SMALL, period=period)
        top = _largest([row for row in rows if row[0] != unconfirmed])
        return (_rejections_logged(total.value, period)
                + (" " + _("The kind of feedback heard most was “{kind}” ({count}).").format(
                    kind=top[0], count=number(top[1])) if top else ""))

    return counted_figure("feedback", _("Feedback"), _("The kinds of feedback heard"),
                          (_("Kind of feedback"), _("Rejections")), _("All rejections"),
                          counts, summary)


def _rejections_logged(count: int, period: str) -> str:
    return ngettext("{count} rejection was logged ({period}).",
                    "{count} rejections were logged ({period}).", count).format(
        count=number(count), period=period)


def days_to_next_interview(frames: Frames) -> pd.Series:
    """Days from each rejection to the client's next interview on a later day (NaN: none)."""
    rejections = frames.rejections.dropna(subset=["rejected_on"])
    pairs = rejections.merge(frames.interviews, on="client_id")
    later = pairs[pairs["interview_on"] > pairs["rejected_on"]]
    first = later.groupby("application_id")["interview_on"].min().rename("next_on")
    paired = rejections.merge(first, left_on="application_id", right_index=True, how="left")
    days = (paired["next_on"] - paired["rejected_on"]).dt.days
    return days.set_axis(paired["application_id"].to_list())


def interview_band(days: float) -> str:
    """The band a number of days falls in, or "No interview since"."""
    if pd.isna(days):
        return _(NO_INTERVIEW)
    return next(_(label) for first, last, label in INTERVIEW_BANDS
                if days >= first and (last is None or days <= last))


def interview_figure(frames: Frames, period: str) -> Figure:
    """Rejections by the time until the client's next interview."""
    days = days_to_next_interview(frames)
    bands = days.map(interview_band).value_counts()
    undated = int(frames.rejections["rejected_on"].isna().sum())
    labels = [_(label) for _first, _last, label in INTERVIEW_BANDS] + [_(NO_INTERVIEW),
                                                                        _(NO_DATE)]
    counts = {label: int(bands.get(label, 0)) for label in labels}
    counts[_(NO_DATE)] = undated
    followed = days.dropna()

    def summary(_rows: list[tuple[str, Any]], total: Count) -> str:
        if total.state != SHOWN:
            return _("Fewer than {small} rejections were logged ({period}), so no time to "
                     "the next interview is shown.").format(small=SMALL, period=period)
        text = _rejections_logged(total.value, period)
        if len(followed) >= SMALL:
            median = float(followed.median())
            text += " " + ngettext(
                "Where an interview followed, the median time to it was {days} day.",
                "Where an interview followed, the median time to it was {days} days.",
                1 if median == 1 else 2).format(days=number(median))
        return text

    return counted_figure("interview", _("Next interview"),
                          _("Time from a rejection to the next interview"),
                          (_("Days to the next interview"), _("Rejections")),
                          _("All rejections"), counts, summary)


def _month(day: pd.Timestamp) -> str:
    return month_label(day.date())


def actions_figure(frames: Frames, period: str) -> Figure:
    """Actions due each month, and how many of those are done.

    Each month's "Done" and "Not done" add up to its "Actions due", so they
    are suppressed together (:func:`suppress`).
    """
    actions = frames.actions.assign(month=frames.actions["due_on"].dt.to_period("M"))
    by_month = actions.groupby("month")["done"].agg(["size", "sum"])
    rows = []
    for month, (due, done) in by_month.iterrows():
        cells, total = suppress({"Done": int(done), "Not done": int(due - done)})
        rows.append((_month(month.to_timestamp()), total.shown, cells["Done"].shown,
                     cells["Not done"].shown))
    head = (_("Month due"), _("Actions due"), _("Done"), _("Not done"))
    full = [row for row in rows if all(isinstance(v, int) for v in row[1:])]
    if not rows:
        summary = _("No actions with a due date ({period}).").format(period=period)
    elif full:
        busiest = max(full, key=lambda row: row[1])
        summary = _("Actions due by month ({period}). The month with most actions due was "
                    "{month}: {due} due, {done} done.").format(
            period=period, month=busiest[0], due=number(busiest[1]), done=number(busiest[2]))
    else:
        summary = _("Actions due by month ({period}). Every month had {fewer} actions done "
                    "or not done, so none is split.").format(period=period,
                                                             fewer=fewer_than())
    title = _("Actions done against due")
    chart = Chart("service-actions", title, summary,
                  actions_traces(rows), head, tuple(rows), y_title=_("Actions due"),
                  count_max=max((r[1] for r in rows if isinstance(r[1], int)), default=0))
    return Figure("actions", _("Actions"), title, head, tuple(rows), summary, chart)


def actions_traces(rows: list[tuple[Any, ...]]) -> tuple[Trace, ...]:
    """Stacked bars of done and not done; a month whose split is hidden shows its total
    due as one grey bar, and a month whose total is hidden shows none."""
    if not rows:
        return ()
    x = [row[0] for row in rows]
    split = [isinstance(row[2], int) for row in rows]
    traces = [
        Trace("bar", name, x, [row[i] if ok else None for row, ok in zip(rows, split,
                                                                          strict=True)],
              [chart_esc(_("{month}: {count} {measure}").format(
                  month=row[0], count=row[i], measure=name.lower())) for row in rows],
              {"color": color, "pattern": pattern})
        for name, i, color, pattern in ((_("Done"), 2, "#009E73", ""),
                                        (_("Not done"), 3, "#E69F00", "/"))]
    if not all(split):
        due = [row[1] if not ok and isinstance(row[1], int) else None
               for row, ok in zip(rows, split, strict=True)]
        traces.append(Trace("bar", _("Due (split not shown)"), x,
                            due, [chart_esc(_("{month}: {count} due, split hidden").format(
                                month=row[0], count=row[1])) for row in rows],
                            {"color": "#999999", "pattern": "."}))
    return tuple(traces)


def mood_figure(frames: Frames, content: Content, period: str) -> Figure:
    """Check-ins by month: clients who checked in, how often, and the average mood.

    An average over fewer than 5 clients could be one person's mood, so it
    is not shown.
    """
    scale = content.mood
    checkins = frames.checkins.assign(month=frames.checkins["on"].dt.to_period("M"))
    by_month = checkins.groupby("month").agg(clients=("client_id", "nunique"),
                                            checkins=("mood", "size"), mood=("mood", "mean"))
    head = (_("Month"), _("Clients who checked in"), _("Check-ins"),
            _("Average mood ({least} to {most})").format(least=scale.min, most=scale.max))
    rows = []
    for month, item in by_month.iterrows():
        clients = small_count(int(item["clients"]))
        mood = round(float(item["mood"]), 1) if clients.state == SHOWN else few_clients()
        rows.append((_month(month.to_timestamp()), clients.shown,
                     small_count(int(item["checkins"])).shown, mood))
    shown = [row for row in rows if isinstance(row[3], float)]
    if not rows:
        summary = _("No mood check-ins ({period}).").format(period=period)
    elif not shown:
        summary = _("Mood check-ins by month ({period}). Each month had {fewer} clients "
                    "checking in, so no average is shown.").format(period=period,
                                                                  fewer=fewer_than())
    elif len(shown) == 1:
        summary = _("The average mood in {month} was {mood} of {most}.").format(
            month=shown[0][0], mood=number(shown[0][3]), most=scale.max)
    else:
        summary = _("The average mood was {first} of {most} in {first_month} and {latest} in "
                    "{latest_month}.").format(first=number(shown[0][3]), most=scale.max,
                                              first_month=shown[0][0],
                                              latest=number(shown[-1][3]),
                                              latest_month=shown[-1][0])
    hidden = len(rows) - len(shown)
    if shown and hidden:
        summary += " " + ngettext(
            "In {count} month, {fewer} clients checked in, so no average is shown there.",
            "In {count} months, {fewer} clients checked in, so no average is shown there.",
            hidden).format(count=hidden, fewer=fewer_than())
    values = [row[3] if isinstance(row[3], float) else None for row in rows]
    trace = Trace("line", _("Average mood"), [row[0] for row in rows], values,
                  [chart_esc(f"{row[0]}: {_mood_cell(row[3])}") for row in rows],
                  {"color": "#0072B2"})
    ticks = tuple((v, f"{v} {scale.labels.get(v, '')}".strip())
                  for v in range(scale.min, scale.max + 1))
    title = _("Mood over time")
    chart = Chart("service-mood", title, summary, (trace,) if rows else (), head,
                  tuple(rows), x_title=_("Month"), y_title=_("Average mood"),
                  y_range=(scale.min, scale.max), y_ticks=ticks, count_axis="")
    return Figure("mood", _("Mood"), title, head, tuple(rows), summary, chart)


def _mood_cell(value: Any) -> str:
    """An average mood as the language writes it, or the words for a hidden one."""
    return number(value) if isinstance(value, float) else str(value)


def build_report(store, content: Content, *, since: date | None = None,
                 today: date | None = None) -> ServiceReport:
    """The service report from the store's records, ``since`` a day if given."""
    frames = read_frames(store, content, since)
    period = period_words(since)
    return ServiceReport(
        figures=(stages_figure(frames, period), feedback_figure(frames, content, period),
                 interview_figure(frames, period), actions_figure(frames, period),
                 mood_figure(frames, content, period)),
        since=since, made_on=today or date.today())
