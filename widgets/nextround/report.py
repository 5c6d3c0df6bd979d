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
from .model import Action, Answer, Application, CheckIn, Feedback
from .steps import BY_KEY
from .store.access import report_reading, signed_in
from .suppression import (
    FEWER_THAN,
    PROTECTING,
    SHOWN,
    SMALL,
    Count,
    small_count,
    suppress,
)
from .text import nice_date

#: An average over fewer than :data:`SMALL` clients could be one person's.
FEW_CLIENTS = f"not shown: {FEWER_THAN} clients"
NOT_STARTED = "Not started yet"
NO_INTERVIEW = "No interview since"
NO_DATE = "Rejection date not recorded"
#: Days from a rejection to the next interview, as (first day, last day, label).
INTERVIEW_BANDS = ((1, 7, "1 to 7 days"), (8, 14, "8 to 14 days"), (15, 30, "15 to 30 days"),
                   (31, 60, "31 to 60 days"), (61, 90, "61 to 90 days"),
                   (91, None, "More than 90 days"))

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
    return [NOT_STARTED, *(f"{n}. {BY_KEY[key].title}"
                           for n, (key, _what) in enumerate(WORKBOOK_STEPS, start=1))]


def client_stage(completed: list[str]) -> str:
    """A client's stage: the furthest step of the workbook that holds their saved work
    (as Progress counts it, :func:`nextround.charts.completed_steps`)."""
    if not completed:
        return NOT_STARTED
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
        f"only supervisors can build the service report, and this database login is a "
        f"{person.kind}'s; ask a supervisor for it")


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
        return f"since {nice_date(self.since)}" if self.since else "all records"

    def about(self) -> list[tuple[str, str]]:
        """What the report is, as (heading, text) pairs: the first sheet of the workbook."""
        return [
            ("Report", "NextRound service report"),
            ("Made on", self.made_on.isoformat()),
            ("Covers", self.period),
            ("Small counts", f"Every count under {SMALL} shows as “{FEWER_THAN}”, never its "
                             "number. Where a total would let a hidden count be worked out by "
                             f"subtraction, more counts show as “{PROTECTING}”."),
            *((figure.title, figure.summary) for figure in self.figures),
        ]


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
            return f"{FEWER_THAN.capitalize()} clients were active ({period}), so no stage " \
                   "is shown."
        text = f"{total.value} clients were active ({period})."
        top = _largest(rows)
        return text + (f" The most common stage reached was “{top[0]}” ({top[1]} clients)."
                       if top else "")

    return counted_figure("stages", "Stages", "Clients by stage of the journey",
                          ("Stage reached", "Clients"), "All clients", counts, summary)


def feedback_figure(frames: Frames, content: Content, period: str) -> Figure:
    """Rejections by the kind of feedback the client confirmed."""
    found = frames.rejections["kind"].value_counts()
    kinds = [s.title for s in content.scenarios]
    kinds += sorted(set(found.index) - set(kinds) - {NOT_CONFIRMED}) + [NOT_CONFIRMED]
    counts = {kind: int(found.get(kind, 0)) for kind in kinds}

    def summary(rows: list[tuple[str, Any]], total: Count) -> str:
        if total.state != SHOWN:
            return f"{FEWER_THAN.capitalize()} rejections were logged ({period}), so no kind " \
                   "of feedback is shown."
        top = _largest([row for row in rows if row[0] != NOT_CONFIRMED])
        return (f"{total.value} rejections were logged ({period})."
                + (f" The kind of feedback heard most was “{top[0]}” ({top[1]})." if top
                   else ""))

    return counted_figure("feedback", "Feedback", "The kinds of feedback heard",
                          ("Kind of feedback", "Rejections"), "All rejections", counts, summary)


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
        return NO_INTERVIEW
    return next(label for first, last, label in INTERVIEW_BANDS
                if days >= first and (last is None or days <= last))


def interview_figure(frames: Frames, period: str) -> Figure:
    """Rejections by the time until the client's next interview."""
    days = days_to_next_interview(frames)
    bands = days.map(interview_band).value_counts()
    undated = int(frames.rejections["rejected_on"].isna().sum())
    labels = [label for _first, _last, label in INTERVIEW_BANDS] + [NO_INTERVIEW, NO_DATE]
    counts = {label: int(bands.get(label, 0)) for label in labels}
    counts[NO_DATE] = undated
    followed = days.dropna()

    def summary(_rows: list[tuple[str, Any]], total: Count) -> str:
        if total.state != SHOWN:
            return f"{FEWER_THAN.capitalize()} rejections were logged ({period}), so no time " \
                   "to the next interview is shown."
        text = f"{total.value} rejections were logged ({period})."
        if len(followed) >= SMALL:
            text += (" Where an interview followed, the median time to it was "
                     f"{followed.median():g} days.")
        return text

    return counted_figure("interview", "Next interview",
                          "Time from a rejection to the next interview",
                          ("Days to the next interview", "Rejections"), "All rejections",
                          counts, summary)


