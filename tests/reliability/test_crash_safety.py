"""Crash safety: SIGKILL a writer at many points and check nothing committed is lost.

A child process makes a stream of writes of every kind the app makes (add
an application, update it, answer a question, move a counter, add a
check-in, import a whole client, erase one). After each commit it reports
the write on a pipe. The parent kills it with SIGKILL at a chosen point (after
a number of reports plus a random sub-millisecond-to-millisecond delay, so
kills land inside transactions, between commit and report, while the store
opens, and during erase's VACUUM), then checks:

* ``PRAGMA integrity_check`` is ``ok`` and no foreign key dangles (on
  PostgreSQL, which checks its own pages and keys: no record of a client
  who is not there, and no link to an application that is not there);
* every write the child reported is in the database, with its value;
* imports and erases are all or nothing: every other client is whole.

A second test kills children while they create and migrate a new database,
and a third kills a child that exports the same workbook file again and
again: the file left behind is always a complete, checksummed workbook,
the old one or the new one.

Children are forked from the test process, which has already imported
NextRound (and Alembic, which the store loads only to migrate), so a kill
point costs milliseconds rather than an interpreter start, and the kills
of the second test land in the migration rather than in an import.

Each test runs on SQLite and on PostgreSQL. On PostgreSQL the child is a
client of the server: killing it mid-transaction drops its connection, and
the server must roll back exactly what was not committed.
"""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_support import scaled

from nextround import model
from nextround.exports import export_workbook, parse_workbook
from nextround.store import MIGRATIONS, TABLES, Store
from nextround.store import revisions as _alembic_loaded_before_forking  # noqa: F401

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")

#: SIGKILLs in a stream of writes. A kill point on PostgreSQL costs a new
#: connection and the server's cleanup of the dead one, so CI makes fewer.
KILL_POINTS = {"sqlite": scaled(100, 400), "postgresql": scaled(30, 400)}
MIGRATION_KILLS = scaled(20, 100)
EXPORT_KILLS = scaled(30, 150)
SEED = 20261126
#: How long the parent waits for one report before calling the child stuck.
REPORT_TIMEOUT = 30.0


# --- a child process on a pipe --------------------------------------------------------


