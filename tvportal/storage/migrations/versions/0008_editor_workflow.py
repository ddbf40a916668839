"""Editor workflow (issue 13): review states of drafts, reviewers' comments, server-side editor sessions.

Drafts that already hold unpublished changes start in 草稿 (draft); everything else has no workflow row
until it is next edited.  Existing accounts keep their roles: the new reviewer role sits between editor
and publisher, so publishers and administrators may review as well.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TEXTS = ("note", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "publish_at", "scheduled_by",
          "message")


def upgrade() -> None:
    """Create the tables; put every draft with unpublished changes into the draft state."""
    op.create_table("editor_workflow", sa.Column("kind", sa.Text, nullable=False),
                    sa.Column("id", sa.Text, nullable=False), sa.Column("state", sa.Text, nullable=False),
                    sa.Column("revision", sa.Integer, nullable=False),
                    *(sa.Column(name, sa.Text, nullable=False, server_default="") for name in _TEXTS),
                    sa.Column("updated_at", sa.Text, nullable=False, server_default=""),
                    sa.PrimaryKeyConstraint("kind", "id"))
    op.create_index("editor_workflow_state", "editor_workflow", ["state", "publish_at"])
    op.create_table("editor_comments", sa.Column("seq", sa.Integer, primary_key=True),
                    sa.Column("kind", sa.Text, nullable=False), sa.Column("id", sa.Text, nullable=False),
                    sa.Column("revision", sa.Integer, nullable=False),
                    sa.Column("field", sa.Text, nullable=False, server_default=""),
                    sa.Column("author", sa.Text, nullable=False), sa.Column("text", sa.Text, nullable=False),
                    sa.Column("at", sa.Text, nullable=False), sa.Column("open", sa.Integer, nullable=False,
                                                                           server_default="1"))
    op.create_index("editor_comments_item", "editor_comments", ["kind", "id", "open"])
    op.create_table("editor_sessions", sa.Column("token_hash", sa.Text, primary_key=True),
                    sa.Column("user_id", sa.Integer, nullable=False), sa.Column("started", sa.Float, nullable=False),
                    sa.Column("last_seen", sa.Float, nullable=False))
    op.create_index("editor_sessions_seen", "editor_sessions", ["last_seen"])
    op.create_index("editor_sessions_user", "editor_sessions", ["user_id"])
    op.execute("INSERT INTO editor_workflow (kind, id, state, revision, updated_at) "
               "SELECT kind, id, 'draft', revision, updated_at FROM editor_drafts "
               "WHERE published_revision IS NULL OR published_revision <> revision")


def downgrade() -> None:
    """Drop what the upgrade added."""
    op.drop_index("editor_sessions_user", "editor_sessions")
    op.drop_index("editor_sessions_seen", "editor_sessions")
    op.drop_table("editor_sessions")
    op.drop_index("editor_comments_item", "editor_comments")
    op.drop_table("editor_comments")
    op.drop_index("editor_workflow_state", "editor_workflow")
    op.drop_table("editor_workflow")
