"""People who sign in, and which counsellor each client has: the store's side.

A careers service has counsellors, supervisors and clients, each signing in
to one shared database with a role of their own (:mod:`.access` makes the
roles and the rules). This module keeps the records those rules read:

* a :class:`~nextround.model.Person` per person, with their kind and role;
* an :class:`~nextround.model.Assignment` per stretch of time a counsellor
  works with a client. Handing a client over ends one and starts the next in
  one transaction, so the history stays and a client never has two current
  counsellors (the database refuses a second open assignment as well).

On one machine with one counsellor none of this is needed: there are no
people, and every client is the counsellor's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, ProgrammingError

from .. import model
from ..errors import NextRoundError, NotFound
from .checks import validated
from .connection import Database
from .rows import require_client
from .schema import PEOPLE_TABLES, TABLES, from_row

#: PostgreSQL's code for "permission denied".
INSUFFICIENT_PRIVILEGE = "42501"

PEOPLE = PEOPLE_TABLES["people"]
ASSIGNMENTS = PEOPLE_TABLES["assignments"]


# --- steps inside a transaction the caller holds --------------------------------


def _insert(conn: Connection, name: str, record: model.Record) -> None:
    """Insert one row after the others (``seq`` keeps the order they were made in)."""
    table = PEOPLE_TABLES[name]
    seq = conn.execute(select(func.coalesce(func.max(table.c.seq), 0))).scalar() + 1
    conn.execute(insert(table).values(**record.model_dump(), seq=seq))


def _as_record(record_type: type[model.Record], row: Any) -> Any:
    return record_type.model_validate({field: row[field] for field in record_type.model_fields})


def fetch_person(conn: Connection, person_id: str) -> model.Person:
    """One person by id, or :class:`NotFound`."""
    row = conn.execute(select(PEOPLE).where(PEOPLE.c.id == person_id)).mappings().first()
    if row is None:
        raise NotFound(f"No person with id {str(person_id)[:40]!r} was found.")
    return _as_record(model.Person, row)


def _by_login(conn: Connection, login: str) -> model.Person | None:
    row = conn.execute(select(PEOPLE).where(PEOPLE.c.login == login)).mappings().first()
    return None if row is None else _as_record(model.Person, row)


def _counsellor(conn: Connection, person_id: str) -> model.Person:
    person = fetch_person(conn, person_id)
    if person.kind != "counsellor":
        raise NextRoundError(f"{person.name} is a {person.kind}, not a counsellor; only a "
                             "counsellor can be given clients.")
    return person


def current_assignment(conn: Connection, client_id: str) -> model.Assignment | None:
    """The client's open assignment (no end), if they have a counsellor now."""
    row = conn.execute(select(ASSIGNMENTS).where(
        ASSIGNMENTS.c.client_id == client_id, ASSIGNMENTS.c.until.is_(None))).mappings().first()
    return None if row is None else _as_record(model.Assignment, row)


def forget_client(conn: Connection, client_id: str) -> None:
    """When a client is erased: their assignments and their person record go too,
    so neither their name nor who worked with them is left behind."""
    conn.execute(delete(ASSIGNMENTS).where(ASSIGNMENTS.c.client_id == client_id))
    conn.execute(delete(PEOPLE).where(PEOPLE.c.client_id == client_id))


def connected_role(conn: Connection) -> str | None:
    """The database role this connection acts as (None on SQLite, which has none)."""
    if conn.dialect.name == "sqlite":
        return None
    return conn.execute(text("SELECT current_user")).scalar()


# --- the store's methods ---------------------------------------------------------


