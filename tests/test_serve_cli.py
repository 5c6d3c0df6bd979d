"""``nextround serve`` and ``nextround lab``: how Voilà is configured, and refusals.

These tests start no web server. The served app itself is tested in a real
browser in ``tests/browser/test_serve.py``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from nextround import paths, serve
from nextround.serve import ServeOptions, check_bind, voila_argv

REPO = Path(__file__).resolve().parents[1]
TEMPLATE_DIR = REPO / "share" / "jupyter" / "voila" / "templates" / "nextround"
NOTEBOOK = Path("/srv/app/app.ipynb")


def options(**changes) -> ServeOptions:
    return ServeOptions(notebook=NOTEBOOK, **changes)


def argv_value(argv: list[str], name: str) -> str:
    values = [item.split("=", 1)[1] for item in argv if item.startswith(f"--{name}=")]
    assert len(values) == 1, (name, argv)
    return values[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nothing_listens(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "widgets"), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]])
    return subprocess.run([sys.executable, "-m", "nextround.cli", *args], env=env,
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


# --- voila_argv -----------------------------------------------------------------


def test_argv_serves_the_notebook_with_the_nextround_template():
    argv = voila_argv(options())
    assert argv[0] == str(NOTEBOOK)
    assert argv_value(argv, "VoilaConfiguration.template") == "nextround"
    assert argv_value(argv, "VoilaConfiguration.allow_template_override") == "NO"


def test_argv_binds_loopback_by_default_on_the_port_given():
    argv = voila_argv(options(port=9123))
    assert argv_value(argv, "Voila.ip") == "127.0.0.1"
    assert argv_value(argv, "Voila.port") == "9123"
    # No silent move to another port: pre-heated kernels are told the port up front.
    assert argv_value(argv, "Voila.port_retries") == "0"


def test_argv_preheats_one_kernel_with_a_slow_refill():
    argv = voila_argv(options())
    assert argv_value(argv, "VoilaConfiguration.preheat_kernel") == "True"
    assert argv_value(argv, "VoilaConfiguration.default_pool_size") == "1"
    assert argv_value(argv, "VoilaKernelManager.fill_delay") == str(serve.FILL_DELAY)


def test_argv_turns_tracebacks_off_and_explains_errors_plainly():
    argv = voila_argv(options())
    assert argv_value(argv, "VoilaConfiguration.show_tracebacks") == "False"
    message = argv_value(argv, "VoilaExecutor.cell_error_instruction")
    assert "Voil" not in message and "traceback" not in message.lower()
    assert "--debug" not in argv


def test_argv_culls_kernels_of_closed_pages():
    argv = voila_argv(options())
    timeout = int(argv_value(argv, "MappingKernelManager.cull_idle_timeout"))
    interval = int(argv_value(argv, "MappingKernelManager.cull_interval"))
    assert 0 < interval < timeout
    assert argv_value(argv, "VoilaConfiguration.multi_kernel_manager_class") == \
        "nextround.voila_kernels.HandedOutKernelManager"


def test_argv_token_and_browser():
    assert not any("token" in item for item in voila_argv(options()))
    assert "--no-browser" not in voila_argv(options())
    argv = voila_argv(options(ip="0.0.0.0", token="s3cret", open_browser=False))
    assert argv_value(argv, "Voila.token") == "s3cret"
    assert "--no-browser" in argv


def test_voila_reads_the_argv_as_intended(monkeypatch):
    """Voilà itself parses the command line into the configuration we mean."""
    import nbformat
    from voila.app import Voila
    from voila.execute import VoilaExecutor

    monkeypatch.setenv("JUPYTER_PATH", os.environ.get("JUPYTER_PATH", ""))
    serve.use_template()
    notebook = paths.app_dir() / "app.ipynb"
    previous = signal.getsignal(signal.SIGTERM)
    app = Voila()
    try:
        app.initialize(voila_argv(ServeOptions(notebook=notebook, port=9124,
                                               open_browser=False)))
    finally:
        signal.signal(signal.SIGTERM, previous)
    conf = app.voila_configuration
    assert conf.template == "nextround"
    assert conf.show_tracebacks is False
    assert conf.preheat_kernel is True
    assert conf.default_pool_size == 1
    assert conf.allow_template_override == "NO"
    assert conf.multi_kernel_manager_class.__name__ == "HandedOutKernelManager"
    assert app.ip == "127.0.0.1" and app.port == 9124 and app.port_retries == 0
    assert app.open_browser is False
    # Settings of classes Voilà creates later: build them from the same config.
    kernels = conf.multi_kernel_manager_class(config=app.config)
    assert kernels.cull_idle_timeout == serve.CULL_IDLE_TIMEOUT
    assert kernels.cull_interval == serve.CULL_INTERVAL
    assert float(str(app.config.VoilaKernelManager.fill_delay)) == serve.FILL_DELAY
    executor = VoilaExecutor(nbformat.v4.new_notebook(), config=app.config)
    assert executor.cell_error_instruction == serve.CELL_ERROR_MESSAGE
    assert executor.show_tracebacks is False
    assert any(Path(p) == TEMPLATE_DIR for p in app.template_paths)


def test_lab_argv_opens_the_workbook_folder_on_loopback():
    argv = serve.lab_argv(Path("/srv/workbook"), port=9000, open_browser=False)
    assert "--ServerApp.root_dir=/srv/workbook" in argv
    assert "--ServerApp.ip=127.0.0.1" in argv
    assert "--ServerApp.port=9000" in argv and "--no-browser" in argv
    assert "--allow-root" not in argv
    assert "--allow-root" in serve.lab_argv(Path("/srv/workbook"), as_root=True)


# --- who may connect ------------------------------------------------------------


@pytest.mark.parametrize("ip", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_needs_no_token(ip):
    check_bind(ip, None)


@pytest.mark.parametrize("ip", ["0.0.0.0", "::", "", "192.168.1.20", "example.org"])
def test_other_addresses_need_a_token(ip):
    with pytest.raises(serve.NextRoundError, match="token"):
        check_bind(ip, None)
    with pytest.raises(serve.NextRoundError):
        check_bind(ip, "   ")
    check_bind(ip, "s3cret")


@pytest.mark.parametrize(("ip", "expected"), [
    ("127.0.0.1", "127.0.0.1"), ("localhost", "127.0.0.1"), ("0.0.0.0", "127.0.0.1"),
    ("", "127.0.0.1"), ("::", "[::1]"), ("::1", "[::1]"), ("10.0.0.5", "10.0.0.5"),
    ("fd00::5", "[fd00::5]"),
])
def test_kernels_reach_the_server_where_it_listens(ip, expected):
    assert serve.kernel_server_address(ip) == expected


def test_public_ip_without_token_is_refused_before_listening():
    port = free_port()
    result = run_cli("serve", "--ip", "0.0.0.0", "--port", str(port), "--no-browser")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "token" in lines[0] and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert nothing_listens(port)


def test_busy_port_is_refused_in_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--port", str(port), "--no-browser", "--demo")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"port {port}" in lines[0], result.stderr


def test_db_and_demo_do_not_mix():
    result = run_cli("serve", "--demo", "--db", "x.db", "--no-browser")
    assert result.returncode == 2
    assert "not allowed with" in result.stderr


def test_choose_port_skips_busy_ports(monkeypatch):
    busy = {serve.DEFAULT_PORT, serve.DEFAULT_PORT + 1}
    monkeypatch.setattr(serve, "port_is_free", lambda ip, port: port not in busy)
    assert serve.choose_port("127.0.0.1", None) == serve.DEFAULT_PORT + 2
    with pytest.raises(serve.NextRoundError, match="in use"):
        serve.choose_port("127.0.0.1", serve.DEFAULT_PORT)


# --- data and template ----------------------------------------------------------


def test_relative_db_is_made_absolute_for_the_kernels(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert serve.database_target("data/nr.db") == str(tmp_path / "data" / "nr.db")
    assert serve.database_target("postgresql://u@h/db") == "postgresql://u@h/db"
    assert serve.database_target(None) is None


def test_demo_database_is_filled_exported_and_removed(monkeypatch):
    import argparse

    from nextround.store import Store

    monkeypatch.delenv("NEXTROUND_DB", raising=False)
    args = argparse.Namespace(demo=True, db=None)
    with serve.database_for_kernels(args) as database:
        path = Path(os.environ["NEXTROUND_DB"])
        assert path == Path(database.target) and path.is_file()
        assert str(path) in database.description
        with Store(path) as store:
            assert store.list_clients()
    assert not path.exists() and not database.temp_dir.exists()


def test_given_db_is_exported_to_kernels(tmp_path, monkeypatch):
    import argparse

    monkeypatch.delenv("NEXTROUND_DB", raising=False)
    db = tmp_path / "counsellor.db"
    with serve.database_for_kernels(argparse.Namespace(demo=False, db=str(db))) as database:
        assert os.environ["NEXTROUND_DB"] == str(db)
        assert str(db) in database.description
    assert db.is_file()  # a real database is kept


def test_template_is_found_from_the_checkout(monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", "")
    serve.use_template()
    first = os.environ["JUPYTER_PATH"].split(os.pathsep)[0]
    assert Path(first) == REPO / "share" / "jupyter"


def test_template_extends_lab_and_is_shipped_in_the_wheel():
    import json
    import tomllib

    conf = json.loads((TEMPLATE_DIR / "conf.json").read_text())
    assert conf["base_template"] == "lab"
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    shared = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["shared-data"]
    key = "share/jupyter/voila/templates/nextround"
    assert shared[key] == key


def test_template_files_name_no_outside_address():
    for path in TEMPLATE_DIR.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"(https?:)?//[\w.-]+\.\w+/", text), path


def test_error_and_redirect_pages_link_nothing_outside(monkeypatch):
    """Voilà's error and browser-open pages use our page.html, not the CDN-linking one."""
    import jinja2
    from voila.paths import collect_template_paths
    from voila.utils import create_include_assets_functions

    monkeypatch.setenv("JUPYTER_PATH", "")
    serve.use_template()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(collect_template_paths(["voila", "nbconvert"],
                                                              "nextround", prune=True)),
        extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_null_translations()
    assets = create_include_assets_functions("nextround", "/")
    pages = {
        "error.html": env.get_template("error.html").render(
            status_code=500, status_message="Internal Server Error", base_url="/",
            theme="light", **assets),
        "browser-open.html": env.get_template("browser-open.html").render(
            open_url="http://127.0.0.1:8866/", base_url="/", theme="light", **assets),
    }
    for name, html in pages.items():
        addresses = re.findall(r"""(?:href|src)=["']([^"']+)""", html)
        outside = [a for a in addresses if re.match(r"(https?:)?//", a)
                   and not a.startswith("http://127.0.0.1:")]
        assert outside == [], name
        assert "nextround.css" in html, name


def test_lab_adds_its_own_settings_ahead_of_the_environments():
    import json

    from nextround.serve import LAB_CONFIG_DIR, lab_config_path

    assert lab_config_path(None) == str(LAB_CONFIG_DIR)
    assert lab_config_path(f"/a{os.pathsep}/b").split(os.pathsep) == [
        str(LAB_CONFIG_DIR), "/a", "/b"]
    assert lab_config_path(str(LAB_CONFIG_DIR)) == str(LAB_CONFIG_DIR)
    config = json.loads((LAB_CONFIG_DIR / "labconfig" / "page_config.json").read_text())
    disabled = [name for name, off in config["disabledExtensions"].items() if off]
    assert disabled == ["@jupyterlab/apputils-extension:announcements"]
    post_build = (REPO / "binder" / "postBuild").read_text()
    for plugin in disabled:  # Binder turns off the same plugins
        assert f'jupyter labextension disable --level=sys_prefix "{plugin}"' in post_build
