"""``nextround db``: upgrade, current and copy, on SQLite and a real PostgreSQL;
every problem a person can fix is one line, and a password never shows."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from database_rows import (
    add_client_as_version_1_did,
    added_values,
    every_row,
    execute,
    first_columns,
    state_of,
)
from database_rows import record_counts as counts

from nextround import model
from nextround.cli import main
from nextround.demo import create_demo
from nextround.store import MIGRATIONS, Store
from nextround.store.migrations import SchemaState

FIXTURES = Path(__file__).resolve().parent / "data" / "store"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """The single line of an error message (and proof that it is a single line)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A database holding nothing yet: a new SQLite file, or an empty PostgreSQL one."""
    if request.param == "sqlite":
        return str(tmp_path / "nextround.db")
    return request.getfixturevalue("postgres_url")


# --- current -------------------------------------------------------------------------


def test_current_says_up_to_date_and_exits_0(capsys, database_url):
    Store(database_url).close()
    code, out, err = run(capsys, "db", "current", "--db", database_url)
    assert (code, out) == (0, "revision 0006 (schema version 6): up to date\n")
    assert err.startswith("Data is kept in the ")


def test_current_says_an_older_database_is_behind_and_changes_nothing(capsys, database_url):
    Store(database_url, migrations=MIGRATIONS[:1]).close()
    add_client_as_version_1_did(database_url, "Ana")
    before = every_row(database_url)
    code, out, _ = run(capsys, "db", "current", "--db", database_url)
    assert (code, out) == (1, "revision 0001 (schema version 1): behind this version of "
                              "NextRound (0006); run 'nextround db upgrade'\n")
    assert every_row(database_url) == before


def test_current_on_a_database_written_before_alembic_records_nothing(capsys, tmp_path):
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "written_by_schema_3.db", path)
    code, out, _ = run(capsys, "db", "current", "--db", str(path))
    assert (code, out) == (1, "schema version 3, written before NextRound used Alembic: "
                              "behind; 'nextround db upgrade' brings it to revision 0006\n")
    assert state_of(str(path)) == SchemaState(version=3, revision=None)


def test_current_on_an_empty_postgresql_database(capsys, postgres_url):
    code, out, _ = run(capsys, "db", "current", "--db", postgres_url)
    assert (code, out) == (1, "no schema yet (an empty database); 'nextround db upgrade' "
                              "creates it at revision 0006\n")
    assert every_row(postgres_url) == {}


def test_current_names_a_newer_database(capsys, database_url):
    Store(database_url).close()
    execute(database_url, "UPDATE alembic_version SET version_num = '0007'")
    code, out, _ = run(capsys, "db", "current", "--db", database_url)
    assert (code, out) == (1, "revision 0007 (schema version 7): newer than this version of "
                              "NextRound, which knows up to 0006; upgrade NextRound\n")


# --- upgrade -------------------------------------------------------------------------


def test_upgrade_brings_an_older_database_up_to_date(capsys, database_url):
    Store(database_url, migrations=MIGRATIONS[:1]).close()
    client_id = add_client_as_version_1_did(database_url, "Ana")
    code, out, _ = run(capsys, "db", "upgrade", "--db", database_url)
    assert (code, out) == (0, "Upgraded from schema version 1 to revision 0006.\n")
    assert state_of(database_url) == SchemaState(version=6, revision="0006")
    code, out, _ = run(capsys, "db", "upgrade", "--db", database_url)
    assert (code, out) == (0, "Already up to date at revision 0006.\n")
    with Store(database_url) as new:
        assert new.get_client(client_id).name == "Ana"


def test_upgrade_creates_the_schema_in_an_empty_postgresql_database(capsys, postgres_url):
    code, out, err = run(capsys, "db", "upgrade", "--db", postgres_url)
    assert (code, out) == (0, "Created the schema at revision 0006.\n")
    assert "***" in err and "postgresql" in err  # where, with the password hidden
    assert state_of(postgres_url) == SchemaState(version=6, revision="0006")


def test_upgrade_brings_a_file_written_before_alembic_up_to_date(capsys, tmp_path):
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "written_by_schema_3.db", path)
    before = every_row(str(path))
    code, out, _ = run(capsys, "db", "upgrade", "--db", str(path))
    assert (code, out) == (0, "Upgraded from schema version 3 to revision 0006.\n")
    after = every_row(str(path))
    assert after.pop("alembic_version") == [("0006",)]
    assert after.pop("schema_version")[:3] == before.pop("schema_version")
    # every record kept; the columns added since hold nothing
    assert {name: first_columns(after[name], rows) for name, rows in before.items()} == before
    assert {name: added_values(after[name], rows) for name, rows in before.items()
            if added_values(after[name], rows)} == {"clients": {None}}
    assert not after["people"] and not after["assignments"]  # the new tables, empty


def test_upgrade_refuses_a_newer_database_untouched(capsys, database_url):
    Store(database_url).close()
    execute(database_url, "INSERT INTO schema_version VALUES (7, '2030-01-01')")
    before = every_row(database_url)
    code, _, err = run(capsys, "db", "upgrade", "--db", database_url)
    assert code == 1
    assert one_line(err) == (
        "nextround db upgrade: This database was written by a newer version of NextRound "
        "(schema version 7; this version knows up to 6). Upgrade NextRound to open it; "
        "nothing was changed.")
    assert every_row(database_url) == before


# --- copy ----------------------------------------------------------------------------


@pytest.mark.databases("sqlite")  # the source is a laptop's SQLite file
def test_copy_moves_every_record_from_sqlite_to_postgresql(capsys, store, filled_client,
                                                           postgres_url):
    """A laptop's database (one client with a record of every kind, and the demo
    caseload) into the organisation's: the same counts, every client's work the same."""
    create_demo(store)
    source = store.engine.url.database
    expected = counts(source)
    exported = {c.id: store.export_records(c.id, include_notes=True)
                for c in store.list_clients()}
    last_client = store.get_setting("app.last_client")
    code, out, err = run(capsys, "db", "copy", source, postgres_url)
    assert code == 0, err
    assert counts(postgres_url) == expected
    assert all(expected.values())  # every kind of record was there to copy
    shown_records = ", ".join(
        f"{expected[name]} {label}" for name, label in [
            ("applications", "applications"), ("feedback", "feedback records"),
            ("answers", "answers"), ("checkins", "check-ins"), ("thoughts", "thought records"),
            ("actions", "actions"), ("contacts", "contacts"), ("notes", "notes")])
    hidden = postgres_url.replace(postgres_url.split(":")[2].split("@")[0], "***")
    assert out == (f"Copied {expected['clients']} clients ({shown_records}) and 1 setting "
                   f"from {source} to {hidden}.\n")
    with Store(postgres_url) as target:
        assert {c.id: target.export_records(c.id, include_notes=True)
                for c in target.list_clients()} == exported
        assert target.get_setting("app.last_client") == last_client
        assert target.answers(filled_client.id) == store.answers(filled_client.id)


def test_copy_refuses_a_target_that_holds_a_client_and_writes_nothing(capsys, store,
                                                                      filled_client,
                                                                      postgres_url):
    with Store(postgres_url) as target:
        target.create_client("Already here")
        target.set_setting("app.last_client", "someone")
    before = every_row(postgres_url)
    code, _, err = run(capsys, "db", "copy", store.engine.url.database, postgres_url)
    assert code == 1
    assert one_line(err) == ("nextround db copy: the target database already holds 1 client; "
                             "a copy only fills a database that holds none, so nothing was "
                             "written")
    assert every_row(postgres_url) == before


@pytest.mark.databases("sqlite")  # the source is a laptop's SQLite file
def test_copy_into_a_new_sqlite_file_keeps_each_record_and_its_order(capsys, store,
                                                                      filled_client, tmp_path):
    store.add(model.CheckIn(client_id=filled_client.id, mood=70, note="better"))
    copy = tmp_path / "copy" / "laptop.db"
    code, out, err = run(capsys, "db", "copy", store.engine.url.database, str(copy))
    assert code == 0
    assert out.startswith("Copied 1 client (2 applications, 1 feedback record, ")
    assert f"Created a new database: Data is kept in the SQLite file {copy}" in err
    with Store(copy) as copied:
        for record_type in model.CHILD_RECORDS.values():
            assert copied.list(record_type, filled_client.id) == \
                store.list(record_type, filled_client.id)
        assert copied.get_state(filled_client.id) == store.get_state(filled_client.id)


# --- one line for what a person can fix ----------------------------------------------


def test_a_missing_file_is_one_line_and_is_not_created(capsys, tmp_path):
    missing = tmp_path / "typo" / "nextround.db"
    for args in (["db", "current", "--db", str(missing)], ["db", "upgrade", "--db", str(missing)],
                 ["db", "copy", str(missing), str(tmp_path / "to.db")]):
        code, _, err = run(capsys, *args)
        assert code == 1
        line = one_line(err)
        assert line.startswith(f"nextround {args[0]} {args[1]}: there is no database at "
                               f"{missing}; check the path")
    assert not missing.parent.exists() and not (tmp_path / "to.db").exists()


def test_a_target_folder_that_cannot_be_made_is_one_line(capsys, tmp_path):
    Store(tmp_path / "from.db").close()
    (tmp_path / "a-file").write_text("not a folder")
    target = tmp_path / "a-file" / "sub" / "to.db"
    code, _, err = run(capsys, "db", "copy", str(tmp_path / "from.db"), str(target))
    assert code == 1
    assert one_line(err) == f"nextround db copy: cannot use the database {target}: Not a directory"


@pytest.mark.parametrize(("url", "says"), [
    ("foo://somewhere/db", "NextRound keeps its data in SQLite or PostgreSQL, not 'foo'; "
                           "use a file path or a postgresql:// URL"),
    ("://", "the database URL cannot be read; use a file path, or a URL such as "
            "postgresql://USER:PASSWORD@HOST:PORT/DATABASE"),
    ("postgresql+psycopg://me:s3cret@127.0.0.1:1/db",
     "cannot connect to the PostgreSQL database 127.0.0.1:1/db as me (Connection refused); "
     "check that the PostgreSQL server is running"),
])
def test_a_bad_url_is_one_line_without_its_password(capsys, tmp_path, url, says):
    Store(tmp_path / "from.db").close()
    for args in (["db", "current", "--db", url], ["db", "upgrade", "--db", url],
                 ["db", "copy", url, str(tmp_path / "to.db")],
                 ["db", "copy", str(tmp_path / "from.db"), url]):
        code, _, err = run(capsys, *args)
        assert code == 1
        line = one_line(err)
        assert line.startswith(f"nextround {args[0]} {args[1]}: {says}")
        assert "s3cret" not in err


def test_a_wrong_password_is_one_line_without_it(capsys, postgres):
    url = postgres.url(password="wrong-s3cret")
    code, _, err = run(capsys, "db", "current", "--db", url)
    assert code == 1
    assert "password authentication failed" in one_line(err)
    assert "wrong-s3cret" not in err


def test_a_missing_driver_is_one_line_saying_what_to_install(capsys, monkeypatch):
    """psycopg is installed here; the import is made to fail, as on a machine without it."""
    monkeypatch.setitem(sys.modules, "psycopg", None)
    code, _, err = run(capsys, "db", "current", "--db", "postgresql+psycopg://me@127.0.0.1/db")
    assert code == 1
    assert one_line(err) == (
        "nextround db current: PostgreSQL needs the psycopg driver, which is not installed; "
        "install it with: pip install 'nextround[postgresql]'")
