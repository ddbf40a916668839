"""The editor's audit log: who did what, when, on which item and from which address.

Rows are only ever added.  A row may keep a copy of an unpublished draft that an action
replaced (a rollback or an import), so that nothing typed is lost.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

_SCHEMA = """
CREATE TABLE IF NOT EXISTS editor_audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    user TEXT NOT NULL,
    address TEXT NOT NULL,
    action TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    item_id TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    kept_data TEXT
);
CREATE INDEX IF NOT EXISTS editor_audit_item ON editor_audit(kind, item_id);
"""


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    seq: int
    at: str
    user: str
    address: str
    action: str
    kind: str
    item_id: str
    detail: str
    has_kept_data: bool


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the audit table if it is missing."""
    conn.executescript(_SCHEMA)


def _dump(data: dict) -> str:
    """Canonical JSON of a kept draft."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def record(conn: sqlite3.Connection, user: str, address: str, action: str, kind: str = "", item_id: str = "",
          detail: str = "", kept_data: dict | None = None) -> None:
    """Append one line to the audit log."""
    conn.execute("INSERT INTO editor_audit(user, address, action, kind, item_id, detail, kept_data) "
                 "VALUES(?, ?, ?, ?, ?, ?, ?)",
                 (user, address, action, kind, item_id, detail, None if kept_data is None else _dump(kept_data)))


def audit_entries(conn: sqlite3.Connection, limit: int = 100, offset: int = 0, user: str = "", kind: str = "",
                  item_id: str = "") -> tuple[list[AuditEntry], int]:
    """Audit lines, newest first, optionally only one user's or one item's; and how many there are in all."""
    where, args = [], []
    for column, value in (("user", user), ("kind", kind), ("item_id", item_id)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    total = conn.execute(f"SELECT count(*) FROM editor_audit{clause}", args).fetchone()[0]
    rows = conn.execute(f"SELECT seq, at, user, address, action, kind, item_id, detail, kept_data IS NOT NULL "
                        f"FROM editor_audit{clause} ORDER BY seq DESC LIMIT ? OFFSET ?", [*args, limit, offset])
    return [AuditEntry(*r[:8], bool(r[8])) for r in rows], total


def kept_data(conn: sqlite3.Connection, seq: int) -> dict | None:
    """The unpublished draft an audit line kept (a rollback replaced it), or None."""
    row = conn.execute("SELECT kept_data FROM editor_audit WHERE seq = ?", (seq,)).fetchone()
    return json.loads(row[0]) if row and row[0] else None
