"""Names are never paths.

Client names and ids are data. Whatever a name holds (path traversal, NUL
bytes, terminal escapes, right-to-left overrides, ten thousand characters),
creating, exporting and importing that client writes nothing but the
database and the one file the user chose with ``-o``. Each test snapshots
the whole temporary folder before and after, so a stray file anywhere in it
fails the test. Invalid input gets one plain line, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import unicodedata
from pathlib import Path

import pytest
from reliability_support import changed, child_env, python, snapshot

from nextround import model
from nextround.cli import main
from nextround.errors import NextRoundError
from nextround.exports import (
    MAX_WORKBOOK_BYTES,
    build_workbook,
    checksum,
    export_workbook,
    import_workbook,
    parse_workbook,
    workbook_bytes,
)
from nextround.store import Store

#: Names that look like paths, or hide things: each is valid data (at most
#: 200 characters) and must come back exactly as given.
HOSTILE_NAMES = [
    "../../etc/passwd",
    "..\\..\\Windows\\System32\\config",
    "/etc/shadow",
    "~/.ssh/id_rsa",
    "nextround.db",
    "CON",
    "a/b/../../../c",
    "file:///etc/passwd",
    "\u05e9\u05e8\u05d4 ../x",          # Hebrew, right to left by itself
    "Jo\u200bhn",                      # a zero-width space: kept, and shown visibly
    "%2e%2e%2f%2e%2e%2fetc",
    "../" * 66 + "x",                 # 199 characters of traversal
]

#: Names that hide things from a person reading a list: refused since
#: names are told apart by eye (written by an older NextRound, they are still
#: listed safely, see the CLI listing test).
CONTROL_NAMES = [
    "\u202eredaolnwod.json",          # right-to-left override: shows as "nosj.download"
    "\u2067\u05e9\u05e8\u05d4\u2069 ../x",  # RTL isolate around Hebrew
    "Ada\x00../../evil",              # NUL byte inside
    "\x1b]0;pwned\x07\x1b[31mred",    # terminal title and colour escapes
]

#: Names the store refuses, with the start of the message a person sees.
INVALID_NAMES = [*[(name, "This name cannot be used: the name holds a")
                   for name in CONTROL_NAMES],
    ("x" * 10_000, "A client's name can be at most 200 characters long"),
    ("x" * 201, "A client's name can be at most 200 characters long"),
    ("", "A client needs a name."),
    ("   \t\n ", "A client needs a name."),
]

CHOSEN = "chosen.json"


def _filled(store: Store, name: str) -> model.Client:
    client = store.create_client(name)
    app = store.add(model.Application(client_id=client.id, company=name[:500], role="Analyst"))
    store.set_answer(client.id, "story", name, application_id=app.id)
    store.add(model.CheckIn(client_id=client.id, mood=3, note=name))
    store.add(model.Action(client_id=client.id, title=name[:500] or "x"))
    return client


def _db_files(folder: str) -> set[str]:
    return {f"{folder}/nextround.db", f"{folder}/nextround.db-wal", f"{folder}/nextround.db-shm"}


def _strays(before: dict, after: dict, allowed: set[str]) -> list[str]:
    """Entries added, removed or changed anywhere except the ``allowed`` paths."""
    diff = changed(before, after)
    return sorted(p for kind in diff.values() for p in kind if p not in allowed)


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "unexpected error" not in err, err
    return lines[0]


# --- the API ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_hostile_name_round_trips_as_data_and_writes_only_the_chosen_file(tmp_path, name):
    for folder in ("data", "out", "other"):
        (tmp_path / folder).mkdir()
    before = snapshot(tmp_path)
    with Store(tmp_path / "data" / "nextround.db") as store:
        client = _filled(store, name)
        assert store.get_client(client.id).name == name.strip()
        written = export_workbook(store, client.id, tmp_path / "out" / CHOSEN,
                                  include_notes=True)
    assert written == tmp_path / "out" / CHOSEN
    raw = written.read_bytes()
    assert parse_workbook(raw)["client"]["name"] == name.strip()
    with Store(tmp_path / "other" / "nextround.db") as other:
        imported = import_workbook(other, raw)
        assert imported == client
        assert other.answers(client.id, other.list(model.Application, client.id)[0].id) == {
            "story": name}
    diff = changed(before, snapshot(tmp_path))
    assert diff["removed"] == [] and diff["modified"] == []
    added = set(diff["added"])
    assert {"data/nextround.db", "other/nextround.db", f"out/{CHOSEN}"} <= added
    assert added <= _db_files("data") | _db_files("other") | {f"out/{CHOSEN}"}


@pytest.mark.parametrize(("name", "message"), INVALID_NAMES,
                         ids=["rlo", "rli", "nul", "escape", "10k", "201", "empty", "blank"])
def test_invalid_name_is_refused_in_plain_words_and_writes_nothing(store, tmp_path, name,
                                                                    message):
    before = snapshot(tmp_path)
    with pytest.raises(NextRoundError) as caught:
        store.create_client(name)
    assert str(caught.value).startswith(message)
    keeper = store.create_client("Keeper")
    with pytest.raises(NextRoundError) as renamed:
        store.rename_client(keeper.id, name)
    assert str(renamed.value).startswith(message)
    assert [c.name for c in store.list_clients()] == ["Keeper"]
    diff = changed(before, snapshot(tmp_path))
    assert diff["added"] == [] and diff["removed"] == []
    assert set(diff["modified"]) <= {"nextround.db", "nextround.db-wal", "nextround.db-shm"}


def _signed(doc: dict) -> bytes:
    doc["checksum"] = checksum(doc)
    return workbook_bytes(doc)


def _workbook_with(store: Store, **client_changes) -> bytes:
    """A real export of a filled client, edited and re-signed."""
    client = _filled(store, "Base")
    doc = build_workbook(store, client.id)
    store.erase_client(client.id)
    old_id = doc["client"]["id"]
    doc["client"].update(client_changes)
    new_id = doc["client"]["id"]
    for items in doc["records"].values():
        for item in items:
            if item.get("client_id") == old_id:
                item["client_id"] = new_id
    return _signed(doc)


@pytest.mark.parametrize(("changes", "expected"), [
    ({"id": "../../etc/passwd"}, "client.id: String should match pattern"),
    ({"id": "abc\x00def0123"}, "client.id: String should match pattern"),
    ({"id": "A" * 10_000}, "client.id: String should match pattern"),
    ({"name": "n" * 10_000}, "client.name: String should have at most 200 characters"),
    ({"name": ""}, "client.name: String should have at least 1 character"),
    ({"name": ["../etc"]}, "client.name: Input should be a valid string"),
], ids=["traversal-id", "nul-id", "huge-id", "huge-name", "empty-name", "list-name"])
def test_import_refuses_ids_that_are_not_ids_and_writes_nothing(store, count_rows, tmp_path,
                                                               changes, expected):
    raw = _workbook_with(store, **changes)
    rows = count_rows()
    before = snapshot(tmp_path)
    with pytest.raises(NextRoundError) as caught:
        import_workbook(store, raw)
    lines = str(caught.value).splitlines()
    assert lines[0] == "The workbook cannot be imported; nothing was written."
    assert any(line.startswith(expected) for line in lines[1:]), lines
    assert count_rows() == rows
    diff = changed(before, snapshot(tmp_path))
    assert diff["added"] == [] and diff["removed"] == []


def test_download_file_names_never_come_from_the_client(store, content):
    """Every download link the app offers has a fixed name, whatever the client is called."""
    from nextround.components.action_plan import ActionPlan
    from nextround.components.counsellor import CounsellorView
    from nextround.components.workbook_file import WorkbookFile

    client = _filled(store, "../../etc/passwd \u200b<img src=x>")
    plan = ActionPlan.create(content=content, store=store, client_id=client.id)
    workbook = WorkbookFile.create(store=store, client_id=client.id)
    workbook.make_link()
    counsellor = CounsellorView.create(content=content, store=store)
    counsellor.model.open(client.id)
    links = plan.downloads.value + workbook.link.value + counsellor.links.value
    names = sorted(set(_download_names(links)))
    assert names == sorted({"nextround-plan.ics", "nextround-plan.md",
                            "nextround-session-summary.html", "nextround-session-summary.md",
                            _workbook_name()}), links[:300]


def _download_names(html: str) -> list[str]:
    import re

    return re.findall(r'download="([^"]*)"', html)


def _workbook_name() -> str:
    from datetime import date

    return f"nextround-workbook-{date.today().isoformat()}.json"


# --- the command line ------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path) -> tuple[Path, str]:
    """A store holding a client with a hostile name; returns its path and the client id."""
    data = tmp_path / "data"
    data.mkdir()
    path = data / "nextround.db"
    with Store(path) as store:
        client = _filled(store, "../../etc/passwd\u200b[2J")
    return path, client.id


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_export_writes_exactly_the_file_named_by_o(capsys, tmp_path, cli_db):
    db, client_id = cli_db
    (tmp_path / "out").mkdir()
    before = snapshot(tmp_path)
    code, out, err = run(capsys, "export", client_id, "-o", str(tmp_path / "out" / CHOSEN),
                         "--db", str(db))
    assert (code, err) == (0, "")
    assert out == f"Exported to {tmp_path / 'out' / CHOSEN}\n"
    after = snapshot(tmp_path)
    assert _strays(before, after, _db_files("data")) == [f"out/{CHOSEN}"]
    doc = json.loads((tmp_path / "out" / CHOSEN).read_bytes())
    assert doc["client"]["name"] == "../../etc/passwd\u200b[2J"


@pytest.mark.parametrize("client_arg", ["../../etc/passwd", "..%2F..%2Fetc", "a\x00b",
                                        "x" * 10_000, "\u202egpj.exe"],
                         ids=["traversal", "encoded", "nul", "10k", "rtl"])
def test_cli_export_of_an_id_that_is_a_path_is_one_line_and_writes_nothing(
        capsys, tmp_path, cli_db, client_arg):
    db, _ = cli_db
    before = snapshot(tmp_path)
    code, out, err = run(capsys, "export", client_arg, "-o", str(tmp_path / CHOSEN),
                         "--db", str(db))
    assert code == 1 and out == ""
    line = _one_line(err)
    assert line.startswith("nextround export: No client with id ")
    assert len(line) < 160
    assert _strays(before, snapshot(tmp_path), _db_files("data")) == []


@pytest.mark.parametrize(("target", "reason"), [
    ("missing/folder/x.json", "No such file or directory"),
    ("out", "Is a directory"),
    ("n" * 300 + ".json", "File name too long"),
    ("with\x00nul.json", "the file name contains a NUL character"),
], ids=["missing-folder", "a-folder", "name-too-long", "nul"])
def test_cli_export_to_an_unusable_place_is_one_plain_line(capsys, tmp_path, cli_db, target,
                                                           reason):
    db, client_id = cli_db
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("untouched")
    before = snapshot(tmp_path)
    code, out, err = run(capsys, "export", client_id, "-o", str(tmp_path / target),
                         "--db", str(db))
    assert code == 1 and out == ""
    line = _one_line(err)
    assert line.startswith("nextround export: cannot write ")
    assert line.endswith(reason)
    assert len(line) < 300
    assert _strays(before, snapshot(tmp_path), _db_files("data")) == []


def test_cli_export_accepts_the_longest_file_name_the_system_allows(capsys, tmp_path, cli_db):
    """The temporary file beside the target must not make a valid name too long."""
    db, client_id = cli_db
    name = "w" * (255 - len(".json")) + ".json"
    code, _, err = run(capsys, "export", client_id, "-o", str(tmp_path / name), "--db", str(db))
    assert (code, err) == (0, "")
    assert parse_workbook((tmp_path / name).read_bytes())["client"]["id"] == client_id
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["data", name])


def test_cli_export_over_a_symlink_replaces_the_link_not_its_target(capsys, tmp_path, cli_db):
    db, client_id = cli_db
    outside = tmp_path / "outside.txt"
    outside.write_text("someone else's file")
    link = tmp_path / "link.json"
    link.symlink_to(outside)
    code, _, err = run(capsys, "export", client_id, "-o", str(link), "--db", str(db))
    assert (code, err) == (0, "")
    assert outside.read_text() == "someone else's file"
    assert not link.is_symlink()
    assert parse_workbook(link.read_bytes())["client"]["id"] == client_id


def test_cli_import_of_hostile_names_writes_only_the_database(capsys, tmp_path):
    source = tmp_path / "source.db"
    files = tmp_path / "files"
    files.mkdir()
    with Store(source) as store:
        for n, name in enumerate(HOSTILE_NAMES):
            client = _filled(store, name)
            export_workbook(store, client.id, files / f"{n}.json")
    target = tmp_path / "target"
    target.mkdir()
    before = snapshot(tmp_path)
    for n in range(len(HOSTILE_NAMES)):
        code, out, err = run(capsys, "import", str(files / f"{n}.json"), "--db",
                             str(target / "nextround.db"))
        assert code == 0, err
        assert err.count("\n") in (1, 2) and "Imported " in err  # and "Created ..." once
        assert out.count("\n") == 1
    diff = changed(before, snapshot(tmp_path))
    assert diff["removed"] == [] and diff["modified"] == []
    assert "target/nextround.db" in diff["added"]
    assert set(diff["added"]) <= _db_files("target")
    with Store(target / "nextround.db") as imported:
        assert sorted(c.name for c in imported.list_clients()) == sorted(
            n.strip() for n in HOSTILE_NAMES)


def test_cli_listing_cannot_smuggle_control_characters_into_the_terminal(capsys, tmp_path):
    """Names with control characters are refused now; a database written before
    that may still hold them, and listing it stays safe."""
    from sqlalchemy import text

    db = tmp_path / "s.db"
    with Store(db) as store:
        for name in HOSTILE_NAMES + CONTROL_NAMES:
            client = store.create_client("placeholder")
            with store.engine.begin() as conn:
                conn.execute(text("UPDATE clients SET name = :name WHERE id = :id"),
                             {"name": name, "id": client.id})
    code, out, err = run(capsys, "clients", "--db", str(db))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == len(HOSTILE_NAMES + CONTROL_NAMES)
    for line in lines:
        client_id, shown = line.split("\t")
        assert len(client_id) == 16
        bad = [ch for ch in shown if unicodedata.category(ch) == "Cc"
               or unicodedata.bidirectional(ch) in ("RLO", "LRO", "RLE", "LRE", "PDF",
                                                    "RLI", "LRI", "FSI", "PDI")]
        assert bad == [], line
    assert "\\x1b]0;pwned\\x07\\x1b[31mred" in out
    assert "Ada\\x00../../evil" in out
    assert "\\u202eredaolnwod.json" in out
    assert "Jo⟨U+200B⟩hn" in out


def test_names_are_normalised_and_white_space_folded(store):
    composed = store.create_client("Zoe\u0301  Ade\tbayo\n")  # e + combining acute
    assert composed.name == "Zo\u00e9 Ade bayo"
    assert store.get_client(composed.id).name == "Zo\u00e9 Ade bayo"


def test_cli_import_reads_no_more_than_a_workbook_can_hold(capsys, tmp_path):
    """An endless file (here /dev/zero) is refused after the size limit, not read forever."""
    code, out, err = run(capsys, "import", "/dev/zero", "--db", str(tmp_path / "s.db"))
    assert code == 1 and out == ""
    line = _one_line(err)
    assert line == (f"nextround import: This file is larger than "
                    f"{MAX_WORKBOOK_BYTES // 1024 // 1024} MB, the most a workbook file can "
                    "be. Is it the right file?")


def test_the_console_script_refuses_traversal_without_a_traceback(tmp_path, cli_db):
    """The real ``nextround`` process, as a counsellor would run it."""
    db, _ = cli_db
    before = snapshot(tmp_path)
    result = subprocess.run(
        [python(), "-m", "nextround.cli", "export", "../../../../tmp/evil", "-o",
         str(tmp_path / "nowhere" / "x.json"), "--db", str(db)],
        capture_output=True, text=True, timeout=120, env=child_env(), cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert _one_line(result.stderr).startswith("nextround export: No client with id "
                                               "'../../../../tmp/evil'")
    assert _strays(before, snapshot(tmp_path), _db_files("data")) == []
