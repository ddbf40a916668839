"""Schema migrations (Alembic, in tvportal/storage/migrations/) run under a lock, so that several
instances started at once on an empty database all come up and only the first one does the work.

PostgreSQL: ``pg_advisory_xact_lock`` in the upgrade's transaction (DDL is transactional there).
SQLite: the transaction begins with BEGIN IMMEDIATE (storage/database.py), which holds the file's
write lock until it commits; the others wait (busy_timeout) and then find nothing left to do.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from tvportal.storage.database import Database, serialize

SCRIPTS = Path(__file__).with_name("migrations")


def alembic_config(conn: Connection | None = None) -> Config:
    """Alembic's configuration pointing at the bundled migrations (and at ``conn`` when given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at (None: never migrated)."""
    return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade_locked(conn: Connection, after: Callable[[Connection], None] | None = None) -> None:
    """Inside a write transaction: take the lock, migrate to the newest revision, then run ``after``
    (e.g. loading the demo content into an empty database) before the lock is let go."""
    serialize(conn, "upgrade")
    if current_revision(conn) != head_revision():
        command.upgrade(alembic_config(conn), "head")
    if after is not None:
        after(conn)


def upgrade(db: Database, after: Callable[[Connection], None] | None = None) -> None:
    """Bring ``db`` to the newest schema in one transaction (safe to run from several processes at once)."""
    db.write_sync(upgrade_locked, after)
