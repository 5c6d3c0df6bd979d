"""The numbers behind the Progress charts: plain Python, no widgets, no plotly.

Seeing the search as a whole puts one "no" in proportion: the applications
sent, the kinds of feedback heard, how mood has moved, and the plan getting
done. Each chart here is a :class:`Chart`: its aggregated series, a sentence
that says what it shows, and a table of its numbers, so the charts work
without seeing them at all. One pass over each table: a client with ten
thousand applications gets a few hundred weekly bars, not ten thousand points.

Drawing is the component's job (``components/progress.py``); this module
only counts, words and escapes, so it is tested without a browser.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from . import answer_keys as keys
from .caseload import NOT_CONFIRMED, rejections_by_scenario
from .content import Content
from .html_table import html_table
from .i18n import N_, _
from .model import OUTCOMES, Action, Answer, Application, CheckIn, Feedback
from .text import esc, nice_date, plural

OUTCOME_LABELS = {"pending": N_("Still open"), "rejected": N_("Rejected"), "offer": N_("Offer"),
                  "withdrawn": N_("Withdrawn")}
#: Okabe-Ito colours (safe for colour blindness) plus a fill pattern each,
#: so outcomes differ by more than colour.
OUTCOME_STYLE = {
    "pending": {"color": "#999999", "pattern": ""},
    "rejected": {"color": "#D55E00", "pattern": "/"},
    "offer": {"color": "#009E73", "pattern": "."},
    "withdrawn": {"color": "#0072B2", "pattern": "x"},
}
#: Borders for the charts' data tables, scoped to them.
TABLE_STYLE = (
    "<style>.nr-chart-table{border-collapse:collapse;margin:.5em 0}"
    ".nr-chart-table th,.nr-chart-table td{border:1px solid #6b6b6b;padding:.2em .5em;"
    "text-align:left}.nr-chart-table caption{text-align:left;font-weight:600}</style>")
#: How many company names a bar's hover text lists before "and N more".
HOVER_NAMES = 3
#: Longest check-in note shown in the mood chart's hover text.
HOVER_NOTE = 80
#: A day in milliseconds, plotly's unit for steps along a date axis.
DAY_MS = 86_400_000
#: Dates on an axis read as "3 Nov 2026": days, never hours.
DATE_TICK_FORMAT = "%-d %b %Y"
#: Whole days between date ticks, smallest first; weeks once days crowd.
TICK_STEPS_DAYS = (1, 2, 7, 14, 28, 56, 91, 182, 364)
#: At most this many dates along an axis, so they never overlap at 600 px.
MAX_DATE_TICKS = 5


#: The workbook steps whose saved data counts toward completion, and what counts.
WORKBOOK_STEPS: tuple[tuple[str, str], ...] = (
    ("log", N_("an application logged")),
    ("feedback", N_("feedback recorded")),
    ("understand", N_("a kind of feedback confirmed")),
    ("assess", N_("a self-assessment answer")),
    ("wellbeing", N_("a mood check-in")),
    ("gracious", N_("a gracious step ticked")),
    ("plan", N_("a step in your plan")),
)


def completed_steps(content: Content, *, applications: list[Application],
                    feedback: list[Feedback], scenarios: dict[str, str],
                    answers: list[Answer], checkins: list[CheckIn],
                    actions: list[Action]) -> list[str]:
    """The keys of the workbook steps that hold saved work."""
    questions = {keys.ASSESSMENT.key(question=q.id) for q in content.questions}
    found = {
        "log": bool(applications),
        "feedback": bool(feedback),
        "understand": bool(scenarios),
        "assess": any(a.key in questions and a.value not in (None, "", [], {})
                      for a in answers),
        "wellbeing": bool(checkins),
        "gracious": any(keys.is_gracious_done(a.key) and a.value is True for a in answers),
        "plan": bool(actions),
    }
    return [key for key, _what in WORKBOOK_STEPS if found[key]]


@dataclass(frozen=True)
class Trace:
    """One series of a chart, already aggregated. Hover text is escaped HTML."""

    kind: str  # "bar", "hbar" or "line"
    name: str
    x: list[Any]
    y: list[Any]
    hover: list[str] = field(default_factory=list)
    style: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Chart:
    """A chart's numbers, its one-sentence summary and its table of data."""

    key: str
    title: str
    summary: str
    traces: tuple[Trace, ...]
    head: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    x_title: str = ""
    y_title: str = ""
    y_range: tuple[float, float] | None = None
    y_ticks: tuple[tuple[int, str], ...] = ()
    today: date | None = None
    count_axis: str = "y"  # the axis that counts things: whole numbers only
    count_max: int = 0
    #: Days between the dates the x axis shows: 7 for weekly bars, 1 for days,
    #: 0 when the x axis is not a time axis.
    x_step_days: int = 0


