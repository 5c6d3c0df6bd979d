"""A real JupyterHub on loopback for the tests, started by the tests themselves.

The hub (from pip) runs with the real ``configurable-http-proxy`` (from npm;
``./scripts/test`` installs it) in front, on free ports. Two parts stand in
for what a service would run, and only these:

* **the authenticator** is :class:`PasswordListAuthenticator` (in
  ``tests/hub_auth.py``): a fixed name → password list. A real service uses
  its own sign-in (PAM, OAuth, LDAP); what NextRound relies on is only that
  the hub knows who someone is and which groups they are in, which this
  gives exactly, with real login forms and cookies;
* **the spawner** is JupyterHub's ``SimpleLocalProcessSpawner`` (with each
  server's output in a log file of its own: ``tests/hub_spawner.py``): each
  person's server is a local process with its own home folder, all run as
  the hub's own account. A real service gives each person a separate account
  or container; NextRound's isolation does not rest on that, but on the
  database role each server is given, and on the hub refusing one person's
  requests to another's server, which this tests for real.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Where ./scripts/test installs configurable-http-proxy with npm.
NPM_PREFIX = REPO / ".cache" / "npm"
HUB_START_TIMEOUT = 120


def proxy_command() -> str:
    """The configurable-http-proxy program: ./scripts/test's install, else one on PATH."""
    local = NPM_PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return str(local)
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    raise RuntimeError("configurable-http-proxy was not found: ./scripts/test installs it "
                       f"with npm into {NPM_PREFIX}")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class HubServer:
    """A running hub: :meth:`start` it with people and groups, :meth:`stop` it."""

    people: dict[str, str]
    #: Group → members, loaded at start; None leaves the groups to the configuration.
    groups: dict[str, list[str]] | None
    extra_config: str = ""
    environment: dict[str, str] = field(default_factory=dict)
    #: A service's own configuration file (``deploy/jupyterhub_config.py``) to load in
    #: place of the plain ``configure(c)``; the stand-ins below still override it.
    base_config: Path | None = None
    #: Variables for the hub's own process (the servers get ``environment``).
    hub_environment: dict[str, str] = field(default_factory=dict)
    #: Start each person's server with ``--debug`` (its kernel and Voilà log in detail).
    debug_servers: bool = False
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="nextround-hub-")))
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.folder / "hub.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @property
    def server_logs(self) -> Path:
        """The folder with each person's server log, ``NAME.log`` (server and kernel)."""
        return self.folder / "server-logs"

    def server_log(self, name: str) -> str:
        path = self.server_logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def keep_logs(self, destination: Path) -> None:
        """Copy the hub's log and every server's into ``destination`` (which :meth:`stop`
        would otherwise remove with the rest of the hub's folder)."""
        destination.mkdir(parents=True, exist_ok=True)
        for log in [self.log_path, *sorted(self.server_logs.glob("*.log"))]:
            if log.exists():
                shutil.copyfile(log, destination / log.name)

    def config_text(self) -> str:
        """The hub's configuration: NextRound's settings, then the test stand-ins."""
        singleuser = Path(sys.executable).parent / "jupyterhub-singleuser"
        args = (["--allow-root"] if os.geteuid() == 0 else []) + (
            ["--debug"] if self.debug_servers else [])
        base = ("from nextround.hub import configure\nconfigure(c)" if self.base_config is None
                else f"load_subconfig({str(self.base_config)!r})")
        return f"""
import sys
sys.path.insert(0, {str(REPO / 'tests')!r})
{base}
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {self.port}
c.JupyterHub.bind_url = "http://127.0.0.1:{self.port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {_free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{_free_port()}"
c.ConfigurableHTTPProxy.command = [{proxy_command()!r}]
c.JupyterHub.db_url = "sqlite:///{self.folder / 'hub.sqlite'}"
c.JupyterHub.cookie_secret_file = {str(self.folder / 'cookie_secret')!r}
c.JupyterHub.pid_file = {str(self.folder / 'hub.pid')!r}
c.ConfigurableHTTPProxy.pid_file = {str(self.folder / 'proxy.pid')!r}
c.JupyterHub.authenticator_class = "hub_auth.PasswordListAuthenticator"
c.PasswordListAuthenticator.passwords = {json.dumps(self.people)}
c.Authenticator.allowed_users = set({json.dumps(sorted(self.people))})
{self._groups_line()}
c.JupyterHub.spawner_class = "hub_spawner.LoggedLocalProcessSpawner"
c.LoggedLocalProcessSpawner.log_dir = {str(self.server_logs)!r}
c.SimpleLocalProcessSpawner.home_dir_template = {str(self.folder / 'home' / '{username}')!r}
c.Spawner.cmd = [{str(singleuser)!r}]
c.Spawner.args = {args!r}
c.Spawner.environment.update({json.dumps(self.environment)})
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
{self.extra_config}
"""

    def _groups_line(self) -> str:
        if self.groups is None:
            return ""
        groups = {g: {"users": u} for g, u in self.groups.items()}
        return f"c.JupyterHub.load_groups = {json.dumps(groups)}"

    def start(self) -> HubServer:
        config = self.folder / "jupyterhub_config.py"
        config.write_text(self.config_text())
        env = dict(os.environ, **self.hub_environment,
                   PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=self.folder,
                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        self._wait_until_up()
        return self

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + HUB_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the hub exited ({self.process.returncode}):\n{self.log()[-4000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api/", timeout=5) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise RuntimeError(
            f"the hub did not answer in {HUB_START_TIMEOUT} s:\n{self.log()[-4000:]}")

    def restart(self) -> HubServer:
        """Stop the hub and start it again on the same port and state, re-reading its
        configuration and ``hub_environment``, as a service restarts it."""
        self._stop_process()
        return self.start()

    def log_in(self, name: str, password: str):
        """Log in through the hub's login form over HTTP; return the session (cookies)
        after following the hub's redirects, and the last reply."""
        import re

        import requests

        session = requests.Session()
        form = session.get(f"{self.url}/hub/login", timeout=30)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text)
        data = {"username": name, "password": password}
        if xsrf:
            data["_xsrf"] = xsrf.group(1)
        reply = session.post(f"{self.url}/hub/login", data=data, timeout=HUB_START_TIMEOUT)
        return session, reply

    def stop(self) -> None:
        """Stop the hub; it stops the proxy and every person's server. Remove the folder."""
        self._stop_process()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _stop_process(self) -> None:
        """Stop the hub and everything it started. The proxy and the hub's services
        run in sessions of their own (so they may outlive a hub restart); any that
        the hub leaves behind are stopped here, so no run leaves a process."""
        import signal

        import psutil

        if self.process is None or self.process.poll() is not None:
            return
        try:
            started = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            started = []
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        for leftover in started:
            with contextlib.suppress(psutil.NoSuchProcess):
                leftover.terminate()
        _, alive = psutil.wait_procs(started, timeout=10)
        for leftover in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                leftover.kill()
