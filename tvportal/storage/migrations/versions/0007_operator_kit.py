"""Operator kit (issue 12): issued device ids, a box account's preferences, used launch URLs, statistics.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table("tv_devices", sa.Column("token_hash", sa.Text, primary_key=True),
                    sa.Column("device", sa.Text, nullable=False), sa.Column("account", sa.Text, nullable=False),
                    sa.Column("issued", sa.Float, nullable=False))
    op.create_index("tv_devices_device", "tv_devices", ["device"])
    op.create_index("tv_devices_issued", "tv_devices", ["issued"])
    op.create_table("tv_device_prefs", sa.Column("device", sa.Text, primary_key=True),
                    sa.Column("prefs", sa.Text, nullable=False), sa.Column("updated", sa.Float, nullable=False))
    op.create_table("tv_launches", sa.Column("sig", sa.Text, primary_key=True),
                    sa.Column("at", sa.Float, nullable=False))
    op.create_index("tv_launches_at", "tv_launches", ["at"])
    op.create_table("stats_daily", *(sa.Column(c, sa.Text, nullable=False)
                                     for c in ("day", "event", "model", "area", "screen")),
                    sa.Column("count", sa.Integer, nullable=False), sa.Column("presses", sa.Integer, nullable=False),
                    sa.PrimaryKeyConstraint("day", "event", "model", "area", "screen"))
    op.create_table("stats_households", *(sa.Column(c, sa.Text, nullable=False)
                                          for c in ("day", "model", "area", "household")),
                    sa.PrimaryKeyConstraint("day", "model", "area", "household"))


def downgrade() -> None:
    """Drop what the upgrade added."""
    for name in ("stats_households", "stats_daily"):
        op.drop_table(name)
    op.drop_index("tv_launches_at", "tv_launches")
    op.drop_table("tv_launches")
    op.drop_table("tv_device_prefs")
    op.drop_index("tv_devices_issued", "tv_devices")
    op.drop_index("tv_devices_device", "tv_devices")
    op.drop_table("tv_devices")
