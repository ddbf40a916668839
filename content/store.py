"""SQLite store of the content: one JSON document per record, typed by the content model.

The embedded default keeps everything in one SQLite file in the data dir.  Reads for TV
pages never come here: they use the in-memory Snapshot (content/snapshot.py) built from
this store at start-up and after each change.  Documents of an older schema version are
migrated once, when the database is opened.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from content.model import KINDS as MODEL_KINDS, SCHEMA_VERSION, City, migrate, model_of, to_plain

KINDS: dict[str, type] = {kind: model_of(kind) for kind in MODEL_KINDS}

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
    """Open (and create if needed) the SQLite database with the content schema, migrating old documents."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.executescript(_SCHEMA)
    _migrate(conn)
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """Rewrite every document of an older schema version in the current shape, in one transaction."""
    raw = get_meta(conn, "schema_version")
    if raw is None or int(raw) >= SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        rows = conn.execute("SELECT kind, id, data FROM content").fetchall()
        for kind, rid, data in rows:
            if kind not in KINDS:
                continue
            record = KINDS[kind].from_dict(migrate(kind, json.loads(data), int(raw)))
            conn.execute("UPDATE content SET data = ? WHERE kind = ? AND id = ?",
                         (json.dumps(to_plain(record), ensure_ascii=False), kind, rid))
        set_meta(conn, "schema_version", str(SCHEMA_VERSION))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


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


def put(conn: sqlite3.Connection, kind: str, record: Any) -> None:
    """Insert or update one record; a new record goes to the end of its kind's order."""
    conn.execute(
        "INSERT INTO content(kind, id, position, data) VALUES(?, ?, "
        "(SELECT COALESCE(MAX(position), -1) + 1 FROM content WHERE kind = ?), ?) "
        "ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')",
        (kind, record.id, kind, json.dumps(to_plain(record), ensure_ascii=False)),
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
        for kind in KINDS:
            put_all(conn, kind, demo.get(kind, []))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def delete_one(conn: sqlite3.Connection, kind: str, record_id: str) -> bool:
    """Remove one record (the editor's 撤下); True when there was one."""
    return conn.execute("DELETE FROM content WHERE kind = ? AND id = ?", (kind, record_id)).rowcount > 0


def load_plain(conn: sqlite3.Connection, kind: str, record_id: str) -> dict[str, Any] | None:
    """One stored record as plain JSON (not validated), or None (used by the editor)."""
    row = conn.execute("SELECT data FROM content WHERE kind = ? AND id = ?", (kind, record_id)).fetchone()
    return json.loads(row[0]) if row else None


def iter_plain(conn: sqlite3.Connection, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """Every stored record of one kind as (id, plain JSON), in stored order, without validating (editor lists)."""
    rows = conn.execute("SELECT id, data FROM content WHERE kind = ? ORDER BY position, id", (kind,))
    return [(record_id, json.loads(data)) for record_id, data in rows]
