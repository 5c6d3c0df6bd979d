"""Shared fixtures: a store on a fresh database, the shipped content, and a
client with one record of every kind.

The ``store`` fixture (and everything built on it) runs each test once per
database chosen with ``--databases`` or ``NEXTROUND_TEST_DATABASES``
(``sqlite``, ``postgresql`` or both, comma-separated; both by default). A
test that is about one database only says so with
``@pytest.mark.databases("sqlite")``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from nextround import model
from nextround.store import TABLES, Store

#: Every database the store supports, in the order tests run on them.
DATABASES = ("sqlite", "postgresql")


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--databases", default=None,
        help="comma-separated databases the store tests run on: sqlite, postgresql "
             "(default: $NEXTROUND_TEST_DATABASES, else both for tests/store and "
             "tests/reliability and SQLite for the rest)")


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "databases(*names): the only databases this test applies to")


#: Where every test runs on both databases by default; elsewhere (the components,
#: which reach the database only through the store's API tested there) SQLite
#: is the default, to keep the whole suite inside CI's time. Asking for
#: databases runs every test on them.
BOTH_BY_DEFAULT = ("store", "reliability")


def chosen_databases(config, path: Path | None = None) -> list[str]:
    """The databases asked for on the command line or in the environment, else
    the default for the test file at ``path``."""
    asked = config.getoption("--databases") or os.environ.get("NEXTROUND_TEST_DATABASES", "")
    if not asked:
        both = path is None or path.parent.name in BOTH_BY_DEFAULT
        asked = ",".join(DATABASES) if both else "sqlite"
    names = [name.strip() for name in asked.split(",") if name.strip()]
    unknown = sorted(set(names) - set(DATABASES))
    if unknown:
        raise pytest.UsageError(f"--databases: unknown {', '.join(unknown)}; "
                                f"choose from {', '.join(DATABASES)}")
    return names


def pytest_generate_tests(metafunc) -> None:
    """Run every test that uses ``backend`` (through ``store`` and the rest) once
    per chosen database that the test applies to."""
    if "backend" not in metafunc.fixturenames:
        return
    names = chosen_databases(metafunc.config, Path(str(metafunc.definition.fspath)))
    marker = metafunc.definition.get_closest_marker("databases")
    if marker is not None:
        names = [name for name in names if name in marker.args]
    metafunc.parametrize("backend", names, scope="function")


#: Browser tests keep both cores busy (Chromium, the server, its kernels).
BROWSER_TESTS = Path(__file__).parent / "browser"
HEAD_STARTS_BEGUN = False


@pytest.fixture(autouse=True)
def head_starts(request, tmp_path_factory) -> None:
    """At the first test outside ``tests/browser``, begin in the background the slow setup
    of every selected module that names one in ``HEAD_START`` (``tests/head_start.py``),
    in the order the tests run: it uses the core a test run in this process leaves idle."""
    global HEAD_STARTS_BEGUN
    if HEAD_STARTS_BEGUN or BROWSER_TESTS in request.node.path.parents:
        return
    HEAD_STARTS_BEGUN = True
    from head_start import HeadStart

    started: list[HeadStart] = []
    for item in request.session.items:
        head = getattr(getattr(item, "module", None), "HEAD_START", None)
        if isinstance(head, HeadStart) and head not in started:
            started.append(head)
    for head in started:
        head.start(tmp_path_factory.mktemp(head.name))


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the whole run, started on first use (``postgres_server``)."""
    from postgres_server import PostgresServer

    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def shared_postgres_database(postgres) -> str:
    """The URL of one database with today's schema, emptied before each test that
    uses it: much faster than making a database per test, which with ``fsync``
    on costs a second or more on a busy machine."""
    url = postgres.new_database("nextround_tests")
    Store(url).close()
    return url


def empty_every_table(url: str) -> None:
    """Remove every row a test may have left in any table (people, assignments and
    the audit log too), keeping the schema and its recorded version. As the
    superuser, the audit log's own refusal of TRUNCATE lets it through."""
    from sqlalchemy import create_engine, inspect

    kept = {"schema_version", "alembic_version"}
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            tables = [name for name in inspect(conn).get_table_names() if name not in kept]
            conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{name}"' for name in tables))
    finally:
        engine.dispose()


