"""Search segments of big content changes kept in the database, so one instance builds and the others load.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table (filled by the first instance that applies a big import)."""
    op.create_table("content_segments", sa.Column("key", sa.Text, primary_key=True),
                    sa.Column("to_version", sa.BigInteger, nullable=False), sa.Column("data", sa.LargeBinary),
                    sa.Column("created", sa.Text, nullable=False))
    op.create_index("content_segments_to_version", "content_segments", ["to_version"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_index("content_segments_to_version", "content_segments")
    op.drop_table("content_segments")
