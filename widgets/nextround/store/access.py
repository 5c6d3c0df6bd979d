"""Who may read and write what on a shared PostgreSQL database, enforced by PostgreSQL.

The app filters what it shows, but that is a convenience: someone with a
Python prompt and their own credentials must still reach only their own
rows. So each person signs in with a database role of their own, and
row-level security on every table decides, row by row, what that role
reaches. The administrator runs these functions as the database owner:

* :func:`secure` makes a group role per kind of person, the functions the
  policies call, and, for **every** table in the schema, enables and forces
  row-level security, grants what each kind needs and writes the policies.
  A table's rule is declared next to its model (``Record.access``) or, for a
  table no model describes, in :data:`~nextround.store.schema.OTHER_TABLE_ACCESS`;
  a table with no rule is refused, so a table added later can never be left
  open. Running it again after an upgrade brings the policies up to date.
* :func:`create_login` makes a person's LOGIN role with a generated password
  and gives back their credentials, as a URL for ``Store(url)``.

The policies map ``current_user`` to a person through the ``people`` table,
by way of a few ``SECURITY DEFINER`` functions that answer only for a role
the signed-in user is a member of. ``docs/access.md`` describes each rule.

On SQLite (one machine, one person) there are no roles and nothing here is
used: the one counsellor sees everything, as before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from string import Formatter

from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import Connection, make_url

from .. import answer_keys, model
from ..errors import NextRoundError
from .answers import STATE_PREFIX
from .connection import Database
from .migrations import MIGRATIONS, Migration, migrate, read_state, refuse_if_newer, target_of
from .people import PEOPLE, fetch_person
from .schema import ENTRY_TIMES, OTHER_TABLE_ACCESS, RECORDS

KINDS: tuple[str, ...] = model.PERSON_KINDS
#: Every privilege on a table.
ALL_ROWS = "SELECT, INSERT, UPDATE, DELETE"
#: The rows of the clients the signed-in person may reach: a counsellor's
#: current clients, or a client's own record.
MY_CLIENTS = "(SELECT nextround_client_ids(current_user::text))"
#: A client whose record is gone: erased in this very transaction.
ERASED = "NOT EXISTS (SELECT 1 FROM clients WHERE clients.id = client_id)"


@dataclass(frozen=True)
class Policy:
    """One row-level security policy: for which command, for which kinds of person,
    which existing rows it reaches (``using``) and which new rows it lets in
    (``check``)."""

    name: str
    command: str
    kinds: tuple[str, ...]
    using: str | None = None
    check: str | None = None


@dataclass(frozen=True)
class Rule:
    """How one kind of table is reached: table privileges per kind, and policies.

    The privileges decide which commands a kind may run at all (a client has
    none on notes, so reading one is refused outright); the policies decide
    which rows those commands reach.
    """

    privileges: dict[str, str]
    policies: tuple[Policy, ...]


#: The rules tables declare, by name. ``docs/access.md`` explains each.
RULES: dict[str, Rule] = {
    # A client's own work: theirs, and their current counsellor's.
    "client_rows": Rule(
        {"counsellor": ALL_ROWS, "client": ALL_ROWS},
        (Policy("own_clients", "ALL", ("counsellor", "client"),
                f"client_id IN {MY_CLIENTS}", f"client_id IN {MY_CLIENTS}"),)),
    # A counsellor's private notes: never the client's, not even to read.
    "counsellor_private": Rule(
        {"counsellor": ALL_ROWS},
        (Policy("own_clients", "ALL", ("counsellor",),
                f"client_id IN {MY_CLIENTS}", f"client_id IN {MY_CLIENTS}"),)),
    # The client records: a counsellor's current clients, a client's own record.
    # A counsellor may add a client, who is then assigned to them (a trigger).
    "clients": Rule(
        {"counsellor": ALL_ROWS, "client": "SELECT, UPDATE"},
        (Policy("own_clients", "ALL", ("counsellor", "client"),
                f"id IN {MY_CLIENTS}", f"id IN {MY_CLIENTS}"),
         Policy("new_clients", "INSERT", ("counsellor",), check="true"))),
    # People: everyone sees themself; staff see staff; a counsellor sees their
    # clients' person records (and removes them when erasing a client).
    "people": Rule(
        {"counsellor": "SELECT, DELETE", "client": "SELECT", "supervisor": "SELECT"},
        (Policy("visible_people", "SELECT", KINDS,
                "role_name = current_user::text"
                " OR (kind <> 'client'"
                "     AND nextround_kind(current_user::text) IN ('counsellor', 'supervisor'))"
                f" OR (kind = 'client' AND client_id IN {MY_CLIENTS})"),
         Policy("erased_clients", "DELETE", ("counsellor",),
                f"kind = 'client' AND client_id IN {MY_CLIENTS} AND {ERASED}"))),
    # Assignments: a counsellor sees their own and their clients' history;
    # a supervisor sees all and reassigns. Nobody but the owner deletes
    # history, except a counsellor erasing a client of theirs (the client's
    # record already deleted in the same transaction).
    "assignments": Rule(
        {"counsellor": "SELECT, DELETE", "supervisor": "SELECT, INSERT, UPDATE"},
        (Policy("own_clients", "SELECT", ("counsellor",),
                f"client_id IN {MY_CLIENTS}"
                " OR counsellor_id = nextround_person_id(current_user::text)"),
         Policy("erased_clients", "DELETE", ("counsellor",),
                f"client_id IN {MY_CLIENTS} AND {ERASED}"),
         Policy("reassign", "ALL", ("supervisor",), "true", "true"))),
    # An audit log: everyone appends, supervisors read, nobody but the owner
    # changes or removes a line.
    "audit": Rule(
        {"counsellor": "INSERT", "client": "INSERT", "supervisor": "SELECT, INSERT"},
        (Policy("append", "INSERT", KINDS, check="true"),
         Policy("supervisors_read", "SELECT", ("supervisor",), "true"))),
    # Bookkeeping everyone reads (the schema version) and only the owner writes.
    "readable": Rule(
        dict.fromkeys(KINDS, "SELECT"),
        (Policy("read", "SELECT", KINDS, "true"),)),
    # Store-wide settings (the client the app opened last): the counsellors'.
    "counsellors": Rule(
        {"counsellor": ALL_ROWS},
        (Policy("counsellors", "ALL", ("counsellor",), "true", "true"),)),
}


def _declared_rules() -> dict[str, str]:
    """Each known table's rule: from its model, or from ``OTHER_TABLE_ACCESS``."""
    declared = {name: record.access
                for name, record in {**RECORDS, **model.PEOPLE_RECORDS}.items()}
    declared.update(OTHER_TABLE_ACCESS)
    unknown = sorted(f"{table} ({rule})" for table, rule in declared.items() if rule not in RULES)
    if unknown:
        raise TypeError(f"no access rule of that name for {unknown}; see RULES")
    return declared