@pytest.fixture
def new_database_target(request, tmp_path: Path) -> Callable[[], str | Path]:
    """Makes new, empty databases of the test's kind: SQLite files, or PostgreSQL
    databases with today's schema (dropped after the test)."""
    made: list[str] = []
    backend = request.getfixturevalue("backend")

    def make() -> str | Path:
        if backend == "sqlite":
            return tmp_path / f"nextround-{len(made) + 1}.db"
        postgres = request.getfixturevalue("postgres")
        template = request.getfixturevalue("shared_postgres_database").rsplit("/", 1)[1]
        empty_every_table(postgres.url(template))
        made.append(postgres.new_database(template=template))
        return made[-1]

    yield make
    for url in made:
        request.getfixturevalue("postgres").drop_database(url)


@pytest.fixture
def fresh_database_target(request, backend: str, tmp_path: Path) -> Callable[[], str | Path]:
    """Gives an empty database each time it is called: a new SQLite file, or the
    shared PostgreSQL test database emptied again (for many short examples)."""
    made = 0

    def fresh() -> str | Path:
        nonlocal made
        made += 1
        if backend == "sqlite":
            return tmp_path / f"fresh-{made}.db"
        url = request.getfixturevalue("shared_postgres_database")
        empty_every_table(url)
        return url

    return fresh


@pytest.fixture
def database_target(request, backend: str, tmp_path: Path) -> str | Path:
    """Where the test's store lives: a new SQLite file, or the shared PostgreSQL
    test database with every table emptied."""
    if backend == "sqlite":
        return tmp_path / "nextround.db"
    url = request.getfixturevalue("shared_postgres_database")
    empty_every_table(url)
    return url


@pytest.fixture
def store(database_target) -> Iterator[Store]:
    """A store on its own new database, closed after the test."""
    opened = Store(database_target)
    yield opened
    opened.close()


@pytest.fixture
def postgres_url(postgres) -> str:
    """The URL of a new, empty PostgreSQL database, as its superuser."""
    return postgres.new_database()


@pytest.fixture
def content():
    """The shipped content, loaded and validated."""
    from nextround.content import load_content

    return load_content()


@pytest.fixture
def count_rows(store: Store) -> Callable[[], dict[str, int]]:
    """A function giving the number of rows in every table, read directly."""

    def count() -> dict[str, int]:
        with store.engine.connect() as conn:
            return {name: conn.execute(select(func.count()).select_from(table)).scalar()
                    for name, table in TABLES.items()}

    return count


@pytest.fixture
def filled_client(store: Store) -> model.Client:
    """A client ("Ada Lovelace") with at least one record of every kind."""
    client = store.create_client("Ada Lovelace")
    app = store.add(model.Application(client_id=client.id, company="Acme & Sons", role="Analyst",
                                      stage="interview", applied_on=date(2024, 3, 1),
                                      outcome="rejected", outcome_on=date(2024, 3, 20)))
    store.add(model.Application(client_id=client.id, company="Globex"))
    store.add(model.Feedback(client_id=client.id, application_id=app.id, person="Hiring manager",
                             heard="Another candidate had more SQL.", scenario_id="skill_gap"))
    store.set_answer(client.id, "strengths", ["stories", "numbers"])
    store.set_answer(client.id, "skill_real", "not shown", application_id=app.id)
    store.set_state(client.id, step="assess", application=app.id)
    store.add(model.CheckIn(client_id=client.id, mood=40, note="flat",
                            at=datetime(2024, 3, 21, 9, 30, tzinfo=UTC)))
    store.add(model.ThoughtRecord(client_id=client.id, assumption="They didn't like me",
                                  reframe="I can practise rapport"))
    store.add(model.Action(client_id=client.id, title="Learn SQL joins", due_on=date(2024, 4, 1),
                           application_id=app.id))
    store.add(model.Action(client_id=client.id, title="Practise interviews", done=True))
    store.add(model.Contact(client_id=client.id, name="Grace", company="Acme & Sons"))
    store.add(model.Note(client_id=client.id, text="Private: client was upset."))
    return client


@pytest.fixture
def client(store):
    """A client of the step tests (a module may define its own)."""
    return store.create_client("Amira Haddad")


@pytest.fixture
def rejection(store, client):
    """A logged rejection with a contact, not yet chosen as the one worked on."""
    return store.add(model.Application(
        client_id=client.id, company="Northwind", role="Data Analyst", stage="interview",
        applied_on=date(2025, 1, 6), outcome="rejected", outcome_on=date(2025, 2, 3),
        contact_name="Sam Lee"))
