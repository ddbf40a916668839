"""The portal's database: one SQLAlchemy Core engine, used from worker threads so the event loop never waits.

``database_url`` empty means a SQLite file in the data dir (the embedded default); a
``postgresql://`` URL puts everything on PostgreSQL through psycopg 3.  Code hands the layer a
plain function that takes a Connection::

    def rename(conn, user_id, name):
        conn.execute(update(editor_users).where(editor_users.c.id == user_id).values(name=name))

    await db.write(rename, 7, "li")          # from a request handler: in a worker thread, one transaction
    db.write_sync(rename, 7, "li")           # from a CLI command or a thread of its own

``read`` gives the function a connection whose transaction is rolled back afterwards; ``write``
commits when the function returns and rolls back when it raises.  A write that loses a race
(PostgreSQL serialization failure or deadlock, SQLite busy) is run again a few times, so the
function must not have side effects outside the database.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table, create_engine, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRIES = 4
_RETRY_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available
SQLITE_BUSY_MS = 30000


class Database:
    """An engine plus a bounded pool of worker threads that run database calls."""

    def __init__(self, url: str, pool_size: int = 5) -> None:
        """Connect lazily to ``url`` (sqlite:///path or postgresql://...); at most ``pool_size`` calls at once."""
        self.url = url
        self.dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
        self.engine = _engine(url, pool_size)
        self._threads = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="db")

    def read_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(conn, *args, **kwargs)`` on a connection of its own; nothing it does is committed."""
        with self.engine.connect() as conn:
            return fn(conn, *args, **kwargs)

    def write_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(conn, *args, **kwargs)`` in one transaction, again when it loses a race with another writer."""
        for attempt in range(RETRIES + 1):
            try:
                with self.engine.connect() as conn:
                    conn = conn.execution_options(tvportal_write=True)
                    with conn.begin():
                        return fn(conn, *args, **kwargs)
            except DBAPIError as exc:
                if attempt == RETRIES or not is_retryable(exc):
                    raise
                log.info("write lost a race (%s), trying again", type(exc.orig).__name__)
                time.sleep(random.uniform(0.005, 0.02) * 2 ** attempt)
        raise AssertionError("unreachable")

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``read_sync`` in a worker thread."""
        call = functools.partial(self.read_sync, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._threads, call)

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``write_sync`` in a worker thread."""
        call = functools.partial(self.write_sync, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._threads, call)

    def close(self) -> None:
        """Wait for running calls, then close every pooled connection."""
        self._threads.shutdown(wait=True)
        self.engine.dispose()


def is_retryable(exc: DBAPIError) -> bool:
    """True for errors that mean "another transaction got there first, try again"."""
    state = getattr(exc.orig, "sqlstate", None)
    if state in _RETRY_SQLSTATES:
        return True
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message


def _engine(url: str, pool_size: int) -> Engine:
    """An engine for ``url`` with the settings each dialect needs."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size,
                           connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        """WAL (readers never wait for the writer), waiting for locks, and BEGIN under our control."""
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: a committed write survives a process kill
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        """A write takes the file's write lock at BEGIN: a deferred one could fail later with "locked"
        when two writers both read first, which busy_timeout cannot wait out."""
        immediate = conn.get_execution_options().get("tvportal_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def upsert(conn: Connection, table: Table, values: Mapping[str, Any] | Iterable[Mapping[str, Any]],
           keys: Iterable[str], update: Iterable[str] | Mapping[str, Any] | None = None) -> int:
    """Insert rows, or on a clash of ``keys`` update them (both dialects); returns the row count.

    ``update`` names the columns copied from the new row, or maps columns to expressions
    (``{"revision": table.c.revision + 1}``); None or empty means "keep the existing row".
    """
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    stmt = dialect.insert(table)
    rows = [dict(values)] if isinstance(values, Mapping) else [dict(v) for v in values]
    if not rows:
        return 0
    if update is None or not update:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    else:
        changes = dict(update) if isinstance(update, Mapping) else {c: stmt.excluded[c] for c in update}
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=changes)
    return conn.execute(stmt, rows if len(rows) > 1 else rows[0]).rowcount



def serialize(conn: Connection, name: str) -> None:
    """Make write transactions that call this with the same ``name`` run one after another, until the end
    of the current transaction (PostgreSQL: an advisory lock; SQLite: write transactions always do)."""
    if conn.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
        conn.execute(select(func.pg_advisory_xact_lock(key)))