#: Every table NextRound knows, and the name of its rule.
TABLE_RULES: dict[str, str] = _declared_rules()


class AccessError(NextRoundError):
    """The database cannot be secured as asked; nothing was changed."""


def rule_for(table: str) -> Rule:
    """The rule a table declares; a table without one is refused, never left open."""
    if table not in TABLE_RULES:
        raise AccessError(
            f"The table {table!r} has no access rule, so it cannot be secured; declare "
            "one (Record.access on its model, or OTHER_TABLE_ACCESS in "
            "nextround.store.schema). Nothing was changed.")
    return RULES[TABLE_RULES[table]]


# --- names -------------------------------------------------------------------------

def quoted(identifier: str) -> str:
    """An identifier as SQL text. Every name here is made by NextRound and
    checked, so quoting is a second guard rather than the only one."""
    if not model.ROLE_NAME.fullmatch(identifier):
        raise AccessError(f"{identifier!r} is not a name NextRound makes for a role or table.")
    return f'"{identifier}"'


def group_role(database: str, kind: str) -> str:
    """The group role holding one kind's privileges in one database, e.g.
    ``nextround_counsellors``: per database, so that securing a second
    database on the same server grants nothing in the first."""
    base = re.sub(r"[^a-z0-9_]", "_", database.lower())[:48]
    return f"{base if base[:1].isalpha() else 'nr_' + base}_{kind}s"


