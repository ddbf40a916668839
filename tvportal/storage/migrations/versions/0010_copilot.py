"""远程帮办 (issue 14): help sessions between a TV and a family member's phone, their audit, code guesses.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TEXT = ("id", "device", "code_hash", "token_hash", "phone_hash", "status", "helper_id", "helper_name", "elder_id")


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "copilot_sessions",
        *(sa.Column(name, sa.Text, nullable=False, primary_key=name == "id") for name in _TEXT),
        sa.Column("share", sa.Integer, nullable=False),
        *(sa.Column(name, sa.Float, nullable=False) for name in ("created", "expires", "last_activity")),
        sa.Column("return_to", sa.Text, nullable=False), sa.Column("screen", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False), sa.Column("command", sa.Text, nullable=False),
        sa.Column("command_seq", sa.Integer, nullable=False), sa.Column("ended", sa.Text, nullable=False),
        sa.CheckConstraint("status IN ('open', 'claimed', 'signed', 'active', 'ended')", name="copilot_status"))
    op.create_index("copilot_sessions_device", "copilot_sessions", ["device", "status"])
    op.create_index("copilot_sessions_code", "copilot_sessions", ["code_hash"])
    op.create_index("copilot_sessions_token", "copilot_sessions", ["token_hash"])
    op.create_table(
        "copilot_audit", sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        *(sa.Column(name, sa.Text, nullable=False)
          for name in ("session", "helper_id", "elder_id", "device", "action", "detail")))
    op.create_index("copilot_audit_session", "copilot_audit", ["session"])
    op.create_table("copilot_attempts", sa.Column("address", sa.Text, nullable=False),
                    sa.Column("at", sa.Float, nullable=False))
    op.create_index("copilot_attempts_address", "copilot_attempts", ["address", "at"])


def downgrade() -> None:
    """Drop what the upgrade added."""
    op.drop_index("copilot_attempts_address", "copilot_attempts")
    op.drop_table("copilot_attempts")
    op.drop_index("copilot_audit_session", "copilot_audit")
    op.drop_table("copilot_audit")
    for name in ("copilot_sessions_token", "copilot_sessions_code", "copilot_sessions_device"):
        op.drop_index(name, "copilot_sessions")
    op.drop_table("copilot_sessions")
