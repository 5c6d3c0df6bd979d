"""Migration 2: store-wide settings, such as the client the app last opened."""

from alembic import op

from nextround.store.migrations import apply_migration

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_migration(op.get_bind(), 2)