def person_role(person: model.Person) -> str:
    """The LOGIN role made for a person: their kind and their (random) id."""
    return f"nextround_{person.kind}_{person.id}"


# --- securing a database -------------------------------------------------------------


def _functions(schema: str) -> list[str]:
    """The functions the policies call, and the supervisors' figures.

    They run as their owner (``SECURITY DEFINER``), so a policy on ``people``
    can read ``people`` without asking itself. Each answers only about a
    role the signed-in user is a member of: nobody learns another person's
    clients by calling one with another name.
    """
    definer = f"STABLE SECURITY DEFINER SET search_path = pg_catalog, {quoted(schema)}"
    member = "pg_has_role(session_user, who, 'MEMBER')"
    counts = " UNION ALL ".join(
        f"SELECT '{name}'::text, count(*) FROM {quoted(name)}"
        for name in ("clients", *model.CHILD_RECORDS))
    return [
        f"""CREATE OR REPLACE FUNCTION nextround_kind(who text) RETURNS text
            LANGUAGE sql {definer} AS $$
            SELECT kind FROM people WHERE role_name = who AND {member} $$""",
        f"""CREATE OR REPLACE FUNCTION nextround_person_id(who text) RETURNS text
            LANGUAGE sql {definer} AS $$
            SELECT id FROM people WHERE role_name = who AND {member} $$""",
        f"""CREATE OR REPLACE FUNCTION nextround_client_ids(who text) RETURNS SETOF text
            LANGUAGE sql {definer} AS $$
            SELECT a.client_id FROM assignments a JOIN people p ON p.id = a.counsellor_id
             WHERE p.role_name = who AND p.kind = 'counsellor' AND a.until IS NULL
               AND {member}
            UNION ALL
            SELECT p.client_id FROM people p
             WHERE p.role_name = who AND p.kind = 'client' AND {member} $$""",
        # A client a counsellor adds is assigned to them, or they could not see it.
        # Only a client row this very transaction inserted: called directly, the
        # function cannot claim someone else's unassigned client.
        f"""CREATE OR REPLACE FUNCTION nextround_assign_new_client(who text, client text)
            RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER
            SET search_path = pg_catalog, {quoted(schema)} AS $$
            INSERT INTO assignments (id, client_id, counsellor_id, since, until, seq)
            SELECT substr(md5(random()::text || clock_timestamp()::text), 1, 16), client, p.id,
                   to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
                     || '.000000+00:00',
                   NULL, (SELECT coalesce(max(seq), 0) + 1 FROM assignments)
              FROM people p
             WHERE p.role_name = who AND p.kind = 'counsellor' AND {member}
               AND EXISTS (SELECT 1 FROM clients c WHERE c.id = client
                            AND c.xmin = pg_current_xact_id()::xid)
               AND NOT EXISTS (SELECT 1 FROM assignments
                                WHERE client_id = client AND until IS NULL) $$""",
        """CREATE OR REPLACE FUNCTION nextround_new_client_trigger() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              PERFORM nextround_assign_new_client(current_user::text, NEW.id);
              RETURN NULL;
            END $$""",
        # Figures for supervisors, counted over everyone's rows, naming no client.
        f"""CREATE OR REPLACE FUNCTION nextround_caseloads()
            RETURNS TABLE(counsellor_id text, counsellor text, clients bigint)
            LANGUAGE sql {definer} AS $$
            SELECT p.id, p.name, count(a.id) FROM people p
              LEFT JOIN assignments a ON a.counsellor_id = p.id AND a.until IS NULL
             WHERE p.kind = 'counsellor' GROUP BY p.id, p.name ORDER BY p.name, p.id $$""",
        f"""CREATE OR REPLACE FUNCTION nextround_record_counts()
            RETURNS TABLE(table_name text, row_count bigint)
            LANGUAGE sql {definer} AS $$ {counts} $$""",
        *_report_functions(definer),
    ]


def _sql_text(value: str) -> str:
    """A constant NextRound wrote, as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _key_regex(family: answer_keys.KeyFamily) -> str:
    """An answer-key family's pattern as a PostgreSQL regular expression."""
    return "^" + "".join(re.escape(literal) + ("[^.]+" if name else "")
                         for literal, name, _spec, _conv in Formatter().parse(family.pattern)
                         ) + "$"


