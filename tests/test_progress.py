"""Progress: the completion bar, the four charts, their text alternatives,
escaping of user text in charts, and speed on a very long history."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest

from nextround import model
from nextround.charts import Chart, Trace
from nextround.components.progress import (
    CHART_CLASS,
    PLOTLY_MIME,
    WORKBOOK_STEPS,
    Progress,
    figure_bundle,
    lazy_plotly_html,
)
from nextround.steps import STEPS, step_by_key
from nextround.web import plotly_js_url_path

TODAY = date(2024, 6, 20)  # a Thursday
HOSTILE = "<script>alert(1)</script>"
WIDGETS_DIR = str(Path(__file__).resolve().parent.parent / "widgets")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def figure(progress: Progress, index: int) -> dict:
    """The plotly figure JSON shown in one chart's Output."""
    outputs = progress.chart_outputs[index].outputs
    assert len(outputs) == 1
    assert outputs[0]["output_type"] == "display_data"
    return outputs[0]["data"][PLOTLY_MIME]


def traces_by_name(fig: dict) -> dict[str, dict]:
    return {trace["name"]: trace for trace in fig["data"]}


@pytest.fixture
def history(store):
    """A client with four applications over three weeks, feedback, moods and a plan."""
    client = store.create_client("Dee Ramos")
    cid = client.id
    week1, week2, week3 = date(2024, 6, 3), date(2024, 6, 10), date(2024, 6, 17)  # Mondays
    acme = store.add(model.Application(client_id=cid, company="Acme", role="Analyst",
                                       applied_on=week1, outcome="rejected"))
    store.add(model.Application(client_id=cid, company="Brill", applied_on=week1 + timedelta(2),
                                outcome="rejected"))
    store.add(model.Application(client_id=cid, company=HOSTILE, applied_on=week2,
                                outcome="pending"))
    store.add(model.Application(client_id=cid, company="Corvo", applied_on=week3 + timedelta(1),
                                outcome="offer"))
    store.add(model.Feedback(client_id=cid, application_id=acme.id, person="Jo",
                             heard="They hired someone with more SQL.", scenario_id="skill_gap",
                             asked_on=week2))
    store.add(model.CheckIn(client_id=cid, at=at(week1), mood=2, note="Flat after Acme."))
    store.add(model.CheckIn(client_id=cid, at=at(week2), mood=3, note=f"Hmm {HOSTILE}"))
    store.add(model.CheckIn(client_id=cid, at=at(week2, 15), mood=4))
    store.add(model.Action(client_id=cid, title="Learn SQL joins", due_on=date(2024, 6, 10),
                           done=True))
    store.add(model.Action(client_id=cid, title="Write three stories", due_on=date(2024, 6, 15)))
    store.add(model.Action(client_id=cid, title="Practise interviews", due_on=date(2024, 6, 30)))
    return client


def build(store, content, client) -> Progress:
    """Progress as the step registry builds it (with the steps' titles), on a fixed day."""
    return Progress.create(content=content, store=store, client_id=client.id, today=TODAY,
                           step_titles={step.key: step.title for step in STEPS})


def test_progress_builds_four_plotly_charts_with_the_aggregated_data(store, content, history):
    progress = build(store, content, history)

    apps = traces_by_name(figure(progress, 0))
    assert set(apps) == {"Still open", "Rejected", "Offer"}
    assert apps["Rejected"]["x"] == ["2024-06-03", "2024-06-10", "2024-06-17"]
    assert apps["Rejected"]["y"] == [2, 0, 0]
    assert apps["Still open"]["y"] == [0, 1, 0]
    assert apps["Offer"]["y"] == [0, 0, 1]
    assert all(trace["type"] == "bar" for trace in apps.values())

    kinds = figure(progress, 1)["data"]
    assert len(kinds) == 1 and kinds[0]["orientation"] == "h"
    assert kinds[0]["y"] == ["A specific skill was missing", "Not yet confirmed"]
    assert kinds[0]["x"] == [1, 1]

    mood_fig = figure(progress, 2)
    mood = mood_fig["data"][0]
    assert mood["x"] == ["2024-06-03", "2024-06-10"]
    assert mood["y"] == [2.0, 3.5]  # two check-ins on the 10th average to 3.5
    assert mood_fig["layout"]["yaxis"]["range"] == [content.mood.min, content.mood.max]

    plan = traces_by_name(figure(progress, 3))
    assert plan["Due by then"]["x"] == ["2024-06-10", "2024-06-15", "2024-06-30"]
    assert plan["Due by then"]["y"] == [1, 2, 3]
    assert plan["Done of those"]["y"] == [1, 1, 1]

    for index in range(4):
        bundle = progress.chart_outputs[index].outputs[0]["data"]
        assert bundle[PLOTLY_MIME]["config"]["displaylogo"] is False
        json.dumps(bundle)  # plain JSON, as the mimetype renderer needs


