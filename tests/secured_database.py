"""A PostgreSQL database run as a careers service would run it, for the tests of
what each person's role reaches.

It is owned by a role that is not a superuser (superusers pass every policy
and every grant), so the rules are tested as they bind in use.
"""

from __future__ import annotations

import secrets

from sqlalchemy import create_engine, text


def owned_database(postgres) -> str:
    """A new database owned by a new role that may create roles but is no superuser;
    the owner's URL."""
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
