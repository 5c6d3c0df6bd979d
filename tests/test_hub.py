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


# --- the hub's own connections, from the service's people (real PostgreSQL) ----------


@pytest.fixture(scope="module")
def service(postgres):
    """A secured database with a counsellor (one login made) and a client (none yet)."""
    from people_service import new_owner_database

    from nextround.store import Store
    from nextround.store.access import create_login, secure

    owner_url = new_owner_database(postgres)
    with Store(owner_url) as store:
        maria = store.add_person("counsellor", "Maria", login="maria")
        store.add_person("client", "Sam", login="sam", client_id=store.create_client("Sam").id)
    secure(owner_url)
    create_login(owner_url, maria.id)
    return owner_url


def spawned(owner_url: str, name: str, groups: list[str]) -> dict[str, str]:
    from traitlets.config import Config

    c = Config()
    hub.configure(c, database_url=owner_url)
    spawner = spawner_for(name, groups)
    c.Spawner.pre_spawn_hook(spawner)
    return spawner.environment


def test_each_server_gets_its_own_login_and_a_fresh_password_each_start(service):
    from people_service import connected_as
    from sqlalchemy.exc import OperationalError

    from nextround.store import Store

    first = spawned(service, "sam", ["clients"])["NEXTROUND_DB"]
    with Store(first) as as_sam:
        person = as_sam.connected_person()
    assert (person.login, person.kind) == ("sam", "client")  # made at the first start
    second = spawned(service, "sam", ["clients"])["NEXTROUND_DB"]
    assert connected_as(second) == person.role_name
    with pytest.raises(OperationalError, match="password authentication failed"):
        connected_as(first)
    assert connected_as(spawned(service, "maria", ["counsellors"])["NEXTROUND_DB"]).startswith(
        "nextround_counsellor_")


def test_no_owner_secret_reaches_a_server(service):
    from sqlalchemy.engine import make_url

    owner = make_url(service)
    for name, groups in (("sam", ["clients"]), ("maria", ["counsellors"])):
        environment = spawned(service, name, groups)
        text = "\n".join(f"{key}={value}" for key, value in environment.items())
        assert owner.password not in text
        assert f"{owner.username}:" not in text
        assert make_url(environment["NEXTROUND_DB"]).username != owner.username


@pytest.mark.parametrize(("name", "groups", "said"), [
    ("nobody", ["clients"], "nobody is not one of the service's people: add them with "
                            "'nextround people add client NAME --login nobody'"),
    ("sam", ["counsellors"], "sam is a client in NextRound but in the hub's group for "
                             "counsellors"),
])
def test_someone_the_database_does_not_know_as_that_kind_is_refused(service, name, groups, said):
    from tornado.web import HTTPError

    with pytest.raises(HTTPError) as refused:
        spawned(service, name, groups)
    assert refused.value.status_code == 403
    assert refused.value.jupyterhub_message.startswith(said)


def test_configure_takes_one_way_to_connect_not_two():
    from traitlets.config import Config

    from nextround.errors import NextRoundError

    with pytest.raises(NextRoundError, match="not both"):
        hub.configure(Config(), database_url="postgresql+psycopg://o:p@db/n",
                      connection_for=lambda name, kind: "")
