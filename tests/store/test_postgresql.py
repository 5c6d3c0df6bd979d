"""PostgreSQL specifics: isolation, retries after lost races, plain connection
errors, commits that survive SIGKILL, and what erasing does on a server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from nextround import model
from nextround.errors import NextRoundError
from nextround.store import TABLES, Store
from nextround.store.postgres import PostgresSettings

pytestmark = pytest.mark.databases("postgresql")

WIDGETS_DIR = str(Path(__file__).resolve().parents[2] / "widgets")


# --- isolation and retries ------------------------------------------------------


def test_writes_are_serializable_and_reads_one_snapshot(store):
    def isolation(conn):
        return conn.exec_driver_sql("SHOW transaction_isolation").scalar()

    assert store.database.write(isolation) == "serializable"
    assert store.database.read(isolation) == "repeatable read"


def _conflicting_write(store: Store, other_url: str, client_id: str):
    """A write that reads a client, then (the first time only) loses a race: another
    connection renames the client and commits before this one updates it."""
    calls = []

    def work(conn):
        calls.append(1)
        conn.execute(text("SELECT name FROM clients WHERE id = :id"), {"id": client_id})
        if len(calls) == 1:
            other = create_engine(other_url)
            try:
                with other.begin() as rival:
                    rival.execute(text("UPDATE clients SET name = 'Rival' WHERE id = :id"),
                                  {"id": client_id})
            finally:
                other.dispose()
        conn.execute(text("UPDATE clients SET name = 'Mine' WHERE id = :id"), {"id": client_id})
        return len(calls)

    return work


def test_a_write_that_loses_a_race_runs_again_and_commits(store, database_target):
    client = store.create_client("Ada")
    assert store.database.retries == 0
    assert store.database.write(_conflicting_write(store, database_target, client.id)) == 2
    assert store.database.retries == 1
    assert store.get_client(client.id).name == "Mine"


def test_a_write_that_keeps_losing_is_one_plain_line_and_saves_nothing(database_target):
    with Store(database_target,
               postgres_settings=PostgresSettings(retry_seconds=0)) as impatient:
        client = impatient.create_client("Ada")
        with pytest.raises(NextRoundError, match=r"^The database stayed busy for 0 s with other "
                                                 r"people's changes; nothing was saved, please "
                                                 r"try again in a moment\.$"):
            impatient.database.write(_conflicting_write(impatient, database_target, client.id))
        assert impatient.get_client(client.id).name == "Rival"


def test_threads_saving_the_same_answer_at_once_all_succeed_and_one_row_remains(store):
    """Each save reads whether the answer exists, then inserts or updates it: the
    race serializable isolation exists for. No thread sees an error."""
    client = store.create_client("Ada")
    errors: list[str] = []
    start = threading.Barrier(4)

    def save(index: int) -> None:
        start.wait()
        for n in range(15):
            try:
                store.set_answer(client.id, "shared", [index, n])
                store.add(model.CheckIn(client_id=client.id, mood=n, note=str(index)))
            except Exception as exc:  # noqa: BLE001 - counted, must stay zero
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=save, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.all_answers(client.id)) == 1
    assert store.answers(client.id)["shared"][1] == 14
    assert len(store.list(model.CheckIn, client.id)) == 60


OPENER = """
import sys
from nextround.store import Store
sys.stdin.readline()  # all start together
with Store(sys.argv[1]) as store:
    print(store.schema_version(), store.database.retries, flush=True)
