"""The content tables as SQLAlchemy Core objects: the published records, what changed, and a small key/value table.

Kept apart from the portal's other tables (tvportal/storage/tables.py) because content/ imports
nothing from tvportal/; Alembic's migrations cover both metadatas.

Every write of published content takes the next number of ``content_version`` (one row, updated in the
writing transaction, so writers queue on it and numbers become visible in commit order) and stamps it
on the rows it writes and on a tombstone in ``content_removed`` for each record it deletes.  A portal
instance that holds the content of version N reads only the rows and tombstones above N: that is how a
publish on one instance reaches all the others within a second, without rebuilding everything.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (BigInteger, CheckConstraint, Column, Index, Integer, LargeBinary, MetaData, PrimaryKeyConstraint,
                        Table, Text)

metadata = MetaData()


def utc_stamp() -> str:
    """Now in UTC as 2026-01-31T08:00:00Z, the format the tables have always stored."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


meta = Table(
    "meta", metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

content = Table(
    "content", metadata,
    Column("kind", Text, nullable=False),
    Column("id", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("data", Text, nullable=False),
    Column("updated_at", Text, nullable=False, default=utc_stamp, onupdate=utc_stamp),
    Column("version", BigInteger, nullable=False, server_default="0"),  # content_version of the last write
    Column("code", Text),  # a guide's 实施编码 (copied out of data): a publish looks up duplicates by it
    PrimaryKeyConstraint("kind", "id"),
    Index("content_kind_position", "kind", "position"),  # the end of a kind's order, without a scan
    Index("content_version_idx", "version"),
    Index("content_kind_code", "kind", "code"),
)

content_removed = Table(  # tombstones: what a write took off the TV, so other instances drop it too
    "content_removed", metadata,
    Column("kind", Text, nullable=False),
    Column("id", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    PrimaryKeyConstraint("kind", "id"),
    Index("content_removed_version", "version"),
)

content_version = Table(  # one row: the number of the newest write of published content
    "content_version", metadata,
    Column("id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="content_version_single_row"),
)

content_segments = Table(  # search segments of big changes, built once and loaded by every instance (content/segment_store.py)
    "content_segments", metadata,
    Column("key", Text, primary_key=True),  # from version, to version, index code and topics (segment_store.key_of)
    Column("to_version", BigInteger, nullable=False),
    Column("data", LargeBinary),  # NULL while the instance that claimed it builds it
    Column("created", Text, nullable=False, default=utc_stamp),
    Index("content_segments_to_version", "to_version"),
)
