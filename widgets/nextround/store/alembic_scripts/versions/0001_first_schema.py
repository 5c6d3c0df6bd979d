"""Migration 1: the first schema, one table per record type, indexed by owner."""

from alembic import op

from nextround.store.migrations import apply_migration

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_migration(op.get_bind(), 1)
