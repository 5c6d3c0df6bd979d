"""Isolation enforced by PostgreSQL itself: each person connects with their own role
through plain SQLAlchemy (not the app, not the Store) and reaches only their rows.

The database is run as a careers service would run it: owned by a role that
is not a superuser (superusers pass every policy), secured with
:func:`nextround.store.access.secure`, with a login per person made by
:func:`~nextround.store.access.create_login`. Two counsellors (A has Ada,
B has Bo and Cy), a supervisor, and Ada and Bo signing in as clients.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from people_service import new_owner_database
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, ProgrammingError

from nextround import model
from nextround.errors import NextRoundError, WorkbookError
from nextround.store import MIGRATIONS, TABLES, Store, access
from nextround.store.access import Credentials, create_login, secure, unsecured_tables
from nextround.store.schema import PEOPLE_TABLES

#: Tables NextRound's schema has for certain: the records, people and settings (the
#: audit log's rule is tested on a stand-in table, see ``test_the_audit_log_...``).
KNOWN_TABLES = {*TABLES, *PEOPLE_TABLES, "settings"}


@dataclass
class Service:
    """One secured database: the owner's URL, and each person's credentials and records."""

    owner_url: str
    logins: dict[str, Credentials]
    clients: dict[str, model.Client]
    people: dict[str, model.Person]

    def engine(self, who: str) -> Engine:
        return create_engine(self.logins[who].url)


def _seed(store: Store) -> tuple[dict[str, model.Client], dict[str, model.Person]]:
    clients = {name: store.create_client(name) for name in ("Ada", "Bo", "Cy")}
    people = {"counsellor_a": store.add_person("counsellor", "Counsellor A"),
              "counsellor_b": store.add_person("counsellor", "Counsellor B"),
              "supervisor": store.add_person("supervisor", "Supervisor K"),
              "ada": store.add_person("client", "Ada", client_id=clients["Ada"].id),
              "bo": store.add_person("client", "Bo", client_id=clients["Bo"].id)}
    store.assign(clients["Ada"].id, people["counsellor_a"].id)
    store.assign(clients["Bo"].id, people["counsellor_b"].id)
    store.assign(clients["Cy"].id, people["counsellor_b"].id)
    for client in clients.values():
        store.add(model.Application(client_id=client.id, company=f"{client.name}'s company"))
        store.add(model.Note(client_id=client.id, text=f"private note about {client.name}"))
        store.add(model.CheckIn(client_id=client.id, mood=40))
        store.set_answer(client.id, "strengths", f"{client.name}'s strengths")
    return clients, people


@pytest.fixture(scope="module")
def service(postgres) -> Service:
    """One secured database for the tests that change nothing (their writes roll back)."""
    return _service(postgres)


@pytest.fixture
def fresh_service(postgres) -> Service:
    """A secured database of its own, for a test that changes it."""
    return _service(postgres)


def _service(postgres) -> Service:
    owner_url = new_owner_database(postgres)
    with Store(owner_url) as store:
        clients, people = _seed(store)
    secure(owner_url)
    logins = {who: create_login(owner_url, person.id) for who, person in people.items()}
    with Store(owner_url) as store:  # now with their role names
        people = {who: store.get_person(person.id) for who, person in people.items()}
    assert {person.role_name for person in people.values()} == {
        login.role for login in logins.values()}
    return Service(owner_url, logins, clients, people)


def _rows(engine: Engine, sql: str, **params) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


def _change(engine: Engine, sql: str, **params) -> int:
    """Run an UPDATE or DELETE; the number of rows it touched. It is rolled back, so
    the shared database stays as seeded (a test that must see a change commits)."""
    with engine.connect() as conn, conn.begin() as transaction:
        touched = conn.execute(text(sql), params).rowcount
        transaction.rollback()
        return touched


def _refused(engine: Engine, sql: str, **params) -> str:
    """Run a statement that must be refused; the database's message."""
    with pytest.raises(DBAPIError) as caught, engine.connect() as conn:
        conn.execute(text(sql), params)
    return str(caught.value.orig)


# --- every table, every time -------------------------------------------------------------


