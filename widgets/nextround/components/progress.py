"""Your progress: how far the workbook has come, and charts of the search over time.

The numbers, sentences and tables come from :mod:`nextround.charts`; this
component shows them, and is the only place that knows about plotly.

Each chart is sent as a mimebundle with two renderings of one figure:

* ``application/vnd.plotly.v1+json``, drawn by plotly's own renderer where
  its lab extension is loaded (JupyterLab, so the notebooks keep their charts);
* ``text/html``: the figure as escaped JSON and a short script that loads
  plotly.js from this server (:mod:`nextround.web`) the first time a chart
  is drawn, then draws it. The Voilà app's first view loads only the widget
  manager, so its pages pick this one; plotly.js (4.8 MB) is fetched only
  when Progress is first opened, and then cached by the browser for good.

plotly's Python package is imported only when a chart is drawn.

Example::

    from nextround.steps import step_by_key
    step_by_key("progress").build(content=content, store=store, client_id=client.id)
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import ipywidgets as W
from traitlets import Dict, Int, List, Unicode

from ..caseload import confirmed_scenarios
from ..charts import (
    DAY_MS,
    WORKBOOK_STEPS,
    Chart,
    Trace,
    actions_chart,
    applications_chart,
    chart_esc,
    completed_steps,
    date_axis,
    feedback_chart,
    mood_chart,
    summary_id,
    table_id,
    text_alternative,
)
from ..i18n import N_, SOURCE_LANGUAGE, _, current_language, translator
from ..model import Action, Application, CheckIn, Feedback
from ..text import esc
from ._view import heading, paragraph
from .base import Component, StepModel

#: Charts draw at a fixed width that fits beside their summary in the app;
#: on a narrow screen the summary moves under the chart.
CHART_WIDTH = 600
CHART_HEIGHT = 340

PLOTLY_MIME = "application/vnd.plotly.v1+json"
#: The plotly.js options sent with every chart: no logo, no cloud links. Not
#: ``responsive``: inside an ipywidgets Output that collapses a chart to 0 px high.
PLOTLY_CONFIG = {"displaylogo": False, "showSendToCloud": False}
#: Marks the element a chart is drawn in (tests and the page's styles find it by it).
CHART_CLASS = "nr-plotly"
#: What plotly.js itself may say on a chart (its toolbar's tooltips, the hint after a
#: zoom), in plotly's own English: a page in another language sends plotly these
#: words translated (:func:`plotly_locale`).
PLOTLY_WORDS = (
    N_("Autoscale"), N_("Box Select"), N_("Compare data on hover"),
    N_("Double-click to zoom back out"), N_("Download plot as a png"),
    N_("Download plot"), N_("Lasso Select"), N_("Pan"), N_("Reset axes"),
    N_("Show closest data on hover"), N_("Snapshot succeeded"),
    N_("Taking snapshot - this may take a few seconds"), N_("Toggle Spike Lines"),
    N_("Zoom"), N_("Zoom in"), N_("Zoom out"), N_("Reset view"),
)


def plotly_locale() -> dict[str, Any]:
    """plotly.js options that make a chart speak the page's language: its dates'
    month names and its numbers' marks (from Babel), and its own words
    (:data:`PLOTLY_WORDS`). Empty for English, plotly's own language."""
    lang = current_language()
    if lang == SOURCE_LANGUAGE:
        return {}
    speaker = translator(lang)
    months, short_months = speaker.month_names()
    marks = speaker.number_marks()
    return {"locale": lang, "locales": {lang: {
        "dictionary": {word: _(word) for word in PLOTLY_WORDS},
        "format": {"months": months, "shortMonths": short_months,
                   "decimal": marks[0], "thousands": marks[1]}}}}

# --- drawing (plotly, imported only here) -------------------------------------------


