"""Files that leave the app: the JSON workbook, the calendar and the checklist.

The workbook file is how work survives where nothing persists (Binder): the
client downloads it and uploads it next time. It is versioned, so a newer
file is refused rather than misread, and checksummed, so a file changed or
damaged since export is refused rather than half-imported. What the records
in a file must be (:func:`validate_records`) is part of the format and lives
here; the store calls it on every import, which is all or nothing (see
:meth:`nextround.store.Store.import_records`).

Downloads are handed to the browser as data-URI links (:func:`data_uri`),
because Voilà's file route refuses most file types.

Example::

    doc = build_workbook(store, client.id)
    raw = workbook_bytes(doc)
    # ... later, into another store:
    import_workbook(other_store, raw)
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from icalendar import Calendar, Event
from pydantic import ValidationError

from . import model
from .errors import WorkbookError
from .i18n import N_, _, ngettext
from .store import RECORDS, Store
from .store.checks import validation_problems
from .text import md_escape, number

WORKBOOK_FORMAT = "nextround-workbook"
#: Version 2 added the interview date and entry times (``interview_on`` and
#: ``updated_at``). Version 1 files lack them and still import: the fields
#: are optional. A version 1 reader refuses a version 2 file, plainly.
WORKBOOK_VERSION = 2
#: Larger files are refused before parsing: no real workbook comes close,
#: and a hostile one must not exhaust memory.
MAX_WORKBOOK_BYTES = 50 * 1024 * 1024

#: The most problems one import error message lists.
MAX_PROBLEMS = 50

CHECKSUM_PREFIX = "sha256:"
ICS_PRODID = "-//NextRound//Action plan//EN"

#: Said of a file whose checksum fails (English; shown through ``_``).
UNKNOWN_SECTION = N_("unknown section")
_DAMAGED = N_("the file has been changed or damaged since it was exported")


# --- the workbook file -------------------------------------------------------


def canonical_json(data: Any) -> bytes:
    """The one byte form a document's checksum is computed over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


def checksum(doc: dict[str, Any]) -> str:
    """``sha256:<hex>`` over the document without its own checksum."""
    body = {key: value for key, value in doc.items() if key != "checksum"}
    return CHECKSUM_PREFIX + hashlib.sha256(canonical_json(body)).hexdigest()


def build_workbook(store: Store, client_id: str, include_notes: bool = False, *,
                   include_audit: bool = False) -> dict[str, Any]:
    """A client's whole workbook as a checksummed, versioned document.

    Counsellor notes stay out unless ``include_notes`` is set, because the
    file is usually handed to the client. With ``include_audit``, the
    client's audit events go in too, beside the records (``audit_log``): they
    are there to be read. Importing never writes them into a store, so a
    file cannot add to, or rewrite, any store's history.
    """
    data = store.export_records(client_id, include_notes=include_notes)
    client = data.pop("client")
    doc: dict[str, Any] = {
        "format": WORKBOOK_FORMAT,
        "version": WORKBOOK_VERSION,
        "exported_at": model.utcnow().isoformat().replace("+00:00", "Z"),
        "client": client,
        "records": data,
    }
    if include_audit:
        doc["audit_log"] = [event.model_dump(mode="json")
                            for event in store.audit_events(client_id)]
    doc["checksum"] = checksum(doc)
    return doc


def workbook_bytes(doc: dict[str, Any]) -> bytes:
    """The file's bytes: readable JSON (indented, sorted keys), UTF-8."""
    text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def parse_workbook(raw: bytes | str) -> dict[str, Any]:
    """Read a workbook file, refusing anything that is not an intact workbook.

    Each refusal is a :class:`WorkbookError` saying what is wrong in plain
    words; the data inside is checked later, by the store.
    """
    text = _decode(raw)
    doc = _load_json(text)
    if not isinstance(doc, dict):
        raise WorkbookError(_("This is not a NextRound workbook file: it does not hold a "
                              "JSON object."))
    _check_format(doc)
    _check_version(doc)
    _check_checksum(doc)
    if not isinstance(doc.get("client"), dict) or not isinstance(doc.get("records"), dict):
        raise WorkbookError(_("This workbook file has no client or no records section."))
    return doc


