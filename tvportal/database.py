"""The portal's database (tvportal/storage/): opened, migrated and filled with demo content on first
start, closed on shutdown.

Several instances may start at once on one empty database: the upgrade, the content demo and the
embedded platform's demo data all happen in one transaction under the upgrade lock
(storage/migrate.py), so exactly one instance loads them and the others find them there.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web
from sqlalchemy import Connection, make_url
from sqlalchemy.exc import DatabaseError, SQLAlchemyError

from content import store
from content.demo_loader import load_demo
from content.snapshot import Published, save_index, start_snapshot
from tvportal.keys import DB, SETTINGS, PUBLISHED
from tvportal.settings import Settings
from tvportal.storage import Database, migrate
from tvportal.storage.shared_secrets import shared_secret
from tvportal.storage.faults import StorageUnusable, start_failure

log = logging.getLogger(__name__)
INDEX_FILE = "search-index.pickle"  # content/index_cache.py: the search index saved for the next start
SEGMENT_SECRET = "search-segments"  # signs the search segments instances share (content/segment_store.py)


def open_database(settings: Settings) -> Database:
    """A Database for the configured URL (nothing is connected yet)."""
    return Database(settings.db_url, settings.database_pool_size)


def prepare(db: Database, settings: Settings) -> None:
    """Migrate to the newest schema and load what an empty database needs (blocking; safe to run at once
    from several processes)."""

    def first_start(conn: Connection) -> None:
        """Under the upgrade lock: old documents rewritten, demo content and demo platform loaded once."""
        store.migrate_documents(conn)
        if store.is_empty(conn):
            log.info("empty database: loading demo content of %s", settings.demo_city)
            store.save_demo(conn, load_demo(settings.demo_city))
        if not settings.central_url:
            from tvportal.platform import demo_data

            demo_data.create(conn, settings.demo_city)

    if db.dialect == "sqlite":
        # a damaged page is found now, in a second, not by the first TV whose guide lives on it
        verdict = db.read_sync(lambda conn: conn.exec_driver_sql("PRAGMA quick_check(1)").scalar())
        if verdict != "ok":
            raise DatabaseError("PRAGMA quick_check", None, sqlite3.DatabaseError(f"malformed: {verdict}"))
    migrate.upgrade(db, first_start)


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """Own the database for the app's lifetime and publish the first snapshot."""
    settings = app[SETTINGS]
    db = open_database(settings)
    try:
        try:
            await asyncio.to_thread(prepare, db, settings)
            app[DB] = db
            index_file = Path(settings.data_dir) / INDEX_FILE
            secret = await db.write(shared_secret, SEGMENT_SECRET)
            snapshot, current = await start_snapshot(db, index_file, secret)
        except (SQLAlchemyError, OSError) as exc:  # a damaged file, a read-only dir: one line (storage/faults.py)
            where = make_url(settings.db_url).render_as_string(hide_password=True) if settings.database_url \
                else settings.database_path
            raise StorageUnusable(start_failure(exc, where)) from exc
        app[PUBLISHED] = published = Published(snapshot, secret)
        tasks = [asyncio.create_task(published.watch(db, settings.content_check_ms / 1000)),
                 asyncio.create_task(published.compact())]  # after start-up: records keep less memory
        if not current:  # saved for the next start, after this one has begun serving
            tasks.append(asyncio.create_task(asyncio.to_thread(save_index, snapshot, index_file)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if published.snapshot is not snapshot or not current:
                await asyncio.to_thread(save_index, published.snapshot, index_file)
    finally:
        await asyncio.to_thread(db.close)
