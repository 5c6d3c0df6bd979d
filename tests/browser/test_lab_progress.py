"""Progress in JupyterLab, on a Lab server of its own.

It runs where no other notebook has been open in the same Lab: with an
earlier test's notebook restored beside it, Lab sent this one's cells
nowhere. The charts come from plotly's own renderer there.
"""

from __future__ import annotations

import re

from browser_harness import snapshot
from test_lab import lab  # noqa: F401 - a Lab server of this module's own (module scope)


def test_progress_in_lab_draws_the_same_plotly_charts_with_plotlys_renderer(lab, page):  # noqa: F811
    """In JupyterLab the charts come from plotly's own renderer (its lab extension),
    as before; the app's on-demand loader is not used, and nothing outside is asked."""
    page.goto(f"{lab.url}lab/tree/08-progress.ipynb?token={lab.token}")
    # Lab may restore an earlier test's notebook in a hidden tab: use the one shown.
    notebook = page.locator(".jp-NotebookPanel:visible").filter(
        has=page.locator(".jp-Notebook"))
    notebook.first.wait_for(state="visible", timeout=60_000)
    page.get_by_text(re.compile(r"\| Idle$")).first.wait_for(timeout=90_000)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    # Run every cell from the top, as a client does.
    cells = notebook.first.locator(".jp-Cell")
    cells.first.click()
    for _ in range(cells.count()):
        page.keyboard.press("Shift+Enter")
    charts = page.locator(".jp-OutputArea .js-plotly-plot")
    charts.first.wait_for(state="visible", timeout=90_000)
    page.wait_for_function(
        "document.querySelectorAll('.jp-OutputArea .js-plotly-plot .main-svg').length >= 4",
        timeout=60_000)
    assert page.locator(".nr-plotly").count() == 0, "Lab drew the HTML fallback"
    assert not [u for u in requests if "/nextround/static/plotly" in u]
    assert page.locator(".nr-chart-summary").count() == 4
    snapshot(page, "lab-progress")
