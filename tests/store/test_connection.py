"""The store's connection part: which database a path, a URL or nothing names,
and running work in one transaction per call."""

from __future__ import annotations

import platformdirs
import pytest
from sqlalchemy import text

from nextround.errors import NextRoundError
from nextround.store import Database, NoDatabase, Store, default_db_url, sqlite_file

# --- where the database lives ------------------------------------------------


def test_default_db_url_uses_nextround_db_path(tmp_path, monkeypatch):
    target = tmp_path / "new folder" / "work.db"
    monkeypatch.setenv("NEXTROUND_DB", str(target))
    assert default_db_url() == f"sqlite:///{target.resolve()}"
    assert target.parent.is_dir()


def test_default_db_url_passes_a_database_url_through(monkeypatch):
    monkeypatch.setenv("NEXTROUND_DB", "postgresql://coach:secret@db.example/nextround")
    assert default_db_url() == "postgresql://coach:secret@db.example/nextround"


def test_default_db_url_falls_back_to_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("NEXTROUND_DB", raising=False)
    calls = []

    def fake_user_data_dir(name, *args, **kwargs):
        calls.append(name)
        return str(tmp_path / "data" / name)

    monkeypatch.setattr(platformdirs, "user_data_dir", fake_user_data_dir)
    expected = (tmp_path / "data" / "nextround" / "nextround.db").resolve()
    assert default_db_url() == f"sqlite:///{expected}"
    assert calls == ["nextround"]
    assert expected.parent.is_dir()


def test_store_none_opens_default_and_describes_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("NEXTROUND_DB", str(tmp_path / "env.db"))
    with Store() as opened:
        path = (tmp_path / "env.db").resolve()
        assert opened.url == f"sqlite:///{path}"
        assert opened.describe() == f"Data is kept in the SQLite file {path}"
    assert (tmp_path / "env.db").is_file()


def test_store_accepts_str_path_and_url(tmp_path):
    with Store(str(tmp_path / "a.db")) as by_path:
        assert by_path.url == f"sqlite:///{(tmp_path / 'a.db').resolve()}"
    url = f"sqlite:///{tmp_path / 'b.db'}"
    with Store(url) as by_url:
        assert by_url.url == url
        assert by_url.create_client("Ada").name == "Ada"




def test_sqlite_file_names_the_file_and_creates_nothing(tmp_path):
    target = tmp_path / "not yet" / "work.db"
    assert sqlite_file(str(target)) == target.resolve()
    assert sqlite_file(f"sqlite:///{target}") == target.resolve()
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql://coach@db.example/nextround") is None
    assert not (tmp_path / "not yet").exists()


def test_a_missing_file_is_refused_when_creating_is_not_allowed(tmp_path):
    target = tmp_path / "missing.db"
    with pytest.raises(NoDatabase, match="^there is no database at .*missing.db; check the "
                                         "path"):
        Store(target, create=False)
    assert not target.exists()
    with Store(target) as made:
        assert made.created is True
    with Store(target, create=False) as reopened:
        assert reopened.created is False


def test_describe_says_memory_is_not_kept():
    memory = Database("sqlite://")
    try:
        assert memory.describe() == ("Data is kept in memory only and is lost when "
                                     "NextRound stops.")
    finally:
        memory.close()


def test_a_write_that_fails_leaves_nothing_behind(store):
    """One call, one transaction: the insert before the failure is rolled back."""
    client = store.create_client("Ada")

    def work(conn):
        conn.execute(text("UPDATE clients SET name = 'Changed'"))
        raise NextRoundError("stop half way")

    with pytest.raises(NextRoundError, match="^stop half way$"):
        store.database.write(work)
    assert store.get_client(client.id).name == "Ada"
    assert store.database.read(lambda conn: conn.execute(
        text("SELECT name FROM clients")).scalar()) == "Ada"


def test_a_damaged_file_is_named_in_one_line(tmp_path):
    path = tmp_path / "damaged.db"
    path.write_bytes(b"this is not an SQLite database at all" * 200)
    with pytest.raises(NextRoundError) as caught:
        Store(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"the database {path.resolve()} is damaged or is not a "
                              "NextRound database (")
    assert message.endswith("restore it from a backup, or choose another file with --db")
    assert path.read_bytes() == b"this is not an SQLite database at all" * 200


def test_importing_the_store_leaves_the_postgresql_dialect_unloaded():
    """A desktop or Binder user never pays for the server dialect."""
    import subprocess
    import sys

    script = ("import sys, nextround.store; "
              "print(sorted(m for m in sys.modules if 'postgresql' in m or 'psycopg' in m))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
