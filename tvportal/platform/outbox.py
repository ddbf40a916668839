"""Durable outbox: writes that could not reach the central platform wait here and are delivered later.

Each entry keeps the write's idempotency key, so delivering it again after a crash or a lost
answer still creates the booking or application only once at the platform.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from tvportal.platform import services

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (reference TEXT PRIMARY KEY, op TEXT NOT NULL, key TEXT NOT NULL UNIQUE,
    person_id TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL, result TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '', tries INTEGER NOT NULL DEFAULT 0, created TEXT NOT NULL, updated TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Entry:
    """One waiting (or delivered, or refused) write."""

    reference: str
    op: str
    key: str
    person_id: str
    payload: dict
    status: str  # waiting | delivered | refused
    result: dict | None
    message: str
    created: str


class Outbox:
    """The outbox table in its own SQLite file."""

    def __init__(self, path: str | Path) -> None:
        """Open (create) the outbox file."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the file, after any call still running in a worker thread has finished with it.

        A cancelled ``asyncio.to_thread`` call keeps running in its thread; closing the connection
        under it crashes the process, so closing waits for the lock like every other use.
        """
        with self._lock:
            self._conn.close()

    def add(self, op: str, key: str, person_id: str, payload: dict) -> Entry:
        """Keep a write for later; the same key twice keeps it once."""
        stamp = services.now().strftime("%Y-%m-%d %H:%M:%S")
        with self._lock:
            row = self._conn.execute("SELECT reference FROM outbox WHERE key = ?", (key,)).fetchone()
            if row is None:
                reference = f"DT{services.now():%y%m%d}{secrets.randbelow(10**6):06d}"
                self._conn.execute("INSERT INTO outbox VALUES (?, ?, ?, ?, ?, 'waiting', '', '', 0, ?, ?)",
                                   (reference, op, key, person_id, json.dumps(payload, ensure_ascii=False),
                                    stamp, stamp))
            else:
                reference = row["reference"]
        return self.get(reference)

    def get(self, reference: str) -> Entry | None:
        """One entry, or None."""
        with self._lock:
            row = self._conn.execute("SELECT * FROM outbox WHERE reference = ?", (reference,)).fetchone()
        return _entry(row) if row is not None else None

    def waiting(self) -> list[Entry]:
        """Entries still to deliver, oldest first."""
        with self._lock:
            rows = self._conn.execute("SELECT * FROM outbox WHERE status = 'waiting' ORDER BY created, reference").fetchall()
        return [_entry(r) for r in rows]

    def of_person(self, person_id: str) -> list[Entry]:
        """A person's entries that are not delivered yet or were refused (shown on the TV)."""
        with self._lock:
            rows = self._conn.execute("SELECT * FROM outbox WHERE person_id = ? AND status != 'delivered' "
                                      "ORDER BY created DESC", (person_id,)).fetchall()
        return [_entry(r) for r in rows]

    def finish(self, reference: str, status: str, result: dict | None = None, message: str = "") -> None:
        """Mark an entry delivered (with the platform's answer) or refused (with its message)."""
        stamp = services.now().strftime("%Y-%m-%d %H:%M:%S")
        with self._lock:
            self._conn.execute("UPDATE outbox SET status = ?, result = ?, message = ?, tries = tries + 1, updated = ? "
                               "WHERE reference = ?", (status, json.dumps(result or {}, ensure_ascii=False),
                                                       message, stamp, reference))

    def tried(self, reference: str) -> None:
        """Count a failed delivery attempt."""
        with self._lock:
            self._conn.execute("UPDATE outbox SET tries = tries + 1 WHERE reference = ?", (reference,))


def _entry(row: sqlite3.Row) -> Entry:
    """A row as an Entry."""
    return Entry(row["reference"], row["op"], row["key"], row["person_id"], json.loads(row["payload"]),
                 row["status"], json.loads(row["result"]) if row["result"] else None, row["message"], row["created"])
