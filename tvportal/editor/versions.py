"""Drafts and immutable numbered versions of the editor, in the portal's SQLite file (the log: audit.py).

An item (a guide, hall or policy) has at most one draft row.  Its ``revision`` only ever grows:
every save, rollback and new item bumps it, and the edit form carries the revision it was
loaded from, so a save based on a stale revision is refused (optimistic locking) instead of
silently overwriting a colleague's work.  Publishing copies the draft into an immutable
version (numbered 1, 2, 3 … per item) and into the published content store; the TV reads only
the store, through the in-memory snapshot.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from content import store
from content.integrity import check_references
from content.model import ContentError

EDITABLE_KINDS: tuple[str, ...] = ("guide", "policy", "hall")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS editor_drafts (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    revision INTEGER NOT NULL,
    published_revision INTEGER,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS editor_versions (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    number INTEGER NOT NULL,
    data TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, id, number)
);
CREATE TRIGGER IF NOT EXISTS editor_versions_immutable_u BEFORE UPDATE ON editor_versions
BEGIN SELECT RAISE(ABORT, 'versions are immutable'); END;
CREATE TRIGGER IF NOT EXISTS editor_versions_immutable_d BEFORE DELETE ON editor_versions
BEGIN SELECT RAISE(ABORT, 'versions are immutable'); END;
"""

BASELINE_AUTHOR = "(initial content)"


class Conflict(Exception):
    """The draft changed since the form was loaded; carries the draft as it is now."""

    def __init__(self, current: Working) -> None:
        """Remember the current state of the item."""
        super().__init__(f"stale revision of {current.kind} {current.id}")
        self.current = current


class NothingToPublish(Exception):
    """The draft is exactly what is already published."""


@dataclass(frozen=True)
class Working:
    """An item as the editor sees it: the draft if there is one, else the published record."""

    kind: str
    id: str
    data: dict[str, Any]
    revision: int
    published_revision: int | None
    updated_by: str
    updated_at: str
    published: bool  # the published store holds this item

    @property
    def status(self) -> str:
        """new (never published), changed (unpublished edits) or published."""
        if not self.published:
            return "new"
        if self.revision and self.revision != self.published_revision:
            return "changed"
        return "published"


@dataclass(frozen=True)
class Version:
    """One immutable published version of an item."""

    kind: str
    id: str
    number: int
    data: dict[str, Any]
    published_by: str
    published_at: str
    note: str


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the editor's tables if they are missing."""
    conn.executescript(_SCHEMA)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction that takes the database lock at once (other processes may write too)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _dump(data: dict[str, Any]) -> str:
    """Canonical JSON for storing and comparing records."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def working(conn: sqlite3.Connection, kind: str, item_id: str) -> Working | None:
    """The item's draft, or its published record with revision 0; None when neither exists."""
    published = store.load_plain(conn, kind, item_id)
    row = conn.execute("SELECT data, revision, published_revision, updated_by, updated_at FROM editor_drafts "
                       "WHERE kind = ? AND id = ?", (kind, item_id)).fetchone()
    if row is not None:
        data = json.loads(row[0])
        if published is not None and row[1] == row[2] and published != data:
            # the draft holds nothing unpublished and the store was changed by an import: the store is the truth
            data = published
        return Working(kind, item_id, data, row[1], row[2], row[3], row[4], published is not None)
    if published is None:
        return None
    return Working(kind, item_id, published, 0, None, "", "", True)


def save_draft(conn: sqlite3.Connection, kind: str, item_id: str, data: dict[str, Any], revision: int,
               user: str) -> int:
    """Store ``data`` as the draft if ``revision`` is still current; return the new revision or raise Conflict."""
    with transaction(conn):
        current = working(conn, kind, item_id)
        if current is None or current.revision != revision:
            raise Conflict(current) if current is not None else LookupError(item_id)
        if revision == 0:
            conn.execute("INSERT INTO editor_drafts(kind, id, data, revision, published_revision, updated_by) "
                         "VALUES(?, ?, ?, 1, NULL, ?)", (kind, item_id, _dump(data), user))
        else:
            conn.execute("UPDATE editor_drafts SET data = ?, revision = revision + 1, updated_by = ?, "
                         "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE kind = ? AND id = ?",
                         (_dump(data), user, kind, item_id))
    return revision + 1


