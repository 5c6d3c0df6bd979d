"""docs/deploy.md, followed: from nothing to a counsellor and a client logged in through the hub.

The one-machine steps of docs/deploy.md are fenced ``bash`` blocks, each
after a ``<!-- deploy-step: NAME -->`` marker. This test takes them out of the
page in order and runs each with bash, as root would, against a PostgreSQL
server and a JupyterHub of its own (``tests/postgres_server.py``,
``tests/hub_server.py``). It ends with the counsellor and the client logging
in through the hub in Chromium.

Three steps need a whole machine and are stood in for, each named in
:data:`STAND_INS` with why; every other step runs exactly as written:

* ``settings`` gives the same variables, pointing at this test's folders,
  server and hub;
* ``install``: this environment already has NextRound, JupyterHub and the
  proxy (``./scripts/test`` installs them); ``$NEXTROUND_HOME/bin`` holds
  small programs that run them;
* ``service`` (a systemd unit): the hub is started with the installed
  configuration file and the secrets file as its environment, with the two
  stand-ins of every hub test (the name → password list in place of
  NativeAuthenticator's sign-up, the local process spawner in place of
  SystemdSpawner), and restarted after the owner's password is rotated.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hub_server import HubServer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "deploy.md"
STEP = re.compile(r"<!-- deploy-step: ([\w-]+) -->\n```bash\n(.*?)```", re.DOTALL)
#: The one-machine steps, in the order the page gives them.
STEPS = ["settings", "install", "database", "schema", "config", "service", "add-people",
         "rotate-owner"]
STAND_INS = {
    "settings": "the same variables, pointing at this test's folders, server and hub",
    "install": "apt, pip and npm need the network and root; this environment has them",
    "service": "systemd is not running here; the hub is started as the unit would",
}
#: The people the stand-in authenticator lets in (NativeAuthenticator's sign-up, in life).
PASSWORDS = {"ana": "ana-signup-pass-1", "sam": "sam-signup-pass-1"}


@dataclass(frozen=True)
class Step:
    name: str
    script: str


def doc_steps() -> list[Step]:
    return [Step(name, script) for name, script in STEP.findall(DOC.read_text())]


def read_env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key: value for key, value in pairs}


def libpq_url(sqlalchemy_url: str) -> str:
    """psql's form of a SQLAlchemy URL (no ``+driver``)."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(
        hide_password=False)


def wrapper(folder: Path, name: str, program: Path) -> None:
    """``folder/name`` runs ``program``: ``$NEXTROUND_HOME/bin`` as the install makes it."""
    path = folder / name
    path.write_text(f'#!/bin/sh\nexec {program} "$@"\n')
    path.chmod(0o755)


@dataclass
class Machine:
    """The one machine the page sets up: its settings, and the hub once started."""

    env: dict[str, str]
    hub: HubServer

    @property
    def secrets(self) -> Path:
        return Path(self.env["NEXTROUND_SECRETS"])

    def run(self, step: Step) -> subprocess.CompletedProcess:
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", step.script], cwd=REPO,
                                env=self.env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (
            f"step {step.name!r} of docs/deploy.md failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}")
        return result

    def start_hub(self) -> None:
        """The ``service`` step, stood in for: the installed file, the secrets file."""
        self.hub.base_config = Path(self.env["NEXTROUND_HOME"]) / "etc" / "jupyterhub_config.py"
        self.hub.hub_environment = read_env_file(self.secrets / "hub.env")
        if self.hub.process is None:
            self.hub.start()
        else:
            self.hub.restart()


