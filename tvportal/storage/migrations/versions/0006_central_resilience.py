"""Resilience towards the central platform (issue 11).

* ``outbox_numbers``: a sequence (an autoincrement key on both dialects) that numbers outbox references,
  so two queued writes can never draw the same ``DT`` reference.
* ``outbox.device_id``: the TV that queued a write; its receipt page is shown to that TV only.
* ``central_last_known``: the platform's last answers the portal may use while the platform is
  unreachable (catalog, halls, which people a TV's sign-in stands for), kept across restarts.
* ``platform_nonces``: the simulator's seen request nonces, kept for their window across restarts.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables and the column."""
    op.create_table("outbox_numbers", sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("day", sa.Text, nullable=False))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("device_id", sa.Text, nullable=False, server_default=""))
    op.create_table("central_last_known", sa.Column("kind", sa.Text, nullable=False),
                    sa.Column("key", sa.Text, nullable=False), sa.Column("data", sa.Text, nullable=False),
                    sa.Column("fetched_at", sa.Float, nullable=False), sa.PrimaryKeyConstraint("kind", "key"))
    op.create_table("platform_nonces", sa.Column("nonce", sa.Text, primary_key=True),
                    sa.Column("seen_at", sa.Float, nullable=False))
    op.create_index("platform_nonces_seen", "platform_nonces", ["seen_at"])


def downgrade() -> None:
    """Drop what the upgrade added."""
    op.drop_index("platform_nonces_seen", "platform_nonces")
    op.drop_table("platform_nonces")
    op.drop_table("central_last_known")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("device_id")
    op.drop_table("outbox_numbers")