class Child:
    """A forked child running ``body(report)``; ``report(line)`` writes one line."""

    def __init__(self, body: Callable[[Callable[[str], None]], None]):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            code = 0
            try:
                os.close(read_fd)

                def report(line: str) -> None:
                    os.write(write_fd, (line + "\n").encode("utf-8"))

                body(report)
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                os.write(write_fd, f"error {type(exc).__name__}: {exc}\n".encode()[:3000])
                code = 3
            os._exit(code)
        os.close(write_fd)
        self.pid, self.fd = pid, read_fd
        self.lines: list[str] = []
        self._partial = b""

    def _read(self, timeout: float) -> bool:
        """Read what is there; False at end of file."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        chunk = os.read(self.fd, 65536)
        if not chunk:
            return False
        data = self._partial + chunk
        *complete, self._partial = data.split(b"\n")
        for raw in complete:
            line = raw.decode("utf-8")
            if line.startswith("error "):
                raise AssertionError(f"the child failed: {line}")
            self.lines.append(line)
        return True

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + REPORT_TIMEOUT
        while len(self.lines) < count:
            if time.monotonic() > deadline or not self._read(0.5):
                raise AssertionError(f"the child stopped after {len(self.lines)} reports")

    def kill(self) -> None:
        """SIGKILL, then collect every complete line written before death."""
        os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        while self._read(5.0):
            pass
        os.close(self.fd)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
            f"the child ended by itself (status {status}) before the kill")


def _integrity(target: str | Path) -> tuple[str, list]:
    """SQLite's own checks of a file; on PostgreSQL, records left without their
    client or pointing at an application that is not there."""
    if isinstance(target, str):
        from sqlalchemy import create_engine

        engine = create_engine(target)
        with engine.connect() as conn:
            orphans = []
            for name in model.CHILD_RECORDS:
                orphans += conn.exec_driver_sql(
                    f"SELECT '{name}', id FROM {name} WHERE client_id NOT IN "
                    "(SELECT id FROM clients)").all()
                if "application_id" in TABLES[name].c:
                    orphans += conn.exec_driver_sql(
                        f"SELECT '{name}', id FROM {name} WHERE application_id <> '' AND "
                        "application_id NOT IN (SELECT id FROM applications)").all()
        engine.dispose()
        return "ok", orphans
    conn = sqlite3.connect(target)
    try:
        return (conn.execute("PRAGMA integrity_check").fetchone()[0],
                conn.execute("PRAGMA foreign_key_check").fetchall())
    finally:
        conn.close()


# --- a stream of writes ------------------------------------------------------------------

KINDS = ("app", "upd", "ans", "cnt", "chk", "imp", "era")
MINI = {"applications": 3, "checkins": 3, "answers": 2}


def _mini_client(n: int) -> dict:
    """A small whole client for the import step (fresh ids every time)."""
    client = model.Client(name=f"imported {n}")
    apps = [model.Application(client_id=client.id, company=f"i{n}.{k}")
            for k in range(MINI["applications"])]
    return {
        "client": client.model_dump(mode="json"),
        "applications": [a.model_dump(mode="json") for a in apps],
        "checkins": [model.CheckIn(client_id=client.id, mood=k).model_dump(mode="json")
                     for k in range(MINI["checkins"])],
        "answers": [model.Answer(client_id=client.id, key=f"q{k}", value=n,
                                 application_id=apps[0].id).model_dump(mode="json")
                    for k in range(MINI["answers"])],
    }


def _writer(db: str | Path, client_id: str, start: int) -> Callable[[Callable[[str], None]], None]:
    """The child's work: numbered writes, one transaction each, reported after commit."""

    def body(report: Callable[[str], None]) -> None:
        store = Store(db)
        app_id = imported = ""
        for step in range(1_000_000):
            n = start + step
            kind = KINDS[step % len(KINDS)]
            if kind == "app":
                app_id = store.add(model.Application(client_id=client_id, company=f"a{n}")).id
                report(f"app {n} {app_id}")
            elif kind == "upd":
                store.update(model.Application, app_id, company=f"u{n}", stage="interview")
                report(f"upd {n} {app_id}")
            elif kind == "ans":
                store.set_answer(client_id, f"k{n}", {"n": n, "text": "x" * (n % 500)})
                report(f"ans {n} k{n}")
            elif kind == "cnt":
                store.set_answer(client_id, "counter", n)
                report(f"cnt {n} counter")
            elif kind == "chk":
                record = store.add(model.CheckIn(client_id=client_id, mood=n % 101,
                                                 note=f"note {n}"))
                report(f"chk {n} {record.id}")
            elif kind == "imp":
                imported = store.import_records(_mini_client(n)).id
                report(f"imp {n} {imported}")
            else:
                store.erase_client(imported)
                report(f"era {n} {imported}")

    return body


