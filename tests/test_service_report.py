"""The service report in the app: reached from the counsellor view, five charts with their
text, downloads that hold the same figures, and no pandas until it is opened."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
from datetime import date

import ipywidgets as W
from openpyxl import load_workbook
from widget_finders import button, by_label, html_values, text_of, walk

from nextround import model
from nextround.components.counsellor import CounsellorView
from nextround.components.progress import PLOTLY_MIME
from nextround.components.service_report import CSV_NAME, XLSX_NAME, ServiceReport
from nextround.report import FEWER_THAN

TODAY = date(2026, 11, 28)


def _download(view, filename: str) -> bytes:
    shown = "".join(html_values(view))
    found = re.search(rf'download="{re.escape(filename)}" href="data:[^;]+;base64,([^"]+)"',
                      shown)
    assert found, f"no download of {filename}"
    return base64.b64decode(found.group(1))


def _open_clients(store, count: int) -> None:
    made = [model.Client(name=f"Client {n}") for n in range(count)]
    store.add_many(made)
    store.add_many([model.Application(client_id=c.id, company="Acme") for c in made])


def test_the_counsellor_view_opens_the_report_and_goes_back(store, content):
    _open_clients(store, 7)
    view = CounsellorView.create(content=content, store=store, today=TODAY)
    button(view, "Service report").click()
    report = next(w for w in walk(view) if isinstance(w, ServiceReport))
    assert report.model.report.figure("stages").cell("All clients", "Clients") == 7
    assert "Your caseload" not in "".join(html_values(view))
    button(view, "Back to caseload").click()
    assert not any(isinstance(w, ServiceReport) for w in walk(view))
    assert "Your caseload" in "".join(html_values(view))


def test_the_report_shows_each_figure_as_a_chart_with_its_sentence_and_table(store, content):
    _open_clients(store, 7)
    view = ServiceReport.create(content=content, store=store, today=TODAY)
    charts = [w for w in walk(view) if isinstance(w, W.Output) and w.outputs]
    drawn = [out.outputs[0]["data"] for out in charts]
    titles = [bundle[PLOTLY_MIME]["layout"]["title"]["text"] for bundle in drawn]
    assert titles == ["Clients by stage of the journey", "The kinds of feedback heard",
                      "Time from a rejection to the next interview"]
    shown = text_of("".join(html_values(view)))
    assert "7 clients were active (all records)." in shown
    assert FEWER_THAN in shown  # the other stages, each under 5
    assert "No actions with a due date (all records)." in shown


def test_the_downloads_hold_the_figures_shown(store, content):
    _open_clients(store, 7)
    view = ServiceReport.create(content=content, store=store, today=TODAY)
    book = load_workbook(io.BytesIO(_download(view, XLSX_NAME)))
    assert ("All clients", 7) in list(book["Stages"].iter_rows(values_only=True))
    table = _download(view, CSV_NAME).decode("utf-8-sig")
    assert "Clients by stage of the journey,All clients,Clients,7" in table


def test_updating_the_report_reads_the_store_again(store, content):
    _open_clients(store, 6)
    view = ServiceReport.create(content=content, store=store, today=TODAY)
    _open_clients(store, 4)
    button(view, "Update the report").click()
    assert view.model.report.figure("stages").cell("All clients", "Clients") == 10
    assert "10 clients were active" in text_of("".join(html_values(view)))
    assert "The report is up to date." in view.status.value


def test_the_counsellor_view_imports_no_pandas_until_the_report_opens():
    code = ("import sys, nextround.components.counsellor as c; "
            "print('pandas' in sys.modules, 'openpyxl' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False False"


def test_a_hostile_kind_of_feedback_is_escaped_in_the_page_and_the_chart(store, content):
    hostile = "<img src=x onerror=alert(1)>"
    scenario = content.scenarios[0].model_copy(update={"title": hostile})
    changed = content.__class__(**{**content.__dict__,
                                   "scenarios": (scenario, *content.scenarios[1:])})
    _open_clients(store, 7)
    view = ServiceReport.create(content=changed, store=store, today=TODAY)
    shown = "".join(html_values(view))
    assert "<img" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown
    feedback = next(out.outputs[0]["data"] for out in walk(view)
                    if isinstance(out, W.Output) and out.outputs
                    and "feedback" in out.outputs[0]["data"][PLOTLY_MIME]["layout"]["title"]
                    ["text"])
    labels = feedback[PLOTLY_MIME]["data"][0]["y"]
    assert "&lt;img src=x onerror=alert(1)&gt;<br>(fewer than 5)" in labels
    assert not any("<img" in label for label in labels)


def test_choosing_a_first_day_reports_only_records_from_then(store, content):
    from service_data import add_service

    add_service(store)
    view = ServiceReport.create(content=content, store=store, today=TODAY)
    picker = by_label(view, "Only records from")
    picker.value = date(2026, 5, 1)
    report = view.model.report
    assert report.since == date(2026, 5, 1)
    assert [row[0] for row in report.figure("actions").rows] == ["May 2026"]
    assert "since 1 May 2026" in text_of("".join(html_values(view)))
    picker.value = None
    assert view.model.report.figure("actions").cell("Apr 2026", "Actions due") == 16
