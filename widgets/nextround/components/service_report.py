"""The service report in the app: five figures for the whole service, and their files.

A supervisor (and, on one machine, whoever opens the counsellor view) sees
how the service is doing without opening a single client: where clients are
on the journey, the feedback heard, how soon an interview follows a
rejection, the plan getting done and mood over time.
Every count under 5 shows as "fewer than 5" (see :mod:`nextround.report`).

The figures come from :func:`nextround.report.build_report`; each is drawn
as Progress draws its charts (plotly.js fetched from this server the first
time, never from a CDN), with its sentence and its table beside it. The
report downloads as an Excel workbook or a CSV table.

pandas and plotly are imported when this view is first built, never before:
the counsellor view imports this module only when "Service report" is clicked.

Who may see it is decided in one place, :func:`service_report_view`, the
function the app calls to build it.

Example::

    from nextround.components.service_report import ServiceReport
    ServiceReport.create(content=content, store=store)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ipywidgets as W
from traitlets import HasTraits, Instance, dlink, observe

from ..charts import text_alternative
from ..i18n import N_, _
from ..report import ServiceReport as ReportData
from ..report import build_report
from ..report_files import XLSX_MIME, csv_bytes, xlsx_bytes
from ..store.access import may_see_report
from ..suppression import SMALL, fewer_than
from ..text import esc
from ._view import download_link, heading, paragraph
from .base import Component, labelled
from .progress import CHART_WIDTH, figure_bundle

XLSX_NAME = "nextround-service-report.xlsx"
#: Marks each chart's box. On a screen narrower than a chart, the box scrolls
#: sideways rather than cutting the chart off; the chart takes the keyboard focus,
#: so the scroll is reachable by keys too.
CHART_BOX = "nr-report-chart"
CHART_BOX_STYLE = (f"<style>.{CHART_BOX} .jp-OutputArea-child{{overflow-x:auto}}"
                   "</style>")
CSV_NAME = "nextround-service-report.csv"
ONLY_SUPERVISORS = N_("Only supervisors can see the service report.")


class ServiceReportModel(HasTraits):
    """The report's figures, read again from the store on :meth:`refresh`."""

    report = Instance(ReportData, help="The figures, as last read from the store.")
    since = Instance(date, allow_none=True,
                     help="Only records from this day on; None for all of them.")

    def __init__(self, *, content, store, today: date | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.content = content
        self.store = store
        self._today = today
        self.refresh()

    def refresh(self) -> None:
        self.report = build_report(self.store, self.content, since=self.since,
                                   today=self._today)

    @observe("since")
    def _new_period(self, _change: dict) -> None:
        self.refresh()


class ServiceReport(Component):
    """The view: what the report is, its downloads, then each figure with its text."""

    title = "Service report"

    @classmethod
    def create(cls, *, content, store, today: date | None = None) -> ServiceReport:
        return cls(ServiceReportModel(content=content, store=store, today=today))

    def build(self) -> list[W.Widget]:
        model: ServiceReportModel = self.model
        self.downloads = W.HTML()
        self.figures = W.VBox()
        self.since_picker = W.DatePicker(value=model.since)
        dlink((self.since_picker, "value"), (model, "since"))
        self.refresh_button = W.Button(description=_("Update the report"))
        self.on_click(self.refresh_button, self._refresh)
        model.observe(lambda _change: self._show(), names="report")
        self._show()
        return [
            heading(_("Service report"), 2),
            paragraph(_("Figures for the whole service, with no client named. Every count "
                        "under {small} shows as “{fewer}”, and where a total would let one be "
                        "worked out, more counts are hidden.").format(small=SMALL,
                                                                     fewer=fewer_than())),
            labelled(self.since_picker, _("Only records from"),
                     hint=_("Leave it empty for every record. Clients count when they were "
                          "active on or after this day.")),
            self.downloads,
            self.figures,
            self.refresh_button,
        ]

    def _refresh(self) -> None:
        self.model.refresh()
        self.status.info(_("The report is up to date."))

    def _show(self) -> None:
        report: ReportData = self.model.report
        xlsx = download_link(_("Download the report for Excel (.xlsx)"), XLSX_NAME,
                             xlsx_bytes(report), XLSX_MIME)
        table = download_link(_("Download the report as a CSV table"), CSV_NAME,
                              csv_bytes(report), "text/csv")
        self.downloads.value = (f"{CHART_BOX_STYLE}<ul class='nr-downloads'><li>{xlsx}</li>"
                                f"<li>{table}</li></ul>")
        rows = []
        for figure in report.figures:
            chart = figure.chart
            out = W.Output(layout=W.Layout(flex=f"0 1 {CHART_WIDTH}px", min_width="0"))
            out.add_class(CHART_BOX)
            if chart.traces:
                out.outputs = ({"output_type": "display_data", "data": figure_bundle(chart),
                                "metadata": {}},)
            text = W.HTML(text_alternative(chart), layout=W.Layout(flex="1 1 14em"))
            rows += [heading(figure.title),
                     W.HBox([out, text], layout=W.Layout(flex_flow="row wrap", width="100%",
                                                         align_items="flex-start"))]
        self.figures.children = rows


def service_report_view(*, content, store, today: date | None = None) -> W.Widget:
    """The service report as the app shows it.

    The one place that decides who sees it: on SQLite (one machine) whoever has
    the counsellor view; on a shared PostgreSQL database the owner and
    supervisors, whose role reads the report functions' de-identified rows and
    no workbook. A counsellor or a client gets a sentence saying whose report
    it is, never the figures (their role could not call the functions anyway).
    """
    if not may_see_report(store):
        return W.HTML(f"<p class='nr-note'>{esc(_(ONLY_SUPERVISORS))}</p>")
    return ServiceReport.create(content=content, store=store, today=today)