class Ledger:
    """What the children reported, and the checks each report implies."""

    def __init__(self, client_id: str):
        self.client_id = client_id
        self.reports: list[tuple[str, int, str]] = []
        self.counter = -1
        #: Imported clients whose erase was the write in flight at the kill:
        #: it may or may not have committed.
        self.maybe_erased: set[str] = set()

    def add(self, lines: list[str]) -> None:
        """One child's reports, in order."""
        for line in lines:
            kind, n, ident = line.split(" ")
            self.reports.append((kind, int(n), ident))
            if kind == "cnt":
                self.counter = max(self.counter, int(n))
        if self.reports and lines and self.reports[-1][0] == "imp":
            self.maybe_erased.add(self.reports[-1][2])

    def last_number(self) -> int:
        return max((n for _, n, _ in self.reports), default=0)

    def check(self, store: Store, reports: list[tuple[str, int, str]]) -> None:
        cid = self.client_id
        apps = {a.id: a for a in store.list(model.Application, cid)}
        answers = store.answers(cid)
        checkins = {c.id for c in store.list(model.CheckIn, cid)}
        clients = {c.id for c in store.list_clients()}
        erased = {ident for kind, _, ident in self.reports if kind == "era"}
        for kind, n, ident in reports:
            where = f"{kind} {n} {ident}"
            if kind == "app":
                assert ident in apps, where
            elif kind == "upd":
                assert (apps[ident].company, apps[ident].stage) == (f"u{n}", "interview"), where
            elif kind == "ans":
                assert answers[ident] == {"n": n, "text": "x" * (n % 500)}, where
            elif kind == "chk":
                assert ident in checkins, where
            elif kind == "imp" and ident not in erased | self.maybe_erased:
                assert ident in clients, where
            elif kind == "era":
                assert ident not in clients, where
        assert answers.get("counter", -1) >= self.counter
        for other in clients - {cid}:  # imports and erases are all or nothing
            counts = {name: len(store.list(model.CHILD_RECORDS[name], other)) for name in MINI}
            assert counts == MINI, (other, counts)

    def unreported(self, store: Store) -> int:
        """Writes that committed although the kill came before their report."""
        reported_apps = {i for k, _, i in self.reports if k == "app"}
        reported_checkins = {i for k, _, i in self.reports if k == "chk"}
        apps = {a.id for a in store.list(model.Application, self.client_id)}
        checkins = {c.id for c in store.list(model.CheckIn, self.client_id)}
        return len(apps - reported_apps) + len(checkins - reported_checkins)


def test_every_reported_write_survives_sigkill_at_many_points(backend, database_target,
                                                             figures):
    db, kill_points = database_target, KILL_POINTS[backend]
    with Store(db) as store:
        client_id = store.create_client("Crash test").id
    ledger = Ledger(client_id)
    rng = random.Random(SEED)
    points: set[tuple[int, int]] = set()
    unreported = between = 0
    started = time.monotonic()
    for _ in range(kill_points):
        after = rng.randrange(0, 12)
        delay_us = rng.randrange(0, 4000)
        points.add((after, delay_us))
        child = Child(_writer(db, client_id, ledger.last_number() + 2))
        child.wait_for(after)
        time.sleep(delay_us / 1e6)
        child.kill()
        before_round = len(ledger.reports)
        ledger.add(child.lines)
        assert _integrity(db) == ("ok", [])
        with Store(db) as reopened:
            ledger.check(reopened, ledger.reports[before_round:])
            now_unreported = ledger.unreported(reopened)
        between += now_unreported > unreported  # this kill fell between commit and report
        unreported = now_unreported
    with Store(db) as reopened:
        ledger.check(reopened, ledger.reports)  # everything, from every round, at the end
        assert reopened.schema_version() == len(MIGRATIONS)
    elapsed = time.monotonic() - started
    kinds = Counter(kind for kind, _, _ in ledger.reports)
    assert len(points) >= kill_points * 0.95
    assert set(kinds) == set(KINDS)
    key = _key(backend)
    figures[f"{key}.kill_points"] = kill_points
    figures[f"{key}.distinct_kill_points"] = len(points)
    figures[f"{key}.reported_writes_checked"] = len(ledger.reports)
    figures[f"{key}.reported_writes_by_kind"] = dict(sorted(kinds.items()))
    figures[f"{key}.kills_between_commit_and_report"] = between
    figures[f"{key}.seconds"] = round(elapsed, 1)


def _key(backend: str) -> str:
    """The figures' prefix: SQLite's keep the names they always had."""
    return "crash" if backend == "sqlite" else f"crash.{backend}"