def _latest_entry_sql() -> str:
    """A client's latest entry time as :func:`.answers.latest_entries` finds it, or
    when the client was added; fixed-width UTC text sorts as time does. Only its
    day leaves the function: a time to the microsecond could be matched with the
    audit log's, which supervisors read."""
    state = _sql_text(STATE_PREFIX)
    latest = ", ".join(
        f"(SELECT max(x.{quoted(column)}) FROM {quoted(table.name)} x WHERE x.client_id = c.id"
        + (f" AND left(x.key, {len(STATE_PREFIX)}) <> {state}" if table.name == "answers"
           else "") + ")"
        for table, column in ENTRY_TIMES)
    return f"coalesce(greatest({latest}), c.created_at)"


#: A scenario answer's value, when it is one of the scenarios the content knows.
_KNOWN_SCENARIO_ANSWER = (
    f"s.key = {_sql_text(answer_keys.SCENARIO.key())} "
    "AND jsonb_typeof(s.value::jsonb) = 'string' "
    "AND (s.value::jsonb #>> '{}') = ANY(known_scenarios)")


def _report_functions(definer: str) -> list[str]:
    """The service report's inputs, for supervisors: de-identified rows, never a name,
    a word a client wrote, or an id. Where rows of one client must be told apart,
    each call numbers the clients afresh in a random order (``client_key``), so a
    number means nothing outside the call that gave it. ``nextround.report`` turns
    these rows into the same figures it makes from the records themselves.
    """
    keyed = ("WITH keyed AS (SELECT id, row_number() OVER (ORDER BY random()) AS client_key "
             "FROM clients)")
    gracious = _sql_text(_key_regex(answer_keys.GRACIOUS_DONE))
    empty = "('null'::jsonb, '\"\"'::jsonb, '[]'::jsonb, '{}'::jsonb)"
    return [
        # One row per client: which steps of the workbook hold saved work (as
        # nextround.charts.completed_steps reads them) and the day (UTC) they were
        # last active.
        f"""CREATE OR REPLACE FUNCTION nextround_report_clients(
                known_scenarios text[], assessment_keys text[])
            RETURNS TABLE(log boolean, feedback boolean, understand boolean, assess boolean,
                          wellbeing boolean, gracious boolean, plan boolean, active_on text)
            LANGUAGE sql {definer} AS $$
            SELECT
              EXISTS (SELECT 1 FROM applications x WHERE x.client_id = c.id),
              EXISTS (SELECT 1 FROM feedback x WHERE x.client_id = c.id),
              EXISTS (SELECT 1 FROM applications a WHERE a.client_id = c.id AND (
                EXISTS (SELECT 1 FROM feedback f WHERE f.application_id = a.id
                          AND f.scenario_id = ANY(known_scenarios))
                OR EXISTS (SELECT 1 FROM answers s WHERE s.application_id = a.id
                             AND {_KNOWN_SCENARIO_ANSWER}))),
              EXISTS (SELECT 1 FROM answers s WHERE s.client_id = c.id
                        AND s.key = ANY(assessment_keys) AND s.value::jsonb NOT IN {empty}),
              EXISTS (SELECT 1 FROM checkins x WHERE x.client_id = c.id),
              EXISTS (SELECT 1 FROM answers s WHERE s.client_id = c.id
                        AND s.key ~ {gracious} AND s.value::jsonb = 'true'::jsonb),
              EXISTS (SELECT 1 FROM actions x WHERE x.client_id = c.id),
              left({_latest_entry_sql()}, 10)
            FROM clients c ORDER BY random() $$""",
        # Rejections and interviews: their days, the kind of feedback confirmed (the
        # scenario answer wins, else the first feedback read as a known scenario).
        f"""CREATE OR REPLACE FUNCTION nextround_report_applications(known_scenarios text[])
            RETURNS TABLE(client_key bigint, application_key bigint, rejected boolean,
                          outcome_on text, interview_on text, scenario_id text)
            LANGUAGE sql {definer} AS $$
            {keyed}
            SELECT k.client_key, row_number() OVER (ORDER BY random()),
                   a.outcome = 'rejected', a.outcome_on, a.interview_on,
                   CASE WHEN a.outcome = 'rejected' THEN coalesce(
                     (SELECT s.value::jsonb #>> '{{}}' FROM answers s
                       WHERE s.application_id = a.id AND {_KNOWN_SCENARIO_ANSWER}
                       ORDER BY s.client_id DESC, s.seq DESC, s.id DESC LIMIT 1),
                     (SELECT f.scenario_id FROM feedback f
                       WHERE f.application_id = a.id AND f.scenario_id = ANY(known_scenarios)
                       ORDER BY f.client_id, f.seq, f.id LIMIT 1), '') ELSE '' END
              FROM applications a JOIN keyed k ON k.id = a.client_id
             WHERE a.outcome = 'rejected' OR a.interview_on IS NOT NULL
             ORDER BY random() $$""",
        f"""CREATE OR REPLACE FUNCTION nextround_report_actions()
            RETURNS TABLE(due_on text, done boolean)
            LANGUAGE sql {definer} AS $$
            SELECT due_on, done FROM actions WHERE due_on IS NOT NULL ORDER BY random() $$""",
        # Mood check-ins: the day (in UTC) and the mood, nothing the client wrote.
        f"""CREATE OR REPLACE FUNCTION nextround_report_checkins()
            RETURNS TABLE(client_key bigint, checked_in_on text, mood integer)
            LANGUAGE sql {definer} AS $$
            {keyed}
            SELECT k.client_key, left(c.at, 10), c.mood
              FROM checkins c JOIN keyed k ON k.id = c.client_id ORDER BY random() $$""",
    ]


