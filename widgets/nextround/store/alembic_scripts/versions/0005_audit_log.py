"""Migration 5: the append-only audit log."""

from alembic import op

from nextround.store.migrations import apply_migration

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_migration(op.get_bind(), 5)
