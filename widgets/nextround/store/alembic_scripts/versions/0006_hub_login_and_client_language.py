"""Migration 6: the name each person signs in with at a hub, and each client's language."""

from alembic import op

from nextround.store.migrations import apply_migration

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_migration(op.get_bind(), 6)