#: The functions the service report reads through, with their arguments' types.
REPORT_FUNCTIONS: tuple[str, ...] = (
    "nextround_report_clients(text[], text[])",
    "nextround_report_applications(text[])",
    "nextround_report_actions()",
    "nextround_report_checkins()",
)

#: Which kinds may call each function (nobody else may).
FUNCTION_CALLERS: dict[str, tuple[str, ...]] = {
    "nextround_kind(text)": KINDS,
    "nextround_person_id(text)": KINDS,
    "nextround_client_ids(text)": KINDS,
    "nextround_assign_new_client(text, text)": ("counsellor",),
    "nextround_new_client_trigger()": (),
    "nextround_caseloads()": ("supervisor",),
    "nextround_record_counts()": ("supervisor",),
    **dict.fromkeys(REPORT_FUNCTIONS, ("supervisor",)),
}


def schema_tables(conn: Connection) -> list[str]:
    """Every table in the schema the connection works in."""
    return list(conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "ORDER BY tablename")).scalars())


def secure(url: str) -> list[str]:
    """Secure a PostgreSQL database NextRound has made: roles, grants, policies.

    Run by the database owner (the role that made the schema), after every
    upgrade. All of it is one transaction. Returns the tables secured: every
    table in the schema, or :class:`AccessError` naming one with no rule.
    """
    engine = create_engine(url)
    try:
        if engine.dialect.name != "postgresql":
            raise AccessError("Row-level security needs PostgreSQL; on SQLite there is one "
                              "person and nothing to secure.")
        with engine.begin() as conn:
            return _secure(conn)
    finally:
        engine.dispose()


