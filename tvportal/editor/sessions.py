"""Editor sessions kept on the server, so that signing out really ends them.

The encrypted cookie (security.py) only carries a random token; the database keeps its sha256 with the
user and the time it was last used.  Signing out deletes the row: a copy of the cookie taken before
can then do nothing.  The idle limit is checked against the stored time too, so a cookie cannot keep
a session alive by itself.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Connection, delete, insert, select, update

from tvportal.storage.tables import editor_sessions as sessions_t


def _hash(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(conn: Connection, user_id: int, now: float, idle_seconds: float) -> str:
    """A new session for ``user_id``; returns the token for the cookie (sessions idle too long go now)."""
    conn.execute(delete(sessions_t).where(sessions_t.c.last_seen < now - idle_seconds))
    token = secrets.token_urlsafe(32)
    conn.execute(insert(sessions_t).values(token_hash=_hash(token), user_id=user_id, started=now, last_seen=now))
    return token


def lookup(conn: Connection, token: str) -> tuple[int, float] | None:
    """(user id, last seen) of a live session token, or None when it was ended or never existed."""
    row = conn.execute(select(sessions_t.c.user_id, sessions_t.c.last_seen)
                       .where(sessions_t.c.token_hash == _hash(token))).first()
    return (row[0], row[1]) if row else None


def touch(conn: Connection, token: str, now: float) -> None:
    """Remember that the session was used now."""
    conn.execute(update(sessions_t).where(sessions_t.c.token_hash == _hash(token)).values(last_seen=now))


def end(conn: Connection, token: str) -> None:
    """End one session (sign-out, or found idle too long)."""
    conn.execute(delete(sessions_t).where(sessions_t.c.token_hash == _hash(token)))


def end_all(conn: Connection, user_id: int) -> None:
    """End every session of a user (password changed, account disabled)."""
    conn.execute(delete(sessions_t).where(sessions_t.c.user_id == user_id))