def test_every_table_in_the_schema_has_row_level_security_forced_and_a_policy(service):
    """Fails for any table, including one added later, that secure() left open."""
    engine = create_engine(service.owner_url)
    try:
        with engine.connect() as conn:
            tables = access.schema_tables(conn)
            assert unsecured_tables(conn) == []
            forced = dict(conn.execute(text(
                "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
                "WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'")).all())
            with_policy = set(conn.execute(text(
                "SELECT DISTINCT tablename FROM pg_policies "
                "WHERE schemaname = current_schema()")).scalars())
    finally:
        engine.dispose()
    assert set(tables) >= KNOWN_TABLES
    assert forced == dict.fromkeys(tables, True)
    assert with_policy == set(tables)


def test_the_check_sees_a_table_left_open(service):
    """The check above can fail: a table made after securing shows up at once."""
    engine = create_engine(service.owner_url)
    try:
        with engine.connect() as conn, conn.begin() as transaction:
            conn.execute(text("CREATE TABLE later_table (id text PRIMARY KEY)"))
            assert unsecured_tables(conn) == ["later_table"]
            transaction.rollback()
    finally:
        engine.dispose()


def test_a_table_with_no_declared_rule_is_refused_and_nothing_changes(fresh_service):
    engine = create_engine(fresh_service.owner_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE later_table (id text PRIMARY KEY)"))
        with pytest.raises(access.AccessError, match="'later_table' has no access rule"):
            secure(fresh_service.owner_url)
        with engine.connect() as conn:
            assert unsecured_tables(conn) == ["later_table"]
    finally:
        engine.dispose()


def test_every_table_nextround_knows_declares_a_rule_that_exists():
    assert set(access.TABLE_RULES) >= KNOWN_TABLES
    assert set(access.TABLE_RULES.values()) <= set(access.RULES)
    assert access.TABLE_RULES["notes"] == "counsellor_private"
    assert access.TABLE_RULES["audit_log"] == "audit"


def test_securing_again_changes_nothing_a_person_reaches(service):
    secure(service.owner_url)
    engine = service.engine("counsellor_a")
    try:
        assert _rows(engine, "SELECT name FROM clients") == [("Ada",)]
    finally:
        engine.dispose()


# --- counsellors ----------------------------------------------------------------------------


def test_counsellor_a_reaches_none_of_counsellor_bs_clients(service):
    engine = service.engine("counsellor_a")
    bo = service.clients["Bo"].id
    try:
        assert _rows(engine, "SELECT name FROM clients") == [("Ada",)]
        assert _rows(engine, "SELECT * FROM clients WHERE id = :id", id=bo) == []
        for table in ("applications", "notes", "answers", "checkins"):
            assert _rows(engine, f"SELECT * FROM {table} WHERE client_id = :id", id=bo) == []
            assert {row[0] for row in _rows(engine, f"SELECT client_id FROM {table}")} == {
                service.clients["Ada"].id}, table
        assert _rows(engine, "SELECT text FROM notes") == [("private note about Ada",)]
    finally:
        engine.dispose()


def test_counsellor_a_cannot_change_or_delete_bs_rows(service):
    engine = service.engine("counsellor_a")
    bo = service.clients["Bo"].id
    try:
        assert _change(engine, "UPDATE applications SET company = 'taken' WHERE client_id = :id",
                       id=bo) == 0
        assert _change(engine, "UPDATE notes SET text = 'taken'") == 1  # Ada's only
        assert _change(engine, "DELETE FROM answers WHERE client_id = :id", id=bo) == 0
        assert _change(engine, "DELETE FROM clients WHERE id = :id", id=bo) == 0
        assert "row-level security" in _refused(
            engine, "INSERT INTO notes (id, client_id, at, text, seq) "
                    "VALUES ('f00d00000001', :id, 'now', 'planted', 1)", id=bo)
        # Moving Ada's row onto Bo is refused too: the new row must be A's as well.
        assert "row-level security" in _refused(
            engine, "UPDATE applications SET client_id = :id", id=bo)
    finally:
        engine.dispose()
    with Store(service.owner_url) as owner:
        assert [a.company for a in owner.list(model.Application, bo)] == ["Bo's company"]
        assert owner.answers(bo) == {"strengths": "Bo's strengths"}
        assert [n.text for n in owner.list(model.Note, bo)] == ["private note about Bo"]


def test_a_counsellor_sees_colleagues_but_only_their_own_clients_names(service):
    engine = service.engine("counsellor_a")
    try:
        assert sorted(_rows(engine, "SELECT name, kind FROM people")) == [
            ("Ada", "client"), ("Counsellor A", "counsellor"), ("Counsellor B", "counsellor"),
            ("Supervisor K", "supervisor")]
        assert [row[0] for row in _rows(engine, "SELECT client_id FROM assignments")] == [
            service.clients["Ada"].id]
    finally:
        engine.dispose()


def test_a_counsellor_cannot_reassign_or_rewrite_history(service):
    engine = service.engine("counsellor_a")
    try:
        assert "permission denied" in _refused(
            engine, "UPDATE assignments SET counsellor_id = :me",
            me=service.people["counsellor_a"].id)
        assert "permission denied" in _refused(
            engine, "INSERT INTO people (id, kind, name, created_at, seq) "
                    "VALUES ('f00d00000002', 'supervisor', 'Me too', 'now', 9)")
        assert "permission denied" in _refused(engine, "UPDATE people SET name = 'x'")
        # History goes only with an erased client, never while the client is here.
        assert _change(engine, "DELETE FROM assignments") == 0
        assert _change(engine, "DELETE FROM people") == 0
    finally:
        engine.dispose()


def test_asking_the_policy_functions_about_someone_else_gives_nothing(service):
    engine = service.engine("counsellor_a")
    try:
        other = service.logins["counsellor_b"].role
        assert _rows(engine, "SELECT nextround_client_ids(:who)", who=other) == []
        assert _rows(engine, "SELECT nextround_kind(:who)", who=other) == [(None,)]
        assert "permission denied" in _refused(engine, "SELECT * FROM nextround_caseloads()")
    finally:
        engine.dispose()


# --- clients ---------------------------------------------------------------------------------


def test_a_client_reads_only_themself_never_a_note_or_another_name(service):
    engine = service.engine("ada")
    ada = service.clients["Ada"].id
    try:
        assert _rows(engine, "SELECT name FROM clients") == [("Ada",)]
        assert _rows(engine, "SELECT name FROM people") == [("Ada",)]
        for table in ("applications", "answers", "checkins"):
            assert {row[0] for row in _rows(engine, f"SELECT client_id FROM {table}")} == {ada}
        assert "permission denied" in _refused(engine, "SELECT * FROM notes")
        assert "permission denied" in _refused(engine, "SELECT * FROM assignments")
        assert "permission denied" in _refused(engine, "SELECT * FROM settings")
    finally:
        engine.dispose()


def test_a_client_cannot_change_or_delete_anyone_elses_rows(service):
    engine = service.engine("ada")
    bo = service.clients["Bo"].id
    try:
        assert _change(engine, "UPDATE answers SET value = '\"mine\"' WHERE client_id = :id",
                       id=bo) == 0
        assert _change(engine, "DELETE FROM checkins WHERE client_id = :id", id=bo) == 0
        assert _change(engine, "UPDATE clients SET name = 'taken' WHERE id = :id", id=bo) == 0
        assert "row-level security" in _refused(
            engine, "INSERT INTO applications (id, client_id, company, role, stage, outcome, "
                    "how_heard, contact_name, seq) VALUES ('f00d00000003', :id, 'x', '', "
                    "'applied', 'pending', '', '', 1)", id=bo)
        assert "permission denied" in _refused(engine, "DELETE FROM clients")
    finally:
        engine.dispose()
    with Store(service.owner_url) as owner:
        assert owner.answers(bo) == {"strengths": "Bo's strengths"}
        assert len(owner.list(model.CheckIn, bo)) == 1
        assert owner.get_client(bo).name == "Bo"


# --- supervisors -----------------------------------------------------------------------------


def test_a_supervisor_reads_figures_not_workbooks(service):
    engine = service.engine("supervisor")
    try:
        for table in ("clients", "applications", "notes", "answers"):
            assert "permission denied" in _refused(engine, f"SELECT * FROM {table}")
        assert _rows(engine, "SELECT counsellor, clients FROM nextround_caseloads()") == [
            ("Counsellor A", 1), ("Counsellor B", 2)]
        counts = dict(_rows(engine, "SELECT * FROM nextround_record_counts()"))
        assert (counts["clients"], counts["notes"], counts["answers"]) == (3, 3, 3)
        assert sorted(row[0] for row in _rows(engine, "SELECT name FROM people")) == [
            "Counsellor A", "Counsellor B", "Supervisor K"]  # no client's name
    finally:
        engine.dispose()


def test_a_supervisor_reassigns_a_client_and_the_counsellors_see_it(fresh_service):
    cy = fresh_service.clients["Cy"].id
    with Store(fresh_service.logins["supervisor"].url) as supervisor:
        supervisor.hand_over(cy, fresh_service.people["counsellor_a"].id)
        assert [a.counsellor_id for a in supervisor.assignments(cy)] == [
            fresh_service.people["counsellor_b"].id, fresh_service.people["counsellor_a"].id]
    a, b = fresh_service.engine("counsellor_a"), fresh_service.engine("counsellor_b")
    try:
        assert _rows(a, "SELECT name FROM clients ORDER BY name") == [("Ada",), ("Cy",)]
        assert _rows(b, "SELECT name FROM clients") == [("Bo",)]
        assert _rows(a, "SELECT text FROM notes WHERE client_id = :id", id=cy) == [
            ("private note about Cy",)]
    finally:
        a.dispose()
        b.dispose()


def test_the_audit_log_is_append_only_and_read_by_supervisors(fresh_service):
    """The rule declared for ``audit_log``: every person appends, through their own
    store; nobody but the owner changes or removes a line; only supervisors read."""
    ada = fresh_service.clients["Ada"].id
    with Store(fresh_service.owner_url) as owner:
        owner.record_event("opened", ada, actor="owner")
    for who in ("counsellor_a", "ada", "supervisor"):
        with Store(fresh_service.logins[who].url) as store:
            kept = store.record_event("opened", ada, actor=who)
            assert kept.db_user == fresh_service.logins[who].role
        engine = fresh_service.engine(who)
        try:
            assert "permission denied" in _refused(engine, "UPDATE audit_log SET detail = 'x'")
            assert "permission denied" in _refused(engine, "DELETE FROM audit_log")
            if who != "supervisor":
                assert "permission denied" in _refused(engine, "SELECT * FROM audit_log")
        finally:
            engine.dispose()
    engine = fresh_service.engine("supervisor")
    try:
        assert sorted(_rows(engine, "SELECT actor, action FROM audit_log")) == [
            ("ada", "opened"), ("counsellor_a", "opened"), ("owner", "opened"),
            ("supervisor", "opened")]
    finally:
        engine.dispose()


# --- a Store opened with a person's credentials ------------------------------------------------


def test_a_counsellors_store_works_on_their_own_clients_only(fresh_service):
    ada, bo = fresh_service.clients["Ada"].id, fresh_service.clients["Bo"].id
    with Store(fresh_service.logins["counsellor_a"].url) as store:
        assert store.connected_person() == fresh_service.people["counsellor_a"]
        assert [c.name for c in store.list_clients()] == ["Ada"]
        store.set_answer(ada, "strengths", "new words")
        assert store.answers(ada) == {"strengths": "new words"}
        assert [n.text for n in store.list(model.Note, ada)] == ["private note about Ada"]
        assert store.list(model.Note, bo) == []
        with pytest.raises(NextRoundError, match="No client"):
            store.get_client(bo)
        with pytest.raises(NextRoundError, match="No client"):
            store.set_answer(bo, "strengths", "planted")
        dee = store.create_client("Dee")  # a new client is theirs at once
        assert [c.name for c in store.list_clients()] == ["Ada", "Dee"]
        assert store.current_counsellor(dee.id) == fresh_service.people["counsellor_a"]
        store.erase_client(dee.id)
        assert [c.name for c in store.list_clients()] == ["Ada"]
        with pytest.raises(NextRoundError, match="may not do this"):
            store.hand_over(ada, fresh_service.people["counsellor_b"].id)
    with Store(fresh_service.owner_url) as owner:
        assert owner.answers(bo) == {"strengths": "Bo's strengths"}
        assert [c.name for c in owner.list_clients()] == ["Ada", "Bo", "Cy"]
        assert [p.name for p in owner.list_people("client")] == ["Ada", "Bo"]


def test_a_counsellor_cannot_claim_a_client_without_a_counsellor(fresh_service):
    with Store(fresh_service.owner_url) as owner:
        waiting = owner.create_client("Waiting")
    engine = fresh_service.engine("counsellor_a")
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT nextround_assign_new_client(current_user, :id)"),
                         {"id": waiting.id})
        assert _rows(engine, "SELECT * FROM clients WHERE id = :id", id=waiting.id) == []
    finally:
        engine.dispose()
    with Store(fresh_service.owner_url) as owner:
        assert owner.current_counsellor(waiting.id) is None


