"""Alembic's environment for NextRound's schema.

NextRound runs Alembic itself (:mod:`nextround.store.revisions`) and hands
over the connection of the write transaction an upgrade happens in, so this
file neither opens a database nor commits: the caller's transaction does.
"""

from alembic import context

from nextround.errors import NextRoundError

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise NextRoundError("NextRound's migrations run from NextRound: use "
                         "'nextround db upgrade --db URL'")

context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
