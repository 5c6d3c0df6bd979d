"""``nextround people`` and ``nextround db secure``: a service's people from the command line.

On a real PostgreSQL database owned by a role that may make roles (as a
service runs it), and on SQLite where the command means the same there.
"""

from __future__ import annotations

import pytest
from people_service import connected_as, new_owner_database
from sqlalchemy.exc import OperationalError

from nextround.cli import main
from nextround.store import Store


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture(scope="module")
def owner_url(postgres) -> str:
    url = new_owner_database(postgres)
    Store(url).close()
    return url


def add(capsys, db: str, kind: str, name: str, login: str) -> str:
    code, out, err = run(capsys, "people", "add", kind, name, "--login", login, "--db", db)
    assert code == 0, err
    return out.strip()


def test_add_assign_hand_over_and_list_on_postgresql(capsys, owner_url):
    ana = add(capsys, owner_url, "counsellor", "Ana Counsellor", "ana")
    ben = add(capsys, owner_url, "counsellor", "Ben Counsellor", "ben")
    sam = add(capsys, owner_url, "client", "Sam Client", "sam")
    with Store(owner_url) as store:
        person = store.get_person(sam)
        assert (person.kind, person.login, person.name) == ("client", "sam", "Sam Client")
        assert store.get_client(person.client_id).name == "Sam Client"
        assert store.person_by_login("ana").id == ana

    code, out, err = run(capsys, "people", "assign", "sam", "ana", "--db", owner_url)
    assert (code, out.strip()) == (0, "sam is now with ana."), err
    code, out, err = run(capsys, "people", "hand-over", "sam", "ben", "--db", owner_url)
    assert (code, out.strip()) == (0, "sam is now with ben."), err
    with Store(owner_url) as store:
        assert store.current_counsellor(person.client_id).id == ben
        assert [a.counsellor_id for a in store.assignments(person.client_id)] == [ana, ben]

    code, out, _ = run(capsys, "people", "list", "--db", owner_url)
    rows = {line.split("\t")[0]: line.split("\t") for line in out.strip().splitlines()}
    assert rows["sam"] == ["sam", "client", "Sam Client", sam, "with ben"]
    assert rows["ana"] == ["ana", "counsellor", "Ana Counsellor", ana]


@pytest.mark.parametrize(("args", "said"), [
    (["add", "client", "Another", "--login", "taken"], "the login 'taken' is taken; choose "
                                                       "another"),
    (["add", "client", "Another", "--login", "Not A Login"], "'Not A Login' is not a login"),
    (["assign", "nobody", "taken"], "no one signs in as 'nobody'"),
    (["assign", "taken", "taken"], "'taken' is a counsellor, not a client"),
    (["hand-over", "taken-client", "taken-client"], "'taken-client' is a client, not a "
                                                    "counsellor"),
    (["rotate", "nobody"], "no one signs in as 'nobody'"),
])
def test_mistakes_are_one_line_naming_what_was_wrong(capsys, owner_url, args, said):
    with Store(owner_url) as store:
        if not any(p.login == "taken" for p in store.list_people()):
            store.add_person("counsellor", "Taken", login="taken")
            store.add_person("client", "Taken Client", login="taken-client",
                             client_id=store.create_client("Taken Client").id)
        clients_before = len(store.list_clients())
    code, out, err = run(capsys, "people", *args, "--db", owner_url)
    assert code == 1 and out == ""
    assert one_line(err).startswith(f"nextround people {args[0]}: {said}")
    with Store(owner_url) as store:
        assert len(store.list_clients()) == clients_before  # a refused client leaves nothing


def test_secure_then_rotate_gives_a_new_password_shown_only_when_asked(capsys, owner_url):
    add(capsys, owner_url, "counsellor", "Cleo Counsellor", "cleo")
    code, out, err = run(capsys, "db", "secure", owner_url)
    assert code == 0, err
    assert out.startswith("Secured ") and "row-level security" in out

    code, out, err = run(capsys, "people", "rotate", "cleo", "--db", owner_url)
    assert code == 0, err
    assert "cleo" in out and "postgresql" not in out and "@" not in out
    code, out, err = run(capsys, "people", "rotate", "cleo", "--show-url", "--db", owner_url)
    assert code == 0, err
    first = out.strip().splitlines()[-1]
    with Store(owner_url) as store:
        role = store.person_by_login("cleo").role_name
    assert connected_as(first) == role
    with Store(first) as as_cleo:
        assert as_cleo.connected_person().login == "cleo"

    code, out, _ = run(capsys, "people", "rotate", "cleo", "--show-url", "--db", owner_url)
    second = out.strip().splitlines()[-1]
    assert connected_as(second) == role
    with pytest.raises(OperationalError, match="password authentication failed"):
        connected_as(first)


def test_people_on_sqlite(capsys, tmp_path):
    db = str(tmp_path / "one-machine.db")
    Store(db).close()
    ana = add(capsys, db, "counsellor", "Ana", "ana")
    add(capsys, db, "client", "Sam", "sam")
    code, _, err = run(capsys, "people", "assign", "sam", "ana", "--db", db)
    assert code == 0, err
    with Store(db) as store:
        assert store.current_counsellor(store.person_by_login("sam").client_id).id == ana
    code, _, err = run(capsys, "people", "rotate", "ana", "--db", db)
    assert code == 1
    assert one_line(err) == ("nextround people rotate: database logins need PostgreSQL; on "
                             "SQLite nobody signs in to the database")
    code, _, err = run(capsys, "people", "list", "--db", str(tmp_path / "typo.db"))
    assert code == 1 and "there is no database at" in one_line(err)


def test_secure_takes_the_url_as_db_too_and_says_when_there_is_none(capsys, owner_url,
                                                                    monkeypatch):
    code, out, err = run(capsys, "db", "secure", "--db", owner_url)
    assert code == 0 and out.startswith("Secured "), err
    monkeypatch.delenv("NEXTROUND_DB", raising=False)
    code, out, err = run(capsys, "db", "secure")
    assert (code, out) == (1, "")
    assert one_line(err) == ("nextround db secure: give the owner's PostgreSQL URL, "
                             "as URL or --db")