def create_item(conn: sqlite3.Connection, kind: str, item_id: str, data: dict[str, Any], user: str) -> bool:
    """Start a new, unpublished item as a draft; False when the id is taken (draft or published)."""
    with transaction(conn):
        if working(conn, kind, item_id) is not None:
            return False
        conn.execute("INSERT INTO editor_drafts(kind, id, data, revision, published_revision, updated_by) "
                     "VALUES(?, ?, ?, 1, NULL, ?)", (kind, item_id, _dump(data), user))
    return True


def _ensure_baseline(conn: sqlite3.Connection, kind: str, item_id: str) -> None:
    """Record the published content that predates the editor as version 1, so it can be diffed and restored."""
    if conn.execute("SELECT 1 FROM editor_versions WHERE kind = ? AND id = ?", (kind, item_id)).fetchone():
        return
    published = store.load_plain(conn, kind, item_id)
    if published is not None:
        conn.execute("INSERT INTO editor_versions(kind, id, number, data, published_by, note) VALUES(?, ?, 1, ?, ?, ?)",
                     (kind, item_id, _dump(published), BASELINE_AUTHOR, "initial"))


def ensure_baseline(conn: sqlite3.Connection, kind: str, item_id: str) -> None:
    """Public form of the baseline rule, in its own transaction (used by the edit and history pages)."""
    if conn.execute("SELECT 1 FROM editor_versions WHERE kind = ? AND id = ?", (kind, item_id)).fetchone():
        return
    with transaction(conn):
        _ensure_baseline(conn, kind, item_id)


def _new_reference_problems(conn: sqlite3.Connection, kind: str, item_id: str, record: Any | None) -> list[str]:
    """Broken references (to halls, categories, guides …) that publishing ``record`` (None: removing it) adds."""
    current = [r for k in store.KINDS for r in store.load_all(conn, k)]
    changed = [r for r in current if not (r.KIND == kind and r.id == item_id)] + ([record] if record else [])
    before = set(check_references(current))
    return [p for p in check_references(changed) if p not in before]


def _refuse_broken_references(conn: sqlite3.Connection, kind: str, item_id: str, record: Any | None) -> None:
    """Raise a ContentError naming every reference the change would break."""
    problems = _new_reference_problems(conn, kind, item_id, record)
    if problems:
        raise ContentError("；".join(problems))


def _publish_locked(conn: sqlite3.Connection, kind: str, item_id: str, record: Any, data: dict[str, Any],
                    user: str, note: str, check_refs: bool = True) -> int:
    """Inside a transaction: add the next version, write the published store, mark the draft published."""
    if check_refs:  # an import checks the references of the whole file at once instead
        _refuse_broken_references(conn, kind, item_id, record)
    _ensure_baseline(conn, kind, item_id)
    number = conn.execute("SELECT coalesce(max(number), 0) + 1 FROM editor_versions WHERE kind = ? AND id = ?",
                          (kind, item_id)).fetchone()[0]
    conn.execute("INSERT INTO editor_versions(kind, id, number, data, published_by, note) VALUES(?, ?, ?, ?, ?, ?)",
                 (kind, item_id, number, _dump(data), user, note))
    store.put(conn, kind, record)
    conn.execute("UPDATE editor_drafts SET published_revision = revision WHERE kind = ? AND id = ?", (kind, item_id))
    return number


def publish(conn: sqlite3.Connection, kind: str, item_id: str, revision: int, user: str, note: str = "") -> int:
    """Publish the draft at ``revision``; return the new version number (Conflict when the draft moved on)."""
    model = store.KINDS[kind]
    with transaction(conn):
        current = working(conn, kind, item_id)
        if current is None:
            raise LookupError(item_id)
        if current.revision != revision:
            raise Conflict(current)
        if current.status == "published":
            raise NothingToPublish(item_id)
        record = model.from_dict(current.data)
        return _publish_locked(conn, kind, item_id, record, current.data, user, note)


