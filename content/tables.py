"""The content tables as SQLAlchemy Core objects: the published records and a small key/value table.

Kept apart from the portal's other tables (tvportal/storage/tables.py) because content/ imports
nothing from tvportal/; Alembic's migrations cover both metadatas.  The columns match the tables
the SQLite store created before migrations existed, so an old tvportal.sqlite3 is adopted as is.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Integer, MetaData, PrimaryKeyConstraint, Table, Text

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
    PrimaryKeyConstraint("kind", "id"),
)
