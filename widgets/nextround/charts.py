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
from .i18n import N_, _, ngettext
from .model import OUTCOMES, Action, Answer, Application, CheckIn, Feedback
from .text import esc, nice_date, number

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
    """"a, b and c" in the language in force."""
    if len(parts) <= 1:
        return "".join(parts)
    return _("{items} and {last}").format(items=", ".join(parts[:-1]), last=parts[-1])


def direction(first: float, latest: float, *, counted: bool = False) -> str:
    """How the latest value compares with the first: the trend a chart shows.

    ``counted`` speaks of a count ("more", "fewer") rather than a level
    ("higher", "lower").
    """
    if latest > first:
        return _("more than at first") if counted else _("higher than at first")
    if latest < first:
        return _("fewer than at first") if counted else _("lower than at first")
    return _("the same as at first")


def _names(names: list[str], total: int) -> str:
    """Escaped names for hover text: the first few, then how many more."""
    shown = ", ".join(chart_esc(name) for name in names)
    if total <= len(names):
        return shown
    return _("{names} and {count} more").format(names=shown, count=total - len(names))


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
            shown.append(app.company or _("a company"))
    weeks = sorted(counts)
    outcomes = [o for o in OUTCOMES if totals[o]]
    traces = []
    for outcome in outcomes:
        label = _(OUTCOME_LABELS[outcome])
        ys = [counts[w][outcome] for w in weeks]
        hover = [_("Week of {date}: {count} {outcome}").format(
                     date=nice_date(w), count=n, outcome=chart_esc(label.lower()))
                 + f"<br>{_names(names[(w, outcome)], n)}" if n else ""
                 for w, n in zip(weeks, ys, strict=True)]
        traces.append(Trace("bar", label, [w.isoformat() for w in weeks], ys, hover,
                            OUTCOME_STYLE[outcome]))
    rows = tuple((nice_date(w), *(counts[w][o] for o in outcomes), sum(counts[w].values()))
                 for w in weeks)
    return Chart("applications", _("Your applications and how they ended"),
                 applications_summary(counts, undated), tuple(traces),
                 (_("Week of"), *(_(OUTCOME_LABELS[o]) for o in outcomes), _("Total")), rows,
                 x_title=_("Week you applied"), y_title=_("Applications"),
                 count_max=max((row[-1] for row in rows), default=0), x_step_days=7)


def applications_summary(counts: dict[date, Counter], undated: int) -> str:
    """What the weekly bars show: the first week to the latest, and how they ended.

    Applications without a date are not in the chart, so they are only
    mentioned, never counted in with the bars.
    """
    weeks = sorted(counts)
    if not weeks:
        if not undated:
            return _("You have not logged any applications yet.")
        return ngettext(
            "You logged {count} application but none has the date you applied yet, so "
            "there is nothing to chart.",
            "You logged {count} applications but none has the date you applied yet, so "
            "there is nothing to chart.", undated).format(count=undated)
    per_week = [sum(counts[w].values()) for w in weeks]
    ended: Counter = Counter()
    for week in weeks:
        ended.update(counts[week])
    total = sum(per_week)
    if len(weeks) == 1:
        text = ngettext("You applied to {count} job in the week of {week}",
                        "You applied to {count} jobs in the week of {week}", total).format(
            count=total, week=nice_date(weeks[0]))
    else:
        text = ngettext(
            "From the week of {first} to the week of {latest}, you applied to {count} job: "
            "{first_count} in the first week and {latest_count} in the latest, {trend}",
            "From the week of {first} to the week of {latest}, you applied to {count} jobs: "
            "{first_count} in the first week and {latest_count} in the latest, {trend}",
            total).format(first=nice_date(weeks[0]), latest=nice_date(weeks[-1]), count=total,
                          first_count=per_week[0], latest_count=per_week[-1],
                          trend=direction(per_week[0], per_week[-1], counted=True))
    ends = []
    if ended["rejected"]:
        ends.append(ngettext("{count} ended in a rejection", "{count} ended in a rejection",
                             ended["rejected"]).format(count=ended["rejected"]))
    if ended["offer"]:
        ends.append(ngettext("{count} ended in an offer", "{count} ended in an offer",
                             ended["offer"]).format(count=ended["offer"]))
    if ended["withdrawn"]:
        ends.append(_("you withdrew from {count}").format(count=ended["withdrawn"]))
    if ended["pending"]:
        ends.append(ngettext("{count} is still open", "{count} are still open",
                             ended["pending"]).format(count=ended["pending"]))
    if total == 1:
        only = {"rejected": _("It ended in a rejection"), "offer": _("It ended in an offer"),
                "withdrawn": _("You withdrew from it"), "pending": _("It is still open")}
        text += f". {only[next(o for o in OUTCOMES if ended[o])]}."
    else:
        text += ". " + _("Of these, {outcomes}.").format(outcomes=_and(ends))
    if undated:
        text += " " + ngettext(
            "{count} more application has no date and is not in the chart.",
            "{count} more applications have no date and are not in the chart.",
            undated).format(count=undated)
    return text


