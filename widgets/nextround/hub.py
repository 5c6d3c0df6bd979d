"""NextRound behind JupyterHub: each person lands on their own part of the app.

JupyterHub authenticates people and starts a Jupyter Server for each. This
module is what a hub's ``jupyterhub_config.py`` calls (``deploy/`` has one):

    from nextround.hub import configure
    configure(c)

It sets three things on the hub's spawner:

* **where people land**: the app, rendered by Voilà running as an extension
  of each person's server (``/voila/render/.../app.ipynb``), with the same
  page settings as ``nextround serve`` (:mod:`nextround.voila_settings`);
* **who they are to NextRound**: the hub's groups (``counsellors``,
  ``clients``, ``supervisors``) decide each person's kind, passed to their
  server as ``NEXTROUND_ROLE``, with their hub name as ``NEXTROUND_PERSON``.
  Someone in no group, or in both a staff group and ``clients``, is not
  started: guessing would show a client a counsellor's view, or the reverse;
* **which database they reach**: given the owner's ``database_url``, the hub
  finds the person by their hub login (``nextround people add ... --login``),
  makes their database login or gives it a fresh password, and passes their
  own URL only (or a service gives its own ``connection_for``). No shared
  secret reaches anyone's server; on PostgreSQL, the role's row-level
  security decides what they can read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import paths
from .errors import NextRoundError

#: The hub's groups, and the kind of person each makes.
GROUP_KINDS = {"counsellors": "counsellor", "clients": "client", "supervisors": "supervisor"}
#: Kinds that see other people's data, in the order one wins over another.
STAFF_KINDS = ("supervisor", "counsellor")

#: ``connection_for(person, kind)``: the database URL for that person's own role.
ConnectionFor = Callable[[str, str], str]


class NotAllowedHere(NextRoundError):
    """The hub's groups do not say plainly who this person is to NextRound."""


@dataclass(frozen=True)
class Person:
    """Someone the hub is starting a server for, as NextRound sees them."""

    name: str
    kind: str


def kind_from_groups(name: str, groups: Iterable[str]) -> str:
    """The kind of person ``name`` is, from their hub groups.

    A supervisor who also counsels is a supervisor (the wider view). A client
    who is also in a staff group is refused rather than guessed: that is a
    mistake in the hub's groups, and either guess shows someone the wrong data.
    """
    kinds = {GROUP_KINDS[group] for group in groups if group in GROUP_KINDS}
    if not kinds:
        raise NotAllowedHere(
            f"{name} is in none of the groups {', '.join(sorted(GROUP_KINDS))}: "
            "add them to one in the hub's admin page")
    if "client" in kinds and len(kinds) > 1:
        raise NotAllowedHere(
            f"{name} is in 'clients' and in a staff group: a person is one or the other")
    for kind in STAFF_KINDS:
        if kind in kinds:
            return kind
    return "client"


def app_url() -> str:
    """The address, inside a person's server, where the app is rendered by Voilà."""
    app = paths.app_dir()
    return f"/voila/render/{app.name}/app.ipynb"


def app_root() -> Path:
    """The folder each person's server is started in: the one holding the app."""
    return paths.app_dir().parent


def jupyter_config_dir() -> Path:
    """The folder with the ``voila.py`` that gives Voilà the app's page settings."""
    return Path(__file__).parent / "jupyter_config"


def environment_for(person: Person, connection_for: ConnectionFor | None) -> dict[str, str]:
    """What a person's server is started with: who they are, and their database."""
    env = {"NEXTROUND_ROLE": person.kind, "NEXTROUND_PERSON": person.name}
    if connection_for is not None:
        env["NEXTROUND_DB"] = connection_for(person.name, person.kind)
    return env


def people_connections(database_url: str) -> ConnectionFor:
    """``connection_for`` from the service's people, read with the owner's URL.

    The person is found by their hub login. Someone with no person record,
    or whose record is another kind than their hub group says, is refused.
    A person without a database login gets one; anyone else gets a fresh
    password, so each server start ends the last server's password. Only
    the person's own URL is returned: the owner's never leaves the hub.
    """

    def connection_for(login: str, kind: str) -> str:
        from .errors import NotFound
        from .store import Store
        from .store.access import create_login, new_password

        with Store(database_url, create=False) as store:
            try:
                person = store.person_by_login(login)
            except NotFound:
                raise NotAllowedHere(
                    f"{login} is not one of the service's people: add them with "
                    f"'nextround people add {kind} NAME --login {login}'") from None
        if person.kind != kind:
            raise NotAllowedHere(
                f"{login} is a {person.kind} in NextRound but in the hub's group for "
                f"{kind}s: put them in one group or the other, not both")
        make = new_password if person.role_name else create_login
        return make(database_url, person.id).url

    return connection_for


def spawn_hook(connection_for: ConnectionFor | None = None) -> Callable[[Any], None]:
    """A ``Spawner.pre_spawn_hook`` that tells each server who it is for."""

    def pre_spawn(spawner: Any) -> None:
        name = spawner.user.name
        try:
            kind = kind_from_groups(name, (g.name for g in spawner.user.groups))
            person = Person(name, kind)
            environment = environment_for(person, connection_for)
        except NotAllowedHere as refused:
            raise _shown_by_the_hub(403, str(refused)) from None
        except NextRoundError as failed:  # the database, not the person: say so
            raise _shown_by_the_hub(503, f"{name}'s server cannot start: {failed}") from None
        spawner.environment.update(environment)
        existing = spawner.environment.get("JUPYTER_CONFIG_PATH", "")
        spawner.environment["JUPYTER_CONFIG_PATH"] = ":".join(
            filter(None, [str(jupyter_config_dir()), existing]))

    return pre_spawn


def _shown_by_the_hub(status: int, message: str) -> Exception:
    """An error the hub shows on its page as it is, rather than "Unhandled error"."""
    from tornado.web import HTTPError

    error = HTTPError(status, message)
    error.jupyterhub_message = message
    return error


def configure(c: Any, *, database_url: str | None = None,
              connection_for: ConnectionFor | None = None) -> None:
    """Set a hub's configuration ``c`` so each person lands on the app as who they are.

    ``database_url`` is the database owner's URL, read by the hub alone: with
    it, each person's server gets a connection of their own
    (:func:`people_connections`). A service with its own way to hand out
    connections gives ``connection_for`` instead; not both.
    """
    if database_url is not None and connection_for is not None:
        raise NextRoundError("give configure() database_url or connection_for, not both")
    if database_url is not None:
        connection_for = people_connections(database_url)
    c.Spawner.default_url = app_url()
    c.Spawner.notebook_dir = str(app_root())
    c.Spawner.pre_spawn_hook = spawn_hook(connection_for)
