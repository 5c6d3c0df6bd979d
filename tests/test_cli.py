"""The ``nextround`` command: exit codes and one-line messages, never tracebacks."""

from __future__ import annotations

import io
import json
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
