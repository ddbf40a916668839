"""Search segments of big changes kept in the database: one instance builds a segment, the others load it.

A big import (``SearchIndex.ELSEWHERE`` records or more) needs a search segment of its records: many
seconds of indexing in a child process (content/segment_worker.py).  With several instances on one
database each would build the same one.  Instead the first instance to apply the change claims its key (a
row without data), builds the segment and stores it; the others find the row and wait for its data, or
build it themselves when it does not come (the builder was stopped, ``WAIT``).  The key names the content
versions the change spans, the index code and the category topics, so an instance at another version or
with other code never loads a segment other than the one it would build.

The data is the segment in parts (segment_worker.dump_parts), zlib-compressed and signed with a key every
instance shares (``secret``): it is unpickled only when the signature matches, so a row written by anyone
without the key is rebuilt, never loaded.  Only the newest ``KEEP`` segments are kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
import zlib
from typing import Any

from sqlalchemy import Connection, delete, select, update

from content import index_cache, store
from content.search import Segment
from content.segment_worker import build_parts, load_parts
from content.tables import content_segments, utc_stamp

log = logging.getLogger(__name__)
WAIT = 300.0  # seconds another instance may take to build a segment before this one builds it too
POLL = 0.5
KEEP = 8
_MAC = 32


def key_of(from_version: int | str, to_version: int, topics: dict[str, list[str]]) -> str:
    """The key of the segment of the changes from ``from_version`` to ``to_version`` with these topics."""
    signature = hashlib.blake2b(repr(index_cache.signature(topics)).encode(), digest_size=8).hexdigest()
    return f"{from_version}-{to_version}-{signature}"


def seal(parts: bytes, secret: bytes) -> bytes:
    """Compressed and signed parts (for a worker thread: zlib lets go of the GIL)."""
    body = zlib.compress(parts, 1)
    return hmac.new(secret, body, hashlib.sha256).digest() + body


def unseal(data: bytes, secret: bytes) -> bytes | None:
    """The parts of sealed ``data``, or None when its signature does not match."""
    mac, body = data[:_MAC], data[_MAC:]
    if not hmac.compare_digest(mac, hmac.new(secret, body, hashlib.sha256).digest()):
        return None
    return zlib.decompress(body)


def claim(conn: Connection, key: str, to_version: int) -> bytes | bool:
    """In a write transaction: the stored segment of ``key``; True when this caller now builds it (claimed);
    False when another instance claimed it and is building it."""
    found = conn.execute(select(content_segments.c.data).where(content_segments.c.key == key)).first()
    if found is not None:
        return found.data or False
    stmt = store._insert(conn, content_segments).values(key=key, to_version=to_version, created=utc_stamp())
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT .. ON CONFLICT, and every instance then took the
    # claim for another's and waited ``WAIT`` before building the segment itself
    inserted = conn.execute(stmt.on_conflict_do_nothing().returning(content_segments.c.key)).first()
    return inserted is not None or fetch(conn, key) or False


def fetch(conn: Connection, key: str) -> bytes | None:
    """The stored segment of ``key`` (None while it is being built or when there is none)."""
    return conn.execute(select(content_segments.c.data).where(content_segments.c.key == key)).scalar()


def put(conn: Connection, key: str, to_version: int, data: bytes) -> None:
    """Store a built segment; drop all but the newest ``KEEP``."""
    if conn.execute(update(content_segments).where(content_segments.c.key == key).values(data=data)).rowcount == 0:
        conn.execute(store._insert(conn, content_segments).values(key=key, to_version=to_version, data=data,
                                                                  created=utc_stamp()).on_conflict_do_nothing())
    newest = select(content_segments.c.key).order_by(content_segments.c.to_version.desc()).limit(KEEP)
    conn.execute(delete(content_segments).where(content_segments.c.key.not_in(newest.scalar_subquery())))


async def shared(db: Any, key: str, to_version: int, records: list[Any], topics: dict[str, list[str]],
                 secret: bytes) -> Segment:
    """The search segment of ``records``: loaded from the database, or built here (child process) and stored.

    ``db`` has ``read(fn, ...)`` and ``write(fn, ...)`` coroutines (the portal's Database).
    """
    got = await db.write(claim, key, to_version)
    deadline = time.monotonic() + WAIT
    while got is False and time.monotonic() < deadline:
        await asyncio.sleep(POLL)
        got = await db.read(fetch, key) or False
    by_key = {(r.KIND, r.id): r for r in records}
    if isinstance(got, bytes):
        parts = await asyncio.to_thread(unseal, got, secret)
        if parts is not None:
            state = await asyncio.to_thread(load_parts, parts)
            log.info("search segment %s loaded from the database", key)
            return Segment.restore(*state, by_key)
        log.warning("stored search segment %s is not signed by this deployment; building it here", key)
    parts = await asyncio.to_thread(build_parts, records, topics)
    await db.write(put, key, to_version, await asyncio.to_thread(seal, parts, secret))
    state = await asyncio.to_thread(load_parts, parts)
    return Segment.restore(*state, by_key)
