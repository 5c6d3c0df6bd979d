"""Bad input: hypothesis fuzzes content loading and workbook import.

Content: a copy of the shipped ``content/`` folder gets one file replaced by
a random YAML tree, one node of a real file replaced by a random tree (or
removed), random edits to a file's text, random bytes, or a file deleted.
``validate_directory`` must then return either valid content or a list of
problems, each of the form ``<file>:<line>: <where>: <what>``. It must never
raise.

Workbook files: random JSON; random records inside a correct envelope and
checksum (so validation, not the checksum, has to catch them); a valid export
with keys dropped, types changed and items duplicated, then re-signed; and
the bytes of a valid export truncated, flipped or spliced. Every input
either imports or raises :class:`WorkbookError`, and a refused file writes
nothing. Any other exception fails the test (hypothesis then shrinks it to
a minimal example).

The number of examples of each kind is recorded in the figures.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tempfile
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reliability_support import scaled
from sqlalchemy import func, select

from nextround import model
from nextround.content import default_content_dir, validate_directory
from nextround.errors import WorkbookError
from nextround.exports import build_workbook, checksum, import_workbook, workbook_bytes
from nextround.store import TABLES, Store

EXAMPLES = scaled(100, 2000)
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow,
                                                HealthCheck.data_too_large,
                                                HealthCheck.filter_too_much])

CONTENT = default_content_dir()
FILES = sorted(p.name for p in CONTENT.glob("*.yaml"))
ORIGINAL = {name: (CONTENT / name).read_text(encoding="utf-8") for name in FILES}
PARSED = {name: yaml.safe_load(text) for name, text in ORIGINAL.items()}
PROBLEM = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<where>.+?): (?P<what>\S.*)$")


def _vocabulary(data: Any, keys: set[str], words: set[str]) -> None:
    """Every key and short string in the real content: fuzzing with them gets deeper."""
    if isinstance(data, dict):
        for key, value in data.items():
            keys.add(str(key))
            _vocabulary(value, keys, words)
    elif isinstance(data, list):
        for value in data:
            _vocabulary(value, keys, words)
    elif isinstance(data, str) and len(data) < 40:
        words.add(data)


_KEYS: set[str] = set()
_WORDS: set[str] = set()
for _data in PARSED.values():
    _vocabulary(_data, _KEYS, _WORDS)
KEYS, WORDS = sorted(_KEYS), sorted(_WORDS)

yaml_scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70)
                | st.floats(allow_nan=True, allow_infinity=True)
                | st.text(max_size=40) | st.sampled_from(WORDS)
                | st.dates() | st.datetimes()
                | st.sampled_from(["{{ name }}", "{% if x %}", "{{", "(?P<", "[a-", "*+",
                                   "yes", "no", "on", "off", "~", "0x1F", "1e400", "-.inf"]))
yaml_trees = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=6)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10) | st.integers(-5, 5),
                      inner, max_size=6),
    max_leaves=40)
yaml_specials = st.sampled_from(list(":-[]{}&*!|>'\"%@`#,?\t\n ") + ["\n  ", "\n- ", ": ",
                                                                   "&a ", "*a", "!!python/",
                                                                   "<<: ", "---\n", "...\n"])


# --- content ------------------------------------------------------------------------------


def _paths(data: Any, here: tuple = ()) -> list[tuple]:
    """Every path to a node in a parsed YAML document."""
    found = [here]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, here + (key,))
    elif isinstance(data, list):
        for n, value in enumerate(data):
            found += _paths(value, here + (n,))
    return found


def _replace(data: Any, path: tuple, new: Any, remove: bool) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(data, default=str))  # a deep copy of plain data
    parent = copy
    for part in path[:-1]:
        parent = parent[part if isinstance(parent, list) else str(part)]
    last = path[-1] if isinstance(parent, list) else str(path[-1])
    if remove:
        del parent[last]
    else:
        parent[last] = new
    return copy


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


#: The ways a content file is broken; each gets its share of the examples.
MUTATION_KINDS = ("replace file", "replace node", "remove node", "edit text", "random bytes",
                  "delete file")


@st.composite
def content_mutation(draw, kind: str) -> tuple[str, str, bytes | None]:
    """(kind, file name, new bytes or None to delete the file)."""
    name = draw(st.sampled_from(FILES))
    if kind == "replace file":
        return kind, name, _dump(draw(yaml_trees)).encode("utf-8")
    if kind in ("replace node", "remove node"):
        paths = _paths(PARSED[name])
        path = draw(st.sampled_from(paths[1:] if kind == "remove node" else paths))
        new = draw(yaml_trees) if kind == "replace node" else None
        return kind, name, _dump(_replace(PARSED[name], path, new, kind == "remove node")
                                 ).encode("utf-8")
    if kind == "edit text":
        text = ORIGINAL[name]
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(text)))
            action = draw(st.sampled_from(["insert", "delete", "truncate", "duplicate"]))
            if action == "insert":
                piece = draw(yaml_specials | st.text(max_size=8))
                text = text[:at] + piece + text[at:]
            elif action == "delete":
                text = text[:at] + text[at + draw(st.integers(1, 200)):]
            elif action == "truncate":
                text = text[:at]
            else:
                end = text.find("\n", at)
                line = text[at:end + 1] if end >= 0 else text[at:]
                text = text[:at] + line * draw(st.integers(2, 5)) + text[at:]
        return kind, name, text.encode("utf-8")
    if kind == "random bytes":
        return kind, name, draw(st.binary(max_size=300))
    return kind, name, None


@pytest.mark.parametrize("kind", MUTATION_KINDS)
def test_content_loading_gives_content_or_problems_never_an_exception(figures, kind):
    """Each kind of damage is tried on its own share of the examples, so every kind
    is tried on every run (drawn at random among them, one could go untried)."""
    seen: Counter = Counter()

    @settings(FUZZ_SETTINGS, max_examples=max(10, EXAMPLES // len(MUTATION_KINDS)))
    @given(mutation=content_mutation(kind))
    @example(mutation=("replace file", "actions.yaml",  # found by this test: keys with
                       b'"bad\nkey\x1b[31m": 1\n"\x1e": 2\n'))  # control characters
    def check(mutation: tuple[str, str, bytes | None]) -> None:
        kind, name, data = mutation
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "content"
            shutil.copytree(CONTENT, copy)
            if data is None:
                (copy / name).unlink()
            else:
                (copy / name).write_bytes(data)
            content, problems = validate_directory(copy)
        assert (content is None) == bool(problems)
        for line in problems:
            assert line.isprintable(), repr(line)  # one readable line per problem
            match = PROBLEM.match(line)
            assert match, line
            assert match["file"].startswith(str(copy)), line
            assert int(match["line"]) >= 1
            assert "Traceback" not in line
        seen[(kind, "valid" if content is not None else "problems")] += 1

    check()
    figures["fuzz.content.examples"] = figures.get("fuzz.content.examples", 0) + sum(
        seen.values())
    figures.setdefault("fuzz.content.by_kind", {}).update(_by_kind(seen))
    figures["fuzz.content.unhandled_exceptions"] = 0
    tried = sum(count for (tried_kind, _), count in seen.items() if tried_kind == kind)
    share = max(10, EXAMPLES // len(MUTATION_KINDS)) * 0.9
    # Deleting a file has one example per file: every one of them, then.
    assert tried >= (len(FILES) if kind == "delete file" else share), seen


def _by_kind(seen: Counter) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for (kind, outcome), count in sorted(seen.items()):
        table.setdefault(kind, {})[outcome] = count
    return table


# --- workbook files -----------------------------------------------------------------------


def _base_export() -> dict:
    """A valid export of a client with every kind of record."""
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "base.db") as store:
        client = store.create_client("Fuzz Base")
        app = store.add(model.Application(client_id=client.id, company="Acme", role="Analyst",
                                          stage="interview", applied_on=date(2024, 3, 1),
                                          outcome="rejected", outcome_on=date(2024, 3, 20)))
        store.add(model.Application(client_id=client.id, company="Globex"))
        store.add(model.Feedback(client_id=client.id, application_id=app.id, person="HR",
                                 heard="More SQL.", scenario_id="skill_gap"))
        store.set_answer(client.id, "strengths", ["stories", {"n": 1}])
        store.set_answer(client.id, "skill", "not shown", application_id=app.id)
        store.add(model.CheckIn(client_id=client.id, mood=40, note="flat",
                                at=datetime(2024, 3, 21, 9, 30, tzinfo=UTC)))
        store.add(model.ThoughtRecord(client_id=client.id, assumption="too old"))
        store.add(model.Action(client_id=client.id, title="Learn SQL", due_on=date(2024, 4, 1),
                               application_id=app.id))
        store.add(model.Contact(client_id=client.id, name="Grace"))
        store.add(model.Note(client_id=client.id, text="Private."))
        return build_workbook(store, client.id, include_notes=True)


BASE = _base_export()

json_scalars = (st.none() | st.booleans() | st.integers(-2**64, 2**64)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30)
                | st.sampled_from(["", "2024-02-30", "2024-01-01T00:00:00Z", "abcdef012345",
                                   "../../etc/passwd", "\x00", "rejected", "interview",
                                   BASE["client"]["id"], "x" * 600]))
json_trees = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.sampled_from(sorted({k for items in BASE["records"].values()
                                              for item in items for k in item}
                                             | set(BASE) | set(TABLES)))
                      | st.text(max_size=8), inner, max_size=6),
    max_leaves=30)


def _signed(doc: Any) -> bytes:
    if isinstance(doc, dict):
        body = {k: v for k, v in doc.items() if k != "checksum"}
        with contextlib.suppress(TypeError, ValueError):  # NaN cannot be signed
            doc = {**body, "checksum": checksum(body)}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _mutate(doc: Any, draw) -> Any:
    """Drop a key, change a type, duplicate an item or swap in a random tree somewhere."""
    paths = _paths(doc)
    path = draw(st.sampled_from(paths))
    action = draw(st.sampled_from(["drop", "retype", "duplicate", "random"]))
    copy = json.loads(json.dumps(doc))
    if not path:
        return draw(json_trees) if action != "drop" else {}
    parent = copy
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "drop":
        del parent[last]
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(last, json.loads(json.dumps(parent[last])))
    elif action == "retype":
        value = parent[last]
        parent[last] = ([value] if not isinstance(value, list) else
                        (value[0] if value else None)) if draw(st.booleans()) else str(value)
    else:
        parent[last] = draw(json_trees)
    return copy


@st.composite
def workbook_input(draw) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["random json", "random records, signed",
                                 "mutated export, signed", "damaged bytes"]))
    if kind == "random json":
        return kind, json.dumps(draw(json_trees)).encode("utf-8")
    if kind == "random records, signed":
        doc = {**BASE, "client": draw(json_trees | st.just(BASE["client"])),
               "records": draw(st.dictionaries(st.sampled_from(sorted(TABLES)), json_trees,
                                               max_size=4) | json_trees)}
        return kind, _signed(doc)
    if kind == "mutated export, signed":
        doc = BASE
        for _ in range(draw(st.integers(1, 3))):
            doc = _mutate(doc, draw)
        return kind, _signed(doc)
    raw = bytearray(workbook_bytes(BASE))
    action = draw(st.sampled_from(["truncate", "flip", "splice"]))
    at = draw(st.integers(0, len(raw) - 1))
    if action == "truncate":
        raw = raw[:at]
    elif action == "flip":
        raw[at] ^= draw(st.integers(1, 255))
    else:
        raw[at:at] = draw(st.binary(min_size=1, max_size=20)
                          | st.sampled_from([b"{", b"}", b"\"", b",", b"\xff\xfe", b"\\u0000"]))
    return f"{kind}: {action}", bytes(raw)


@pytest.fixture
def target_store(store):
    """The store imports go into: on SQLite and on PostgreSQL (``--databases``)."""
    return store


def _rows(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(table)).scalar()
                for name, table in TABLES.items()}


def test_workbook_import_loads_or_refuses_never_an_exception(backend, target_store, figures):
    seen: Counter = Counter()

    @FUZZ_SETTINGS
    @given(case=workbook_input())
    def check(case: tuple[str, bytes]) -> None:
        kind, raw = case
        kind = kind.split(":")[0]
        before = _rows(target_store)
        try:
            client = import_workbook(target_store, raw)
        except WorkbookError as exc:
            message = str(exc)
            assert message and "Traceback" not in message
            assert _rows(target_store) == before  # a refused file writes nothing
            seen[(kind, "refused")] += 1
            return
        assert target_store.get_client(client.id) == client
        target_store.erase_client(client.id)
        assert _rows(target_store) == before
        seen[(kind, "imported")] += 1

    check()
    key = "fuzz.workbook" if backend == "sqlite" else f"fuzz.workbook.{backend}"
    figures[f"{key}.examples"] = sum(seen.values())
    figures[f"{key}.by_kind"] = _by_kind(seen)
    figures[f"{key}.unhandled_exceptions"] = 0
    assert sum(seen.values()) >= EXAMPLES * 0.9
    assert {kind for kind, _ in seen} == {"random json", "random records, signed",
                                          "mutated export, signed", "damaged bytes"}


def test_the_base_export_itself_imports(target_store):
    """The fuzzer's starting point is valid, so its mutations test what they change."""
    client = import_workbook(target_store, workbook_bytes(BASE))
    assert client.name == "Fuzz Base"
    assert len(target_store.list(model.Application, client.id)) == 2
    target_store.erase_client(client.id)

