"""Concurrency: processes write to one database at once, as Voilà kernels would.

On SQLite, four processes share one file (as four kernels on a counsellor's
machine); on PostgreSQL, eight share one database (as a service's
counsellors do), 250 writes each with ``NEXTROUND_FULL=1``.

Each writer is a separate Python process with the store exactly as the app
configures it (on SQLite: WAL, busy timeout, ``BEGIN IMMEDIATE``, the usual
retries; on PostgreSQL: serializable writes, run again when they lose a
race). The writers start together (on SQLite, on a file none of them has
created yet), then each makes its writes: applications added and updated, answers, resume
state, and check-ins on one client they all share (the hottest rows). After
every write it reads back, as the app's widgets do. A fifth process builds
the counsellor's caseload over and over meanwhile.

Every exception in any process is caught and counted, and must be zero; in
particular no "database is locked" (nor the store's "stayed busy" message)
ever reaches a user, nor a serialization failure on PostgreSQL. Afterwards
every write each process reported is in the database with its value, and the
totals are exact: no lost writes.
"""

from __future__ import annotations

import json
import subprocess
import time

from reliability_support import child_env, python, scaled

from nextround import model
from nextround.store import Store

#: Processes and writes per process, on each database.
LOAD = {"sqlite": (4, scaled(250, 1000)), "postgresql": (8, scaled(40, 250))}

WRITER = r"""
import json, sys, time, traceback
from nextround import model
from nextround.store import Store

db, index, writes, shared = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sys.stdin.readline()  # wait until every process is ready
started = time.monotonic()
errors, done = [], {"client": 0, "app": [], "upd": [], "ans": [], "chk": [], "state": []}
store = client = app = None
for n in range(writes):
    try:
        if store is None:
            store = Store(db)
            client = store.create_client(f"writer {index}")
            done["client"] = 1  # creating the client is this process's first write
            continue
        kind = ("app", "upd", "ans", "chk", "state")[(n - 1) % 5]
        if kind == "app":
            app = store.add(model.Application(client_id=client.id, company=f"w{index}-{n}"))
            done["app"].append(app.id)
            assert store.get(model.Application, app.id).company == f"w{index}-{n}"
        elif kind == "upd":
            store.update(model.Application, app.id, company=f"w{index}-{n}-u", stage="offer")
            done["upd"].append([app.id, f"w{index}-{n}-u"])
            assert store.get(model.Application, app.id).stage == "offer"
        elif kind == "ans":
            store.set_answer(client.id, f"q{n}", {"writer": index, "n": n})
            done["ans"].append(f"q{n}")
            assert store.answers(client.id)[f"q{n}"] == {"writer": index, "n": n}
        elif kind == "chk":
            record = store.add(model.CheckIn(client_id=shared, mood=n % 101, note=f"w{index}"))
            done["chk"].append(record.id)
            assert store.get(model.CheckIn, record.id).note == f"w{index}"
        else:
            store.set_state(client.id, step=f"s{n}")
            done["state"].append(f"s{n}")
            assert store.get_state(client.id)["step"] == f"s{n}"
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}"[:300])
print(json.dumps({"client": client.id if client else None, "done": done, "errors": errors,
                  "seconds": time.monotonic() - started,
                  "retries": store.database.retries if store else 0}), flush=True)
"""

READER = r"""
import json, select, sys, time
from nextround.caseload import caseload
from nextround.content import load_content
from nextround.store import Store

db = sys.argv[1]
content = load_content()
sys.stdin.readline()  # go
store = Store(db)
rounds, errors = 0, []
while True:
    try:
        rows = caseload(store, content)
        rounds += 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}"[:300])
    if select.select([sys.stdin], [], [], 0)[0]:  # told to stop
        break
print(json.dumps({"rounds": rounds, "errors": errors}), flush=True)
"""


def _start(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([python(), "-c", script, *args], env=child_env(),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_concurrent_writers_lose_nothing_and_never_see_an_error(backend, database_target,
                                                               figures):
    writers_count, writes_each = LOAD[backend]
    db = str(database_target)
    with Store(db) as store:
        shared = store.create_client("Shared client")
    writers = [_start(WRITER, db, str(n), str(writes_each), shared.id)
               for n in range(writers_count)]
    reader = _start(READER, db)
    started = time.monotonic()
    for process in [*writers, reader]:
        process.stdin.write("go\n")
        process.stdin.flush()
    # the reader builds the caseload again and again until told to stop
    results = []
    for process in writers:
        out, err = process.communicate(timeout=900)
        assert process.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err, err
        results.append(json.loads(out))
    elapsed = time.monotonic() - started
    reader.stdin.write("stop\n")
    reader.stdin.flush()
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    read = json.loads(out)

    errors = [e for r in results for e in r["errors"]] + read["errors"]
    assert errors == []
    assert read["rounds"] > 0
    with Store(db) as store:
        clients = {c.id: c.name for c in store.list_clients()}
        assert len(clients) == writers_count + 1
        all_checkins = {c.id for c in store.list(model.CheckIn, shared.id)}
        for index, result in enumerate(results):
            done, client_id = result["done"], result["client"]
            assert clients[client_id] == f"writer {index}"
            apps = {a.id: a for a in store.list(model.Application, client_id)}
            assert sorted(apps) == sorted(done["app"])
            for app_id, company in done["upd"]:
                assert (apps[app_id].company, apps[app_id].stage) == (company, "offer")
            answers = store.answers(client_id)
            assert sorted(answers) == sorted(done["ans"])
            assert store.get_state(client_id) == {"step": done["state"][-1]}
            assert set(done["chk"]) <= all_checkins
        reported = [c for r in results for c in r["done"]["chk"]]
        assert len(all_checkins) == len(reported)  # nothing lost, nothing extra
        writes = sum(r["done"]["client"] + sum(len(r["done"][kind]) for kind in
                                               ("app", "upd", "ans", "chk", "state"))
                     for r in results)
        if store.is_sqlite:
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert writes == writers_count * writes_each
    key = "concurrency" if backend == "sqlite" else f"concurrency.{backend}"
    figures[f"{key}.processes"] = writers_count
    figures[f"{key}.writes_per_process"] = writes_each
    figures[f"{key}.writes_total"] = writes
    figures[f"{key}.exceptions"] = len(errors)
    figures[f"{key}.caseload_reads_meanwhile"] = read["rounds"]
    figures[f"{key}.seconds"] = round(elapsed, 1)
    figures[f"{key}.writes_per_second"] = round(writes / elapsed, 1)
    figures[f"{key}.retries"] = sum(r["retries"] for r in results)
    figures[f"{key}.slowest_writer_seconds"] = round(max(r["seconds"] for r in results), 1)