def figure_bundle(chart: Chart) -> dict[str, Any]:
    """The chart as a mimebundle for plotly's mimetype renderer.

    This is what plotly's own ``PlotlyRenderer`` produces, made without its
    renderer machinery (which imports nbformat and jsonschema, about a
    second of kernel time). Every text reaching plotly is already escaped.
    """
    import plotly.graph_objects as go
    from plotly.io import to_json

    axis = {"showline": True, "linecolor": "#444444", "ticks": "outside",
            "gridcolor": "#E5E5E5", "zeroline": False, "automargin": True}
    fig = go.Figure(layout={
        # "none" skips plotly's default template, which costs ~30 ms a chart.
        "template": "none", "title": {"text": chart_esc(chart.title)}, "height": 340,
        "width": CHART_WIDTH,
        "paper_bgcolor": "white", "plot_bgcolor": "white", "font": {"size": 13},
        # The legend sits at the figure's foot, below the x axis's title, however
        # long a language makes either of them.
        "margin": {"l": 60, "r": 20, "t": 60, "b": 80}, "barmode": "stack",
        "hovermode": "closest",
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
        "xaxis": {**axis, "title": {"text": chart_esc(chart.x_title)}},
        "yaxis": {**axis, "showgrid": True, "title": {"text": chart_esc(chart.y_title)},
                  "rangemode": "tozero"},
    })
    for trace in chart.traces:
        fig.add_trace(_plotly_trace(go, trace))
    if chart.y_range:
        fig.update_yaxes(range=list(chart.y_range), rangemode="normal")
    if chart.y_ticks:
        fig.update_yaxes(tickvals=[v for v, _ in chart.y_ticks],
                         ticktext=[chart_esc(t) for _, t in chart.y_ticks])
    if any(t.kind == "hbar" for t in chart.traces):
        fig.update_yaxes(rangemode="normal", showgrid=False)
        fig.update_xaxes(rangemode="tozero", showgrid=True)
        fig.update_layout(height=160 + 45 * len(chart.traces[0].y))
    if chart.count_axis:
        # Counts are whole numbers: no "0.5 applications" ticks.
        ticks = {"tickformat": ",d", **({"dtick": 1} if chart.count_max <= 8 else {})}
        fig.update_layout({f"{chart.count_axis}axis": ticks})
    if chart.x_step_days:
        shown = [date.fromisoformat(x) for trace in chart.traces for x in trace.x]
        extra = [chart.today] if chart.today and chart.traces else []
        fig.update_layout(xaxis=date_axis(shown + extra, step_days=chart.x_step_days))
        if chart.x_step_days > 1:
            # A bar is as wide as most of its week, however many bars there are.
            fig.update_traces(width=0.8 * chart.x_step_days * DAY_MS, selector={"type": "bar"})
    if chart.today and chart.traces:
        fig.add_vline(x=chart.today.isoformat(), line_dash="dot", line_color="#555555")
        fig.add_annotation(x=chart.today.isoformat(), y=1, yref="paper", text=_("Today"),
                           showarrow=False, yanchor="bottom")
    speech = plotly_locale()
    if speech:
        fig.update_layout(separators=translator().number_marks())
    fig_dict = fig.to_dict()
    fig_dict["config"] = {**PLOTLY_CONFIG, **speech}
    data = json.loads(to_json(fig_dict, validate=False, remove_uids=False))
    return {PLOTLY_MIME: data, "text/html": lazy_plotly_html(chart, data),
            "text/plain": chart.summary}