def data_row(head: tuple[str, ...], *cells: str) -> str:
    """One row of a chart's table as written: each cell labelled with its column's header."""
    return ("<tr role='row'>" + "".join(f"<td role='cell' data-label='{label}'>{cell}</td>"
                                        for label, cell in zip(head, cells, strict=True))
            + "</tr>")


def test_each_chart_has_a_summary_and_its_data_as_a_table(store, content, history):
    progress = build(store, content, history)
    apps, kinds, mood, plan = (text.value for text in progress.chart_texts)

    assert ("From the week of 3 June 2024 to the week of 17 June 2024, you applied to 4 jobs: "
            "2 in the first week and 1 in the latest, fewer than at first. Of these, 2 ended "
            "in a rejection, 1 ended in an offer and 1 is still open.") in apps
    assert "<th scope='col' role='columnheader'>Week of</th>" in apps
    assert data_row(("Week of", "Still open", "Rejected", "Offer", "Total"),
                    "3 June 2024", "0", "2", "0", "2") in apps

    assert ("You have had 2 rejections; the most common kind of feedback was “A specific "
            "skill was missing” (1).") in kinds
    assert data_row(("Kind of feedback", "Rejections"), "Not yet confirmed", "1") in kinds

    assert ("You checked in on 2 days. Your mood was 2 of 5 (low) on 3 June 2024 and 3.5 of 5 "
            "on 10 June 2024, your latest check-in: higher than at first.") in mood
    assert data_row(("Date", "Mood (1 to 5)", "Check-ins"), "10 June 2024", "3.5", "2") in mood

    assert ("Your plan has 3 actions due from 10 June 2024 to 30 June 2024, and you have "
            "done 1 of them; 1 is overdue.") in plan
    assert data_row(("Due date", "Due that day", "Done of those", "Due by then", "Done by then"),
                    "15 June 2024", "1", "0", "2", "1") in plan


