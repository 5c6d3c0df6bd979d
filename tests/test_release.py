"""A release installs from its wheel and works with nothing from this checkout.

One test, in the order a release goes: build the sdist and the wheel, check
them with ``twine check``, install the wheel (not editable) into a fresh
venv, then from that venv only: ``nextround check-content``, a notebook that
is not part of the project using three components by their public names
with its own store (run by nbclient), and ``nextround serve --demo`` rendered
in Chromium. The venv's packages come from pip's local cache. Building and
installing begin in the background early in a run that includes this test
(``HEAD_START``, see ``tests/head_start.py``); the checks run here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "browser"))
from browser_harness import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    TOKEN,
    PageLog,
    free_port,
    open_watched_page,
    stop_process,
    wait_for_widgets,
    wait_until_ready,
)
from head_start import HeadStart  # noqa: E402

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]

#: A notebook an author might write: three steps by their public names, its own store.
AUTHOR_CELLS = [
    "import sys, tempfile\n"
    "from pathlib import Path\n"
    "import nextround\n"
    "from nextround import Store, load_content\n"
    "from nextround.components import ActionPlan, RejectionLog, Wellbeing\n"
    "print('package:', Path(nextround.__file__).parent)",
    "folder = Path(tempfile.mkdtemp())\n"
    "store = Store(folder / 'my-clients.db')\n"
    "content = load_content()\n"
    "client = store.create_client('Robin')",
    "log = RejectionLog.create(content=content, store=store, client_id=client.id)\n"
    "log.model.save_field('company', 'Contoso')\n"
    "log.model.save_field('outcome', 'rejected')\n"
    "log",
    "feelings = Wellbeing.create(content=content, store=store, client_id=client.id)\n"
    "feelings",
    "plan = ActionPlan.create(content=content, store=store, client_id=client.id)\n"
    "plan.model.add_own('Ask Contoso for feedback')\n"
    "plan",
    "again = Store(folder / 'my-clients.db')\n"
    "from nextround.components import ActionPlan as Plan\n"
    "titles = [a.title for a in Plan.create(content=content, store=again,\n"
    "                                       client_id=client.id).model.actions]\n"
    "print('saved:', titles, 'in', folder)",
]


def run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 600
        ) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, (f"{' '.join(command)} exited {result.returncode}:\n"
                                    f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def outside_env() -> dict[str, str]:
    """This environment without anything pointing back at the checkout."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "NEXTROUND_DB", "JUPYTER_PATH")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def author_notebook(path: Path) -> None:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(code) for code in AUTHOR_CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)


RUN_NOTEBOOK = """
import sys, nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=180, kernel_name="python3").execute()
nbformat.write(notebook, sys.argv[1])
"""


@dataclass
class Release:
    """What building and installing made: the dist folder, the twine report, the venv."""
    dist: Path
    twine_report: str
    venv: Path
    timings: dict[str, float] = field(default_factory=dict)


def build_and_install(folder: Path) -> Release:
    """Build the sdist and the wheel, check them with twine, install the wheel alone into a
    fresh venv. Begun in the background early in the run (``HEAD_START``)."""
    env = outside_env()
    timings: dict[str, float] = {}
    started = time.monotonic()
    dist = folder / "dist"
    run([sys.executable, "-m", "build", "--outdir", str(dist), str(REPO)], cwd=folder,
        env=env)
    built = sorted(dist.glob("nextround-*"))
    checked = run([sys.executable, "-m", "twine", "check", "--strict", *map(str, built)],
                  cwd=folder, env=env)
    timings["build and twine check"] = time.monotonic() - started

    mark = time.monotonic()
    venv = folder / "venv"
    # Without a pip of its own (installing one is a few seconds of work for nothing):
    # this environment's pip installs into it with --python.
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=folder, env=env)
    wheels = sorted(dist.glob("nextround-*.whl"))
    assert len(wheels) == 1, sorted(p.name for p in dist.iterdir())
    # No byte-compiling: it is most of an install's time, and Python compiles on first import.
    run([*pip_for(venv), "install", "-q", "--no-compile", str(wheels[0])],
        cwd=folder, env=env, timeout=900)
    timings["install"] = time.monotonic() - mark
    return Release(dist=dist, twine_report=checked.stdout, venv=venv, timings=timings)


def pip_for(venv: Path) -> list[str]:
    """This environment's pip, installing into (or reading) ``venv``."""
    return [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]


HEAD_START = HeadStart("release", build_and_install)