def chart_esc(text: object) -> str:
    """Escape text for plotly, whose labels read a small HTML subset.

    As :func:`esc`, but a double quote becomes ``&#34;``: plotly decodes
    numeric entities and only a few named ones, so ``&quot;`` would show as
    typed rather than as ``"``.
    """
    return esc(text).replace("&quot;", "&#34;")


def _and(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def direction(first: float, latest: float, *, more: str = "higher", less: str = "lower"
              ) -> str:
    """How the latest value compares with the first: the trend a chart shows."""
    if latest > first:
        return f"{more} than at first"
    if latest < first:
        return f"{less} than at first"
    return "the same as at first"


def _names(names: list[str], total: int) -> str:
    """Escaped names for hover text: the first few, then how many more."""
    shown = ", ".join(chart_esc(name) for name in names)
    return shown + (f" and {total - len(names)} more" if total > len(names) else "")


def applications_chart(applications: Iterable[Application]) -> Chart:
    """Applications per week (by the date applied), stacked by how they ended."""
    counts: dict[date, Counter] = defaultdict(Counter)
    names: dict[tuple[date, str], list[str]] = defaultdict(list)
    totals: Counter = Counter()
    undated = 0
    for app in applications:
        totals[app.outcome] += 1
        if app.applied_on is None:
            undated += 1
            continue
        week = app.applied_on - timedelta(days=app.applied_on.weekday())
        counts[week][app.outcome] += 1
        shown = names[(week, app.outcome)]
        if len(shown) < HOVER_NAMES:
            shown.append(app.company or "a company")
    weeks = sorted(counts)
    outcomes = [o for o in OUTCOMES if totals[o]]
    traces = []
    for outcome in outcomes:
        label = _(OUTCOME_LABELS[outcome])
        ys = [counts[w][outcome] for w in weeks]
        hover = [f"Week of {nice_date(w)}: {n} {chart_esc(label.lower())}<br>"
                 f"{_names(names[(w, outcome)], n)}" if n else ""
                 for w, n in zip(weeks, ys, strict=True)]
        traces.append(Trace("bar", label, [w.isoformat() for w in weeks], ys, hover,
                            OUTCOME_STYLE[outcome]))
    rows = tuple((nice_date(w), *(counts[w][o] for o in outcomes), sum(counts[w].values()))
                 for w in weeks)
    return Chart("applications", "Your applications and how they ended",
                 applications_summary(counts, undated), tuple(traces),
                 (_("Week of"), *(_(OUTCOME_LABELS[o]) for o in outcomes), _("Total")), rows,
                 x_title="Week you applied", y_title="Applications",
                 count_max=max((row[-1] for row in rows), default=0), x_step_days=7)


def applications_summary(counts: dict[date, Counter], undated: int) -> str:
    """What the weekly bars show: the first week to the latest, and how they ended.

    Applications without a date are not in the chart, so they are only
    mentioned, never counted in with the bars.
    """
    weeks = sorted(counts)
    if not weeks:
        if not undated:
            return "You have not logged any applications yet."
        return (f"You logged {plural(undated, 'application')} but none has the date you "
                "applied yet, so there is nothing to chart.")
    per_week = [sum(counts[w].values()) for w in weeks]
    ended: Counter = Counter()
    for week in weeks:
        ended.update(counts[week])
    total = sum(per_week)
    if len(weeks) == 1:
        text = f"You applied to {plural(total, 'job')} in the week of {nice_date(weeks[0])}"
    else:
        text = (f"From the week of {nice_date(weeks[0])} to the week of "
                f"{nice_date(weeks[-1])}, you applied to {plural(total, 'job')}: "
                f"{per_week[0]} in the first week and {per_week[-1]} in the latest, "
                f"{direction(per_week[0], per_week[-1], more='more', less='fewer')}")
    ends = []
    if ended["rejected"]:
        ends.append(f"{ended['rejected']} ended in a rejection")
    if ended["offer"]:
        ends.append(f"{ended['offer']} ended in an offer")
    if ended["withdrawn"]:
        ends.append(f"you withdrew from {ended['withdrawn']}")
    if ended["pending"]:
        ends.append(f"{ended['pending']} {'is' if ended['pending'] == 1 else 'are'} "
                    "still open")
    if total == 1:
        only = {"rejected": "It ended in a rejection", "offer": "It ended in an offer",
                "withdrawn": "You withdrew from it", "pending": "It is still open"}
        text += f". {only[next(o for o in OUTCOMES if ended[o])]}."
    else:
        text += f". Of these, {_and(ends)}."
    if undated:
        verb = "is" if undated == 1 else "are"
        text += (f" {plural(undated, 'more application has', 'more applications have')} "
                 f"no date and {verb} not in the chart.")
    return text


def feedback_chart(applications: Iterable[Application], scenarios: dict[str, str],
                   content: Content) -> Chart:
    """How many rejections had each kind of feedback, unconfirmed ones included."""
    counts = rejections_by_scenario(applications, scenarios, content)
    titles = list(counts)
    values = [counts[t] for t in titles]
    hover = [f"{chart_esc(t)}: {plural(n, 'rejection')}"
             for t, n in zip(titles, values, strict=True)]
    trace = Trace("hbar", "Rejections", values, [chart_esc(t) for t in titles], hover,
                  {"color": "#CC79A7", "pattern": ""})
    return Chart("feedback", "The kinds of feedback you heard", feedback_summary(counts),
                 (trace,) if titles else (), ("Kind of feedback", "Rejections"),
                 tuple((t, counts[t]) for t in titles), x_title="Rejections",
                 count_axis="x", count_max=max(values, default=0))


def feedback_summary(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return "No rejections are logged yet, so there is no feedback to sort."
    confirmed = {t: n for t, n in counts.items() if t != NOT_CONFIRMED}
    start = f"You have had {plural(total, 'rejection')}"
    if not confirmed:
        return f"{start}; you have not confirmed the kind of feedback for any of them yet."
    most = max(confirmed.values())
    top = [t for t, n in confirmed.items() if n == most]
    if len(top) == 1:
        return f"{start}; the most common kind of feedback was “{top[0]}” ({most})."
    kinds = _and([f"“{t}”" for t in top])
    return f"{start}; the most common kinds of feedback were {kinds} ({most} each)."


def mood_chart(checkins: Iterable[CheckIn], content: Content) -> Chart:
    """Mood by day (the day's average when there were several check-ins)."""
    scale = content.mood
    days: dict[date, list[int]] = defaultdict(list)
    notes: dict[date, str] = {}
    for checkin in sorted(checkins, key=lambda c: c.at):
        day = checkin.at.date()
        days[day].append(checkin.mood)
        if checkin.note.strip():
            notes[day] = checkin.note.strip()
    dates = sorted(days)
    means = [round(sum(days[d]) / len(days[d]), 1) for d in dates]
    hover = []
    for day, mean in zip(dates, means, strict=True):
        label = scale.labels.get(round(mean), "")
        note = notes.get(day, "")
        if len(note) > HOVER_NOTE:
            note = note[:HOVER_NOTE - 1] + "…"
        hover.append(f"{nice_date(day)}: mood {mean:g} of {scale.max}"
                     + (f" ({chart_esc(label)})" if label else "")
                     + (f"<br>“{chart_esc(note)}”" if note else ""))
    trace = Trace("line", "Mood", [d.isoformat() for d in dates], means, hover,
                  {"color": "#0072B2"})
    ticks = tuple((v, f"{v} {scale.labels.get(v, '')}".strip())
                  for v in range(scale.min, scale.max + 1))
    rows = tuple((nice_date(d), f"{m:g}", len(days[d])) for d, m in zip(dates, means,
                                                                          strict=True))
    summary = mood_summary(dates, means, sum(len(v) for v in days.values()), content)
    return Chart("mood", "How you have been feeling", summary,
                 (trace,) if dates else (), ("Date", f"Mood ({scale.min} to {scale.max})",
                                             "Check-ins"), rows,
                 y_title="Mood", y_range=(scale.min, scale.max), y_ticks=ticks,
                 count_axis="", x_step_days=1)


def mood_summary(dates: list[date], means: list[float], checkins: int,
                 content: Content) -> str:
    """What the mood line shows: its first point and its latest, and which way it went.

    Points are the day's mood (the average when there were several
    check-ins), exactly as drawn; never the lowest and highest, which would
    tell a trend the line does not have.
    """
    if not dates:
        return "You have not done a mood check-in yet."
    scale = content.mood

    def mood(value: float) -> str:
        label = scale.labels.get(value) if float(value).is_integer() else None
        return f"{value:g} of {scale.max}" + (f" ({label.lower()})" if label else "")

    if len(dates) == 1:
        times = "once" if checkins == 1 else f"{checkins} times"
        average = "" if checkins == 1 else " on average"
        return (f"You checked in {times}, on {nice_date(dates[0])}: your mood was "
                f"{mood(means[0])}{average}.")
    return (f"You checked in on {plural(len(dates), 'day')}. Your mood was {mood(means[0])} "
            f"on {nice_date(dates[0])} and {mood(means[-1])} on {nice_date(dates[-1])}, "
            f"your latest check-in: {direction(means[0], means[-1])}.")


def actions_chart(actions: Iterable[Action], today: date) -> Chart:
    """Actions due by each date against how many of those are done."""
    due: Counter = Counter()
    done: Counter = Counter()
    titles: dict[date, list[str]] = defaultdict(list)
    all_actions = list(actions)
    for action in all_actions:
        if action.due_on is None:
            continue
        due[action.due_on] += 1
        done[action.due_on] += action.done
        if len(titles[action.due_on]) < HOVER_NAMES:
            titles[action.due_on].append(action.title)
    dates = sorted(due)
    due_total, done_total, rows = [], [], []
    running_due = running_done = 0
    for day in dates:
        running_due += due[day]
        running_done += done[day]
        due_total.append(running_due)
        done_total.append(running_done)
        rows.append((nice_date(day), due[day], done[day], running_due, running_done))
    x = [d.isoformat() for d in dates]
    hover = [f"Due {nice_date(d)}: {_names(titles[d], due[d])}" for d in dates]
    traces = (
        Trace("line", "Due by then", x, due_total, hover, {"color": "#E69F00", "dash": "dash"}),
        Trace("line", "Done of those", x, done_total, hover, {"color": "#009E73"}),
    ) if dates else ()
    return Chart("actions", "Your plan: actions done against actions due",
                 actions_summary(all_actions, today), traces,
                 ("Due date", "Due that day", "Done of those", "Due by then",
                  "Done by then"), tuple(rows), y_title="Actions", today=today,
                 count_max=max(due_total, default=0), x_step_days=1)


def actions_summary(actions: list[Action], today: date) -> str:
    """What the plan chart shows: from the first due date to the last, due against done.

    Steps without a due date are not on the chart, so they get a sentence
    of their own rather than being counted in with it.
    """
    if not actions:
        return "Your plan has no actions yet."
    dated = sorted((a for a in actions if a.due_on is not None), key=lambda a: a.due_on)
    undated = [a for a in actions if a.due_on is None]
    if dated:
        first, last = dated[0].due_on, dated[-1].due_on
        when = (f"on {nice_date(first)}" if first == last
                else f"from {nice_date(first)} to {nice_date(last)}")
        done = sum(a.done for a in dated)
        text = (f"Your plan has {plural(len(dated), 'action')} due {when}, and you have "
                f"done {done} of them")
        overdue = sum(1 for a in dated if not a.done and a.due_on < today)
        if overdue:
            text += f"; {overdue} {'is' if overdue == 1 else 'are'} overdue"
        text += "."
    else:
        text = "None of your actions has a due date yet, so there is nothing to chart."
    if undated:
        done = sum(a.done for a in undated)
        text += (f" {plural(len(undated), 'action has', 'actions have')} no due date "
                 f"({done} done) and {'is' if len(undated) == 1 else 'are'} not on the "
                 "chart.")
    return text


def date_axis(days: Sequence[date], *, step_days: int = 1) -> dict[str, Any]:
    """An x axis of whole days (or whole weeks), whatever the number of points.

    Left to itself, plotly zooms a single point or two close dates down to
    hours ("23:59:59.9996"). So the range is set to the points plus half a
    step either side, and ticks start on the first point and fall every
    whole number of days (weeks for weekly data), at most :data:`MAX_DATE_TICKS`.
    """
    axis: dict[str, Any] = {"type": "date", "tickformat": DATE_TICK_FORMAT,
                            "hoverformat": DATE_TICK_FORMAT, "tickmode": "linear",
                            "dtick": step_days * DAY_MS}
    if not days:
        return axis
    first, last = min(days), max(days)
    span = (last - first).days
    step = next((s for s in TICK_STEPS_DAYS if s % step_days == 0
                 and span // s + 1 <= MAX_DATE_TICKS), None)
    if step is None:
        weeks = -(-span // (7 * (MAX_DATE_TICKS - 1)))
        step = 7 * weeks
    # Half a step either side. A lone point gets a little under a whole step:
    # room enough that a single weekly bar does not fill the chart, and still
    # one tick, its own.
    pad = timedelta(hours=(21 if first == last else 12) * max(step, step_days))
    start = datetime.combine(first, datetime.min.time()) - pad
    end = datetime.combine(last, datetime.min.time()) + pad
    axis.update(tick0=first.isoformat(), dtick=step * DAY_MS,
                range=[start.isoformat(sep=" "), end.isoformat(sep=" ")])
    return axis


def data_table(chart: Chart) -> str:
    """The chart's numbers as a small HTML table, every cell escaped."""
    if not chart.rows:
        return ""
    table = html_table(chart.head, chart.rows, caption=chart.title,
                       css="nr-table nr-chart-table")
    return (f"<details class='nr-chart-data' id='{table_id(chart)}'>"
            "<summary>Show the numbers as a table</summary>"
            f"{TABLE_STYLE}{table}</details>")


def summary_id(chart: Chart) -> str:
    """The id of the chart's sentence: the drawn chart names it as its description."""
    return f"nr-chart-summary-{chart.key}"


def table_id(chart: Chart) -> str:
    """The id of the chart's table: the drawn chart points to it for the details."""
    return f"nr-chart-data-{chart.key}"


def text_alternative(chart: Chart) -> str:
    """What the chart says, for anyone who cannot see it: a sentence and the data."""
    return (f"<p class='nr-text nr-chart-summary' id='{summary_id(chart)}'>"
            f"{esc(chart.summary)}</p>{data_table(chart)}")
