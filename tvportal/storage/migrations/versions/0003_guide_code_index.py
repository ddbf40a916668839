"""Each guide's 实施编码 in a column of its own, indexed, so checking a publish for a duplicate code reads
only the guides with that code instead of parsing every stored guide (content/reference_scope.py).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column, fill it from the stored guides, index it."""
    with op.batch_alter_table("content") as batch:
        batch.add_column(sa.Column("code", sa.Text))
    content = sa.table("content", sa.column("kind"), sa.column("id"), sa.column("data"), sa.column("code"))
    conn = op.get_bind()
    codes = [{"i": rid, "c": json.loads(data).get("implementation_code") or None}
             for rid, data in conn.execute(sa.select(content.c.id, content.c.data).where(content.c.kind == "guide"))]
    codes = [row for row in codes if row["c"]]
    if codes:
        conn.execute(sa.update(content).where(content.c.kind == "guide", content.c.id == sa.bindparam("i"))
                     .values(code=sa.bindparam("c")), codes)
    op.create_index("content_kind_code", "content", ["kind", "code"])


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("content_kind_code", "content")
    with op.batch_alter_table("content") as batch:
        batch.drop_column("code")
