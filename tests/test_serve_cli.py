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

from nextround import paths, serve, serve_guard
from nextround.serve import ServeOptions, voila_argv

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
    assert not any(".token=" in item for item in voila_argv(options()))
    assert "--no-browser" not in voila_argv(options())
    argv = voila_argv(options(ip="0.0.0.0", token="s3cret-s3cret-s3cret", open_browser=False))
    assert argv_value(argv, "Voila.token") == "s3cret-s3cret-s3cret"
    assert "--no-browser" in argv


def test_argv_guards_logins_kernels_and_kernel_errors():
    argv = voila_argv(options(max_sessions=4))
    assert argv_value(argv, "Voila.identity_provider_class") == serve.IDENTITY_PROVIDER
    assert argv_value(argv, "Voila.kernel_websocket_connection_class") == \
        serve.KERNEL_CONNECTION
    assert argv_value(argv, "HandedOutKernelManager.max_kernels") == "4"
    assert argv_value(argv, "NextRoundVoila.max_sessions") == "4"


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


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8866", "localhost:8866",
                                  "[::1]:8866", "127.0.0.2", "LOCALHOST"])
def test_loopback_names_are_accepted_on_loopback(host):
    assert serve_guard.host_allowed(host, bound_to_loopback=True)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8866", "192.168.1.20:8866",
                                  "127.0.0.1.evil.example", "localhost.evil.example", "",
                                  None])
def test_other_names_are_refused_on_loopback(host):
    """A rebinding site's own name (resolving to 127.0.0.1) is not a loopback name."""
    assert not serve_guard.host_allowed(host, bound_to_loopback=True)


def test_on_a_network_the_token_decides_not_the_name():
    assert serve_guard.host_allowed("nextround.office.lan:8866", bound_to_loopback=False)


@pytest.mark.parametrize(("origin", "host", "loopback", "allowed"), [
    (None, "127.0.0.1:8866", True, True),
    ("http://127.0.0.1:8866", "127.0.0.1:8866", True, True),
    ("http://localhost:8866", "localhost:8866", True, True),
    ("http://evil.example", "127.0.0.1:8866", True, False),
    ("http://evil.example:8866", "evil.example:8866", True, False),
    ("http://127.0.0.1:9999", "127.0.0.1:8866", True, False),
    ("null", "127.0.0.1:8866", True, False),
    ("file://", "127.0.0.1:8866", True, False),
    ("http://nextround.lan:8866", "nextround.lan:8866", False, True),
    ("http://evil.example", "nextround.lan:8866", False, False),
])
def test_origin_must_be_this_servers_own_page(origin, host, loopback, allowed):
    assert serve_guard.origin_allowed(origin, host, loopback) is allowed


def test_tokens_shorter_than_16_characters_are_refused():
    with pytest.raises(serve.NextRoundError, match="at least 16"):
        serve_guard.check_token("x", "--token")
    with pytest.raises(serve.NextRoundError, match="spaces"):
        serve_guard.check_token("sixteen chars or more", "--token")
    assert serve_guard.check_token(" " + "a" * 16 + "\n", "--token") == "a" * 16


def test_token_comes_from_a_file_then_the_environment_then_the_option(tmp_path):
    file = tmp_path / "token"
    file.write_text("from-the-file-0123456789\n")
    env = {"NEXTROUND_TOKEN": "from-the-environment-0123"}
    given = "from-the-option-0123456789"
    assert serve_guard.resolve_token(given=given, token_file=str(file), environ=env) == \
        ("from-the-file-0123456789", False)
    assert serve_guard.resolve_token(given=given, token_file=None, environ=env) == \
        ("from-the-environment-0123", False)
    assert serve_guard.resolve_token(given=given, token_file=None, environ={}) == \
        (given, False)
    made, generated = serve_guard.resolve_token(given=None, token_file=None, environ={})
    again, _ = serve_guard.resolve_token(given=None, token_file=None, environ={})
    assert generated and len(made) >= 40 and made != again
    with pytest.raises(serve.NextRoundError, match="cannot read the token file"):
        serve_guard.resolve_token(given=None, token_file=str(tmp_path / "nope"), environ={})


def test_token_comparison_is_constant_time_and_exact():
    import inspect

    assert serve_guard.tokens_match("a" * 20, "a" * 20)
    assert not serve_guard.tokens_match("a" * 19, "a" * 20)
    assert not serve_guard.tokens_match("", "a" * 20)
    assert not serve_guard.tokens_match(None, "a" * 20)
    assert "compare_digest" in inspect.getsource(serve_guard.tokens_match)


def test_failed_logins_lock_an_address_for_the_window():
    now = [0.0]
    failures = serve_guard.FailedLogins(limit=3, window=60, clock=lambda: now[0])
    for _ in range(2):
        failures.record("10.0.0.9")
    assert not failures.locked("10.0.0.9")
    failures.record("10.0.0.9")
    assert failures.locked("10.0.0.9") and not failures.locked("10.0.0.8")
    now[0] = 61
    assert not failures.locked("10.0.0.9")