def _secure(conn: Connection) -> list[str]:
    schema = conn.execute(text("SELECT current_schema()")).scalar()
    database = conn.execute(text("SELECT current_database()")).scalar()
    tables = schema_tables(conn)
    rules = {table: rule_for(table) for table in tables}  # refuse before changing anything
    groups = {kind: group_role(database, kind) for kind in KINDS}
    existing = set(conn.execute(text("SELECT rolname FROM pg_roles")).scalars())
    for group in groups.values():
        if group not in existing:
            conn.execute(text(f"CREATE ROLE {quoted(group)} NOLOGIN"))
    everyone = ", ".join(quoted(group) for group in groups.values())
    this_database = '"{}"'.format(database.replace('"', '""'))
    conn.execute(text(f"REVOKE CONNECT, TEMPORARY ON DATABASE {this_database} FROM PUBLIC"))
    conn.execute(text(f"GRANT CONNECT ON DATABASE {this_database} TO {everyone}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA {quoted(schema)} TO {everyone}"))
    for statement in _functions(schema):
        conn.execute(text(statement))
    for function, kinds in FUNCTION_CALLERS.items():
        conn.execute(text(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC, {everyone}"))
        if kinds:
            callers = ", ".join(quoted(groups[kind]) for kind in kinds)
            conn.execute(text(f"GRANT EXECUTE ON FUNCTION {function} TO {callers}"))
    conn.execute(text("DROP TRIGGER IF EXISTS nextround_new_client ON clients"))
    conn.execute(text("CREATE TRIGGER nextround_new_client AFTER INSERT ON clients "
                      "FOR EACH ROW EXECUTE FUNCTION nextround_new_client_trigger()"))
    for table, rule in rules.items():
        _secure_table(conn, table, rule, groups, everyone)
    conn.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {quoted(schema)} TO {everyone}"))
    return tables


def _secure_table(conn: Connection, table: str, rule: Rule, groups: dict[str, str],
                  everyone: str) -> None:
    """Privileges and policies for one table, replacing whatever it had."""
    name = quoted(table)
    owner = conn.execute(text("SELECT tableowner FROM pg_tables WHERE schemaname = "
                              "current_schema() AND tablename = :t"), {"t": table}).scalar()
    conn.execute(text(f"REVOKE ALL ON {name} FROM PUBLIC, {everyone}"))
    for kind, privileges in rule.privileges.items():
        conn.execute(text(f"GRANT {privileges} ON {name} TO {quoted(groups[kind])}"))
    for policy in conn.execute(text("SELECT policyname FROM pg_policies WHERE schemaname = "
                                    "current_schema() AND tablename = :t"),
                               {"t": table}).scalars().all():
        conn.execute(text(f'DROP POLICY "{policy}" ON {name}'))
    conn.execute(text(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"))
    conn.execute(text(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY"))
    # Forced, the rules bind the owner too; the owner (who migrates, and whose
    # functions the policies call) reaches every row by this policy alone.
    conn.execute(text(f'CREATE POLICY owner_all ON {name} TO "{owner}" '
                      "USING (true) WITH CHECK (true)"))
    for policy in rule.policies:
        roles = ", ".join(quoted(groups[kind]) for kind in policy.kinds)
        clauses = [f"USING ({policy.using})" if policy.using else "",
                   f"WITH CHECK ({policy.check})" if policy.check else ""]
        conn.execute(text(f"CREATE POLICY {policy.name} ON {name} FOR {policy.command} "
                          f"TO {roles} {' '.join(c for c in clauses if c)}"))


def unsecured_tables(conn: Connection) -> list[str]:
    """Tables in the schema without row-level security enabled and forced, or
    with no policy at all: each would be open to anyone granted it."""
    return list(conn.execute(text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
        "AND (NOT c.relrowsecurity OR NOT c.relforcerowsecurity OR NOT EXISTS "
        "(SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)) ORDER BY c.relname")).scalars())


# --- people's logins -----------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """A person's database login: their role, password, and a URL for ``Store(url)``."""

    person_id: str
    role: str
    password: str = field(repr=False)
    url: str = field(repr=False)


def scram_verifier(password: str, iterations: int = 4096) -> str:
    """What PostgreSQL keeps of a password (SCRAM-SHA-256, RFC 5802 and 7677).

    Sent instead of the password, so the password itself never reaches the
    server, its statement log or its statistics.
    """
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    stored_key = hashlib.sha256(client_key).digest()
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def create_login(url: str, person_id: str) -> Credentials:
    """Make the LOGIN role of a person already in the store, with a new password.

    Run by the owner (a role that may create roles). The password is given
    back once, here: NextRound keeps it nowhere, and PostgreSQL is sent only
    its SCRAM verifier. The role joins its kind's group and nothing else.
    """
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            database = conn.execute(text("SELECT current_database()")).scalar()
            person = fetch_person(conn, person_id)
            if person.role_name is not None:
                raise AccessError(f"{person.name} already has a login ({person.role_name}).")
            role, password = person_role(person), secrets.token_urlsafe(24)
            # Written out, not through text(): the verifier holds colons.
            conn.exec_driver_sql(
                f"CREATE ROLE {quoted(role)} LOGIN PASSWORD '{scram_verifier(password)}' "
                f"IN ROLE {quoted(group_role(database, person.kind))}")
            conn.execute(update(PEOPLE).where(PEOPLE.c.id == person_id)
                         .values(role_name=role))
    finally:
        engine.dispose()
    personal = make_url(url).set(username=role, password=password)
    return Credentials(person_id, role, password, personal.render_as_string(hide_password=False))


def new_password(url: str, person_id: str) -> Credentials:
    """Give a person who has a login a fresh password; the old one stops working.

    Run by the owner. As with :func:`create_login`, only the SCRAM verifier
    reaches the server, and the password is given back once, here. A hub
    calls this at every start of a person's server, so a password lives no
    longer than the server it was given to.
    """
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            person = fetch_person(conn, person_id)
            if person.role_name is None:
                raise AccessError(f"{person.name} has no login yet; make one first.")
            role, password = person.role_name, secrets.token_urlsafe(24)
            conn.exec_driver_sql(
                f"ALTER ROLE {quoted(role)} PASSWORD '{scram_verifier(password)}'")
    finally:
        engine.dispose()
    personal = make_url(url).set(username=role, password=password)
    return Credentials(person_id, role, password, personal.render_as_string(hide_password=False))


def drop_login(url: str, person_id: str) -> None:
    """Remove a person's login role; their records stay, for the history."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            person = fetch_person(conn, person_id)
            if person.role_name is None:
                return
            conn.execute(text(f"DROP ROLE IF EXISTS {quoted(person.role_name)}"))
            conn.execute(update(PEOPLE).where(PEOPLE.c.id == person_id).values(role_name=None))
    finally:
        engine.dispose()


# --- the service report ----------------------------------------------------------------


def signed_in(store) -> model.Person | None:
    """The person a store is connected as: None for the database owner, and always
    on SQLite, where nobody signs in (no query is made there)."""
    return None if store.is_sqlite else store.connected_person()


def report_reading(person: model.Person | None) -> str | None:
    """How someone reads the service report's inputs: ``"records"`` (the owner, or
    the one counsellor on SQLite, who read every row), ``"functions"`` (a
    supervisor, through :data:`REPORT_FUNCTIONS`), or None: counsellors and
    clients get no report, in the app or from ``nextround report``."""
    if person is None:
        return "records"
    return "functions" if person.kind == "supervisor" else None


def may_see_report(store) -> bool:
    """Whether the app shows the service report to whoever this store is connected as."""
    return report_reading(signed_in(store)) is not None


# --- opening a store as a person -------------------------------------------------------


def may_change_schema(conn: Connection) -> bool:
    """Whether this connection may migrate: always on SQLite; on a server, when
    the schema is not made yet or the role owns (or acts for the owner of) it."""
    if conn.dialect.name == "sqlite":
        return True
    owner = conn.execute(text(
        "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename = 'schema_version'")).scalar()
    return owner is None or bool(conn.execute(
        text("SELECT pg_has_role(current_user, :owner, 'USAGE')"), {"owner": owner}).scalar())


def open_schema(database: Database, migrations: Sequence[Migration] = MIGRATIONS) -> None:
    """Bring the schema up to date, or, for a person who does not own it, check it is.

    A counsellor's or client's role can change no table; the owner makes and
    upgrades the schema. A person opening a database the owner has not yet
    upgraded is told so, in words they can pass on, and nothing is attempted.
    """
    if database.is_sqlite or database.read(may_change_schema):
        migrate(database, migrations)
        return

    target = target_of(migrations)
    state = database.read(read_state)
    refuse_if_newer(state, target)
    version = state.newest_known()
    if not state.is_at(target):
        raise NextRoundError(
            f"This database is at schema version {version} and this version of NextRound "
            f"needs {target}; only its owner can upgrade it. Ask your "
            "administrator to upgrade the database; nothing was changed.")

