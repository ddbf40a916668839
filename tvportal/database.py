"""The SQLite database: opened, filled with demo content on first start, closed on shutdown."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from content import store
from content.demo_loader import load_demo
from content.snapshot import Published, build_snapshot
from tvportal.keys import DB, SETTINGS, PUBLISHED

log = logging.getLogger(__name__)


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """Own the SQLite connection for the app's lifetime and publish the first snapshot."""
    settings = app[SETTINGS]
    conn = store.connect(settings.database_path)
    if store.is_empty(conn):
        log.info("empty database %s: loading demo content of %s", settings.database_path, settings.demo_city)
        store.save_demo(conn, load_demo(settings.demo_city))
    app[DB] = conn
    app[PUBLISHED] = Published(build_snapshot(conn))
    yield
    conn.close()
