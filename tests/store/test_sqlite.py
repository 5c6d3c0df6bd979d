"""SQLite specifics: the pragmas, write transactions that take the lock up front,
concurrent writer processes, commits that survive SIGKILL, and erasing that
leaves no trace in the database files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from nextround import model
from nextround.store import SQLITE_PRAGMAS, SQLiteSettings, Store

pytestmark = pytest.mark.databases("sqlite")

WIDGETS_DIR = str(Path(__file__).resolve().parents[2] / "widgets")
FULL = os.environ.get("NEXTROUND_FULL") == "1"


# --- SQLite settings ---------------------------------------------------------


def test_sqlite_pragmas_are_set(store):
    with store.engine.connect() as conn:
        def pragma(name):
            return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == 30000
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 2  # FULL
        assert pragma("secure_delete") == 1


def test_the_settings_name_each_pragma_and_turn_secure_delete_off_only_when_asked(tmp_path):
    assert SQLITE_PRAGMAS == SQLiteSettings().pragmas == (
        "PRAGMA busy_timeout = 30000", "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON", "PRAGMA secure_delete = ON")
    plain = SQLiteSettings(secure_delete=False, busy_timeout_ms=1234)
    with Store(tmp_path / "plain.db", sqlite_settings=plain) as store, \
            store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 0
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234


def test_a_lock_held_past_every_retry_is_a_plain_message(tmp_path):
    """With the busy timeout spent and no retries left, the user reads one line."""
    import sqlite3

    from nextround.errors import NextRoundError

    impatient = SQLiteSettings(busy_timeout_ms=0, lock_retries=1)
    with Store(tmp_path / "busy.db", sqlite_settings=impatient) as store:
        client = store.create_client("Ada")
        other = sqlite3.connect(store.engine.url.database, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(NextRoundError, match="^The database stayed busy for too long; "
                                                     "please try again in a moment.$"):
                store.set_answer(client.id, "q", "kept?")
            other.execute("ROLLBACK")
        finally:
            other.close()
        assert store.answers(client.id) == {}


def test_write_transactions_begin_immediate(store):
    """A writer holds the write lock from BEGIN, so a second writer cannot start."""
    client = store.create_client("Ada")
    import sqlite3

    other = sqlite3.connect(store.engine.url.database, timeout=0, isolation_level=None)
    try:
        def work(conn):
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            return "done"

        assert store.database.write(work) == "done"
        other.execute("BEGIN IMMEDIATE")  # free again once the transaction ended
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert store.get_client(client.id).name == "Ada"


def test_erase_leaves_no_trace_in_the_database_files(store, tmp_path):
    marker = "Zyxwvutsrq-private-marker"
    client = store.create_client(f"Ada {marker}")
    store.set_answer(client.id, "story", f"my story {marker}")
    store.add(model.Note(client_id=client.id, text=f"note {marker}"))
    keep = store.create_client("Bob")
    store.erase_client(client.id)
    files = [p for p in tmp_path.iterdir() if p.name.startswith("nextround.db")]
    assert files
    for path in files:
        assert marker.encode() not in path.read_bytes(), path.name
    assert (tmp_path / "nextround.db-wal").stat().st_size == 0
    assert store.get_client(keep.id).name == "Bob"


# --- several processes -------------------------------------------------------

WRITER = """
import sys
from nextround import model
from nextround.store import SQLiteSettings, Store
# No retry: BEGIN IMMEDIATE and the busy timeout must suffice.
store = Store(sys.argv[1], sqlite_settings=SQLiteSettings(lock_retries=1))
client = store.create_client("writer " + sys.argv[2])
for n in range(int(sys.argv[3])):
    store.add(model.CheckIn(client_id=client.id, mood=n % 100))
    store.set_answer(client.id, "counter", n)
print("ok", flush=True)
"""


def _python(script: str, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": WIDGETS_DIR}
    return subprocess.Popen([sys.executable, "-c", script, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_four_processes_write_concurrently_without_lock_errors(tmp_path):
    path = tmp_path / "shared.db"  # not created yet: the writers race to create it too
    rounds = 120 if FULL else 40
    writers = [_python(WRITER, str(path), str(n), str(rounds)) for n in range(4)]
    results = [w.communicate(timeout=120) for w in writers]
    for writer, (out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err
        assert out.strip() == "ok"
        assert "locked" not in err
    with Store(path) as opened:
        clients = opened.list_clients()
        assert len(clients) == 4
        for client in clients:
            assert len(opened.list(model.CheckIn, client.id)) == rounds
            assert opened.answers(client.id) == {"counter": rounds - 1}


KILLED_WRITER = """
import sys
from nextround import model
from nextround.store import Store
store = Store(sys.argv[1])
while True:
    record = store.add(model.CheckIn(client_id=sys.argv[2], mood=50))
    print(record.id, flush=True)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_every_reported_commit_survives_sigkill(store):
    client = store.create_client("Ada")
    writer = _python(KILLED_WRITER, store.engine.url.database, client.id)
    reported = [writer.stdout.readline().strip() for _ in range(40)]
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    with Store(store.engine.url.database) as reopened:
        saved = {c.id for c in reopened.list(model.CheckIn, client.id)}
        with reopened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert all(reported)
    assert set(reported) <= saved