class PeopleMixin:
    """The :class:`~nextround.store.Store` methods for people and assignments."""

    _db: Database

    def add_person(self, kind: str, name: str, *, client_id: str | None = None,
                   role_name: str | None = None, login: str | None = None) -> model.Person:
        """Add a counsellor, a supervisor, or a client who will sign in.

        A client person names their client record (``client_id``); their name
        defaults to the one on that record. ``role_name`` is set by
        :func:`nextround.store.access.create_login`, which makes the role.
        ``login`` is the name they sign in with at the service's hub, which
        finds them again by it (:meth:`person_by_login`); no two people share one.
        """
        fields = {"kind": kind, "client_id": client_id, "role_name": role_name, "login": login}
        validated(model.Person, {**fields, "name": name or "?"})  # refused before any read

        def work(conn: Connection) -> model.Person:
            shown = name
            if client_id is not None:
                require_client(conn, client_id)
                shown = name or from_row("clients", conn.execute(select(TABLES["clients"]).where(
                    TABLES["clients"].c.id == client_id)).mappings().one()).name
            person = validated(model.Person, {**fields, "name": shown})
            if login is not None and _by_login(conn, login) is not None:
                raise NextRoundError(f"The login {login!r} is taken: each person signs in "
                                     "with a name of their own.")
            _insert(conn, "people", person)
            return person

        return self._people_write(work)

    def get_person(self, person_id: str) -> model.Person:
        """One person, or :class:`NotFound`."""
        return self._db.read(lambda conn: fetch_person(conn, person_id))

    def person_by_login(self, login: str) -> model.Person:
        """The person who signs in at the hub as ``login``, or :class:`NotFound`."""

        def work(conn: Connection) -> model.Person:
            person = _by_login(conn, login)
            if person is None:
                raise NotFound(f"No person signs in as {str(login)[:100]!r}.")
            return person

        return self._db.read(work)

    def list_people(self, kind: str | None = None) -> list[model.Person]:
        """The people this connection may see, of one kind or all, by name."""
        query = select(PEOPLE).order_by(PEOPLE.c.name, PEOPLE.c.seq)
        if kind is not None:
            query = query.where(PEOPLE.c.kind == kind)
        return self._db.read(lambda conn: [_as_record(model.Person, row)
                                           for row in conn.execute(query).mappings()])

    def connected_person(self) -> model.Person | None:
        """The person whose role this store is connected as (None for the owner,
        and always on SQLite, where nobody signs in)."""

        def work(conn: Connection) -> model.Person | None:
            role = connected_role(conn)
            if role is None:
                return None
            row = conn.execute(select(PEOPLE).where(PEOPLE.c.role_name == role)
                               ).mappings().first()
            return None if row is None else _as_record(model.Person, row)

        return self._db.read(work)

    def assign(self, client_id: str, counsellor_id: str) -> model.Assignment:
        """Give a client without a counsellor their counsellor, from now on."""

        def work(conn: Connection) -> model.Assignment:
            require_client(conn, client_id)
            _counsellor(conn, counsellor_id)
            if current_assignment(conn, client_id) is not None:
                raise NextRoundError("This client already has a counsellor; hand them over "
                                     "instead, so the history is kept.")
            assignment = model.Assignment(client_id=client_id, counsellor_id=counsellor_id)
            _insert(conn, "assignments", assignment)
            return assignment

        return self._people_write(work)

    def hand_over(self, client_id: str, to_counsellor_id: str) -> model.Assignment:
        """Move a client to another counsellor: the current assignment ends now and
        the new one starts at the same moment, in one transaction."""

        def work(conn: Connection) -> model.Assignment:
            # The current assignment is what shows the client is here: a
            # supervisor reassigns without reading the client's record.
            _counsellor(conn, to_counsellor_id)
            current = current_assignment(conn, client_id)
            if current is None:
                raise NextRoundError("This client has no counsellor yet; assign one instead.")
            if current.counsellor_id == to_counsellor_id:
                raise NextRoundError("This client is already with that counsellor.")
            now = model.utcnow()
            conn.execute(update(ASSIGNMENTS).where(ASSIGNMENTS.c.id == current.id)
                         .values(until=now))
            assignment = model.Assignment(client_id=client_id, counsellor_id=to_counsellor_id,
                                          since=now)
            _insert(conn, "assignments", assignment)
            return assignment

        return self._people_write(work)

    def current_counsellor(self, client_id: str) -> model.Person | None:
        """Who works with the client now, or None."""

        def work(conn: Connection) -> model.Person | None:
            current = current_assignment(conn, client_id)
            return None if current is None else fetch_person(conn, current.counsellor_id)

        return self._db.read(work)

    def assignments(self, client_id: str) -> list[model.Assignment]:
        """Every counsellor the client has had, earliest first (the last may be open)."""
        query = (select(ASSIGNMENTS).where(ASSIGNMENTS.c.client_id == client_id)
                 .order_by(ASSIGNMENTS.c.since, ASSIGNMENTS.c.seq))
        return self._db.read(lambda conn: [_as_record(model.Assignment, row)
                                           for row in conn.execute(query).mappings()])

    def counsellor_clients(self, counsellor_id: str) -> list[model.Client]:
        """The clients assigned to a counsellor now, by name as :meth:`list_clients` has it."""
        clients = TABLES["clients"]
        query = (select(clients).join(ASSIGNMENTS, ASSIGNMENTS.c.client_id == clients.c.id)
                 .where(ASSIGNMENTS.c.counsellor_id == counsellor_id,
                        ASSIGNMENTS.c.until.is_(None)))
        found = self._db.read(lambda conn: [from_row("clients", row)
                                            for row in conn.execute(query).mappings()])
        return sorted(found, key=lambda c: (c.name.casefold(), c.name, c.id))

    def _people_write(self, work: Any) -> Any:
        """Run a write, explaining a clash with an existing row in plain words."""
        try:
            return self._db.write(work)
        except ProgrammingError as exc:
            if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
                raise
            raise NextRoundError("Your database role may not do this: people are added by "
                                 "the administrator, and clients reassigned by a "
                                 "supervisor.") from exc
        except IntegrityError as exc:
            raise NextRoundError(
                "This cannot be saved: that role already belongs to someone, that client "
                "already has a person, or the client already has a counsellor.") from exc