def test_redaction_removes_the_token_from_every_log_line():
    import logging

    token = "Secret-Token-0123456789"
    redacting = serve_guard.RedactingFilter(token)
    record = logging.LogRecord("tornado.access", logging.WARNING, __file__, 1,
                               "%d GET %s (%s)", (403, f"/?client=x&token={token}", "::1"),
                               None)
    redacting.filter(record)
    assert token not in record.getMessage() and "[redacted]" in record.getMessage()
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Authorization: token %s",
                               ("anything-else",), None)
    redacting.filter(record)
    assert "anything-else" not in record.getMessage()
    assert serve_guard.without_token(f"/?token={token}&client=ab12cd") == "/?client=ab12cd"
    assert serve_guard.without_token(f"/?token={token}") == "/"


def test_page_limit_counts_waiting_pages_and_frees_closed_ones():
    limit = serve_guard.PageLimit(2)
    first, second = {}, {}
    assert limit.admit() and limit.admit()
    assert not limit.admit()
    limit.got_kernel(first, "k1")
    limit.finished(first)  # finishing after the kernel came does not free a place
    assert not limit.admit()
    limit.finished(second)  # a page that failed before its kernel frees its place
    assert limit.admit()
    limit.kernel_gone("k1")
    assert limit.kernels == set()
    assert "busy" in serve_guard.busy_page(2)


def test_a_short_token_is_refused_in_one_line_before_listening():
    port = free_port()
    result = run_cli("serve", "--token", "short", "--port", str(port), "--no-browser")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "at least 16" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert nothing_listens(port)


def test_max_sessions_must_be_positive():
    result = run_cli("serve", "--max-sessions", "0", "--no-browser")
    assert result.returncode == 1 and "--max-sessions" in result.stderr


@pytest.mark.parametrize(("ip", "expected"), [
    ("127.0.0.1", "127.0.0.1"), ("localhost", "127.0.0.1"), ("0.0.0.0", "127.0.0.1"),
    ("", "127.0.0.1"), ("::", "[::1]"), ("::1", "[::1]"), ("10.0.0.5", "10.0.0.5"),
    ("fd00::5", "[fd00::5]"),
])
def test_kernels_reach_the_server_where_it_listens(ip, expected):
    assert serve.kernel_server_address(ip) == expected


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


def test_a_damaged_database_stops_serve_in_one_line(tmp_path):
    damaged = tmp_path / "nextround.db"
    damaged.write_bytes(b"not a database" * 500)
    port = free_port()
    result = run_cli("serve", "--db", str(damaged), "--port", str(port), "--no-browser")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert str(damaged) in lines[0] and "damaged" in lines[0]
    assert "sqlalche.me" not in result.stderr and "Traceback" not in result.stderr
    assert nothing_listens(port)


def test_serve_says_when_it_creates_a_database(tmp_path, monkeypatch):
    import argparse

    monkeypatch.delenv("NEXTROUND_DB", raising=False)
    db = tmp_path / "new.db"
    with serve.database_for_kernels(argparse.Namespace(demo=False, db=str(db))) as database:
        assert database.description.startswith("Created a new database.")
    with serve.database_for_kernels(argparse.Namespace(demo=False, db=str(db))) as database:
        assert not database.description.startswith("Created")


def test_serve_client_refuses_an_unknown_id_or_a_demo_in_one_line(tmp_path, monkeypatch,
                                                                   capsys):
    from nextround.cli import main
    from nextround.store import Store

    monkeypatch.setenv("NEXTROUND_TOKEN", "a-token-long-enough-for-serve")
    db = tmp_path / "counsellor.db"
    with Store(db) as store:
        store.create_client("Ada")
    for where, why in ((["--db", str(db)], "No client with id '0123456789abcdef'"),
                       (["--demo"], "--client needs --db")):
        code = main(["serve", "--no-browser", "--client", "0123456789abcdef", *where])
        err = capsys.readouterr().err
        assert code == 1 and why in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
    code = main(["serve", "--no-browser", "--client", "0123456789abcdef", "--db",
                 str(tmp_path / "missing.db")])
    assert code == 1 and not (tmp_path / "missing.db").exists()


def test_serve_client_locks_the_kernels_to_that_client_and_plain_serve_does_not(monkeypatch):
    from nextround.handover import ONLY_CLIENT_ENV

    monkeypatch.setenv(ONLY_CLIENT_ENV, "left-from-before")
    serve.only_client_for_kernels(None)
    assert ONLY_CLIENT_ENV not in os.environ
    serve.only_client_for_kernels("0123456789abcdef")
    assert os.environ[ONLY_CLIENT_ENV] == "0123456789abcdef"
    monkeypatch.delenv(ONLY_CLIENT_ENV)
