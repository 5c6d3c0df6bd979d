"""``nextround lab``: JupyterLab on the client's workbook, as a client meets it.

The folder holds the client's step notebooks and nothing else (the app's
notebook lives in ``app/``), Lab opens without asking about Jupyter news,
and the step's buttons show their whole label.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_harness import (
    ARTIFACTS,
    SERVER_START_TIMEOUT,
    free_port,
    server_env,
    snapshot,
    stop_process,
)

from nextround.demo import create_demo
from nextround.store import Store

WORKBOOK_NOTEBOOKS = ["00-start.ipynb", "01-log-rejection.ipynb", "02-ask-for-feedback.ipynb",
                      "03-understand-feedback.ipynb", "04-self-assessment.ipynb",
                      "05-look-after-yourself.ipynb", "06-stay-gracious.ipynb",
                      "07-action-plan.ipynb", "08-progress.ipynb"]
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"


@dataclass
class Lab:
    url: str
    token: str
    process: subprocess.Popen
    log: Path

    def get(self, path: str) -> tuple[int, str]:
        joiner = "&" if "?" in path else "?"
        with urllib.request.urlopen(f"{self.url}{path}{joiner}token={self.token}",
                                    timeout=30) as response:
            return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Lab]:
    """``nextround lab`` on demo data, with Jupyter settings of its own (a first open)."""
    temp = tmp_path_factory.mktemp("lab")
    db = temp / "lab.db"
    with Store(db) as store:
        create_demo(store)
    env = server_env(temp)
    token = secrets.token_hex(16)
    for name in ("config", "data", "runtime"):
        (temp / name).mkdir()
    env.update(JUPYTER_CONFIG_DIR=str(temp / "config"), JUPYTER_DATA_DIR=str(temp / "data"),
               JUPYTER_RUNTIME_DIR=str(temp / "runtime"), JUPYTER_TOKEN=token)
    env.pop("JUPYTER_CONFIG_PATH", None)
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "lab-server.log"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "nextround.cli", "lab", "--no-browser", f"--port={port}",
             f"--db={db}"], env=env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)
    served = Lab(url=f"http://127.0.0.1:{port}/", token=token, process=process, log=log)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"nextround lab exited with {process.returncode}:\n"
                            f"{log.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
                if served.get("api/status")[0] == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"nextround lab did not answer:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        yield served
    finally:
        stop_process(process)


def page_config(html: str) -> dict:
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)'
                      r"</script>", html, re.DOTALL)
    assert found, "no page config in the Lab page"
    return json.loads(found.group(1))


def test_the_workbook_folder_lists_only_the_clients_notebooks(lab):
    status, body = lab.get("api/contents/")
    assert status == 200
    names = sorted(item["name"] for item in json.loads(body)["content"])
    assert names == WORKBOOK_NOTEBOOKS


def test_lab_turns_the_news_plugin_off(lab):
    status, html = lab.get("lab/tree/01-log-rejection.ipynb")
    assert status == 200
    assert NEWS_PLUGIN in page_config(html)["disabledExtensions"]


def test_lab_opens_a_step_with_no_news_prompt_and_whole_buttons(lab, page):
    page.goto(f"{lab.url}lab/tree/01-log-rejection.ipynb?token={lab.token}")
    page.locator(".jp-NotebookPanel").first.wait_for(state="visible", timeout=60_000)
    # The notebook names its kernel: Lab starts it without asking which one.
    page.get_by_text(re.compile(r"\| Idle$")).first.wait_for(timeout=90_000)
    assert page.get_by_text("Select Kernel").count() == 0
    page.locator(".jp-CodeCell .jp-InputArea-editor").first.click()
    page.keyboard.press("Shift+Enter")
    add = page.get_by_role("button", name="Add an application")
    add.wait_for(state="visible", timeout=60_000)
    page.get_by_label("Company").wait_for(state="visible", timeout=30_000)
    # By now Lab would have asked "Would you like to get notified about official
    # Jupyter news?" (it asks on first open, before any notebook has run).
    assert page.get_by_text(re.compile("Jupyter news", re.IGNORECASE)).count() == 0
    cut_off = page.evaluate("""() => [...document.querySelectorAll(
        '.jp-OutputArea .jupyter-button')].filter(b => b.offsetParent !== null
        && b.scrollWidth > b.clientWidth + 1).map(b => b.textContent.trim())""")
    assert cut_off == []
    box = add.bounding_box()
    column = page.locator(".jp-OutputArea-output").first.bounding_box()
    # Its whole label, beyond ipywidgets' fixed 148 px, yet not stretched across the page.
    assert box and column and 150 < box["width"] < column["width"] / 2
    snapshot(page, "lab-log-step")