"""


def test_processes_opening_a_new_database_at_once_all_get_its_tables(postgres):
    """Serializable isolation does not cover the catalog: without a retry, two
    processes creating the same table at once fail with a duplicate key in
    ``pg_type``, or "relation already exists"."""
    from nextround.store import MIGRATIONS

    for _ in range(3):
        url = postgres.new_database("nextround_new")
        try:
            openers = [subprocess.Popen([sys.executable, "-c", OPENER, url],
                                        env={**os.environ, "PYTHONPATH": WIDGETS_DIR},
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True) for _ in range(4)]
            for opener in openers:
                opener.stdin.write("go\n")
                opener.stdin.flush()
            for opener in openers:
                out, err = opener.communicate(timeout=120)
                assert opener.returncode == 0, err
                version, _retries = map(int, out.split())
                assert version == len(MIGRATIONS)
        finally:
            postgres.drop_database(url)


# --- plain errors -----------------------------------------------------------------


def test_a_server_that_is_not_running_is_named_in_one_line():
    from postgres_server import free_port

    port = free_port()
    url = f"postgresql+psycopg://someone:secret@127.0.0.1:{port}/nextround"
    with pytest.raises(NextRoundError) as caught:
        Store(url)
    message = str(caught.value)
    assert message == (f"cannot connect to the PostgreSQL database 127.0.0.1:{port}/nextround "
                       "as someone (Connection refused); check that the PostgreSQL server is "
                       "running and that the host and port in the database URL are right")
    assert caught.value.__cause__ is None and "secret" not in message


def test_a_wrong_password_says_to_check_the_password(postgres, database_target):
    url = postgres.url(database_target.rsplit("/", 1)[1], password="not-the-password")
    with pytest.raises(NextRoundError, match=r"^cannot connect to the PostgreSQL database "
                                             r"127\.0\.0\.1:\d+/nextround_\w+ as nextround_admin "
                                             r"\(password authentication failed for user "
                                             r"\"nextround_admin\"\); check the user name and "
                                             r"password in the database URL$"):
        Store(url)


def test_a_missing_database_says_to_create_it(postgres):
    with pytest.raises(NextRoundError, match=r"^cannot connect to the PostgreSQL database "
                                             r"127\.0\.0\.1:\d+/no_such_db as nextround_admin "
                                             r"\(database \"no_such_db\" does not exist\); create "
                                             r"the database first \(createdb\), or check its "
                                             r"name in the URL$"):
        Store(postgres.url("no_such_db"))


@pytest.mark.parametrize("url, message", [
    ("mysql://u:p@host/db", "NextRound keeps its data in SQLite or PostgreSQL, not 'mysql'; "
                            "use a file path or a postgresql:// URL"),
    ("postgresql://u:secret@host:notaport/db",
     "the database URL cannot be read; use a file path, or a URL such as "
     "postgresql://USER:PASSWORD@HOST:PORT/DATABASE (the port a number)"),
])
def test_a_url_nextround_cannot_use_is_one_line(url, message):
    with pytest.raises(NextRoundError) as caught:
        Store(url)
    assert str(caught.value) == message


def test_a_plain_postgresql_url_uses_the_installed_driver(database_target):
    plain = database_target.replace("postgresql+psycopg://", "postgresql://")
    with Store(plain) as store:
        assert store.engine.dialect.driver == "psycopg"
        assert store.describe().startswith("Data is kept in the postgresql database ")
        assert "***" in store.describe()


def test_a_connection_cut_mid_call_is_one_line_and_the_next_call_works(store, postgres):
    client = store.create_client("Ada")

    def cut_off(conn):
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        postgres.execute(f"SELECT pg_terminate_backend({pid})")
        conn.exec_driver_sql("SELECT 1")

    with pytest.raises(NextRoundError, match=r"^lost the connection to the PostgreSQL database "
                                             r"127\.0\.0\.1:\d+/\w+ \(.+\); the last change may "
                                             r"not have been saved: check that the server is "
                                             r"running, then try again$"):
        store.database.write(cut_off)
    assert store.get_client(client.id).name == "Ada"


# --- crashes and erasing ------------------------------------------------------------

KILLED_WRITER = """
import sys
from nextround import model
from nextround.store import TABLES, Store
store = Store(sys.argv[1])
while True:
    record = store.add(model.CheckIn(client_id=sys.argv[2], mood=50))
    print(record.id, flush=True)
"""


def test_every_reported_commit_survives_sigkill(store, database_target):
    client = store.create_client("Ada")
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, database_target, client.id],
                              env={**os.environ, "PYTHONPATH": WIDGETS_DIR},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reported = [writer.stdout.readline().strip() for _ in range(40)]
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    saved = {c.id for c in store.list(model.CheckIn, client.id)}
    assert all(reported)
    assert set(reported) <= saved


def test_erase_deletes_every_row_and_vacuums_what_they_held(store, postgres):
    """On a server, "no trace" means: no row anywhere holds the client's data, and
    VACUUM has run, so no dead copy of a row is left in the tables either
    (pgstattuple counts them). Freed bytes in the files and the server's WAL
    are overwritten later, not at once; docs/deploy.md says so."""
    marker = "Zyxwvutsrq-private-marker"
    client = store.create_client(f"Ada {marker}")
    store.set_answer(client.id, "story", f"my story {marker}")
    store.set_answer(client.id, "story", f"my second story {marker}")
    store.add(model.Note(client_id=client.id, text=f"note {marker}"))
    store.set_setting("app.last_client", client.id)
    keep = store.create_client("Bob")
    store.erase_client(client.id)
    with store.engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        # The records, settings, the two schema records, people, assignments, the audit log.
        assert len(tables) == len(TABLES) + 6
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        for table in tables:
            if table == "alembic_version":
                continue  # no client data; its dead rows are the revisions migrations replaced
            if table == "audit_log":  # the one "erased" event names the client, by id only
                assert [e.action for e in store.audit_events(client.id)] == ["erased"]
                continue
            holding = conn.exec_driver_sql(
                f"SELECT count(*) FROM {table} AS t WHERE t::text LIKE %(m)s OR "
                f"t::text LIKE %(id)s", {"m": f"%{marker}%", "id": f"%{client.id}%"}).scalar()
            assert holding == 0, table
            dead = conn.exec_driver_sql(
                f"SELECT dead_tuple_count FROM pgstattuple('{table}')").scalar()
            assert dead == 0, table
        conn.commit()
    assert store.get_client(keep.id).name == "Bob"
    assert store.get_setting("app.last_client") is None


# --- a newcomer's first command ------------------------------------------------------


def _serve(db: str, port: int) -> subprocess.CompletedProcess:
    """``nextround serve --db URL`` as typed at a prompt."""
    return subprocess.run([sys.executable, "-m", "nextround.cli", "serve", "--no-browser",
                           "--port", str(port), "--db", db],
                          env={**os.environ, "PYTHONPATH": WIDGETS_DIR}, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("problem", ["server down", "wrong password"])
def test_serve_on_a_database_it_cannot_reach_says_why_in_one_line(postgres, problem):
    from postgres_server import free_port

    if problem == "server down":
        db = f"postgresql+psycopg://nextround:s3cret-pw@127.0.0.1:{free_port()}/nextround"
        expected = "(Connection refused); check that the PostgreSQL server is running"
    else:
        db = postgres.url(password="s3cret-pw")
        expected = ('(password authentication failed for user "nextround_admin"); check the '
                    "user name and password in the database URL")
    port = free_port()
    result = _serve(db, port)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("nextround serve: cannot connect to the PostgreSQL database "
                               "127.0.0.1:"), lines[0]
    assert expected in lines[0]
    assert "s3cret-pw" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
