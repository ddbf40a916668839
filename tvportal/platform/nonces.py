"""The simulator's memory of request nonces, in its database, so that a request replayed after a restart
is refused like one replayed a moment later.  A nonce is kept for twice the allowed clock skew: after that
its timestamp alone gets the request refused (signing.py)."""

from __future__ import annotations

import time

from sqlalchemy import Connection, delete, insert
from sqlalchemy.exc import IntegrityError

from tvportal.platform.signing import MAX_SKEW
from tvportal.storage import Database
from tvportal.storage.tables import platform_nonces

PRUNE_EVERY = 60.0  # seconds between deletions of nonces past their window


class NonceLog:
    """Seen nonces of one platform database (shared by every simulator process on it)."""

    def __init__(self, db: Database) -> None:
        """Keep nonces in ``db`` (its tables exist: storage/migrate.py)."""
        self.db = db
        self._pruned = 0.0

    async def first_seen(self, nonce: str, now: float | None = None) -> bool:
        """Record a nonce; False when it was seen before (a replay)."""
        now = time.time() if now is None else now

        def record(conn: Connection) -> None:
            """Insert it; forget old ones now and then."""
            if now - self._pruned > PRUNE_EVERY:
                conn.execute(delete(platform_nonces).where(platform_nonces.c.seen_at < now - 2 * MAX_SKEW))
            conn.execute(insert(platform_nonces).values(nonce=nonce, seen_at=now))

        try:
            await self.db.write(record)
        except IntegrityError:
            return False
        if now - self._pruned > PRUNE_EVERY:
            self._pruned = now
        return True
