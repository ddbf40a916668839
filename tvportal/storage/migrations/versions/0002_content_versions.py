"""Content versions: what changed, so every instance catches up with a publish by reading only that.

Adds ``content.version`` (0 for the rows already there), the tombstones of removed records, the
one-row version counter (content/tables.py explains how they work), and an index on each kind's order
so that adding a record at the end no longer scans the kind.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the version column, its tables and indexes."""
    with op.batch_alter_table("content") as batch:
        batch.add_column(sa.Column("version", sa.BigInteger, nullable=False, server_default="0"))
    op.create_index("content_kind_position", "content", ["kind", "position"])
    op.create_index("content_version_idx", "content", ["version"])
    op.create_table("content_removed", sa.Column("kind", sa.Text, nullable=False), sa.Column("id", sa.Text, nullable=False),
                    sa.Column("version", sa.BigInteger, nullable=False), sa.PrimaryKeyConstraint("kind", "id"))
    op.create_index("content_removed_version", "content_removed", ["version"])
    op.create_table("content_version", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("version", sa.BigInteger, nullable=False),
                    sa.CheckConstraint("id = 1", name="content_version_single_row"))
    op.execute("INSERT INTO content_version (id, version) VALUES (1, 0)")


def downgrade() -> None:
    """Drop what the upgrade added (the content itself is kept)."""
    op.drop_table("content_version")
    op.drop_index("content_removed_version", "content_removed")
    op.drop_table("content_removed")
    op.drop_index("content_version_idx", "content")
    op.drop_index("content_kind_position", "content")
    with op.batch_alter_table("content") as batch:
        batch.drop_column("version")