def test_user_text_is_escaped_in_hover_text_and_tables(store, content, history):
    progress = build(store, content, history)
    bundles = [o["data"] for out in progress.chart_outputs for o in out.outputs]
    shown = json.dumps([{k: v for k, v in b.items() if k != "text/html"} for b in bundles])
    shown += "".join(text.value for text in progress.chart_texts)
    assert HOSTILE not in shown
    assert "<script" not in shown
    for bundle in bundles:  # the HTML rendering: only its own two script elements
        assert HOSTILE not in bundle["text/html"]
        assert bundle["text/html"].count("<script") == 1
    hover = traces_by_name(figure(progress, 0))["Still open"]["hovertext"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hover[1]
    mood_hover = figure(progress, 2)["data"][0]["hovertext"][1]
    assert "Hmm &lt;script&gt;" in mood_hover


def test_chart_titles_and_trace_names_are_escaped():
    chart = Chart("x", "Tom & Jerry <b>", "A summary.",
                  (Trace("bar", "<i>name</i>", ["2024-01-01"], [1], ["ok"]),),
                  ("Week of", "Total"), (("1 January 2024", 1),))
    data = figure_bundle(chart)[PLOTLY_MIME]
    assert data["layout"]["title"]["text"] == "Tom &amp; Jerry &lt;b&gt;"
    assert data["data"][0]["name"] == "&lt;i&gt;name&lt;/i&gt;"


def test_completion_counts_each_step_as_data_is_saved(store, content):
    client = store.create_client("New Starter")
    cid = client.id
    progress = build(store, content, client)
    assert progress.model.done_count == 0
    assert progress.bar.value == 0 and progress.bar.max == 7
    assert progress.bar.description == "Workbook completed: 0 of 7 steps"
    assert "Not yet:</strong> Log the rejection" in progress.completion.value

    app = store.add(model.Application(client_id=cid, company="Acme", outcome="rejected"))
    refresh = progress.children[-2]
    assert refresh.description == "Update my progress"
    refresh.click()
    assert progress.bar.value == 1
    assert progress.bar.description == "Workbook completed: 1 of 7 steps"
    assert "Done:</strong> Log the rejection" in progress.completion.value
    assert progress.status.text.startswith("Saved.")

    steps = [
        lambda: store.add(model.Feedback(client_id=cid, application_id=app.id, person="Jo")),
        lambda: store.set_answer(cid, "scenario", "skill_gap", application_id=app.id),
        lambda: store.set_answer(cid, content.questions[0].id, 3, application_id=app.id),
        lambda: store.add(model.CheckIn(client_id=cid, mood=3)),
        lambda: store.set_answer(cid, "gracious.thank", True, application_id=app.id),
        lambda: store.add(model.Action(client_id=cid, title="Learn SQL")),
    ]
    for expected, save in enumerate(steps, start=2):
        save()
        refresh.click()
        assert progress.model.done_count == expected
        assert progress.bar.value == expected
    assert progress.model.completed == [key for key, _ in WORKBOOK_STEPS]
    assert progress.bar.description == "Workbook completed: 7 of 7 steps"
    # Said once, by the bar's label; the checklist under it does not repeat it.
    assert "Workbook completed" not in progress.completion.value

    rebuilt = build(store, content, client)
    assert rebuilt.bar.value == 7
    assert rebuilt.bar.description == "Workbook completed: 7 of 7 steps"


def test_an_unticked_gracious_step_or_an_edited_draft_does_not_count(store, content):
    client = store.create_client("Drafty")
    app = store.add(model.Application(client_id=client.id, company="Acme"))
    store.set_answer(client.id, "gracious.thank", False, application_id=app.id)
    store.set_answer(client.id, "gracious.thank.draft", "Dear Jo", application_id=app.id)
    progress = build(store, content, client)
    assert "gracious" not in progress.model.completed
    assert progress.model.completed == ["log"]


def test_a_new_client_sees_plain_words_and_no_empty_charts(store, content):
    client = store.create_client("Blank Slate")
    progress = build(store, content, client)
    assert all(out.outputs == () for out in progress.chart_outputs)
    texts = [text.value for text in progress.chart_texts]
    assert "You have not logged any applications yet." in texts[0]
    assert "You have not done a mood check-in yet." in texts[2]
    assert "Your plan has no actions yet." in texts[3]
    assert "<table" not in "".join(texts)


def test_the_progress_module_imports_plotly_only_when_drawing():
    code = ("import sys; import nextround.components.progress; "
            "print('plotly' in sys.modules, 'pandas' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"PYTHONPATH": WIDGETS_DIR}, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_the_step_registry_gives_progress_the_titles_without_a_cycle(store, content):
    """progress.py never imports the registry that imports it: the titles come in."""
    client = store.create_client("Registry")
    progress = step_by_key("progress").build(content=content, store=store,
                                             client_id=client.id)
    assert "Not yet:</strong> Log the rejection" in progress.completion.value
    assert "Not yet:</strong> Your action plan" in progress.completion.value
    code = ("import sys; import nextround.components.progress; "
            "print('nextround.steps' in sys.modules, 'nextround.app' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"PYTHONPATH": WIDGETS_DIR}, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_the_chart_arithmetic_needs_no_widgets_and_no_plotly():
    code = ("import sys; import nextround.charts; "
            "print(any(m in sys.modules for m in ('ipywidgets', 'plotly', 'pandas')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"PYTHONPATH": WIDGETS_DIR}, check=True)
    assert result.stdout.split() == ["False"]


def test_each_chart_also_comes_as_html_that_loads_plotly_from_this_server(
        store, content, history):
    """Pages without plotly's lab extension (the app) draw the same figure from HTML."""
    progress = build(store, content, history)
    bundle = progress.chart_outputs[0].outputs[0]["data"]
    html = bundle["text/html"]
    assert f"class='{CHART_CLASS}'" in html
    assert json.dumps(plotly_js_url_path()) in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    figure_json = re.search(r"data-figure='([^']*)'", html).group(1)
    assert json.loads(unescape(figure_json)) == bundle[PLOTLY_MIME]


def test_typed_text_stays_data_in_the_chart_html():
    """Text reaches the figure JSON in an attribute: it can neither leave it nor run."""
    hostile = "</script><script>alert(1)</script>' onmouseover='alert(2)' \" <!-- &"
    chart = Chart("mood", hostile, "s", (Trace("line", hostile, ["2024-01-01"], [1],
                                              [hostile]),), (), ())
    figure = figure_bundle(chart)[PLOTLY_MIME]
    html = lazy_plotly_html(chart, figure)
    attribute = re.search(r"data-figure='([^'<>]*)'", html).group(1)
    assert json.loads(unescape(attribute)) == figure
    assert html.count("<script") == 1 and html.count("</script>") == 1
    assert "<script>alert" not in html and "onmouseover='" not in html


def test_ten_thousand_applications_build_quickly_into_weekly_bars(store, content):
    client = store.create_client("Prolific")
    start = date(2020, 1, 6)
    outcomes = model.OUTCOMES
    applications = [
        model.Application(client_id=client.id, company=f"Company {n}",
                          applied_on=start + timedelta(days=n % 700),
                          outcome=outcomes[n % len(outcomes)]).model_dump(mode="json")
        for n in range(10_000)
    ]
    data = store.export_records(client.id)
    store.erase_client(client.id)
    store.import_records({**data, "applications": applications})

    began = time.perf_counter()
    progress = build(store, content, client)
    elapsed = time.perf_counter() - began
    print(f"\nProgress for 10,000 applications built in {elapsed * 1000:.0f} ms")

    apps = figure(progress, 0)["data"]
    weeks = apps[0]["x"]
    assert len(weeks) == 100  # 700 days are 100 weeks: one bar per week, not per record
    assert sum(sum(trace["y"]) for trace in apps) == 10_000
    assert ("From the week of 6 January 2020 to the week of 29 November 2021, you applied to "
            "10000 jobs") in progress.chart_texts[0].value


# --- time axes: whole days or weeks, whatever the number of points ----------------------

DAY_MS = 86_400_000


def axis_ticks(axis: dict) -> list[datetime]:
    """The tick positions plotly draws for a linear date axis within its range."""
    start, end = (datetime.fromisoformat(v) for v in axis["range"])
    tick = datetime.fromisoformat(axis["tick0"])
    step = timedelta(milliseconds=axis["dtick"])
    while tick > start:
        tick -= step
    ticks = []
    while tick <= end:
        if tick >= start:
            ticks.append(tick)
        tick += step
    return ticks


def client_with_points(store, count: int):
    """A client with ``count`` applications (a week apart), moods and due actions."""
    client = store.create_client(f"Points {count}")
    monday = date(2024, 1, 1)
    days = [monday + timedelta(days=round(n * 300 / max(count - 1, 1))) for n in range(count)]
    if count == 2:
        days = [monday, monday + timedelta(days=1)]  # two close dates: the old hourly case
    for day in days:
        store.add(model.Application(client_id=client.id, company="Acme", applied_on=day))
        store.add(model.CheckIn(client_id=client.id, at=at(day), mood=3))
        store.add(model.Action(client_id=client.id, title="Step", due_on=day))
    return client, days


@pytest.mark.parametrize("count", [0, 1, 2, 40])
def test_every_time_axis_shows_whole_days_or_weeks(store, content, count):
    client, days = client_with_points(store, count)
    progress = Progress.create(content=content, store=store, client_id=client.id,
                               today=date(2024, 1, 1))
    for index, weekly in ((0, True), (2, False), (3, False)):
        chart = progress.model.charts[index]
        if count == 0:
            assert progress.chart_outputs[index].outputs == ()  # nothing drawn, nothing odd
            axis = figure_bundle(chart)[PLOTLY_MIME]["layout"]["xaxis"]
            assert axis["type"] == "date" and axis["dtick"] % DAY_MS == 0
            continue
        axis = figure(progress, index)["layout"]["xaxis"]
        assert axis["type"] == "date", chart.key
        assert re.search(r"%-?d", axis["tickformat"]), chart.key
        assert not re.search(r"%[HIMSLfpQs]", axis["tickformat"]), chart.key
        assert axis["dtick"] % ((7 if weekly else 1) * DAY_MS) == 0, (chart.key, axis["dtick"])
        ticks = axis_ticks(axis)
        assert 1 <= len(ticks) <= 7, (chart.key, ticks)
        assert all(t.time() == datetime.min.time() for t in ticks), (chart.key, ticks)
        if weekly:
            assert all(t.weekday() == 0 for t in ticks), ticks  # weeks start on Monday
        start, end = (datetime.fromisoformat(v) for v in axis["range"])
        xs = [datetime.fromisoformat(x) for trace in figure(progress, index)["data"]
              for x in trace["x"]]
        assert all(start < x < end for x in xs), chart.key
        assert end - start >= timedelta(days=1), chart.key  # never zoomed into hours


# --- each summary sentence says what its chart shows --------------------------------------

SHAPES = {
    "rising": [1, 2, 4],
    "falling": [4, 3, 1],
    "flat": [3, 3, 3],
    "down then up": [3, 2, 1, 2],  # a low point in between is not the trend
    "single": [2],
    "empty": [],
}


def trend_words(first: float, latest: float, more: str, less: str) -> str:
    if latest > first:
        return f"{more} than at first"
    if latest < first:
        return f"{less} than at first"
    return "the same as at first"


def long_date(value: str) -> str:
    day = date.fromisoformat(value)
    return f"{day.day} {day:%B %Y}"


@pytest.mark.parametrize("shape", SHAPES)
def test_mood_sentence_tells_first_to_latest_and_the_direction(store, content, shape):
    values = SHAPES[shape]
    client = store.create_client("Moody")
    for n, mood in enumerate(values):
        store.add(model.CheckIn(client_id=client.id, at=at(date(2024, 3, 4) + timedelta(n)),
                                mood=mood))
    chart = build(store, content, client).model.charts[2]
    if not values:
        assert chart.summary == "You have not done a mood check-in yet."
        return
    [line] = chart.traces
    first, latest = (line.x[0], line.y[0]), (line.x[-1], line.y[-1])
    assert f"{first[1]:g} of 5" in chart.summary and long_date(first[0]) in chart.summary
    if len(values) == 1:
        assert chart.summary.startswith("You checked in once, on")
        assert "than at first" not in chart.summary
        return
    latest_part = chart.summary[chart.summary.index(" and "):]
    assert f"{latest[1]:g} of 5" in latest_part and long_date(latest[0]) in latest_part
    assert trend_words(first[1], latest[1], "higher", "lower") in chart.summary
    assert f"{min(values)} to {max(values)}" not in chart.summary


@pytest.mark.parametrize("shape", SHAPES)
def test_applications_sentence_tells_first_week_to_latest_and_the_direction(store, content,
                                                                             shape):
    values = SHAPES[shape]
    client = store.create_client("Busy")
    for week, count in enumerate(values):
        for n in range(count):
            store.add(model.Application(
                client_id=client.id, company=f"C{week}{n}", outcome="rejected" if n else
                "pending", applied_on=date(2024, 3, 4) + timedelta(weeks=week, days=n % 5)))
    store.add(model.Application(client_id=client.id, company="Undated"))
    chart = build(store, content, client).model.charts[0]
    if not values:
        assert "none has the date you applied yet" in chart.summary
        return
    weeks = chart.traces[0].x
    per_week = [sum(trace.y[i] for trace in chart.traces) for i in range(len(weeks))]
    assert per_week == values
    assert f"you applied to {sum(per_week)} job" in chart.summary.lower()
    assert f"the week of {long_date(weeks[0])}" in chart.summary
    assert "1 more application has no date and is not in the chart." in chart.summary
    if len(values) == 1:
        assert "than at first" not in chart.summary
        return
    assert f"to the week of {long_date(weeks[-1])}" in chart.summary
    assert (f"{per_week[0]} in the first week and {per_week[-1]} in the latest, "
            f"{trend_words(per_week[0], per_week[-1], 'more', 'fewer')}") in chart.summary


@pytest.mark.parametrize("shape", ["rising", "flat", "single", "empty"])
def test_plan_sentence_tells_what_is_due_by_the_last_date_and_done_of_it(store, content,
                                                                          shape):
    values = SHAPES[shape]
    client = store.create_client("Planner")
    for n, count in enumerate(values):
        for k in range(count):
            store.add(model.Action(client_id=client.id, title=f"S{n}{k}", done=k == 0,
                                   due_on=date(2024, 6, 3) + timedelta(days=3 * n)))
    store.add(model.Action(client_id=client.id, title="Someday"))
    chart = build(store, content, client).model.charts[3]
    assert chart.summary.endswith("1 action has no due date (0 done) and is not on the chart.")
    if not values:
        assert not chart.traces
        return
    due, done = (trace for trace in chart.traces)
    assert f"Your plan has {due.y[-1]} actions due " in chart.summary
    assert f"you have done {done.y[-1]} of them" in chart.summary
    assert long_date(due.x[0]) in chart.summary and long_date(due.x[-1]) in chart.summary


def test_feedback_sentence_names_every_kind_tied_for_most(store, content):
    client = store.create_client("Tied")
    for scenario in ("skill_gap", "skill_gap", "presentation", "presentation", "no_feedback"):
        app = store.add(model.Application(client_id=client.id, outcome="rejected"))
        store.set_answer(client.id, "scenario", scenario, application_id=app.id)
    chart = build(store, content, client).model.charts[1]
    [bars] = chart.traces
    top = max(bars.x)
    tied = [title for title, n in zip(bars.y, bars.x, strict=True) if n == top]
    assert len(tied) == 2
    assert all(f"“{title}”" in chart.summary for title in tied)
    assert f"({top} each)" in chart.summary