def test_a_workbook_naming_another_counsellors_client_is_refused(fresh_service):
    bo = fresh_service.clients["Bo"].id
    with Store(fresh_service.owner_url) as owner:
        exported = owner.export_records(bo)
    exported["client"]["name"] = "Bo, overwritten"
    exported["answers"][0]["value"] = "planted"
    with Store(fresh_service.logins["counsellor_a"].url) as store:
        for existing in ("refuse", "replace"):
            with pytest.raises(WorkbookError, match="not yours to change; nothing was written"):
                store.import_records(exported, existing=existing)
        assert [c.name for c in store.list_clients()] == ["Ada"]
    with Store(fresh_service.owner_url) as owner:
        assert owner.get_client(bo).name == "Bo"
        assert owner.answers(bo) == {"strengths": "Bo's strengths"}


def test_a_clients_store_sees_only_themself(fresh_service):
    ada = fresh_service.clients["Ada"].id
    with Store(fresh_service.logins["ada"].url) as store:
        assert [c.name for c in store.list_clients()] == ["Ada"]
        assert store.connected_person() == fresh_service.people["ada"]
        store.add(model.CheckIn(client_id=ada, mood=70))
        assert [c.mood for c in store.list(model.CheckIn, ada)] == [40, 70]
        assert store.list_all(model.Application) == store.list(model.Application, ada)
        exported = store.export_records(ada)
        assert exported["client"]["name"] == "Ada" and "notes" not in exported
        with pytest.raises(ProgrammingError, match="permission denied"):
            store.list(model.Note, ada)
        assert [p.name for p in store.list_people()] == ["Ada"]


