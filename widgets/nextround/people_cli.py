"""``nextround people``: the service's counsellors, clients and supervisors.

For whoever runs a service's database (its owner): add a person with the
name they sign in with at the hub, give a client their counsellor, hand a
client over, list everyone, and give someone a new database password. The
hub (:mod:`nextround.hub`) finds each person by that sign-in name when it
starts their server. Every mistake (an unknown login, a login already
taken, a counsellor named where a client was meant) is one line naming it.
"""

from __future__ import annotations

import argparse

from .db_cli import _add_db, _must_exist, plain_errors
from .errors import NextRoundError, NotFound
from .model import PERSON_KINDS


def _say(text: str) -> None:
    print(text, flush=True)


def _open(target: str | None):
    from .store import Store

    _must_exist(target)
    return Store(target, create=False)


def _person(store, login: str, kind: str | None = None):
    """The person who signs in as ``login`` (of ``kind``, when given), in one line if not."""
    try:
        person = store.person_by_login(login)
    except NotFound:
        raise NextRoundError(f"no one signs in as {login!r}; 'nextround people list' "
                             "shows who does") from None
    if kind is not None and person.kind != kind:
        raise NextRoundError(f"{login!r} is a {person.kind}, not a {kind}")
    return person


def _free_login(store, login: str) -> None:
    try:
        store.person_by_login(login)
    except NotFound:
        return
    raise NextRoundError(f"the login {login!r} is taken; choose another")


def cmd_people_add(args: argparse.Namespace) -> int:
    """Add a person; a client also gets their client record. Prints the person's id."""
    from .model import LOGIN_NAME

    if not LOGIN_NAME.fullmatch(args.login):
        raise NextRoundError(f"{args.login!r} is not a login: use lower-case letters, digits "
                             "and . _ @ + -, starting with a letter or digit")
    name = args.name.strip()
    if not name:
        raise NextRoundError("the name is empty")
    with plain_errors(args.db), _open(args.db) as store:
        _free_login(store, args.login)
        client_id = store.create_client(name).id if args.kind == "client" else None
        person = store.add_person(args.kind, name, client_id=client_id, login=args.login)
    _say(person.id)
    return 0


def cmd_people_assign(args: argparse.Namespace) -> int:
    """Give a client without a counsellor their counsellor."""
    return _give_client(args, "assign")


def cmd_people_hand_over(args: argparse.Namespace) -> int:
    """Move a client to another counsellor, keeping who they were with before."""
    return _give_client(args, "hand_over")


def _give_client(args: argparse.Namespace, how: str) -> int:
    """Assign or hand over (the store method ``how``) a client, both named by login."""
    with plain_errors(args.db), _open(args.db) as store:
        client = _person(store, args.client, "client")
        counsellor = _person(store, args.counsellor, "counsellor")
        getattr(store, how)(client.client_id, counsellor.id)
    _say(f"{args.client} is now with {args.counsellor}.")
    return 0


def cmd_people_list(args: argparse.Namespace) -> int:
    """One line per person: login, kind, name, id, and a client's counsellor."""
    with plain_errors(args.db), _open(args.db) as store:
        people = store.list_people()
        by_id = {person.id: person for person in people}
        for person in people:
            line = [person.login or "-", person.kind, person.name, person.id]
            if person.kind == "client" and person.client_id:
                counsellor = store.current_counsellor(person.client_id)
                line.append(f"with {by_id.get(counsellor.id, counsellor).login or counsellor.name}"
                            if counsellor else "no counsellor")
            _say("\t".join(line))
    return 0


def cmd_people_rotate(args: argparse.Namespace) -> int:
    """Give a person a new database password (making their login if they have none)."""
    from .store.access import create_login, new_password
    from .store.connection import default_target, sqlite_file

    target = str(default_target() if args.db is None else args.db)
    if "://" not in target or sqlite_file(target) is not None:
        raise NextRoundError("database logins need PostgreSQL; on SQLite nobody signs in "
                             "to the database")
    with plain_errors(target), _open(target) as store:
        person = _person(store, args.login)
    with plain_errors(target):
        made = (new_password if person.role_name else create_login)(target, person.id)
    _say(f"New password for {args.login} (database role {made.role}); the old one no "
         "longer works.")
    if args.show_url:
        _say(made.url)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``nextround people`` and its actions to the command's parser."""
    parser = sub.add_parser("people", help="add people who sign in, assign and hand over "
                            "clients, rotate passwords")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    p = actions.add_parser("add", help="add a person; prints their id (a client also gets "
                           "a client record)")
    p.add_argument("kind", choices=PERSON_KINDS, help="counsellor, client or supervisor")
    p.add_argument("name", help="their name as the app shows it")
    p.add_argument("--login", required=True, help="the name they sign in with at the hub")
    _add_db(p)
    p.set_defaults(func=cmd_people_add, command="people add")

    p = actions.add_parser("assign", help="give a client their counsellor")
    p.add_argument("client", metavar="CLIENT_LOGIN")
    p.add_argument("counsellor", metavar="COUNSELLOR_LOGIN")
    _add_db(p)
    p.set_defaults(func=cmd_people_assign, command="people assign")

    p = actions.add_parser("hand-over", help="move a client to another counsellor")
    p.add_argument("client", metavar="CLIENT_LOGIN")
    p.add_argument("counsellor", metavar="NEW_COUNSELLOR_LOGIN")
    _add_db(p)
    p.set_defaults(func=cmd_people_hand_over, command="people hand-over")

    p = actions.add_parser("list", help="everyone: login, kind, name, id")
    _add_db(p)
    p.set_defaults(func=cmd_people_list, command="people list")

    p = actions.add_parser("rotate", help="give a person a new database password")
    p.add_argument("login", metavar="LOGIN")
    p.add_argument("--show-url", action="store_true",
                   help="print their connection URL, password included")
    _add_db(p)
    p.set_defaults(func=cmd_people_rotate, command="people rotate")
