"""SQLite store of the content: one JSON document per record, typed by the content model.

The embedded default keeps everything in one SQLite file in the data dir.  Reads for TV
pages never come here: they use the in-memory Snapshot (content/snapshot.py) built from
this store at start-up and after each change.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from content.model import SCHEMA_VERSION, Category, City, Guide, Hall, Policy, to_plain

KINDS: dict[str, type] = {"guide": Guide, "hall": Hall, "policy": Policy, "category": Category}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS content (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    PRIMARY KEY (kind, id)
);
"""


def connect(path: Path) -> sqlite3.Connection:
    """Open (and create if needed) the SQLite database with the content schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.executescript(_SCHEMA)
    return conn


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """Read one value of the meta table."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Write one value of the meta table."""
    conn.execute("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                 (key, value))


def put_all(conn: sqlite3.Connection, kind: str, records: list[Any]) -> None:
    """Insert or replace records of one kind, keeping their order."""
    conn.executemany(
        "INSERT INTO content(kind, id, position, data) VALUES(?, ?, ?, ?) "
        "ON CONFLICT(kind, id) DO UPDATE SET position = excluded.position, data = excluded.data, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')",
        [(kind, r.id, i, json.dumps(to_plain(r), ensure_ascii=False)) for i, r in enumerate(records)],
    )


def load_all(conn: sqlite3.Connection, kind: str) -> list[Any]:
    """Read every record of one kind as model objects, in stored order."""
    model = KINDS[kind]
    rows = conn.execute("SELECT data FROM content WHERE kind = ? ORDER BY position, id", (kind,))
    return [model.from_dict(json.loads(data)) for (data,) in rows]


def load_city(conn: sqlite3.Connection) -> City:
    """Read the city the deployment serves."""
    raw = get_meta(conn, "city")
    if raw is None:
        raise LookupError("no city in the database")
    data = json.loads(raw)
    return City(code=data["code"], name=data["name"], counties=tuple(tuple(c) for c in data["counties"]))


def is_empty(conn: sqlite3.Connection) -> bool:
    """True when no content has been loaded yet (first start)."""
    return get_meta(conn, "city") is None


def save_demo(conn: sqlite3.Connection, demo: dict[str, Any]) -> None:
    """Fill an empty database with the bundled demo content in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        set_meta(conn, "schema_version", str(SCHEMA_VERSION))
        set_meta(conn, "city", json.dumps(demo["city"], ensure_ascii=False))
        for kind in ("category", "guide", "hall", "policy"):
            put_all(conn, kind, demo[kind])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