def _decode(raw: bytes | str) -> str:
    """Text of the file, within the size limit; a BOM from an editor is allowed."""
    size = len(raw.encode("utf-8")) if isinstance(raw, str) else len(raw)
    if size > MAX_WORKBOOK_BYTES:
        raise WorkbookError(
            _("This file is {size} MB; a workbook file can be at most {most} MB. Is it the "
              "right file?").format(size=number(size / 1024 / 1024, 1),
                                    most=number(MAX_WORKBOOK_BYTES // 1024 // 1024)))
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WorkbookError(_("This is not a NextRound workbook file: it is not UTF-8 text "
                              "(unexpected byte at position {position}).").format(
            position=exc.start)) from exc


def _reject_constant(name: str) -> Any:
    """NaN and Infinity are not JSON; Python's parser would accept them otherwise."""
    raise ValueError(f"{name} is not allowed")


def _load_json(text: str) -> Any:
    """Parse JSON, naming line and column, and saying so when the file is cut short."""
    try:
        return json.loads(text, parse_constant=_reject_constant,
                          object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as exc:
        if _looks_truncated(text, exc):
            raise WorkbookError(
                _("This workbook file is incomplete: it ends too early (line {line}, column "
                  "{column}), so it is not valid JSON. It was probably cut short while being "
                  "saved or copied; try exporting it again.").format(
                    line=exc.lineno, column=exc.colno)) from exc
        raise WorkbookError(_("This is not a NextRound workbook file: it is not valid JSON "
                              "(line {line}, column {column}: {reason}).").format(
            line=exc.lineno, column=exc.colno, reason=exc.msg)) from exc
    except (ValueError, RecursionError) as exc:
        raise WorkbookError(_("This is not a NextRound workbook file: it is not valid JSON "
                              "({reason}).").format(reason=exc)) from exc


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A key given twice would silently keep its last value: such a file is refused."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise WorkbookError(_("This workbook file is not valid: the key {key} appears "
                                  "twice in the same object, so it is unclear which value is "
                                  "meant. Export the workbook again.").format(
                key=repr(key[:60])))
        seen[key] = value
    return seen


def _looks_truncated(text: str, exc: json.JSONDecodeError) -> bool:
    """True when the parser ran out of text rather than meeting a wrong character."""
    stripped = text.rstrip()
    return bool(stripped) and (exc.pos >= len(stripped)
                               or exc.msg.startswith("Unterminated string"))


def _check_format(doc: dict[str, Any]) -> None:
    """Some other program's JSON file is named as such, not picked apart."""
    found = doc.get("format")
    if found != WORKBOOK_FORMAT:
        shown = (_("no format") if found is None
                 else _("format {name}").format(name=repr(str(found)[:60])))
        raise WorkbookError(_("This is not a NextRound workbook file ({found}; expected "
                              "{expected}).").format(found=shown,
                                                     expected=repr(WORKBOOK_FORMAT)))


def _check_version(doc: dict[str, Any]) -> None:
    """A newer file may mean things this version cannot read, so it is refused."""
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise WorkbookError(_("This workbook file has an unknown version ({version}); it "
                              "cannot be read.").format(version=repr(str(version)[:30])))
    if version > WORKBOOK_VERSION:
        raise WorkbookError(
            _("This workbook file was made by a newer version of NextRound (file version "
              "{version}; this version reads up to {known}). Update NextRound to import "
              "it.").format(version=version, known=WORKBOOK_VERSION))


def _check_checksum(doc: dict[str, Any]) -> None:
    """A file edited by hand or damaged in transit is refused as a whole."""
    found = doc.get("checksum")
    if not isinstance(found, str) or not found.startswith(CHECKSUM_PREFIX):
        raise WorkbookError(_("This workbook file has no checksum, so it cannot be "
                              "trusted: {why}.").format(why=_(_DAMAGED)))
    try:
        expected = checksum(doc)
    except ValueError as exc:  # pragma: no cover - parse_constant already refuses NaN
        raise WorkbookError(_("The checksum does not match: {why}.").format(
            why=_(_DAMAGED))) from exc
    if found != expected:
        raise WorkbookError(_("The checksum does not match: {why}.").format(why=_(_DAMAGED)))


def import_workbook(store: Store, raw: bytes | str, *, existing: str = "refuse"
                    ) -> model.Client:
    """Add the client in a workbook file to the store; nothing is written on error.

    ``existing`` says what to do when that client is already here (see
    :meth:`nextround.store.Store.import_records`).
    """
    doc = parse_workbook(raw)
    if "client" in doc["records"]:
        raise import_error([f"records.client: {_(UNKNOWN_SECTION)}"])
    return store.import_records({"client": doc["client"], **doc["records"]},
                                existing=existing)


# --- what a workbook's records must be -----------------------------------------


def import_error(problems: list[str]) -> WorkbookError:
    """One :class:`WorkbookError` listing every problem (the first :data:`MAX_PROBLEMS`)."""
    shown = problems[:MAX_PROBLEMS]
    if len(problems) > MAX_PROBLEMS:
        left = len(problems) - MAX_PROBLEMS
        shown.append(ngettext("... and {count} more problem", "... and {count} more problems",
                              left).format(count=left))
    return WorkbookError(_("The workbook cannot be imported; nothing was written.") + "\n"
                         + "\n".join(shown))


def validate_records(data: Any) -> tuple[model.Client, dict[str, list[model.Record]]]:
    """Check a workbook's client and records completely, before anything is written.

    Returns the client and its records, or raises :class:`WorkbookError`
    naming each problem and where it is, e.g. ``applications[3].applied_on:
    Input should be a valid date``. The store's import calls this, so a file
    and data handed to the store directly are held to the same rules.
    """
    if not isinstance(data, dict):
        raise import_error(["(top): " + _("expected an object with a client and its records")])
    problems = [f"{key}: {_(UNKNOWN_SECTION)}" for key in data if key not in RECORDS
                and key != "client"]
    client = _validate_one(model.Client, data.get("client"), "client", problems)
    if client is not None:
        try:
            client = client.model_copy(update={"name": model.clean_name(client.name)})
        except ValueError as exc:
            problems.append(f"client.name: {exc}")
    records = {name: _validate_list(name, data.get(name, []), problems)
               for name in model.CHILD_RECORDS}
    if client is not None:
        problems += _ownership_problems(client, records)
    problems += _link_problems(records) + _uniqueness_problems(records)
    if problems:
        raise import_error(problems)
    assert client is not None
    return client, records


def _validate_one(record_type: type[model.Record], item: Any, where: str,
                  problems: list[str]) -> Any:
    """Validate one item, collecting problems instead of stopping at the first."""
    try:
        return record_type.model_validate(item)
    except ValidationError as exc:
        problems += validation_problems(exc, where)
        return None


def _validate_list(name: str, items: Any, problems: list[str]) -> list[Any]:
    """Validate one section; an invalid item stays as ``None`` so later
    messages keep the item's place in the file. Duplicate ids are problems."""
    if not isinstance(items, list):
        problems.append(f"{name}: " + _("should be a list"))
        return []
    records, seen = [], set()
    for n, item in enumerate(items):
        record = _validate_one(RECORDS[name], item, f"{name}[{n}]", problems)
        if record is not None and record.id in seen:
            problems.append(f"{name}[{n}].id: " + _("the same id appears twice"))
        if record is not None:
            seen.add(record.id)
        records.append(record)
    return records


def _ownership_problems(client: model.Client, records: dict[str, list[Any]]) -> list[str]:
    """A file holds one client: every record must belong to it."""
    return [f"{name}[{n}].client_id: " + _("does not match the client's id")
            for name, items in records.items()
            for n, record in enumerate(items)
            if record is not None and record.client_id != client.id]


def _link_problems(records: dict[str, list[Any]]) -> list[str]:
    """Every application a record names must be in the file."""
    application_ids = {a.id for a in records["applications"] if a is not None}
    return [f"{name}[{n}].application_id: " + _("no application with this id is in the file")
            for name, record_type in RECORDS.items()
            if "application_id" in record_type.model_fields and name in records
            for n, record in enumerate(records[name])
            if record is not None and record.application_id
            and record.application_id not in application_ids]


def _uniqueness_problems(records: dict[str, list[Any]]) -> list[str]:
    """A question is answered once (the rule :attr:`model.Answer.unique_together` names;
    a file holds one client, so the client is left out of the comparison)."""
    fields = [f for f in model.Answer.unique_together["question"] if f != "client_id"]
    problems, seen = [], set()
    for n, answer in enumerate(records["answers"]):
        if answer is None:
            continue
        question = tuple(getattr(answer, field) for field in fields)
        if question in seen:
            problems.append(f"answers[{n}].key: " + _("the same question is answered twice"))
        seen.add(question)
    return problems


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write a file so that it is either the old one or the whole new one.

    The bytes go to a temporary file in the same folder, are flushed to
    disk, and only then renamed over the target; the folder is synced so
    the rename itself survives a crash. ``path`` is always chosen by the
    caller (a client name never becomes a path).
    """
    target = Path(path)
    folder = target.parent
    # The temporary name borrows only the start of the target's name, so a
    # target whose name is as long as the system allows can still be written.
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".tmp",
                                         dir=folder)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable; folders cannot be opened for syncing on Windows."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def export_workbook(store: Store, client_id: str, path: str | Path,
                    include_notes: bool = False) -> Path:
    """Save a client's workbook file at ``path``, atomically; returns the path."""
    doc = build_workbook(store, client_id, include_notes=include_notes)
    atomic_write(path, workbook_bytes(doc))
    return Path(path)


# --- the action plan ---------------------------------------------------------


def plan_to_ics(actions: list[model.Action], client_name: str) -> bytes:
    """The dated actions as an iCalendar file of all-day events.

    All-day events (not to-dos) because every common calendar shows them;
    the uid is stable, so importing the file again updates rather than
    duplicates. Undated actions have no place in a calendar and are left out.
    """
    calendar = Calendar()
    calendar.add("prodid", ICS_PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Action plan: {name}").format(name=client_name))
    for action in actions:
        if action.due_on is not None:
            calendar.add_component(_ics_event(action))
    return calendar.to_ical()


def _ics_event(action: model.Action) -> Event:
    """One all-day event; DTSTAMP is the creation time so output is repeatable."""
    event = Event()
    event.add("uid", f"{action.id}@nextround")
    event.add("dtstamp", action.created_at)
    event.add("dtstart", action.due_on)
    event.add("dtend", action.due_on + timedelta(days=1))
    event.add("summary", action.title)
    event.add("description", _("Done.") if action.done
              else _("To do, from the NextRound action plan."))
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event


def plan_to_markdown(actions: list[model.Action], client_name: str) -> str:
    """The action plan as a Markdown checklist, done steps ticked."""
    lines = ["# " + _("Action plan for {name}").format(
        name=md_escape(client_name, one_line=True)), ""]
    for action in actions:
        box = "[x]" if action.done else "[ ]"
        due = (" " + _("(due {date})").format(date=action.due_on.isoformat())
               if action.due_on else "")
        lines.append(f"- {box} {md_escape(action.title, one_line=True)}{due}")
    if not actions:
        lines.append(_("No actions yet."))
    return "\n".join(lines) + "\n"


def data_uri(data: bytes, mime: str) -> str:
    """A ``data:`` URI for a download link (Voilà serves no files of its own)."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