def test_a_person_never_migrates_and_is_told_to_ask_the_owner(service):
    def later(conn):  # a migration a newer NextRound would bring
        conn.exec_driver_sql("CREATE TABLE later_table (id text)")

    # As a newer NextRound would be: one migration more than this database has had.
    MIGRATIONS.append(later)
    try:
        with pytest.raises(NextRoundError, match="only its owner can upgrade it"):
            Store(service.logins["counsellor_a"].url)
    finally:
        MIGRATIONS.remove(later)
    with Store(service.owner_url) as owner:
        assert owner.schema_version() == len(MIGRATIONS)


def test_the_owner_reaches_every_row_although_security_is_forced(service):
    with Store(service.owner_url) as owner:
        assert [c.name for c in owner.list_clients()] == ["Ada", "Bo", "Cy"]
        assert len(owner.list_all(model.Note)) == 3
        assert owner.connected_person() is None


def test_credentials_never_show_the_password_and_the_server_keeps_a_verifier(service,
                                                                              postgres):
    login = service.logins["ada"]
    assert login.password not in repr(login)
    assert login.role == access.person_role(service.people["ada"])
    admin = create_engine(postgres.url())
    try:
        [kept] = _rows(admin, "SELECT rolpassword FROM pg_authid WHERE rolname = :r",
                       r=login.role)
    finally:
        admin.dispose()
    assert kept[0].startswith("SCRAM-SHA-256$4096:") and login.password not in kept[0]
    with pytest.raises(access.AccessError, match="already has a login"):
        create_login(service.owner_url, service.people["ada"].id)


