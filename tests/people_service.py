"""A service's database for the tests: owned by a role that may make roles, no superuser
(superusers pass every policy and grant, so the rules are tested as they bind in use).

That is how a service runs it (``docs/access.md``): the owner makes the
schema, secures it and makes each person's login, and nothing more.
"""

from __future__ import annotations

import secrets

from sqlalchemy import create_engine, text


def new_owner_database(postgres) -> str:
    """A new database owned by a new CREATEROLE role; returns the owner's URL."""
    name = f"nextround_owner_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    admin = create_engine(postgres.url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE ROLE {name} LOGIN CREATEROLE PASSWORD '{password}'"))
            conn.execute(text(f"CREATE DATABASE {name} OWNER {name}"))
    finally:
        admin.dispose()
    return postgres.url(name, user=name, password=password)


def connected_as(url: str) -> str:
    """The role a URL signs in as (so a test can see an old password stop working)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT current_user")).scalar()
    finally:
        engine.dispose()
