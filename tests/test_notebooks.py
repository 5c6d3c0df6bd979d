"""Every workbook notebook runs top to bottom against a temporary store."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from nextround.demo import create_demo
from nextround.paths import app_dir, workbook_dir
from nextround.settings import LAST_CLIENT
from nextround.store import Store

NOTEBOOKS = [*sorted(workbook_dir().glob("*.ipynb")), app_dir() / "app.ipynb"]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("nb") / "workbook.db"
    store = Store(path)
    clients = create_demo(store)
    store.set_setting(LAST_CLIENT, clients[0].id)
    store.close()
    return path


def test_the_workbook_folder_holds_every_step_and_only_the_steps():
    """The client opens this folder in JupyterLab: the app's notebook lives elsewhere."""
    names = sorted(path.name for path in workbook_dir().iterdir()
                   if not path.name.startswith("."))
    assert names == ["00-start.ipynb", "01-log-rejection.ipynb", "02-ask-for-feedback.ipynb",
                     "03-understand-feedback.ipynb", "04-self-assessment.ipynb",
                     "05-look-after-yourself.ipynb", "06-stay-gracious.ipynb",
                     "07-action-plan.ipynb", "08-progress.ipynb"]
    assert (app_dir() / "app.ipynb").is_file() and app_dir() != workbook_dir()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_without_errors(path, demo_db, monkeypatch):
    monkeypatch.setenv("NEXTROUND_DB", str(demo_db))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [out for cell in notebook.cells if cell.cell_type == "code"
               for out in cell.get("outputs", [])]
    assert not [out for out in outputs if out.output_type == "error"]
    assert not [out for out in outputs if out.output_type == "stream" and out.name == "stderr"
                and "Traceback" in out.text]
    assert any(WIDGET_VIEW in out.get("data", {}) for out in outputs), "no widget shown"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_stay_thin(path):
    notebook = json.loads(path.read_text())
    code = [line for cell in notebook["cells"] if cell["cell_type"] == "code"
            for line in "".join(cell["source"]).splitlines() if line.strip()]
    assert 0 < len(code) < 20
    if path.stem == "app":
        return  # the app page carries its own header; a notebook heading would repeat it
    intro = notebook["cells"][0]
    assert intro["cell_type"] == "markdown" and len("".join(intro["source"])) > 80