def feedback_chart(applications: Iterable[Application], scenarios: dict[str, str],
                   content: Content) -> Chart:
    """How many rejections had each kind of feedback, unconfirmed ones included."""
    counts = rejections_by_scenario(applications, scenarios, content)
    titles = list(counts)
    values = [counts[t] for t in titles]
    hover = [ngettext("{kind}: {count} rejection", "{kind}: {count} rejections", n).format(
        kind=chart_esc(t), count=n) for t, n in zip(titles, values, strict=True)]
    trace = Trace("hbar", _("Rejections"), values, [chart_esc(t) for t in titles], hover,
                  {"color": "#CC79A7", "pattern": ""})
    return Chart("feedback", _("The kinds of feedback you heard"), feedback_summary(counts),
                 (trace,) if titles else (), (_("Kind of feedback"), _("Rejections")),
                 tuple((t, counts[t]) for t in titles), x_title=_("Rejections"),
                 count_axis="x", count_max=max(values, default=0))


def feedback_summary(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return _("No rejections are logged yet, so there is no feedback to sort.")
    confirmed = {t: n for t, n in counts.items() if t != _(NOT_CONFIRMED)}
    if not confirmed:
        return ngettext(
            "You have had {count} rejection; you have not confirmed the kind of feedback "
            "for it yet.",
            "You have had {count} rejections; you have not confirmed the kind of feedback "
            "for any of them yet.", total).format(count=total)
    most = max(confirmed.values())
    top = [t for t, n in confirmed.items() if n == most]
    if len(top) == 1:
        return ngettext(
            "You have had {count} rejection; the most common kind of feedback was "
            "“{kind}” ({most}).",
            "You have had {count} rejections; the most common kind of feedback was "
            "“{kind}” ({most}).", total).format(count=total, kind=top[0], most=most)
    kinds = _and([f"“{t}”" for t in top])
    return ngettext(
        "You have had {count} rejection; the most common kinds of feedback were {kinds} "
        "({most} each).",
        "You have had {count} rejections; the most common kinds of feedback were {kinds} "
        "({most} each).", total).format(count=total, kinds=kinds, most=most)


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
        hover.append(_("{date}: mood {mood} of {most}").format(
                         date=nice_date(day), mood=number(mean), most=scale.max)
                     + (f" ({chart_esc(label)})" if label else "")
                     + (f"<br>“{chart_esc(note)}”" if note else ""))
    trace = Trace("line", _("Mood"), [d.isoformat() for d in dates], means, hover,
                  {"color": "#0072B2"})
    ticks = tuple((v, f"{v} {scale.labels.get(v, '')}".strip())
                  for v in range(scale.min, scale.max + 1))
    rows = tuple((nice_date(d), number(m), len(days[d])) for d, m in zip(dates, means,
                                                                           strict=True))
    summary = mood_summary(dates, means, sum(len(v) for v in days.values()), content)
    head = (_("Date"), _("Mood ({least} to {most})").format(least=scale.min, most=scale.max),
            _("Check-ins"))
    return Chart("mood", _("How you have been feeling"), summary,
                 (trace,) if dates else (), head, rows,
                 y_title=_("Mood"), y_range=(scale.min, scale.max), y_ticks=ticks,
                 count_axis="", x_step_days=1)


def mood_summary(dates: list[date], means: list[float], checkins: int,
                 content: Content) -> str:
    """What the mood line shows: its first point and its latest, and which way it went.

    Points are the day's mood (the average when there were several
    check-ins), exactly as drawn; never the lowest and highest, which would
    tell a trend the line does not have.
    """
    if not dates:
        return _("You have not done a mood check-in yet.")
    scale = content.mood

    def mood(value: float) -> str:
        label = scale.labels.get(value) if float(value).is_integer() else None
        text = _("{mood} of {most}").format(mood=number(value), most=scale.max)
        return text + (f" ({label.lower()})" if label else "")

    if len(dates) == 1:
        if checkins == 1:
            return _("You checked in once, on {date}: your mood was {mood}.").format(
                date=nice_date(dates[0]), mood=mood(means[0]))
        return _("You checked in {count} times, on {date}: your mood was {mood} on "
                 "average.").format(count=checkins, date=nice_date(dates[0]),
                                     mood=mood(means[0]))
    return ngettext(
        "You checked in on {count} day. Your mood was {first} on {first_date} and {latest} "
        "on {latest_date}, your latest check-in: {trend}.",
        "You checked in on {count} days. Your mood was {first} on {first_date} and {latest} "
        "on {latest_date}, your latest check-in: {trend}.", len(dates)).format(
        count=len(dates), first=mood(means[0]), first_date=nice_date(dates[0]),
        latest=mood(means[-1]), latest_date=nice_date(dates[-1]),
        trend=direction(means[0], means[-1]))


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
    hover = [_("Due {date}: {titles}").format(date=nice_date(d),
                                              titles=_names(titles[d], due[d])) for d in dates]
    traces = (
        Trace("line", _("Due by then"), x, due_total, hover,
              {"color": "#E69F00", "dash": "dash"}),
        Trace("line", _("Done of those"), x, done_total, hover, {"color": "#009E73"}),
    ) if dates else ()
    return Chart("actions", _("Your plan: actions done against actions due"),
                 actions_summary(all_actions, today), traces,
                 (_("Due date"), _("Due that day"), _("Done of those"), _("Due by then"),
                  _("Done by then")), tuple(rows), y_title=_("Actions"), today=today,
                 count_max=max(due_total, default=0), x_step_days=1)


def actions_summary(actions: list[Action], today: date) -> str:
    """What the plan chart shows: from the first due date to the last, due against done.

    Steps without a due date are not on the chart, so they get a sentence
    of their own rather than being counted in with it.
    """
    if not actions:
        return _("Your plan has no actions yet.")
    dated = sorted((a for a in actions if a.due_on is not None), key=lambda a: a.due_on)
    undated = [a for a in actions if a.due_on is None]
    if dated:
        first, last = dated[0].due_on, dated[-1].due_on
        when = (_("on {date}").format(date=nice_date(first)) if first == last
                else _("from {first} to {last}").format(first=nice_date(first),
                                                        last=nice_date(last)))
        done = sum(a.done for a in dated)
        text = ngettext("Your plan has {count} action due {when}, and you have done {done} "
                        "of them",
                        "Your plan has {count} actions due {when}, and you have done {done} "
                        "of them", len(dated)).format(count=len(dated), when=when, done=done)
        overdue = sum(1 for a in dated if not a.done and a.due_on < today)
        if overdue:
            text += "; " + ngettext("{count} is overdue", "{count} are overdue",
                                    overdue).format(count=overdue)
        text += "."
    else:
        text = _("None of your actions has a due date yet, so there is nothing to chart.")
    if undated:
        done = sum(a.done for a in undated)
        text += " " + ngettext(
            "{count} action has no due date ({done} done) and is not on the chart.",
            "{count} actions have no due date ({done} done) and are not on the chart.",
            len(undated)).format(count=len(undated), done=done)
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
    show = esc(_("Show the numbers as a table"))
    return (f"<details class='nr-chart-data' id='{table_id(chart)}'>"
            f"<summary>{show}</summary>"
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