def _month(day: pd.Timestamp) -> str:
    return day.strftime("%b %Y")


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
    head = ("Month due", "Actions due", "Done", "Not done")
    full = [row for row in rows if all(isinstance(v, int) for v in row[1:])]
    if not rows:
        summary = f"No actions with a due date ({period})."
    elif full:
        busiest = max(full, key=lambda row: row[1])
        summary = (f"Actions due by month ({period}). The month with most actions due was "
                   f"{busiest[0]}: {busiest[1]} due, {busiest[2]} done.")
    else:
        summary = (f"Actions due by month ({period}). Every month had {FEWER_THAN} actions "
                   "done or not done, so none is split.")
    chart = Chart("service-actions", "Actions done against due", summary,
                  actions_traces(rows), head, tuple(rows), y_title="Actions due",
                  count_max=max((r[1] for r in rows if isinstance(r[1], int)), default=0))
    return Figure("actions", "Actions", "Actions done against due", head, tuple(rows),
                  summary, chart)


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
              [chart_esc(f"{row[0]}: {row[i]} {name.lower()}") for row in rows],
              {"color": color, "pattern": pattern})
        for name, i, color, pattern in (("Done", 2, "#009E73", ""),
                                        ("Not done", 3, "#E69F00", "/"))]
    if not all(split):
        due = [row[1] if not ok and isinstance(row[1], int) else None
               for row, ok in zip(rows, split, strict=True)]
        traces.append(Trace("bar", "Due (split not shown)", x,
                            due, [chart_esc(f"{row[0]}: {row[1]} due, split hidden")
                                  for row in rows], {"color": "#999999", "pattern": "."}))
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
    head = ("Month", "Clients who checked in", "Check-ins", f"Average mood ({scale.min} to "
                                                            f"{scale.max})")
    rows = []
    for month, item in by_month.iterrows():
        clients = small_count(int(item["clients"]))
        mood = round(float(item["mood"]), 1) if clients.state == SHOWN else FEW_CLIENTS
        rows.append((_month(month.to_timestamp()), clients.shown,
                     small_count(int(item["checkins"])).shown, mood))
    shown = [row for row in rows if isinstance(row[3], float)]
    if not rows:
        summary = f"No mood check-ins ({period})."
    elif not shown:
        summary = (f"Mood check-ins by month ({period}). Each month had {FEWER_THAN} clients "
                   "checking in, so no average is shown.")
    elif len(shown) == 1:
        summary = f"The average mood in {shown[0][0]} was {shown[0][3]:g} of {scale.max}."
    else:
        summary = (f"The average mood was {shown[0][3]:g} of {scale.max} in {shown[0][0]} and "
                   f"{shown[-1][3]:g} in {shown[-1][0]}.")
    hidden = len(rows) - len(shown)
    if shown and hidden:
        months = "month" if hidden == 1 else "months"
        summary += (f" In {hidden} {months}, {FEWER_THAN} clients checked in, so no average "
                    "is shown there.")
    values = [row[3] if isinstance(row[3], float) else None for row in rows]
    trace = Trace("line", "Average mood", [row[0] for row in rows], values,
                  [chart_esc(f"{row[0]}: {row[3]}") for row in rows], {"color": "#0072B2"})
    ticks = tuple((v, f"{v} {scale.labels.get(v, '')}".strip())
                  for v in range(scale.min, scale.max + 1))
    chart = Chart("service-mood", "Mood over time", summary, (trace,) if rows else (), head,
                  tuple(rows), x_title="Month", y_title="Average mood",
                  y_range=(scale.min, scale.max), y_ticks=ticks, count_axis="")
    return Figure("mood", "Mood", "Mood over time", head, tuple(rows), summary, chart)


def build_report(store, content: Content, *, since: date | None = None,
                 today: date | None = None) -> ServiceReport:
    """The service report from the store's records, ``since`` a day if given."""
    frames = read_frames(store, content, since)
    period = f"since {nice_date(since)}" if since else "all records"
    return ServiceReport(
        figures=(stages_figure(frames, period), feedback_figure(frames, content, period),
                 interview_figure(frames, period), actions_figure(frames, period),
                 mood_figure(frames, content, period)),
        since=since, made_on=today or date.today())
