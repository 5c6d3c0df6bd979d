"""Migration 4: who signs in (people) and which counsellor each client has (assignments)."""

from alembic import op

from nextround.store.migrations import apply_migration

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_migration(op.get_bind(), 4)
