"""The Binder setup (``binder/``), checked as far as this machine allows.

Binder builds the repository with repo2docker: because ``binder/`` exists, it
reads only that folder (the root ``pyproject.toml`` is not used directly),
runs ``pip install -r binder/requirements.txt`` from the repository root, then
``binder/postBuild``, and starts a Jupyter Server in the repository root with
every installed server extension, Voilà included. These tests do the same
without Docker:

1. a fresh virtual environment gets ``pip install -r binder/requirements.txt``
   run from the repository root (a normal, non-editable install, as on
   Binder), then ``binder/postBuild`` runs with that environment first on
   ``PATH``;
2. Jupyter Server starts from that environment in the repository root, with
   ``NEXTROUND_DB`` on a temporary file and a ``BINDER_`` variable set as
   BinderHub sets them;
3. the README's Binder addresses are fetched from it: the Voilà app
   (``/voila/render/app/app.ipynb``) and the workbook in JupyterLab;
   the app is also loaded in Chromium, where it must show its widgets and the
   Binder notice and ask for nothing outside this machine.

The package code, content and Voilà template come from the environment's
site-packages; only the notebooks are read from the checkout, as on Binder.

Python: ``binder/runtime.txt`` asks for 3.12. The environment is built with a
Python 3.12 found on ``PATH``, under pyenv or in ``/usr/bin``; where there is
none, with the Python running the tests, and a warning says so.

The built environment is cached under ``~/.cache/nextround-binder-test/``
(``$NEXTROUND_BINDER_CACHE`` moves it), keyed on ``binder/``, the
dependencies and build system in ``pyproject.toml``, and the interpreter: a
change to any of them rebuilds it. The project itself is reinstalled (without
dependencies) on every run, so the code under test is always the checkout's.
A cold build takes a minute or two and needs the package index; a warm run
takes seconds. Both begin in the background early in a run that includes
these tests (``HEAD_START``, see ``tests/head_start.py``).

Not checked here: the Docker image repo2docker really builds (its conda
Python, its own Jupyter packages) and how mybinder.org starts the server.

Run as a script (``python tests/test_binder.py URL PNG``), this module loads
the app in Chromium and prints what it saw as JSON. The browser test runs it
in its own process, because Playwright's sync API cannot start a second time
while the browser tests' session-wide Chromium is open.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from head_start import HeadStart

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
README = REPO / "README.md"
ARTIFACTS = REPO / "test-artifacts"
HARNESS_DIR = Path(__file__).resolve().parent / "browser"
CHROMIUM = "/usr/bin/chromium"
WANTED_PYTHON = (3, 12)
BUILD_TIMEOUT = 1800
SERVER_START_TIMEOUT = 90
#: How long Voilà may take to run the app's notebook and send the page.
RENDER_TIMEOUT_S = 120
#: A cached environment not used for this long is removed when another is built.
CACHE_MAX_AGE_DAYS = 14
#: What BinderHub sets in a Binder session (the app looks for any ``BINDER_`` variable).
BINDER_ENV = {"BINDER_LAUNCH_HOST": "https://mybinder.org/"}
#: The app's Binder notice, as the client reads it.
BINDER_NOTICE = "This is a temporary online copy."
ANSI = re.compile(r"\x1b\[[0-9;]*m")
BINDER_LINK = re.compile(r"https://mybinder\.org/v2/gh/[^\s)\"'<>]+")


# --- the files ---------------------------------------------------------------------


def test_binder_folder_holds_a_pip_setup_only():
    # An environment.yml, Pipfile or Dockerfile here would make repo2docker
    # ignore runtime.txt or requirements.txt.
    assert sorted(path.name for path in BINDER.iterdir()) == [
        "postBuild", "requirements.txt", "runtime.txt", "voila.py"]


def test_requirements_install_this_repository_only():
    lines = [line.strip() for line in
             (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    assert [line for line in lines if line and not line.startswith("#")] == ["."]


def test_runtime_names_python_3_12():
    # repo2docker's form is ``python-X.Y``, on the file's only line.
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.12"


def test_post_build_is_a_script_that_installs_the_voila_settings():
    script = BINDER / "postBuild"
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert "voila.py" in text and "etc/jupyter" in text
    assert os.access(script, os.X_OK), "binder/postBuild must be executable"


def test_voila_settings_pick_the_template_and_keep_mathjax_local():
    from traitlets.config import PyFileConfigLoader

    config = PyFileConfigLoader("voila.py", path=str(BINDER)).load_config()
    voila = config.VoilaConfiguration
    assert voila.template == "nextround"
    hook = voila.page_config_hook
    page_config = {"fullMathjaxUrl": "https://cdnjs.example/mathjax.js",
                   "mathjaxConfig": "TeX-AMS_CHTML-full,Safe", "baseUrl": "/"}
    changed = hook(page_config, base_url="/", settings={}, log=None,
                   voila_configuration=None, notebook_path="app/app.ipynb")
    assert changed == {"fullMathjaxUrl": None, "mathjaxConfig": None, "baseUrl": "/"}


def readme_binder_links() -> dict[str, str]:
    """The README's Binder addresses, by the path they open (``urlpath``)."""
    links: dict[str, str] = {}
    for url in BINDER_LINK.findall(README.read_text(encoding="utf-8")):
        urlpath = parse_qs(urlsplit(url).query).get("urlpath", [""])[0]
        links[urlpath] = url
    return links


