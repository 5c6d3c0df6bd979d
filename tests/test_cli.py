"""The ``nextround`` command: exit codes and one-line messages, never tracebacks."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys

import pytest

from nextround.cli import main
from nextround.content import default_content_dir


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err


def test_check_content_reports_counts(capsys):
    code, out, _ = run(capsys, "check-content")
    assert code == 0
    assert "content is valid" in out and "6 scenarios" in out


def test_check_content_lists_problems(capsys, tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(default_content_dir(), folder)
    text = (folder / "actions.yaml").read_text()
    (folder / "actions.yaml").write_text(text.replace("    due_days:", "    due_dayz:", 1))
    code, out, _ = run(capsys, "check-content", str(folder))
    assert code == 1
    assert "actions.yaml:" in out and "due_dayz: unknown key" in out
    assert "Traceback" not in out


def test_demo_then_clients(capsys, tmp_path):
    db = str(tmp_path / "demo.db")
    code, out, _ = run(capsys, "demo", "--db", db)
    assert code == 0
    made = [line.split("\t") for line in out.splitlines()]
    assert len(made) >= 2
    code, out, _ = run(capsys, "clients", "--db", db)
    assert code == 0
    listed = [line.split("\t") for line in out.splitlines()]
    assert sorted(listed) == sorted(made)


def test_export_erase_import_round_trip(capsys, tmp_path):
    db = str(tmp_path / "s.db")
    run(capsys, "demo", "--db", db)
    client_id = run(capsys, "clients", "--db", db)[1].splitlines()[0].split("\t")[0]
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert run(capsys, "export", client_id, "-o", str(first), "--db", db)[0] == 0
    assert run(capsys, "erase", client_id, "--yes", "--db", db)[0] == 0
    assert client_id not in run(capsys, "clients", "--db", db)[1]
    assert run(capsys, "import", str(first), "--db", db)[0] == 0
    assert run(capsys, "export", client_id, "-o", str(second), "--db", db)[0] == 0
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    for doc in (a, b):
        doc.pop("exported_at")
        doc.pop("checksum")
    assert a == b


def test_export_erase_and_import_go_in_the_audit_log_and_with_audit_exports_them(
        capsys, tmp_path):
    from nextround.store import Store

    db = str(tmp_path / "s.db")
    run(capsys, "demo", "--db", db)
    client_id, name = run(capsys, "clients", "--db", db)[1].splitlines()[0].split("\t")
    plain, full = tmp_path / "plain.json", tmp_path / "full.json"
    assert run(capsys, "export", client_id, "-o", str(plain), "--db", db)[0] == 0
    assert "audit_log" not in json.loads(plain.read_text())
    assert run(capsys, "export", client_id, "-o", str(full), "--db", db, "--with-audit",
               "--include-notes")[0] == 0
    assert run(capsys, "erase", client_id, "--yes", "--db", db)[0] == 0
    assert run(capsys, "import", str(full), "--db", db)[0] == 0
    with Store(db) as store:
        events = store.audit_events(client_id)
    assert [(e.action, e.actor, e.detail) for e in events] == [
        ("exported", "counsellor", "workbook file"),
        ("exported", "counsellor", "workbook file with notes and the audit log"),
        ("erased", "counsellor", ""),
        ("imported", "counsellor", "workbook file")]
    exported = json.loads(full.read_text())["audit_log"]
    assert [(e["action"], e["client_id"], e["id"]) for e in exported] == [
        ("exported", client_id, events[0].id)]
    assert name not in json.dumps(exported)


def test_erase_needs_yes(capsys, tmp_path):
    db = str(tmp_path / "s.db")
    run(capsys, "demo", "--db", db)
    client_id = run(capsys, "clients", "--db", db)[1].split("\t")[0]
    code, _, err = run(capsys, "erase", client_id, "--db", db)
    assert code == 2 and "--yes" in err
    assert client_id in run(capsys, "clients", "--db", db)[1]


def test_unknown_client_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "erase", "abcdef123456", "--yes", "--db",
                       str(tmp_path / "s.db"))
    assert code == 1
    assert_one_line_error(err)


def test_import_of_a_tampered_file_writes_nothing(capsys, tmp_path):
    db = str(tmp_path / "s.db")
    run(capsys, "demo", "--db", db)
    client_id = run(capsys, "clients", "--db", db)[1].split("\t")[0]
    path = tmp_path / "w.json"
    run(capsys, "export", client_id, "-o", str(path), "--db", db)
    run(capsys, "erase", client_id, "--yes", "--db", db)
    doc = json.loads(path.read_text())
    doc["client"]["name"] = "Someone Else"
    path.write_text(json.dumps(doc))
    before = run(capsys, "clients", "--db", db)[1]
    code, _, err = run(capsys, "import", str(path), "--db", db)
    assert code == 1
    assert_one_line_error(err)
    assert run(capsys, "clients", "--db", db)[1] == before


def test_import_of_a_missing_file_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "import", str(tmp_path / "nope.json"), "--db",
                       str(tmp_path / "s.db"))
    assert code == 1
    assert_one_line_error(err)
    assert "nope.json" in err


def test_suggest_prints_ranked_ids_with_cues(capsys):
    code, out, _ = run(capsys, "suggest", "They", "hired", "an", "internal", "candidate")
    assert code == 0
    first = out.splitlines()[0].split("\t")
    assert first[0] == "internal_candidate"
    assert "internal candidate" in first[1]


def test_tone_exit_codes(capsys, tmp_path, monkeypatch):
    rude = tmp_path / "rude.txt"
    rude.write_text("Hi Sam,\nWhy didn't you hire me?\n")
    code, out, _ = run(capsys, "tone", str(rude))
    assert code == 1 and "why didn't you hire" in out.lower()
    monkeypatch.setattr(sys, "stdin", io.StringIO("Thank you for letting me know."))
    code, out, _ = run(capsys, "tone", "-")
    assert code == 0


def test_console_script_never_shows_a_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    result = subprocess.run(
        [sys.executable, "-m", "nextround.cli", "import", str(bad), "--db",
         str(tmp_path / "s.db")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert_one_line_error(result.stderr)


@pytest.mark.parametrize("argv", [["export"], ["nonsense"], []])
def test_usage_errors_exit_2(argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


# --- bad input: one clear line (damaged files, wrong paths, drafts) ----------------


READING_COMMANDS = [["clients"], ["export", "abcdef123456", "-o", "out.json"],
                    ["erase", "abcdef123456", "--yes"]]


@pytest.mark.parametrize("argv", READING_COMMANDS, ids=lambda a: a[0])
def test_a_damaged_database_is_one_line_in_every_command(capsys, tmp_path, argv):
    damaged = tmp_path / "nextround.db"
    damaged.write_bytes(b"this is not an SQLite database, it was overwritten" * 100)
    code, _, err = run(capsys, *argv, "--db", str(damaged))
    assert code == 1
    assert_one_line_error(err)
    assert str(damaged) in err and "damaged" in err and "backup" in err
    assert "sqlalche.me" not in err and "(sqlite3." not in err


def test_a_damaged_database_is_one_line_when_importing_too(capsys, tmp_path):
    db = str(tmp_path / "s.db")
    run(capsys, "demo", "--db", db)
    client_id = run(capsys, "clients", "--db", db)[1].split("\t")[0]
    exported = tmp_path / "w.json"
    run(capsys, "export", client_id, "-o", str(exported), "--db", db)
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"\x00garbage" * 1000)
    code, _, err = run(capsys, "import", str(exported), "--db", str(damaged))
    assert code == 1
    assert_one_line_error(err)
    assert "damaged" in err and str(damaged) in err


@pytest.mark.parametrize("argv", READING_COMMANDS, ids=lambda a: a[0])
def test_reading_commands_refuse_a_db_that_does_not_exist(capsys, tmp_path, argv):
    missing = tmp_path / "typo" / "nextround.db"
    code, out, err = run(capsys, *argv, "--db", str(missing))
    assert code == 1
    assert_one_line_error(err)
    assert "there is no database at" in err and str(missing) in err
    assert not missing.exists() and not missing.parent.exists()


def test_demo_and_import_create_a_database_and_say_so(capsys, tmp_path):
    db = tmp_path / "new" / "nextround.db"
    code, _, err = run(capsys, "demo", "--db", str(db))
    assert code == 0 and db.is_file()
    assert err.startswith("Created a new database: Data is kept in the SQLite file")
    assert "written to Data is kept" not in err
    assert "demo clients" in err
    code, _, err = run(capsys, "demo", "--db", str(db))
    assert code == 0 and "Created a new database" not in err


def test_clients_on_an_empty_database_says_so(capsys, tmp_path):
    from nextround.store import Store

    db = tmp_path / "empty.db"
    Store(db).close()
    code, out, err = run(capsys, "clients", "--db", str(db))
    assert code == 0 and out == ""
    assert err.startswith("No clients yet.")


def test_import_prints_what_it_imported(capsys, tmp_path):
    db = str(tmp_path / "s.db")
    run(capsys, "demo", "--db", db)
    client_id, name = run(capsys, "clients", "--db", db)[1].splitlines()[0].split("\t")
    exported = tmp_path / "w.json"
    run(capsys, "export", client_id, "-o", str(exported), "--db", db)
    code, out, err = run(capsys, "import", str(exported), "--db", str(tmp_path / "other.db"))
    assert code == 0
    assert out == f"{client_id}\t{name}\n"
    imported = [line for line in err.splitlines() if line.startswith("Imported ")]
    assert len(imported) == 1
    assert name in imported[0] and re.search(r"\d+ applications?", imported[0])


def test_tone_explains_a_missing_or_undecodable_draft_plainly(capsys, tmp_path):
    code, _, err = run(capsys, "tone", str(tmp_path / "nope.txt"))
    assert code == 1
    assert_one_line_error(err)
    assert "there is no file" in err and "Errno" not in err
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Merci beaucoup, cordialement. Ren\xe9e".encode("latin-1"))
    code, _, err = run(capsys, "tone", str(latin))
    assert code == 1
    assert_one_line_error(err)
    assert "not plain UTF-8 text" in err and "codec" not in err


@pytest.mark.parametrize("draft", ["", "   \n\t\n"])
def test_an_empty_draft_is_an_error_not_gracious(capsys, tmp_path, monkeypatch, draft):
    path = tmp_path / "draft.txt"
    path.write_text(draft)
    code, out, err = run(capsys, "tone", str(path))
    assert code == 1 and "gracious" not in out
    assert_one_line_error(err)
    assert "is empty" in err
    monkeypatch.setattr(sys, "stdin", io.StringIO(draft))
    code, out, err = run(capsys, "tone", "-")
    assert code == 1 and "is empty" in err


# --- stored text and files ------------------------------------------------------------


def test_a_workbook_file_with_a_duplicate_key_is_refused(capsys, tmp_path):
    db = str(tmp_path / "s.db")
    run(capsys, "demo", "--db", db)
    client_id = run(capsys, "clients", "--db", db)[1].split("\t")[0]
    exported = tmp_path / "w.json"
    run(capsys, "export", client_id, "-o", str(exported), "--db", db)
    text = exported.read_text()
    doubled = text.replace('"format": "nextround-workbook",',
                           '"format": "nextround-workbook",\n  "format": "nextround-workbook",',
                           1)
    assert doubled != text
    exported.write_text(doubled)
    code, _, err = run(capsys, "import", str(exported), "--db", str(tmp_path / "o.db"))
    assert code == 1
    assert_one_line_error(err)
    assert "'format' appears twice" in err
    assert not (tmp_path / "o.db").exists()


def test_an_oversized_answer_is_refused_plainly(tmp_path):
    from nextround.errors import NextRoundError
    from nextround.model import MAX_TEXT
    from nextround.store import Store

    with Store(tmp_path / "s.db") as store:
        client = store.create_client("Ada")
        store.set_answer(client.id, "story", "x" * (MAX_TEXT - 10))
        with pytest.raises(NextRoundError, match="at most 2,000,000 characters"):
            store.set_answer(client.id, "story", "x" * (MAX_TEXT + 1))
        with pytest.raises(NextRoundError, match="at most"):
            store.set_answer(client.id, "list", ["y" * 1_000_000] * 3)
        assert len(store.answers(client.id)["story"]) == MAX_TEXT - 10


def test_database_files_exports_and_folder_are_private(capsys, tmp_path, monkeypatch):
    import os
    import stat

    monkeypatch.setattr(os, "umask", os.umask)  # restored by the test either way
    previous = os.umask(0o022)  # the usual umask: files 0644, folders 0755
    try:
        folder = tmp_path / "data"
        db = folder / "nextround.db"
        run(capsys, "demo", "--db", str(db))
        client_id = run(capsys, "clients", "--db", str(db))[1].split("\t")[0]
        out = tmp_path / "export.json"
        run(capsys, "export", client_id, "-o", str(out), "--db", str(db))
    finally:
        os.umask(previous)
    mode = lambda path: stat.S_IMODE(path.stat().st_mode)  # noqa: E731
    assert mode(folder) == 0o700
    files = [p for p in folder.iterdir()]
    assert db in files
    for path in files:
        assert mode(path) == 0o600, path
    assert mode(out) == 0o600


def test_check_content_refuses_a_template_that_cannot_render(capsys, tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(default_content_dir(), folder)
    emails = folder / "emails.yaml"
    lines = emails.read_text().splitlines()
    body = next(n for n, line in enumerate(lines) if line.strip().startswith("body: |"))
    lines.insert(body + 2, "      {{ ''.__class__ }}")
    emails.write_text("\n".join(lines) + "\n")
    code, out, _ = run(capsys, "check-content", str(folder))
    assert code == 1
    assert f"emails.yaml:{body + 3}:" in out
    assert "cannot be rendered" in out and "__class__" in out
