"""Schema migrations (Alembic, in tvportal/storage/migrations/) run under a lock, so that several
instances started at once on an empty database all come up and only the first one does the work.

PostgreSQL: ``pg_advisory_xact_lock`` in the upgrade's transaction (DDL is transactional there).
SQLite: the transaction begins with BEGIN IMMEDIATE (storage/database.py), which holds the file's
write lock until it commits; the others wait (busy_timeout) and then find nothing left to do.

Alembic itself is imported only when there is something to migrate: a portal started on an up-to-date
database (every start but the first after an upgrade) does not keep its 10 MB.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from tvportal.storage.database import Database, serialize

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPTS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"
_ASSIGNED = re.compile(r'^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:"([^"]*)"|None)', re.MULTILINE)


def alembic_config(conn: Connection | None = None) -> Config:
    """Alembic's configuration pointing at the bundled migrations (and at ``conn`` when given)."""
    from alembic.config import Config  # noqa: PLC0415 - see the module's docstring

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at (None: never migrated)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest revision the code knows: the one no other migration names as its ``down_revision``
    (read from the scripts' assignments, as Alembic does, without importing Alembic)."""
    revisions, parents = set(), set()
    for script in (SCRIPTS / "versions").glob("*.py"):
        for name, value in _ASSIGNED.findall(script.read_text(encoding="utf-8")):
            (revisions if name == "revision" else parents).add(value)
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must form one line, found heads {sorted(heads)}")
    return heads.pop()


def upgrade_locked(conn: Connection, after: Callable[[Connection], None] | None = None) -> None:
    """Inside a write transaction: take the lock, migrate to the newest revision, then run ``after``
    (e.g. loading the demo content into an empty database) before the lock is let go."""
    serialize(conn, "upgrade")
    if current_revision(conn) != head_revision():
        from alembic import command  # noqa: PLC0415 - see the module's docstring

        command.upgrade(alembic_config(conn), "head")
    if after is not None:
        after(conn)


def upgrade(db: Database, after: Callable[[Connection], None] | None = None) -> None:
    """Bring ``db`` to the newest schema in one transaction (safe to run from several processes at once)."""
    db.write_sync(upgrade_locked, after)
