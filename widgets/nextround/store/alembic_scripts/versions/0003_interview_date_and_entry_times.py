"""Migration 3: the interview date, and when the client last changed each record."""

from alembic import op

from nextround.store.migrations import apply_migration

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_migration(op.get_bind(), 3)