@pytest.fixture(scope="module")
def machine(postgres, tmp_path_factory) -> Iterator[Machine]:
    root = tmp_path_factory.mktemp("machine")
    home = root / "opt-nextround"
    (home / "bin").mkdir(parents=True)
    venv_bin = Path(sys.executable).parent
    for name in ("python", "nextround", "jupyterhub"):
        wrapper(home / "bin", name, venv_bin / name)
    hub = HubServer(people=PASSWORDS, groups=None)
    env = dict(
        os.environ,
        PATH=f"{venv_bin}:{os.environ.get('PATH', '')}",
        NEXTROUND_HOME=str(home),
        NEXTROUND_SECRETS=str(root / "etc-nextround"),
        DATABASE_HOST=f"127.0.0.1:{postgres.port}",
        HUB_URL=hub.url,
        PSQL_ADMIN=f"psql {libpq_url(postgres.url())}",
    )
    env.pop("NEXTROUND_DB", None)
    try:
        yield Machine(env, hub)
    finally:
        hub.stop()
        postgres.execute('DROP DATABASE IF EXISTS "nextround" WITH (FORCE)')
        with contextlib.suppress(Exception):  # roles are the cluster's: the owner, if it can go
            postgres.execute("DROP ROLE IF EXISTS nextround_owner")


def test_the_page_gives_the_steps_in_order_and_the_settings_the_test_stands_in_for():
    steps = doc_steps()
    assert [step.name for step in steps] == STEPS
    settings = next(step for step in steps if step.name == "settings")
    exported = set(re.findall(r"^export (\w+)=", settings.script, re.MULTILINE))
    assert exported == {"NEXTROUND_HOME", "NEXTROUND_SECRETS", "DATABASE_HOST", "HUB_URL",
                        "PSQL_ADMIN"}


def test_following_the_page_logs_a_counsellor_and_a_client_in(machine):
    owner_urls = []
    for step in doc_steps():
        if step.name == "service":
            machine.start_hub()
        elif step.name not in STAND_INS:
            result = machine.run(step)
            if step.name == "database":
                owner_urls.append(read_env_file(machine.secrets / "hub.env")
                                  ["NEXTROUND_OWNER_DB"])
                assert (machine.secrets / "hub.env").stat().st_mode & 0o077 == 0
            if step.name == "add-people":
                assert "Ana Ruiz" in result.stdout and "Sam Lee" in result.stdout
            if step.name == "rotate-owner":
                owner_urls.append(read_env_file(machine.secrets / "hub.env")
                                  ["NEXTROUND_OWNER_DB"])
    old_owner, new_owner = owner_urls
    assert old_owner != new_owner
    assert_connects(new_owner)
    with pytest.raises(OperationalError, match="password authentication failed"):
        assert_connects(old_owner)

    machine.start_hub()  # `systemctl restart jupyterhub`, as the page says after rotating
    counsellor_lands_on_the_app_with_the_client(machine.hub)
    client_lands_on_their_own_workbook(machine.hub)


def assert_connects(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == "nextround_owner"
    finally:
        engine.dispose()


def browser_page(playwright):
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    from browser_harness import CHROMIUM, CHROMIUM_ARGS

    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=CHROMIUM_ARGS)
    return browser, browser.new_page(viewport={"width": 1280, "height": 900})


def log_in(page, hub: HubServer, name: str) -> None:
    page.goto(f"{hub.url}/hub/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/user/{name}/voila/render/**", timeout=240_000)


def counsellor_lands_on_the_app_with_the_client(hub: HubServer) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser, page = browser_page(playwright)
        try:
            log_in(page, hub, "ana")
            picker = page.get_by_label("Client", exact=True)
            expect(picker).to_be_visible(timeout=240_000)
            # The picker keeps each name on one line with no-break spaces.
            options = [option.replace("\xa0", " ")
                       for option in picker.locator("option").all_inner_texts()]
            assert any("Sam Lee" in option for option in options), options
        finally:
            browser.close()


def client_lands_on_their_own_workbook(hub: HubServer) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser, page = browser_page(playwright)
        try:
            log_in(page, hub, "sam")
            expect(page.get_by_text("Sam Lee").first).to_be_visible(timeout=240_000)
            expect(page.get_by_label("Client", exact=True)).to_have_count(0)
        finally:
            browser.close()