#: Loads plotly.js once per page from this server (``src``), then draws one figure.
#: ``define`` is hidden while it loads: plotly.js would otherwise register itself
#: as an anonymous AMD module where a loader is present, and never set ``Plotly``.
LAZY_PLOTLY_SCRIPT = """(function () {
  var holder = document.getElementById(%(id)s);
  if (!holder || holder.getAttribute('data-drawn')) return;
  holder.setAttribute('data-drawn', 'pending');
  var config = document.getElementById('jupyter-config-data');
  var base = (config && JSON.parse(config.textContent).baseUrl) || '/';
  var src = base.replace(/\\/?$/, '/') + %(path)s;
  if (!window.nextroundPlotly) {
    window.nextroundPlotly = new Promise(function (resolve, reject) {
      if (window.Plotly) { resolve(window.Plotly); return; }
      var define = window.define;
      if (define && define.amd) window.define = undefined;
      var script = document.createElement('script');
      script.src = src;
      script.onload = function () { window.define = define; resolve(window.Plotly); };
      script.onerror = function () {
        window.define = define;
        window.nextroundPlotly = null;
        reject(new Error('plotly.js did not load from ' + src));
      };
      document.head.appendChild(script);
    });
  }
  window.nextroundPlotly.then(function (Plotly) {
    var figure = JSON.parse(holder.getAttribute('data-figure'));
    return Plotly.newPlot(holder, figure.data, figure.layout, figure.config);
  }).then(function () {
    /* The drawing gets the chart's name and sentence; plotly's other layers
       (hover labels) say nothing a screen reader needs. */
    holder.querySelectorAll('svg.main-svg').forEach(function (svg, index) {
      if (index === 0) {
        svg.setAttribute('role', 'img');
        svg.setAttribute('aria-label', holder.getAttribute('aria-label'));
        svg.setAttribute('aria-describedby', holder.getAttribute('aria-describedby'));
      } else {
        svg.setAttribute('aria-hidden', 'true');
      }
    });
    holder.setAttribute('data-drawn', 'yes');
  }, function () {
    holder.setAttribute('data-drawn', 'failed');
    holder.textContent = %(failed)s;
  });
})();"""


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&``
    is left to close the element or open a comment."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def lazy_plotly_html(chart: Chart, figure: dict[str, Any]) -> str:
    """The chart for pages without plotly's lab extension: drawn once plotly.js loads.

    The figure travels as JSON in an escaped attribute, never as markup or
    script: whatever a client typed stays data. The element waits at the
    chart's size, so nothing on the page moves when it is drawn.
    """
    from ..web import plotly_js_url_path

    element_id = f"nr-chart-{chart.key}-{uuid.uuid4().hex[:12]}"
    height = figure.get("layout", {}).get("height", CHART_HEIGHT)
    failed = _("This chart could not be drawn here. Its summary and its numbers are "
               "beside it.")
    script = LAZY_PLOTLY_SCRIPT % {"id": script_json(element_id),
                                   "path": script_json(plotly_js_url_path()),
                                   "failed": script_json(failed)}
    figure_json = json.dumps(figure, separators=(",", ":"))
    # Named by its title, described by its sentence, with its table as the
    # details, and reachable by Tab so a keyboard user can reach its hover text.
    return (f"<div id='{element_id}' class='{CHART_CLASS}' role='figure' tabindex='0' "
            f"aria-label='{esc(chart.title)}' aria-describedby='{summary_id(chart)}' "
            f"aria-details='{table_id(chart)}' data-figure='{esc(figure_json)}' "
            f"style='width:{CHART_WIDTH}px;height:{height}px;max-width:100%'></div>"
            f"<script>{script}</script>")


def _plotly_trace(go: Any, trace: Trace) -> Any:
    """One plotly trace; hover shows only our (escaped) text."""
    common = {"name": chart_esc(trace.name), "hovertext": trace.hover, "hoverinfo": "text"}
    style = trace.style
    if trace.kind == "line":
        return go.Scatter(x=trace.x, y=trace.y, mode="lines+markers", cliponaxis=False,
                          line={"color": style.get("color"), "dash": style.get("dash", "solid"),
                                "width": 3},
                          marker={"size": 8}, **common)
    marker = {"color": style.get("color"), "pattern": {"shape": style.get("pattern", "")}}
    orientation = "h" if trace.kind == "hbar" else "v"
    return go.Bar(x=trace.x, y=trace.y, orientation=orientation, marker=marker, **common)


# --- model and view ------------------------------------------------------------------


#: The bar's look, inline so it shows the same in JupyterLab, where the app's
#: stylesheet is not loaded.
TRACK_STYLE = ("box-sizing:border-box;width:min(100%,28rem);height:1.25rem;"
               "border:1px solid #6b6b6b;border-radius:4px;overflow:hidden;background:#fff")
