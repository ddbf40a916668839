"""Editor import check (issue 13): an uploaded file waits here between its check and 确认导入.

Kept in the database rather than in one process's memory, so the confirmation may reach another
portal instance behind the same proxy; rows past ``expires_at`` are removed when the next file is checked.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of pending imports."""
    op.create_table("editor_imports", sa.Column("token", sa.Text, primary_key=True),
                    sa.Column("user", sa.Text, nullable=False), sa.Column("filename", sa.Text, nullable=False),
                    sa.Column("file", sa.LargeBinary, nullable=False), sa.Column("plan", sa.Text, nullable=False),
                    sa.Column("created_at", sa.Text, nullable=False), sa.Column("expires_at", sa.Text, nullable=False))
    op.create_index("editor_imports_expires", "editor_imports", ["expires_at"])


def downgrade() -> None:
    """Drop what the upgrade added."""
    op.drop_index("editor_imports_expires", "editor_imports")
    op.drop_table("editor_imports")