def test_readme_links_open_the_app_and_jupyterlab_on_binder():
    text = README.read_text(encoding="utf-8")
    links = readme_binder_links()
    assert set(links) == {"voila/render/app/app.ipynb", "lab/tree/workbook/00-start.ipynb"}
    app = links["voila/render/app/app.ipynb"]
    badge = re.search(r"\[!\[[^\]]+\]\(https://mybinder\.org/badge_logo\.svg\)\]\(([^)]+)\)",
                      text)
    assert badge, "no Binder badge in the README"
    assert badge.group(1) == app
    # Both open the same repository at the same ref.
    assert len({urlsplit(url).path for url in links.values()}) == 1
    for urlpath in links:
        notebook = urlpath.split("/", 2)[2]
        assert (REPO / notebook).is_file(), notebook


# --- the environment ---------------------------------------------------------------


def python_version_of(executable: str) -> tuple[tuple[int, int], str] | None:
    """``((major, minor), sys.executable)`` of a Python that can make venvs, or None."""
    try:
        found = subprocess.run(
            [executable, "-c", "import sys, venv, ensurepip, json; "
             "print(json.dumps([sys.version_info[:2], sys.executable]))"],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if found.returncode != 0:
        return None
    version, path = json.loads(found.stdout)
    return tuple(version), path


def wanted_python() -> str | None:
    """A Python 3.12, as ``binder/runtime.txt`` asks, or None when there is none."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which("python3.12"),
                  *sorted(glob(str(pyenv_root / "versions" / "3.12*" / "bin" / "python3.12")),
                          reverse=True),
                  "/usr/bin/python3.12", "/usr/local/bin/python3.12"]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            found = python_version_of(candidate)
            if found and found[0] == WANTED_PYTHON:
                return found[1]
    return None


def warn_about_python() -> None:
    warnings.warn(f"no Python {'.'.join(map(str, WANTED_PYTHON))} here: the Binder environment "
                  f"is built with Python {sys.version.split()[0]} instead", stacklevel=2)


def cache_key(python: str) -> str:
    """Changes when anything that shapes the installed dependencies changes."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    shaping = {
        "build-system": project.get("build-system"),
        "dependencies": project["project"].get("dependencies"),
        "requires-python": project["project"].get("requires-python"),
        "python": python,
        "python-version": python_version_of(python)[0],
        "binder": {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                   for path in sorted(BINDER.iterdir()) if path.is_file()},
    }
    encoded = json.dumps(shaping, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def cache_root() -> Path:
    if os.environ.get("NEXTROUND_BINDER_CACHE"):
        return Path(os.environ["NEXTROUND_BINDER_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "nextround-binder-test"


def clean_env(venv: Path, **extra: str) -> dict[str, str]:
    """This environment with ``venv`` first on PATH and nothing of the checkout importable."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
           and not key.startswith(("JUPYTER_", "NEXTROUND_", "BINDER_"))}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(venv)
    env.update(extra)
    return env


def run(command: list, *, env: dict[str, str], what: str, timeout: float = BUILD_TIMEOUT,
        cwd: Path = REPO) -> subprocess.CompletedProcess:
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, (
        f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def build_venv(venv: Path, python: str) -> None:
    """What repo2docker does, in a fresh venv: install binder/requirements.txt from the root."""
    run([python, "-m", "venv", venv], env=clean_env(venv), what="python -m venv")
    pip = [venv / "bin" / "python", "-m", "pip"]
    # No byte-compiling, as in ./scripts/test: it is most of an install's time, and
    # Python compiles (and keeps) each module the first time the server imports it.
    run([*pip, "install", "--no-compile", "-r", "binder/requirements.txt"], env=clean_env(venv),
        what="pip install -r binder/requirements.txt")
    # Lets each run reinstall the project quickly, without the package index.
    build_requires = tomllib.loads(
        (REPO / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    run([*pip, "install", "--no-compile", *build_requires], env=clean_env(venv),
        what="installing the build system")


def refresh_venv(venv: Path) -> None:
    """Reinstall the project as it is now (same requirements file, no dependencies), then
    run postBuild as repo2docker does: from the repository root, the environment on PATH."""
    run([venv / "bin" / "python", "-m", "pip", "install", "--no-deps", "--force-reinstall",
         "--no-build-isolation", "-r", "binder/requirements.txt"],
        env=clean_env(venv), what="reinstalling the project")
    run([BINDER / "postBuild"], env=clean_env(venv), what="binder/postBuild", timeout=120)


def prune_cache(root: Path, keep: Path) -> None:
    limit = time.time() - CACHE_MAX_AGE_DAYS * 86400
    for entry in root.iterdir():
        marker = entry / "built"
        if entry.is_dir() and entry != keep and (
                not marker.exists() or marker.stat().st_mtime < limit):
            shutil.rmtree(entry, ignore_errors=True)


@dataclass
class BinderEnv:
    venv: Path
    python: str
    built_in: float | None  # seconds, when this run built it
    #: No Python 3.12 was found: the environment has the tests' Python instead.
    not_the_wanted_python: bool = False
    #: Written to ``REFRESHED_BY`` beside the venv by the refresh that made it current.
    refresh_token: str = ""

    @property
    def bin(self) -> Path:
        return self.venv / "bin"


#: Beside a cached venv: the token of the refresh that last reinstalled the project
#: in it. Runs from other checkouts share the cache and refresh it with their code.
REFRESHED_BY = "refreshed-by"


@contextlib.contextmanager
def cache_lock(root: Path) -> Iterator:
    """The cache's lock file, opened; the holder takes the lock it needs with flock."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as lock:
        yield lock


def build_if_missing(home: Path, python: str, root: Path) -> float | None:
    """Build the environment in ``home`` unless it is there: the seconds it took, or None.
    The caller holds the cache lock alone."""
    marker = home / "built"
    if marker.exists():
        marker.touch()
        return None
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    started = time.monotonic()
    build_venv(home / "venv", python)
    built_in = time.monotonic() - started
    marker.write_text(f"{python}\nbuilt in {built_in:.0f} s\n", encoding="utf-8")
    prune_cache(root, keep=home)
    return built_in


def refresh(home: Path) -> str:
    """Reinstall the project and run postBuild (``refresh_venv``), then sign it with a new
    token. The caller holds the cache lock alone."""
    (home / REFRESHED_BY).unlink(missing_ok=True)
    refresh_venv(home / "venv")
    token = secrets.token_hex(16)
    (home / REFRESHED_BY).write_text(token, encoding="utf-8")
    return token


def prepare_binder_env(_folder: Path) -> BinderEnv:
    """Build (when not cached) and refresh the Binder environment, then let the lock go.

    Begun in the background early in the run (``HEAD_START``): the build is a
    minute or more of installing on a cold cache.
    """
    python = wanted_python()
    env = BinderEnv(venv=Path(), python=python or sys.executable, built_in=None,
                    not_the_wanted_python=python is None)
    root = cache_root()
    home = root / cache_key(env.python)
    with cache_lock(root) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        env.built_in = build_if_missing(home, env.python, root)
        env.refresh_token = refresh(home)
    env.venv = home / "venv"
    return env


HEAD_START = HeadStart("binder-env", prepare_binder_env)


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory) -> Iterator[BinderEnv]:
    """The Binder environment, built or reused, refreshed, and held for the module.

    Building or refreshing takes the cache lock alone; using it takes a shared
    lock, so another test run cannot reinstall the project under a running server.
    The build and refresh begin in the background early in the run; if another
    run has refreshed the environment since, it is refreshed again here, under the
    lock, so the code under test is always this checkout's.
    """
    env = HEAD_START.result(tmp_path_factory.mktemp("binder-env"))
    if env.not_the_wanted_python:
        warn_about_python()
    home = env.venv.parent
    with cache_lock(cache_root()) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built_in = build_if_missing(home, env.python, cache_root())
        refreshed_by = home / REFRESHED_BY
        if built_in is not None or not refreshed_by.exists() or (
                refreshed_by.read_text(encoding="utf-8") != env.refresh_token):
            env.refresh_token = refresh(home)
        env.built_in = env.built_in if built_in is None else built_in
        fcntl.flock(lock, fcntl.LOCK_SH)
        yield env


# --- the server --------------------------------------------------------------------


@dataclass
class JupyterServer:
    url: str  # ends in "/"
    token: str
    process: subprocess.Popen
    log: Path

    def get(self, path: str, *, timeout: float = 120) -> tuple[int, str]:
        separator = "&" if "?" in path else "?"
        request = urllib.request.Request(f"{self.url}{path}{separator}token={self.token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", errors="replace")

    def headers(self, path: str, *, timeout: float = 120) -> tuple[int, dict[str, str], int]:
        """Status, headers and bytes sent for ``path``, asked for as a browser asks (gzip)."""
        separator = "&" if "?" in path else "?"
        request = urllib.request.Request(f"{self.url}{path}{separator}token={self.token}",
                                         headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.headers.items()}, len(body)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(env_: BinderEnv, temp: Path) -> dict[str, str]:
    """Jupyter settings of its own (none of this user's), a temporary store, Binder's marker."""
    for name in ("config", "data", "runtime", "tmp"):
        (temp / name).mkdir(exist_ok=True)
    return clean_env(env_.venv, JUPYTER_CONFIG_DIR=str(temp / "config"),
                     JUPYTER_DATA_DIR=str(temp / "data"),
                     JUPYTER_RUNTIME_DIR=str(temp / "runtime"), TMPDIR=str(temp / "tmp"),
                     NEXTROUND_DB=str(temp / "binder.db"), **BINDER_ENV)


def stop_jupyter(server: JupyterServer) -> None:
    """Shut the kernels down through the API, then the server; leave nothing behind."""
    with contextlib.suppress(Exception):
        status, body = server.get("api/kernels", timeout=10)
        for kernel in json.loads(body) if status == 200 else []:
            request = urllib.request.Request(
                f"{server.url}api/kernels/{kernel['id']}?token={server.token}", method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()
    process = server.process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


@pytest.fixture(scope="module")
def jupyter(binder_env: BinderEnv, tmp_path_factory) -> Iterator[JupyterServer]:
    """Jupyter Server from the Binder environment, in the repository root, as on Binder."""
    temp = tmp_path_factory.mktemp("binder-server")
    port = free_port()
    token = secrets.token_hex(16)
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "binder-server.log"
    command = [binder_env.bin / "jupyter", "server", "--no-browser", f"--port={port}",
               "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.token={token}", "--allow-root"]
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen([str(part) for part in command], cwd=REPO,
                                   env=server_env(binder_env, temp), stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = JupyterServer(url=f"http://127.0.0.1:{port}/", token=token, process=process, log=log)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter server exited with {process.returncode}:\n"
                            f"{server.log_text()[-3000:]}")
            with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
                if server.get("api/status", timeout=2)[0] == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter server did not answer within {SERVER_START_TIMEOUT} s:\n"
                            f"{server.log_text()[-3000:]}")
            time.sleep(0.25)
        yield server
    finally:
        stop_jupyter(server)


@pytest.fixture(scope="module")
def app_html(jupyter: JupyterServer) -> str:
    """The app page as Voilà renders it at the README badge's address (runs the notebook)."""
    status, html = jupyter.get(readme_path("voila/render/app/app.ipynb"),
                               timeout=RENDER_TIMEOUT_S)
    assert status == 200, f"{status}:\n{html[-2000:]}\n{jupyter.log_text()[-3000:]}"
    return html


def readme_path(urlpath: str) -> str:
    """The server path the README's Binder link for ``urlpath`` opens."""
    links = readme_binder_links()
    assert urlpath in links, f"no Binder link to {urlpath} in the README"
    return urlpath


# --- the checks --------------------------------------------------------------------


def site_report(binder_env: BinderEnv) -> dict:
    """Where the installed package and its files are, seen by the environment's Python
    from the workbook folder (the kernel's working directory)."""
    code = (
        "import json, sys, nextround, importlib.metadata as md\n"
        "from nextround import paths\n"
        "dist = md.distribution('nextround')\n"
        "print(json.dumps({'file': nextround.__file__, 'prefix': sys.prefix,\n"
        "  'version': list(sys.version_info[:2]),\n"
        "  'content': str(paths.content_dir()), 'workbook': str(paths.workbook_dir()),\n"
        "  'direct_url': json.loads(dist.read_text('direct_url.json'))}))\n")
    done = run([binder_env.bin / "python", "-c", code], env=clean_env(binder_env.venv),
               what="importing nextround", timeout=120, cwd=REPO / "workbook")
    return json.loads(done.stdout)


@pytest.mark.slow
def test_installed_package_is_a_real_install_with_content_and_workbook(binder_env):
    report = site_report(binder_env)
    package = Path(report["file"]).parent
    major, minor = report["version"]
    assert package == (Path(report["prefix"]) / "lib" / f"python{major}.{minor}"
                       / "site-packages" / "nextround")
    assert Path(report["prefix"]) == binder_env.venv
    assert tuple(report["version"]) == python_version_of(binder_env.python)[0]
    # Not editable, and installed from this checkout: the "." resolved to the root.
    assert report["direct_url"]["dir_info"].get("editable", False) is False
    assert report["direct_url"]["url"] == REPO.as_uri()
    assert Path(report["content"]) == package / "_content"
    assert Path(report["workbook"]) == package / "_workbook"
    for shipped, source, pattern in ((package / "_content", REPO / "content", "*.yaml"),
                                     (package / "_workbook", REPO / "workbook", "*.ipynb"),
                                     (package / "_app", REPO / "app", "*.ipynb")):
        names = sorted(path.name for path in source.glob(pattern))
        assert names and sorted(path.name for path in shipped.glob(pattern)) == names
        for name in names:
            assert (shipped / name).read_bytes() == (source / name).read_bytes(), name
    template = binder_env.venv / "share" / "jupyter" / "voila" / "templates" / "nextround"
    for name in ("conf.json", "index.html.j2", "static/nextround.css"):
        assert (template / name).read_bytes() == (
            REPO / "share" / "jupyter" / "voila" / "templates" / "nextround" / name).read_bytes()
    assert (binder_env.venv / "etc" / "jupyter" / "voila.py").read_bytes() == (
        BINDER / "voila.py").read_bytes()


@pytest.mark.slow
def test_voila_is_an_enabled_server_extension(binder_env, tmp_path):
    done = run([binder_env.bin / "jupyter", "server", "extension", "list"],
               env=server_env(binder_env, tmp_path), what="jupyter server extension list",
               timeout=120)
    listing = ANSI.sub("", done.stdout + done.stderr)
    assert re.search(r"^\s*voila\.server_extension\s+enabled\s*$", listing, re.M), listing
    assert re.search(r"voila\.server_extension\s+OK", listing), listing


@pytest.mark.slow
def test_app_renders_with_the_nextround_template(jupyter, app_html):
    html = app_html
    # The nextround template, its stylesheet served by this server.
    assert 'class="jp-Notebook nextround' in html
    assert "/voila/templates/nextround/static/nextround.css" in html
    status, css = jupyter.get("voila/templates/nextround/static/nextround.css")
    assert status == 200 and css.strip()
    # The notebook ran: its first cell shows the App widget, and no cell failed.
    outputs = [json.loads(block) for block in re.findall(
        r'<script type="application/vnd\.voila\.cell-output\+json">\s*(.*?)\s*</script>',
        html, re.S)]
    assert outputs, "no cell output in the page"
    assert outputs[0]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert outputs[0]["data"]["text/plain"].startswith("App(")
    assert [o for o in outputs if o.get("output_type") == "error"] == []
    assert "Traceback" not in html and "There was an error when executing" not in html


@pytest.mark.slow
def test_app_page_links_nothing_outside_the_server(app_html):
    addresses = re.findall(r"""(?:href|src)=["']([^"']+)""", app_html)
    assert addresses
    assert [a for a in addresses if re.match(r"(https?:)?//", a)] == []
    assert "fontawesome" not in app_html.lower()
    # Left unset, Voilà's page typesets maths with its own MathJax, not one from a CDN.
    config = json.loads(re.search(
        r'<script id="jupyter-config-data" type="application/json">\s*(.*?)\s*</script>',
        app_html, re.S).group(1))
    assert config["fullMathjaxUrl"] is None and config["mathjaxConfig"] is None


@pytest.mark.slow
def test_app_page_loads_only_the_widget_manager(app_html):
    """As under ``nextround serve``: plotly's lab extension is not on the first view."""
    config = json.loads(re.search(
        r'<script id="jupyter-config-data" type="application/json">\s*(.*?)\s*</script>',
        app_html, re.S).group(1))
    loaded = {ext["name"] for ext in config["federated_extensions"]}
    assert loaded == {"@jupyter-widgets/jupyterlab-manager",
                      "@voila-dashboards/widgets-manager8"}


@pytest.mark.slow
def test_jupyter_server_serves_plotly_js_compressed_and_for_good(binder_env, jupyter):
    """nextround.web, enabled by the install: the charts' plotly.js, gzip, immutable."""
    name = subprocess.run(
        [str(binder_env.bin / "python"), "-c",
         "from nextround.web import plotly_js_url_path; print(plotly_js_url_path())"],
        capture_output=True, text=True, check=True, timeout=60,
        env=clean_env(binder_env.venv), stdin=subprocess.DEVNULL).stdout.strip()
    status, headers, sent = jupyter.headers(name)
    assert status == 200
    assert headers.get("content-encoding") == "gzip"
    assert "immutable" in headers.get("cache-control", "")
    assert sent < 2_500_000  # 4.8 MB as it is installed
    status, headers, _ = jupyter.headers("voila/templates/nextround/static/nextround.css")
    assert headers.get("content-encoding") == "gzip"


@pytest.mark.slow
def test_jupyterlab_opens_the_workbook(jupyter):
    status, html = jupyter.get(readme_path("lab/tree/workbook/00-start.ipynb"))
    assert status == 200
    assert "jupyter-config-data" in html and '"appName": "JupyterLab"' in html
    status, body = jupyter.get("api/contents/workbook/00-start.ipynb?content=0")
    assert status == 200 and json.loads(body)["type"] == "notebook"


@pytest.mark.slow
@pytest.mark.browser
def test_app_works_in_a_browser_and_tells_binder_users_to_download(jupyter):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; ./scripts/test installs Debian's chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    url = (f"{jupyter.url}{readme_path('voila/render/app/app.ipynb')}"
           f"?token={jupyter.token}")
    done = subprocess.run(
        [sys.executable, __file__, url, str(ARTIFACTS / "binder-app.png")],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["widgets"] > 0
    assert seen["notice"].startswith(BINDER_NOTICE)
    assert "Download my workbook file" in seen["notice"]
    assert seen["requests"] > 0
    assert seen["problems"] == []


# --- the browser check, run in its own process -----------------------------------------


def look_at_app(url: str, screenshot: str) -> dict:
    """Load the app in Chromium; report its widgets, Binder notice and misbehaviour."""
    sys.path.insert(0, str(HARNESS_DIR))
    from browser_harness import CHROMIUM_ARGS, PageLog, wait_for_widgets
    from playwright.sync_api import sync_playwright

    log = PageLog()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route("**/*", log.on_route)
            page = context.new_page()
            page.on("request", log.on_request)
            page.on("websocket", log.on_websocket)
            page.on("console", log.on_console)
            page.on("pageerror", log.on_page_error)
            # Voilà sends the page once the notebook has run: as long as ``app_html``
            # allows on a busy machine, not Playwright's 30 s.
            page.goto(url, timeout=RENDER_TIMEOUT_S * 1000)
            wait_for_widgets(page)
            notice = page.get_by_text(BINDER_NOTICE).first
            notice.wait_for(state="visible", timeout=30_000)
            seen = {
                "widgets": page.locator("#rendered_cells .jupyter-widgets").count(),
                "notice": " ".join(
                    page.locator(".nr-binder").first.inner_text().split()),
            }
            # Late requests (such as a maths typesetter loading) would show up here.
            page.wait_for_timeout(1500)
            page.screenshot(path=screenshot, full_page=True)
        finally:
            browser.close()
    return {**seen, "requests": len(log.requests), "problems": log.problems()}


if __name__ == "__main__":
    print(json.dumps(look_at_app(sys.argv[1], sys.argv[2])))


@pytest.mark.slow
def test_jupyterlab_on_binder_opens_without_the_news_prompt(jupyter):
    """postBuild turns off the same Lab plugins as ``nextround lab``."""
    from nextround.serve import LAB_CONFIG_DIR

    wanted = json.loads((LAB_CONFIG_DIR / "labconfig" / "page_config.json").read_text(
        encoding="utf-8"))["disabledExtensions"]
    status, html = jupyter.get(readme_path("lab/tree/workbook/00-start.ipynb"))
    assert status == 200, html[-2000:]
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)'
                      r"</script>", html, re.DOTALL)
    assert found, "no page config in the Lab page"
    disabled = json.loads(found.group(1))["disabledExtensions"]
    assert wanted and all(plugin in disabled for plugin in wanted), disabled
