"""nextround.hub: who a person is, from the hub's groups, and what their server gets."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from nextround import hub, paths


@pytest.mark.parametrize(("groups", "kind"), [
    (["counsellors"], "counsellor"),
    (["clients"], "client"),
    (["supervisors"], "supervisor"),
    (["supervisors", "counsellors"], "supervisor"),
    (["counsellors", "staff-room"], "counsellor"),
])
def test_the_groups_decide_the_kind(groups, kind):
    assert hub.kind_from_groups("ana", groups) == kind


@pytest.mark.parametrize("groups", [[], ["staff-room"], ["clients", "counsellors"],
                                    ["clients", "supervisors"]])
def test_unclear_groups_are_refused_naming_the_person(groups):
    with pytest.raises(hub.NotAllowedHere, match="^ana is in"):
        hub.kind_from_groups("ana", groups)


def spawner_for(name: str, groups: list[str]) -> SimpleNamespace:
    user = SimpleNamespace(name=name, groups=[SimpleNamespace(name=g) for g in groups])
    return SimpleNamespace(user=user, environment={"JUPYTER_CONFIG_PATH": "/etc/site"})


def test_the_hook_gives_the_server_its_person_role_and_own_database_only():
    asked = []

    def connection_for(person: str, kind: str) -> str:
        asked.append((person, kind))
        return f"postgresql+psycopg://{person}:secret@db/nextround"

    spawner = spawner_for("sam", ["clients"])
    hub.spawn_hook(connection_for)(spawner)
    assert asked == [("sam", "client")]
    assert spawner.environment["NEXTROUND_ROLE"] == "client"
    assert spawner.environment["NEXTROUND_PERSON"] == "sam"
    assert spawner.environment["NEXTROUND_DB"] == "postgresql+psycopg://sam:secret@db/nextround"
    config_path = spawner.environment["JUPYTER_CONFIG_PATH"].split(":")
    assert config_path == [str(hub.jupyter_config_dir()), "/etc/site"]
    assert (hub.jupyter_config_dir() / "voila.py").is_file()


def test_the_hook_refuses_unclear_groups_with_a_message_the_hub_shows():
    from tornado.web import HTTPError

    with pytest.raises(HTTPError) as refused:
        hub.spawn_hook()(spawner_for("lost", []))
    assert refused.value.status_code == 403
    assert refused.value.jupyterhub_message.startswith("lost is in none of the groups")


def test_configure_lands_everyone_on_the_app():
    from traitlets.config import Config

    c = Config()
    hub.configure(c)
    assert c.Spawner.default_url == f"/voila/render/{paths.app_dir().name}/app.ipynb"
    assert (paths.app_dir().parent / paths.app_dir().name / "app.ipynb").is_file()
    assert c.Spawner.notebook_dir == str(paths.app_dir().parent)
    assert callable(c.Spawner.pre_spawn_hook)


def test_the_hub_servers_voila_settings_are_the_apps():
    from traitlets.config import PyFileConfigLoader

    from nextround.serve import FIRST_VIEW_EXTENSIONS

    config = PyFileConfigLoader("voila.py", path=str(hub.jupyter_config_dir())).load_config()
    assert config.VoilaConfiguration.template == "nextround"
    assert list(config.VoilaConfiguration.extension_allowlist) == list(FIRST_VIEW_EXTENSIONS)