def test_a_database_owned_by_the_superuser_is_secured_the_same_way(postgres_url):
    """The superuser passes every policy itself, but the people it makes do not."""
    with Store(postgres_url) as store:
        clients, people = _seed(store)
    secure(postgres_url)
    login = create_login(postgres_url, people["counsellor_b"].id)
    engine = create_engine(login.url)
    try:
        assert _rows(engine, "SELECT name FROM clients ORDER BY name") == [("Bo",), ("Cy",)]
        assert _rows(engine, "SELECT * FROM notes WHERE client_id = :id",
                     id=clients["Ada"].id) == []
    finally:
        engine.dispose()


def test_names_made_for_roles_are_plain_and_anything_else_is_refused():
    assert access.group_role("nextround", "counsellor") == "nextround_counsellors"
    assert access.group_role("9-Service", "client") == "nr_9_service_clients"
    assert access.quoted("nextround_client_0a1b2c3d") == '"nextround_client_0a1b2c3d"'
    for hostile in ('x"; DROP TABLE clients; --', "Upper", "", "a" * 64):
        with pytest.raises(access.AccessError):
            access.quoted(hostile)


def test_securing_sqlite_is_refused_in_plain_words(tmp_path):
    Store(tmp_path / "one.db").close()
    with pytest.raises(access.AccessError, match="needs PostgreSQL"):
        secure(f"sqlite:///{tmp_path / 'one.db'}")
