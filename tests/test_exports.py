"""The workbook file (build, parse, import, refusals), atomic writes, the
calendar and the Markdown checklist."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

import nextround.exports as exports
from nextround import model
from nextround.errors import WorkbookError
from nextround.exports import (
    WORKBOOK_FORMAT,
    WORKBOOK_VERSION,
    atomic_write,
    build_workbook,
    data_uri,
    export_workbook,
    import_workbook,
    parse_workbook,
    plan_to_ics,
    plan_to_markdown,
    workbook_bytes,
)

DAMAGED = "the file has been changed or damaged since it was exported"


def _resign(doc: dict) -> dict:
    """Recompute a document's checksum, as a careful forger would."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    doc["checksum"] = "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return doc


# --- building ----------------------------------------------------------------


def test_build_workbook_document(store, filled_client):
    doc = build_workbook(store, filled_client.id)
    assert sorted(doc) == ["checksum", "client", "exported_at", "format", "records", "version"]
    assert doc["format"] == "nextround-workbook" == WORKBOOK_FORMAT
    assert doc["version"] == 2 == WORKBOOK_VERSION
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", doc["exported_at"])
    assert doc["client"] == {"id": filled_client.id, "name": "Ada Lovelace",
                             "created_at": filled_client.model_dump(mode="json")["created_at"],
                             "language": None}
    assert list(doc["records"]) == ["applications", "feedback", "answers", "checkins",
                                    "thoughts", "actions", "contacts"]
    assert [a["title"] for a in doc["records"]["actions"]] == ["Learn SQL joins",
                                                               "Practise interviews"]
    assert doc["checksum"] == _resign(dict(doc))["checksum"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", doc["checksum"])


def test_notes_only_when_asked(store, filled_client):
    assert "notes" not in build_workbook(store, filled_client.id)["records"]
    with_notes = build_workbook(store, filled_client.id, include_notes=True)
    assert [n["text"] for n in with_notes["records"]["notes"]] == ["Private: client was upset."]


def test_workbook_bytes_are_readable_sorted_utf8(store, filled_client):
    raw = workbook_bytes(build_workbook(store, filled_client.id))
    text = raw.decode("utf-8")
    assert text.startswith('{\n  "checksum": "sha256:')
    assert '"company": "Acme & Sons"' in text
    assert text.endswith("}\n")


# --- round trip --------------------------------------------------------------


def test_export_erase_import_export_gives_the_same_document(store, filled_client, tmp_path):
    path = export_workbook(store, filled_client.id, tmp_path / "ada.json", include_notes=True)
    assert path == tmp_path / "ada.json"
    first = json.loads(path.read_bytes())
    store.erase_client(filled_client.id)
    assert store.list_clients() == []

    client = import_workbook(store, path.read_bytes())
    assert client == filled_client
    again = build_workbook(store, client.id, include_notes=True)
    for doc in (first, again):
        doc.pop("exported_at")
        doc.pop("checksum")
    assert again == first
    assert store.get_state(client.id) == {"step": "assess",
                                          "application": first["records"]["applications"][0]["id"]}


def test_import_accepts_text_and_a_bom(store, filled_client):
    raw = workbook_bytes(build_workbook(store, filled_client.id))
    store.erase_client(filled_client.id)
    assert import_workbook(store, "\ufeff" + raw.decode("utf-8")).id == filled_client.id
    store.erase_client(filled_client.id)
    assert import_workbook(store, b"\xef\xbb\xbf" + raw).id == filled_client.id


# --- refusals: each names the problem and writes nothing ---------------------


@pytest.fixture
def exported(store, filled_client):
    """The filled client's workbook bytes, with the client then erased."""
    raw = workbook_bytes(build_workbook(store, filled_client.id, include_notes=True))
    store.erase_client(filled_client.id)
    return raw


def _refused(store, count_rows, raw) -> str:
    """Import ``raw``, expecting a refusal; return its message. Checks nothing was written."""
    before = count_rows()
    with pytest.raises(WorkbookError) as caught:
        import_workbook(store, raw)
    assert count_rows() == before
    return str(caught.value)


def test_tampered_value_is_refused(store, count_rows, exported):
    doc = json.loads(exported)
    doc["records"]["checkins"][0]["mood"] = 99
    message = _refused(store, count_rows, json.dumps(doc).encode())
    assert message == f"The checksum does not match: {DAMAGED}."


def test_missing_checksum_is_refused(store, count_rows, exported):
    doc = json.loads(exported)
    del doc["checksum"]
    message = _refused(store, count_rows, json.dumps(doc))
    assert message == f"This workbook file has no checksum, so it cannot be trusted: {DAMAGED}."


def test_truncated_file_is_refused(store, count_rows, exported):
    for cut in (len(exported) // 2, len(exported) - 3, 40):
        message = _refused(store, count_rows, exported[:cut])
        assert message.startswith("This workbook file is incomplete: it ends too early (line ")
        assert "try exporting it again" in message


def test_not_json_is_refused_with_line_and_column(store, count_rows):
    message = _refused(store, count_rows, b'{\n  "format": nonsense\n}')
    assert message == ("This is not a NextRound workbook file: it is not valid JSON "
                       "(line 2, column 13: Expecting value).")


def test_not_utf8_is_refused(store, count_rows):
    message = _refused(store, count_rows, b'{"format": "\xff\xfe"}')
    assert message == ("This is not a NextRound workbook file: it is not UTF-8 text "
                       "(unexpected byte at position 12).")


def test_not_an_object_is_refused(store, count_rows):
    message = _refused(store, count_rows, b"[1, 2, 3]")
    assert message == ("This is not a NextRound workbook file: it does not hold a JSON "
                       "object.")


def test_wrong_format_is_refused(store, count_rows, exported):
    doc = _resign({**json.loads(exported), "format": "someone-elses-file"})
    message = _refused(store, count_rows, json.dumps(doc))
    assert message == ("This is not a NextRound workbook file (format 'someone-elses-file'; "
                       "expected 'nextround-workbook').")
    assert _refused(store, count_rows, b'{"a": 1}') == (
        "This is not a NextRound workbook file (no format; expected 'nextround-workbook').")


def test_newer_version_is_refused(store, count_rows, exported):
    doc = _resign({**json.loads(exported), "version": 3})
    message = _refused(store, count_rows, json.dumps(doc))
    assert message == ("This workbook file was made by a newer version of NextRound (file "
                       "version 3; this version reads up to 2). Update NextRound to import it.")


@pytest.mark.parametrize("version", [0, "1", True, None, 1.0])
def test_unknown_version_is_refused(store, count_rows, exported, version):
    doc = _resign({**json.loads(exported), "version": version})
    message = _refused(store, count_rows, json.dumps(doc))
    assert message.startswith("This workbook file has an unknown version (")


def test_nan_is_refused(store, count_rows):
    message = _refused(store, count_rows, b'{"format": NaN}')
    assert message == ("This is not a NextRound workbook file: it is not valid JSON "
                       "(NaN is not allowed).")


def test_oversized_file_is_refused(store, count_rows, exported, monkeypatch):
    monkeypatch.setattr(exports, "MAX_WORKBOOK_BYTES", 1024 * 1024)
    message = _refused(store, count_rows, exported + b" " * (1024 * 1024))
    assert message.startswith("This file is 1.0 MB; a workbook file can be at most 1 MB.")


def test_invalid_record_with_valid_checksum_is_refused(store, count_rows, exported):
    doc = json.loads(exported)
    doc["records"]["applications"][1]["applied_on"] = "31/02/2024"
    doc["records"]["checkins"][0]["mood"] = 101
    message = _refused(store, count_rows, json.dumps(_resign(doc)))
    lines = message.splitlines()
    assert len(lines) == 3
    assert lines[0] == "The workbook cannot be imported; nothing was written."
    assert lines[1].startswith("applications[1].applied_on: Input should be a valid date")
    assert lines[2] == "checkins[0].mood: Input should be less than or equal to 100"


def test_client_section_inside_records_is_refused(store, count_rows, exported):
    doc = json.loads(exported)
    doc["records"]["client"] = doc["client"]
    message = _refused(store, count_rows, json.dumps(_resign(doc)))
    assert message.splitlines()[1] == "records.client: unknown section"


def test_import_of_a_client_already_present_is_refused(store, count_rows, filled_client):
    raw = workbook_bytes(build_workbook(store, filled_client.id))
    message = _refused(store, count_rows, raw)
    assert message == ("This client (Ada Lovelace) is already in the store; erase them first, "
                       "or import the file into a different store. Nothing was written.")


def test_parse_workbook_returns_the_document(store, filled_client):
    doc = build_workbook(store, filled_client.id)
    assert parse_workbook(workbook_bytes(doc)) == doc


# --- atomic writes -----------------------------------------------------------


def test_atomic_write_replaces_the_file(tmp_path):
    target = tmp_path / "plan.json"
    target.write_bytes(b"old")
    atomic_write(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_atomic_write_failure_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "ada.json"
    target.write_bytes(b"the old workbook")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(exports.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"x" * 100_000)
    assert target.read_bytes() == b"the old workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["ada.json"]


def test_atomic_write_failure_during_write_leaves_no_file(tmp_path, monkeypatch):
    target = tmp_path / "new.json"

    def broken_fsync(fd):
        raise OSError("I/O error")

    monkeypatch.setattr(exports.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="I/O error"):
        atomic_write(target, b"data")
    assert list(tmp_path.iterdir()) == []


def test_export_workbook_is_private_to_the_user(store, filled_client, tmp_path):
    path = export_workbook(store, filled_client.id, tmp_path / "ada.json")
    if os.name == "posix":
        assert path.stat().st_mode & 0o077 == 0


# --- action plan -------------------------------------------------------------


def _actions(client_id: str) -> list[model.Action]:
    created = datetime(2024, 3, 1, 9, tzinfo=UTC)
    return [
        model.Action(id="aaaaaa000001", client_id=client_id, title="Learn SQL joins",
                     due_on=date(2024, 4, 1), created_at=created),
        model.Action(id="aaaaaa000002", client_id=client_id, title="Follow up, with Grace; ok",
                     due_on=date(2024, 4, 15), done=True, created_at=created),
        model.Action(id="aaaaaa000003", client_id=client_id, title="Someday", created_at=created),
    ]


def test_plan_to_ics_parses_back(store):
    client = store.create_client("Ada")
    raw = plan_to_ics(_actions(client.id), "Ada")
    calendar = Calendar.from_ical(raw)
    assert str(calendar["PRODID"]) == "-//NextRound//Action plan//EN"
    assert str(calendar["VERSION"]) == "2.0"
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Learn SQL joins",
                                                   "Follow up, with Grace; ok"]
    assert [e.decoded("DTSTART") for e in events] == [date(2024, 4, 1), date(2024, 4, 15)]
    assert [e.decoded("DTEND") for e in events] == [date(2024, 4, 2), date(2024, 4, 16)]
    assert [str(e["UID"]) for e in events] == ["aaaaaa000001@nextround",
                                               "aaaaaa000002@nextround"]
    assert [str(e["DESCRIPTION"]) for e in events] == [
        "To do, from the NextRound action plan.", "Done."]
    assert b"DTSTART;VALUE=DATE:20240401" in raw
    assert b"Follow up\\, with Grace\\; ok" in raw


def test_plan_to_markdown_checklist():
    text = plan_to_markdown(_actions("abcdef"), "Ada")
    assert text == (
        "# Action plan for Ada\n"
        "\n"
        "- [ ] Learn SQL joins (due 2024-04-01)\n"
        "- [x] Follow up, with Grace; ok (due 2024-04-15)\n"
        "- [ ] Someday\n")
    assert plan_to_markdown([], "Ada") == "# Action plan for Ada\n\nNo actions yet.\n"


def test_plan_to_markdown_escapes_hostile_text():
    hostile = ("[click me](javascript:alert(1)) <script>alert('x')</script> **bold** "
               "![img](http://evil.example/x.png)\n# heading")
    action = model.Action(client_id="abcdef", title=hostile[:500])
    text = plan_to_markdown([action], "<b>Mallory</b> & co")
    assert text.splitlines()[0] == r"# Action plan for &lt;b&gt;Mallory&lt;/b&gt; &amp; co"
    line = text.splitlines()[2]
    assert line.startswith(r"- [ ] \[click me\](javascript:alert(1)) &lt;script&gt;")
    assert r"\*\*bold\*\* !\[img\]" in line
    assert line.endswith(" # heading")  # the newline is gone, so no new block starts
    assert len(text.splitlines()) == 3

    mistune = pytest.importorskip("mistune")
    rendered = mistune.html(text)
    for forbidden in ("<a ", "<script", "<img", "<strong", "<b>", "<h1>heading"):
        assert forbidden not in rendered
    assert "&lt;script&gt;" in rendered
    assert "[click me](javascript:alert(1))" in rendered


def test_data_uri_round_trips():
    uri = data_uri(b"BEGIN:VCALENDAR\r\n", "text/calendar")
    assert uri == "data:text/calendar;base64,QkVHSU46VkNBTEVOREFSDQo="
    assert base64.b64decode(uri.split(",", 1)[1]) == b"BEGIN:VCALENDAR\r\n"


def test_a_version_1_file_without_the_newer_fields_still_imports(store, filled_client):
    """Files written before the interview date and entry times were kept import unchanged."""
    doc = build_workbook(store, filled_client.id)
    store.erase_client(filled_client.id)
    for section, items in doc["records"].items():
        for item in items:
            item.pop("interview_on", None)
            if section != "answers":  # answers kept their time from the start
                item.pop("updated_at", None)
    doc = _resign({**doc, "version": 1})
    client = import_workbook(store, workbook_bytes(doc))
    [app, *_] = store.list(model.Application, client.id)
    assert app.interview_on is None and app.updated_at is None
    again = build_workbook(store, client.id)
    assert again["version"] == WORKBOOK_VERSION
    assert [a["company"] for a in again["records"]["applications"]] == [
        a["company"] for a in doc["records"]["applications"]]


def test_validate_records_checks_a_workbook_without_a_store(store, filled_client):
    """The workbook's rules live with its format: no database is needed to check one."""
    from nextround.exports import validate_records

    data = store.export_records(filled_client.id, include_notes=True)
    client, records = validate_records(data)
    assert client == filled_client
    assert list(records) == list(model.CHILD_RECORDS)
    assert [r.model_dump(mode="json") for r in records["answers"]] == data["answers"]
    twice = data["answers"][0] | {"id": "abcdef0123456789"}
    data["answers"].append(twice)
    with pytest.raises(WorkbookError) as caught:
        validate_records(data)
    assert str(caught.value).splitlines() == [
        "The workbook cannot be imported; nothing was written.",
        f"answers[{len(data['answers']) - 1}].key: the same question is answered twice"]


def test_an_import_error_lists_at_most_fifty_problems():
    from nextround.exports import MAX_PROBLEMS, import_error

    lines = str(import_error([f"problem {n}" for n in range(60)])).splitlines()
    assert MAX_PROBLEMS == 50
    assert lines[0] == "The workbook cannot be imported; nothing was written."
    assert lines[1:51] == [f"problem {n}" for n in range(50)]
    assert lines[51:] == ["... and 10 more problems"]
