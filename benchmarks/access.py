"""What row-level security costs a counsellor reading a caseload on PostgreSQL.

Starts the tests' throwaway PostgreSQL server (``tests/postgres_server.py``),
makes a service's database (owned by a role that is not a superuser, so the
owner's reads go through its own policy as well), seeds ``--clients`` clients
shared by ``--counsellors`` counsellors, each client with applications,
answers, check-ins and a note, and secures it. Then it times, median of
``--repeats`` runs each, the reads a caseload view makes:

* as the owner, every client's applications and answers (``list_all``);
* as one counsellor, the same calls, which the policies cut to their clients;
* as one client, their own applications.

Run from the repository root::

    .venv/bin/python benchmarks/access.py
    .venv/bin/python benchmarks/access.py --clients 3000 --counsellors 10

Figures are printed; nothing is stored.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "store"))

from postgres_server import PostgresServer  # noqa: E402
from test_access import _owner  # noqa: E402

from nextround import model  # noqa: E402
from nextround.store import Store  # noqa: E402
from nextround.store.access import create_login, secure  # noqa: E402


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def seed(store: Store, clients: int, counsellors: int) -> tuple[list[str], str]:
    """The counsellors' person ids, and one client's id (who signs in)."""
    people = [store.add_person("counsellor", f"Counsellor {n}") for n in range(counsellors)]
    made = [model.Client(name=f"Client {n}") for n in range(clients)]
    records: list[model.Record] = list(made)
    for client in made:
        records += [model.Application(client_id=client.id, company=f"Company {k}")
                    for k in range(3)]
        records += [model.Answer(client_id=client.id, key=f"q{k}", value="an answer")
                    for k in range(5)]
        records += [model.CheckIn(client_id=client.id, mood=50),
                    model.Note(client_id=client.id, text="a private note")]
    store.add_many(records)
    for n, client in enumerate(made):
        store.assign(client.id, people[n % counsellors].id)
    store.add_person("client", "", client_id=made[0].id)
    return [p.id for p in people], made[0].id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--counsellors", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    server = PostgresServer().start()
    try:
        owner_url = _owner(server)
        with Store(owner_url) as store:
            started = time.perf_counter()
            counsellor_ids, client_id = seed(store, args.clients, args.counsellors)
            seeded = time.perf_counter() - started
            client_person = next(p for p in store.list_people("client"))
        secure(owner_url)
        counsellor = create_login(owner_url, counsellor_ids[0])
        client = create_login(owner_url, client_person.id)
        print(f"{args.clients} clients, {args.counsellors} counsellors "
              f"(seeded in {seeded:.1f} s); median of {args.repeats}")
        for who, url in (("owner", owner_url), ("counsellor", counsellor.url)):
            with Store(url) as store:
                rows = len(store.list_all(model.Application))
                apps = median_seconds(lambda s=store: s.list_all(model.Application),
                                      args.repeats)
                answers = median_seconds(lambda s=store: s.list_all(model.Answer),
                                         args.repeats)
                listed = median_seconds(store.list_clients, args.repeats)
                print(f"  {who:<10} list_all(Application) {apps * 1000:7.1f} ms "
                      f"({rows} rows), list_all(Answer) {answers * 1000:7.1f} ms, "
                      f"list_clients {listed * 1000:6.1f} ms")
        with Store(client.url) as store:
            own = median_seconds(lambda: store.list(model.Application, client_id),
                                 args.repeats)
            print(f"  {'client':<10} list(Application) of their own {own * 1000:7.1f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
