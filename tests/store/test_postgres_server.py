"""The test PostgreSQL server is real: a separate cluster, password-checked, run unprivileged."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from nextround import model
from nextround.store import Store


def test_the_server_is_a_real_postgresql_not_run_as_root(postgres, postgres_url):
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("select version()")).scalar().startswith("PostgreSQL")
            assert conn.execute(text("select current_user")).scalar() == "nextround_admin"
    finally:
        engine.dispose()
    owner = (postgres.data_dir / "PG_VERSION").stat().st_uid
    assert owner != 0


def test_a_wrong_password_is_refused(postgres):
    engine = create_engine(postgres.url(password="not-the-password"))
    try:
        with pytest.raises(OperationalError, match="password authentication failed"):
            engine.connect()
    finally:
        engine.dispose()


def test_a_store_keeps_a_client_on_postgresql(postgres_url):
    with Store(postgres_url) as store:
        client = store.create_client("Ada")
        store.set_answer(client.id, "strengths", ["stories"])
        store.add(model.Note(client_id=client.id, text="first meeting"))
    with Store(postgres_url) as reopened:
        assert [c.name for c in reopened.list_clients()] == ["Ada"]
        assert reopened.answers(client.id) == {"strengths": ["stories"]}
        assert [n.text for n in reopened.list(model.Note, client.id)] == ["first meeting"]