def test_the_wheel_installs_in_a_fresh_venv_and_works(tmp_path: Path, tmp_path_factory):
    started = time.monotonic()
    env = outside_env()

    # Build and check (begun in the background early in the run).
    release = HEAD_START.result(tmp_path_factory.mktemp("release"))
    timings = dict(release.timings)
    timings["waited for build and install"] = time.monotonic() - started
    dist = release.dist
    wheels = sorted(dist.glob("nextround-*.whl"))
    sdists = sorted(dist.glob("nextround-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in dist.iterdir())
    with zipfile.ZipFile(wheels[0]) as wheel:
        shipped = set(wheel.namelist())
    revisions = REPO / "widgets" / "nextround" / "store" / "alembic_scripts"
    assert {f"nextround/store/alembic_scripts/{path.relative_to(revisions)}"
            for path in revisions.rglob("*.py")} <= shipped  # Alembic's env and revisions
    # The interface catalogues, compiled at build time (hatch_build.py).
    assert "nextround/locale/es/LC_MESSAGES/nextround.mo" in shipped, sorted(
        name for name in shipped if "locale" in name)
    assert release.twine_report.count("PASSED") == 2, release.twine_report
    print(f"build and twine check: {timings['build and twine check']:.0f} s")

    # A fresh venv with the wheel only.
    venv = release.venv
    python = venv / "bin" / "python"
    pip = pip_for(venv)
    print(f"install: {timings['install']:.0f} s")
    where = run([str(python), "-c", "import nextround, sys; print(nextround.__file__)"],
                cwd=tmp_path, env=env).stdout.strip()
    assert Path(where).is_relative_to(venv), f"nextround came from {where}"
    listed = run([*pip, "show", "-f", "nextround"], cwd=tmp_path, env=env).stdout
    assert "Editable project location" not in listed

    # nextround serve --demo from that venv starts (on the second core) while the
    # commands and the notebook below run.
    port = free_port()
    serve_env = dict(env, NEXTROUND_TOKEN=TOKEN, TMPDIR=str(tmp_path))
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log_file:
        server = subprocess.Popen(
            [str(venv / "bin" / "nextround"), "serve", "--demo", "--no-browser", "--port",
             str(port)], cwd=tmp_path, env=serve_env, stdin=subprocess.DEVNULL,
            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        check_and_run_the_notebook(venv, where, tmp_path, env, timings)

        # nextround serve --demo (started above), rendered in Chromium.
        mark = time.monotonic()
        base = f"http://127.0.0.1:{port}/"
        wait_until_ready(base, server, log_path)
        render_app(f"{base}?token={TOKEN}", tmp_path)
    finally:
        assert stop_process(server) == 0, log_path.read_text()[-3000:]
    timings["serve and render"] = time.monotonic() - mark
    timings["total"] = time.monotonic() - started
    print("release test:", ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))


def check_and_run_the_notebook(venv: Path, where: str, tmp_path: Path, env: dict[str, str],
                               timings: dict[str, float]) -> None:
    """From the venv only: check-content, db upgrade and current, an author's notebook."""
    python = venv / "bin" / "python"
    mark = time.monotonic()
    checked = run([str(venv / "bin" / "nextround"), "check-content"], cwd=tmp_path, env=env)
    assert "nextround/_content" in checked.stdout + checked.stderr
    # A database from the release before Alembic is upgraded in place by the wheel's revisions.
    old_db = tmp_path / "old.db"
    old_db.write_bytes((REPO / "tests" / "data" / "store" / "written_by_schema_3.db").read_bytes())
    upgraded = run([str(venv / "bin" / "nextround"), "db", "upgrade", "--db", str(old_db)],
                   cwd=tmp_path, env=env)
    assert upgraded.stdout.startswith("Upgraded from schema version 3 to revision "), \
        upgraded.stdout
    current = run([str(venv / "bin" / "nextround"), "db", "current", "--db", str(old_db)],
                  cwd=tmp_path, env=env)
    from nextround.store import MIGRATIONS

    head = len(MIGRATIONS)
    assert current.stdout == f"revision {head:04d} (schema version {head}): up to date\n"
    timings["check-content"] = time.monotonic() - mark

    # An author's notebook, outside the project, under nbclient in that venv.
    mark = time.monotonic()
    notebook = tmp_path / "author" / "my-workshop.ipynb"
    notebook.parent.mkdir()
    author_notebook(notebook)
    run([str(python), "-c", RUN_NOTEBOOK, str(notebook)], cwd=notebook.parent, env=env)
    outputs = [out for cell in json.loads(notebook.read_text())["cells"]
               for out in cell.get("outputs", [])]
    printed = "".join("".join(out.get("text", "")) for out in outputs)
    assert f"package: {Path(where).parent}" in printed
    assert "saved: ['Ask Contoso for feedback'] in" in printed
    widgets = [out for out in outputs
               if "application/vnd.jupyter.widget-view+json" in out.get("data", {})]
    assert len(widgets) == 3, "each of the three steps shows as a widget"
    assert not (REPO / "my-clients.db").exists()
    timings["author's notebook"] = time.monotonic() - mark
    notebook_seconds = timings["check-content"] + timings["author's notebook"]
    print(f"check-content and the author's notebook: {notebook_seconds:.0f} s")


def render_app(url: str, tmp_path: Path) -> None:
    """Open the app in Chromium; it must show the demo clients and load nothing from outside."""
    from playwright.sync_api import expect, sync_playwright

    log = PageLog()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            context, page = open_watched_page(browser, log)
            page.goto(url)
            wait_for_widgets(page)
            picker = page.get_by_label("Client", exact=True)
            expect(picker).to_be_visible(timeout=30_000)
            assert picker.locator("option").count() >= 3, "the demo clients are listed"
            expect(page.get_by_role("button", name="Counsellor view")).to_be_visible()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "release-app.png"), full_page=True)
            context.close()
        finally:
            browser.close()
    assert not log.problems(), log.problems()
