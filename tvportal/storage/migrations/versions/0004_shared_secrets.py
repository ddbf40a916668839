"""Secrets shared by every instance (the key that signs the sentences read aloud).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table; each secret is made by the first instance that needs it."""
    op.create_table("shared_secrets", sa.Column("name", sa.Text, primary_key=True),
                    sa.Column("value", sa.Text, nullable=False), sa.Column("created", sa.Text, nullable=False))


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("shared_secrets")
