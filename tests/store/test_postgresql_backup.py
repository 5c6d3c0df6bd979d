"""Backing up a shared PostgreSQL store with ``pg_dump`` and restoring it, as
``docs/deploy.md`` tells an administrator to: every record comes back."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from nextround import model
from nextround.store import Store

pytestmark = pytest.mark.databases("postgresql")


def _client_env(url: str) -> dict[str, str]:
    """libpq's settings for a URL: the password goes in the environment, never in argv."""
    parsed = make_url(url)
    return {**os.environ, "PGHOST": parsed.host, "PGPORT": str(parsed.port),
            "PGUSER": parsed.username, "PGPASSWORD": parsed.password,
            "PGDATABASE": parsed.database}


def _run(postgres, program: str, url: str, *args: str | Path) -> None:
    done = subprocess.run([str(postgres.bin_dir / program), *map(str, args)],
                          env=_client_env(url), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def _everything(store: Store) -> dict:
    """Every client's whole export (notes included), and the store-wide settings."""
    return {"clients": {c.id: store.export_records(c.id, include_notes=True)
                        for c in store.list_clients()},
            "last client": store.get_setting("app.last_client"),
            "schema": store.schema_version()}


@pytest.fixture
def filled(store, filled_client):
    """The shared store with a second client and the app's last-opened client."""
    other = store.create_client("Grace Hopper")
    for n in range(30):
        store.add(model.CheckIn(client_id=other.id, mood=n, note=f"day {n} — ✓"))
    store.set_answer(other.id, "story", {"long": "x" * 100_000, "text": "é ü 中"})
    store.set_setting("app.last_client", other.id)
    return store


@pytest.mark.parametrize("dump_format", ["custom", "plain"])
def test_a_pg_dump_restored_into_a_new_database_has_every_record(
        postgres, filled, database_target, tmp_path, dump_format):
    before = _everything(filled)
    assert len(before["clients"]) == 2
    dump = tmp_path / f"nextround.{'dump' if dump_format == 'custom' else 'sql'}"
    _run(postgres, "pg_dump", database_target, f"--format={dump_format}", "--no-owner",
         "--file", dump)

    restored_url = postgres.new_database("nextround_restored")
    try:
        if dump_format == "custom":
            _run(postgres, "pg_restore", restored_url, "--no-owner", "--exit-on-error",
                 "--dbname", make_url(restored_url).database, dump)
        else:
            _run(postgres, "psql", restored_url, "--no-psqlrc", "--set", "ON_ERROR_STOP=1",
                 "--quiet", "--file", dump)
        with Store(restored_url) as restored:
            assert _everything(restored) == before
            # and it is a working store, not a read-only copy
            restored.add(model.Note(client_id=next(iter(before["clients"])), text="after"))
    finally:
        postgres.drop_database(restored_url)