FILL_STYLE = "height:100%;background:#0b5cad;"


class CompletionBar(W.VBox):
    """A completion bar that screen readers know: ``role=progressbar`` with its value.

    ipywidgets' ``IntProgress`` draws a bar with no role and no value a
    screen reader can read. This one is plain HTML, so it works the same in
    the app and in JupyterLab, and its visible label is its accessible name.
    """

    value = Int(0, help="How many steps are done.")
    max = Int(1, help="How many steps there are.")
    description = Unicode(help="The visible label, which also names the bar.")

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._id = f"nr-progress-{uuid.uuid4().hex[:12]}"
        self.html = W.HTML()
        self.children = (self.html,)
        self.add_class("nr-progress")
        self.observe(lambda _change: self._render(), names=["value", "max", "description"])
        self._render()

    def _render(self) -> None:
        share = round(100 * self.value / self.max) if self.max else 0
        value_text = _("{done} of {total}").format(done=self.value, total=self.max)
        self.html.value = (
            f"<p class='nr-progress-label' id='{self._id}-label'>{esc(self.description)}</p>"
            f"<div class='nr-progress-track' role='progressbar' aria-labelledby='{self._id}-label'"
            f" aria-valuemin='0' aria-valuemax='{self.max}' aria-valuenow='{self.value}'"
            f" aria-valuetext='{esc(value_text)}' style='{TRACK_STYLE}'>"
            f"<div class='nr-progress-fill' style='{FILL_STYLE}width:{share}%'></div></div>")


class ProgressModel(StepModel):
    """Completion of the workbook and the charts' data, read from the store.

    Progress covers every application, so it does not need a chosen
    rejection. :meth:`refresh` reads each table once.

    Parameters
    ----------
    today : datetime.date, optional
        The day the charts count from (today by default; fixed in tests).
    content, store, client_id, application_id
        As for :class:`~nextround.components.StepModel` (no rejection is needed).

    Events
    ------
    completed
        The steps done, after each :meth:`refresh` (``done_count`` is set first).
    charts
        The four charts' data, after each :meth:`refresh`.

    Saves
    -----
    nothing
        Progress only reads the client's work.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLogModel
    >>> log = RejectionLogModel(content=content, store=store, client_id=sam.id)
    >>> log.company, log.role, log.outcome = "Northwind", "Data analyst", "rejected"
    >>> from nextround.components import ProgressModel
    >>> model = ProgressModel(content=content, store=store, client_id=sam.id)
    >>> model.completion_label
    'Workbook completed: 1 of 7 steps'
    >>> [chart.title for chart in model.charts][0]
    'Your applications and how they ended'
    """

    completed = List(help="The keys of the workbook steps done, in workbook order.")
    done_count = Int(0, help="How many workbook steps are done.")
    total = Int(len(WORKBOOK_STEPS), help="How many workbook steps there are.")
    charts = List(help="The four charts' data (applications, feedback, mood, actions).")
    step_titles = Dict(help="Each step's title by key, given by the step registry that "
                            "builds this step (so this module never imports it back).")

    def __init__(self, *, today: date | None = None, application_id: str | None = None,
                 **kwargs: Any):
        self._today = today
        super().__init__(application_id=application_id or "", **kwargs)
        self.refresh()

    @property
    def today(self) -> date:
        """The day the charts count from."""
        return self._today or date.today()

    def refresh(self) -> None:
        """Re-read the client's records and recompute completion and charts."""
        client = self.client_id
        applications = self.store.list(Application, client)
        feedback = self.store.list(Feedback, client)
        answers = self.store.all_answers(client)
        checkins = self.store.list(CheckIn, client)
        actions = self.store.list(Action, client)
        scenarios = confirmed_scenarios(feedback, answers,
                                        (s.id for s in self.content.scenarios))
        completed = completed_steps(
            self.content, applications=applications, feedback=feedback, scenarios=scenarios,
            answers=answers, checkins=checkins, actions=actions)
        self.done_count = len(completed)  # first: observers of ``completed`` read it
        self.completed = completed
        self.charts = [
            applications_chart(applications),
            feedback_chart(applications, scenarios, self.content),
            mood_chart(checkins, self.content),
            actions_chart(actions, self.today),
        ]

    @property
    def completion_label(self) -> str:
        """The completion bar's words: how many steps of how many are done."""
        return _("Workbook completed: {done} of {total} steps").format(
            done=self.done_count, total=self.total)