def rollback(conn: sqlite3.Connection, kind: str, item_id: str, number: int, revision: int, user: str) -> tuple[int, dict | None]:
    """Make version ``number`` the draft and publish it as a new version.

    Returns the new version number and the unpublished draft it replaced (None when there was none),
    which the caller keeps in the audit log so that nothing typed is ever lost.
    """
    model = store.KINDS[kind]
    with transaction(conn):
        current = working(conn, kind, item_id)
        if current is None:
            raise LookupError(item_id)
        if current.revision != revision:
            raise Conflict(current)
        old = version(conn, kind, item_id, number)
        if old is None:
            raise LookupError(number)
        replaced = current.data if current.status != "published" else None
        record = model.from_dict(old.data)
        conn.execute("INSERT INTO editor_drafts(kind, id, data, revision, published_revision, updated_by) "
                     "VALUES(?, ?, ?, 1, NULL, ?) ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data, "
                     "revision = revision + 1, updated_by = excluded.updated_by, "
                     "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')",
                     (kind, item_id, _dump(old.data), user))
        new_number = _publish_locked(conn, kind, item_id, record, old.data, user, f"rollback:{number}")
    return new_number, replaced


def unpublish(conn: sqlite3.Connection, kind: str, item_id: str, revision: int, user: str) -> None:
    """Take an item off the TV; its draft (the last published text) stays, so it can be published again."""
    with transaction(conn):
        current = working(conn, kind, item_id)
        if current is None or not current.published:
            raise LookupError(item_id)
        if current.revision != revision:
            raise Conflict(current)
        _refuse_broken_references(conn, kind, item_id, None)
        conn.execute("INSERT INTO editor_drafts(kind, id, data, revision, published_revision, updated_by) "
                     "VALUES(?, ?, ?, 1, NULL, ?) ON CONFLICT(kind, id) DO UPDATE SET "
                     "revision = revision + 1, published_revision = NULL, updated_by = excluded.updated_by, "
                     "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')",
                     (kind, item_id, _dump(current.data), user))
        store.delete_one(conn, kind, item_id)


def _version(row: tuple) -> Version:
    """A Version from a row of editor_versions."""
    return Version(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[6])


def version(conn: sqlite3.Connection, kind: str, item_id: str, number: int) -> Version | None:
    """One version of an item."""
    row = conn.execute("SELECT kind, id, number, data, published_by, published_at, note FROM editor_versions "
                       "WHERE kind = ? AND id = ? AND number = ?", (kind, item_id, number)).fetchone()
    return _version(row) if row else None


def history(conn: sqlite3.Connection, kind: str, item_id: str) -> list[Version]:
    """Every version of an item, newest first."""
    rows = conn.execute("SELECT kind, id, number, data, published_by, published_at, note FROM editor_versions "
                        "WHERE kind = ? AND id = ? ORDER BY number DESC", (kind, item_id))
    return [_version(r) for r in rows]


def drafts_of(conn: sqlite3.Connection, kind: str, published_ids: set[str]) -> dict[str, Working]:
    """Every draft row of one kind, by id (for the item lists)."""
    rows = conn.execute("SELECT id, data, revision, published_revision, updated_by, updated_at FROM editor_drafts "
                        "WHERE kind = ?", (kind,))
    return {r[0]: Working(kind, r[0], json.loads(r[1]), r[2], r[3], r[4], r[5], r[0] in published_ids) for r in rows}


def record_import(conn: sqlite3.Connection, kind: str, record: Any, data: dict[str, Any], user: str) -> tuple[int, dict | None]:
    """Inside the caller's transaction: an imported record becomes the draft, a new version and the published text.

    Returns the version number and the unpublished draft it replaced (None when there was none).
    """
    current = working(conn, kind, record.id)
    replaced = current.data if current is not None and current.status == "changed" else None
    conn.execute("INSERT INTO editor_drafts(kind, id, data, revision, published_revision, updated_by) "
                 "VALUES(?, ?, ?, 1, 1, ?) ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data, "
                 "revision = revision + 1, updated_by = excluded.updated_by, "
                 "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')",
                 (kind, record.id, _dump(data), user))
    return _publish_locked(conn, kind, record.id, record, data, user, "import", check_refs=False), replaced