def test_a_kill_while_the_database_is_created_and_migrated_leaves_it_usable(
        request, backend, tmp_path, figures):
    """Kill children within the first milliseconds of opening a brand-new database
    (on PostgreSQL, a new empty database on the server)."""
    rng = random.Random(SEED + 1)
    found = Counter()
    made: list[str] = []
    for n in range(MIGRATION_KILLS):
        if backend == "sqlite":
            db: str | Path = tmp_path / f"new-{n}.db"
        else:
            db = request.getfixturevalue("postgres").new_database("nextround_migrated")
            made.append(db)

        def body(report: Callable[[str], None], db: str | Path = db) -> None:
            report("start")
            store = Store(db)
            report("open")
            client = store.create_client("First")
            report(f"client {client.id}")
            while True:
                store.add(model.CheckIn(client_id=client.id, mood=1))

        child = Child(body)
        child.wait_for(1)
        time.sleep(rng.randrange(0, 250_000) / 1e6)
        child.kill()
        found[_version_on_disk(db)] += 1
        if isinstance(db, Path):  # PostgreSQL's DDL is transactional: checked once reopened
            assert not db.exists() or _integrity(db) == ("ok", [])
        with Store(db) as reopened:  # finishes any migration the kill interrupted
            assert reopened.schema_version() == len(MIGRATIONS)
            created = [line.split(" ")[1] for line in child.lines if line.startswith("client")]
            assert [c.id for c in reopened.list_clients()][:len(created)] == created
        assert _integrity(db) == ("ok", [])
    for url in made:
        request.getfixturevalue("postgres").drop_database(url)
    figures[f"{_key(backend)}.migration_kills"] = MIGRATION_KILLS
    figures[f"{_key(backend)}.migration_kills_by_state_found"] = dict(sorted(found.items()))
    assert sum(found.values()) == MIGRATION_KILLS


def _version_on_disk(db: str | Path) -> str:
    """How far a killed child got: 'no file', 'no schema yet', or 'version N'."""
    if isinstance(db, str):
        from sqlalchemy import create_engine, inspect

        engine = create_engine(db)
        try:
            with engine.connect() as conn:
                if not inspect(conn).has_table("schema_version"):
                    return "no schema yet"
                version = conn.exec_driver_sql("SELECT max(version) FROM schema_version"
                                               ).scalar()
        finally:
            engine.dispose()
        return f"version {version or 0}"
    if not db.exists():
        return "no file"
    conn = sqlite3.connect(db)
    try:
        version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    except sqlite3.OperationalError:
        return "no schema yet"
    finally:
        conn.close()
    return f"version {version or 0}"


def test_a_kill_during_export_leaves_the_old_or_the_new_file_whole(tmp_path, figures):
    db = tmp_path / "export.db"
    target = tmp_path / "out" / "workbook.json"
    target.parent.mkdir()
    with Store(db) as store:
        client = store.create_client("Exporter")
        for n in range(300):
            store.add(model.CheckIn(client_id=client.id, mood=n % 101, note="n" * 200))
        export_workbook(store, client.id, target)
    in_file = in_db = 300
    rng = random.Random(SEED + 2)
    outcomes = Counter()
    for _ in range(EXPORT_KILLS):

        def body(report: Callable[[str], None]) -> None:
            store = Store(db)
            while True:
                store.add(model.CheckIn(client_id=client.id, mood=5, note="again"))
                total = len(store.list(model.CheckIn, client.id))
                export_workbook(store, client.id, target)
                report(f"exported {total}")

        child = Child(body)
        child.wait_for(rng.randrange(0, 3))
        time.sleep(rng.randrange(0, 40_000) / 1e6)
        child.kill()
        reported = [int(line.split(" ")[1]) for line in child.lines]
        # The old file is the last one reported (or the one there before this
        # child); the new one holds one more check-in than that.
        old = reported[-1] if reported else in_file
        new = (reported[-1] if reported else in_db) + 1
        doc = parse_workbook(target.read_bytes())  # raises on a partial or damaged file
        in_file = len(doc["records"]["checkins"])
        assert in_file in (old, new), (in_file, old, new)
        outcomes["new file, not yet reported" if in_file == new else "old file"] += 1
        with Store(db) as reopened:
            in_db = len(reopened.list(model.CheckIn, client.id))
    leftovers = [p.name for p in target.parent.iterdir() if p != target]
    assert all(name.startswith(".workbook.json.") and name.endswith(".tmp")
               for name in leftovers), leftovers
    figures["crash.export_kills"] = EXPORT_KILLS
    figures["crash.export_kills_mid_write_left_temp_file"] = len(leftovers)
    figures["crash.export_outcomes"] = dict(outcomes)