class Progress(Component):
    """Your progress: a completion bar with its checklist, then four charts with text.

    A client who keeps going after a rejection needs to see that they are
    moving: the steps done, and charts of applications, feedback, mood and
    actions, each with a sentence and a table (so no chart is the only way in).

    Parameters
    ----------
    model : ProgressModel
        The step's state. ``Progress.create(content=..., store=..., client_id=...,
        application_id=None)`` builds it for a client and this view over it
        (see :meth:`Component.create`).

    Events
    ------
    model.completed
        The steps done; the bar and checklist follow it.

    Saves
    -----
    nothing
        Progress only reads the client's work.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import Progress
    >>> step = Progress.create(content=content, store=store, client_id=sam.id)
    >>> step.model.done_count, step.model.total
    (0, 7)
    """

    title = "Your progress"

    model_class = ProgressModel
    #: The step registry (``nextround.steps``) passes every step's title when it
    #: builds this one: the checklist names the steps without importing the registry.
    needs_step_titles = True

    def build(self) -> list[W.Widget]:
        model: ProgressModel = self.model
        self.bar = CompletionBar(max=model.total, value=model.done_count,
                                 description=model.completion_label)
        self.completion = W.HTML()
        self.chart_outputs = [W.Output(layout=W.Layout(flex=f"0 1 {CHART_WIDTH}px",
                                                       min_width="0"))
                              for _ in model.charts]
        self.chart_texts = [W.HTML(layout=W.Layout(flex="1 1 14em")) for _ in model.charts]
        rows = [W.HBox([out, text], layout=W.Layout(flex_flow="row wrap", width="100%",
                                                    align_items="flex-start"))
                for out, text in zip(self.chart_outputs, self.chart_texts, strict=True)]
        refresh = W.Button(description=_("Update my progress"))
        self.on_click(refresh, self._refresh)
        model.observe(lambda _c: self._show_completion(), names="completed")
        model.observe(lambda _c: self._show_charts(), names="charts")
        self._show_completion()
        self._show_charts()
        return [
            heading(_("How far you have come")),
            self.bar,
            self.completion,
            heading(_("Your search over time")),
            paragraph(_("Each chart has a short summary beside it, and its numbers as a table.")),
            *rows,
            refresh,
        ]

    def _refresh(self) -> None:
        self.model.refresh()
        self.status.saved(_("Your progress is up to date."))

    def _show_completion(self) -> None:
        model: ProgressModel = self.model
        self.bar.value = model.done_count
        self.bar.description = model.completion_label
        done = set(model.completed)
        words = {True: esc(_("Done")), False: esc(_("Not yet"))}
        items = "".join(
            f"<li><strong>{words[key in done]}:</strong> "
            f"{self._step_name(key, _(what))}</li>" for key, what in WORKBOOK_STEPS)
        # The bar's label already says how many are done; the list says which.
        self.completion.value = f"<ul class='nr-checklist'>{items}</ul>"

    def _step_name(self, key: str, what: str) -> str:
        """The step's title and what counts as done, or only the latter if no title came."""
        title = self.model.step_titles.get(key)
        if not title:
            return esc(what)
        return f"{esc(title)} <span class='nr-hint'>({esc(what)})</span>"

    def _show_charts(self) -> None:
        """Draw each chart into its Output as a plotly mimebundle, and its text beside it."""
        for chart, out, text in zip(self.model.charts, self.chart_outputs, self.chart_texts,
                                    strict=True):
            text.value = text_alternative(chart)
            if not chart.traces:
                out.outputs = ()
                continue
            out.outputs = ({"output_type": "display_data", "data": figure_bundle(chart),
                            "metadata": {}},)
