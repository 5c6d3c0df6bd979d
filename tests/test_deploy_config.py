"""deploy/jupyterhub_config.py: the one-machine configuration loads into a real JupyterHub.

The file is loaded as written, then the two stand-ins of every hub test
(``tests/hub_server.py``: the name → password authenticator and the local
process spawner, with free loopback ports and a temporary state folder)
override what needs a whole machine (NativeAuthenticator's sign-up pages,
SystemdSpawner's systemd). Everything else is the file's: NextRound's
``configure`` with the owner's URL from the environment, the groups, the
administrator's token and its scopes, and the idle-server service.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hub_server import HubServer

from nextround import hub as nextround_hub

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "deploy" / "jupyterhub_config.py"
ADMIN_TOKEN = "deploy-config-test-" + "0123456789abcdef" * 2
PEOPLE = {"lost": "nogroup-pass-1"}


@pytest.fixture(scope="module")
def owner_url(postgres) -> str:
    """A database made as docs/deploy.md makes it: owned by a role that may create roles."""
    from nextround.store import Store
    from nextround.store.access import secure

    database = postgres.new_database("nextround_deploy_config").rsplit("/", 1)[1]
    postgres.execute("CREATE ROLE deploy_config_owner LOGIN CREATEROLE PASSWORD 'owner-pass-1'")
    postgres.execute(f'ALTER DATABASE "{database}" OWNER TO deploy_config_owner')
    url = postgres.url(database, user="deploy_config_owner", password="owner-pass-1")
    with Store(url):
        pass
    secure(url)
    return url


@pytest.fixture(scope="module")
def hub(owner_url) -> Iterator[HubServer]:
    server = HubServer(people=PEOPLE, groups=None, base_config=CONFIG,
                       hub_environment={"NEXTROUND_OWNER_DB": owner_url,
                                        "NEXTROUND_HUB_ADMIN_TOKEN": ADMIN_TOKEN})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def loaded_config(owner_url: str, monkeypatch):
    """The configuration JupyterHub itself reads from the file."""
    from jupyterhub.app import JupyterHub

    monkeypatch.setenv("NEXTROUND_OWNER_DB", owner_url)
    monkeypatch.setenv("NEXTROUND_HUB_ADMIN_TOKEN", ADMIN_TOKEN)
    app = JupyterHub()
    app.load_config_file(str(CONFIG))
    return app.config


def test_the_file_makes_nextround_everyones_landing_page_and_start_hook(owner_url, monkeypatch):
    config = loaded_config(owner_url, monkeypatch)
    assert config.Spawner.default_url == nextround_hub.app_url()
    assert config.Spawner.notebook_dir == str(nextround_hub.app_root())
    hook = config.Spawner.pre_spawn_hook
    assert hook.__module__ == "nextround.hub", hook
    assert set(config.JupyterHub.load_groups) == {"counsellors", "clients", "supervisors"}


def test_no_secret_is_written_in_the_file():
    text = CONFIG.read_text()
    assert not re.search(r"postgres(ql)?(\+\w+)?://", text)
    assert 'os.environ["NEXTROUND_OWNER_DB"]' in text
    assert 'os.environ["NEXTROUND_HUB_ADMIN_TOKEN"]' in text


def test_without_the_owners_url_the_hub_does_not_start(monkeypatch):
    from jupyterhub.app import JupyterHub

    monkeypatch.delenv("NEXTROUND_OWNER_DB", raising=False)
    monkeypatch.setenv("NEXTROUND_HUB_ADMIN_TOKEN", ADMIN_TOKEN)
    with pytest.raises(KeyError, match="NEXTROUND_OWNER_DB"):
        JupyterHub().load_config_file(str(CONFIG))


def test_the_hub_starts_with_the_three_groups_and_the_administrators_token(hub):
    headers = {"Authorization": f"token {ADMIN_TOKEN}"}
    reply = requests.get(f"{hub.url}/hub/api/groups", headers=headers, timeout=30)
    assert reply.status_code == 200, reply.text
    assert {group["name"] for group in reply.json()} == {"counsellors", "clients",
                                                         "supervisors"}
    refused = requests.get(f"{hub.url}/hub/api/groups",
                           headers={"Authorization": "token not-the-token"}, timeout=30)
    assert refused.status_code == 403


def test_someone_in_no_group_is_refused_by_nextrounds_start_hook(hub):
    session, reply = hub.log_in("lost", PEOPLE["lost"])
    seen = reply.text
    deadline = time.monotonic() + 120
    while "lost is in none of the groups" not in seen and time.monotonic() < deadline:
        time.sleep(0.5)  # the hub reports a failed start on its pending page
        seen = session.get(f"{hub.url}/hub/spawn-pending/lost", timeout=30).text
    assert "lost is in none of the groups" in seen, seen[-2000:]
