"""Drafts and immutable numbered versions of the editor, in the portal's database (the log: audit.py).

An item (a guide, hall or policy) has at most one draft row.  Its ``revision`` only ever grows:
every save, rollback and new item bumps it, and the edit form carries the revision it was
loaded from, so a save based on a stale revision is refused (optimistic locking) instead of
silently overwriting a colleague's work.  Publishing copies the draft into an immutable
version (numbered 1, 2, 3 … per item) and into the published content store; the TV reads only
the store, through the in-memory snapshot.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from content import store
from content.reference_scope import added_problems
from content.model import ContentError, to_plain
from content.tables import content as content_t, utc_stamp
from tvportal.storage import serialize, upsert
from tvportal.storage.tables import editor_drafts as drafts_t, editor_versions as versions_t

EDITABLE_KINDS: tuple[str, ...] = ("guide", "policy", "hall")

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


def lock(conn: Connection) -> None:
    """Editor writes run one after another: a check (revision, references) and the write it allows must not
    interleave with another editor's (PostgreSQL runs transactions side by side; SQLite never does)."""
    serialize(conn, "content")


def _draft_row(kind: str, item_id: str, data: dict[str, Any], user: str, published_revision: int | None) -> dict:
    """A new draft row at revision 1."""
    return {"kind": kind, "id": item_id, "data": _dump(data), "revision": 1, "published_revision": published_revision,
            "updated_by": user, "updated_at": utc_stamp()}


def _put_draft(conn: Connection, kind: str, item_id: str, data: dict[str, Any], user: str, *,
               new_published: int | None = None, keep_data: bool = False, **changes: Any) -> None:
    """Insert a draft at revision 1 (published at ``new_published``), or bump the existing one's revision,
    replace its data (unless ``keep_data``) and apply ``changes`` to it."""
    if not keep_data:
        changes["data"] = _dump(data)
    upsert(conn, drafts_t, _draft_row(kind, item_id, data, user, new_published), ["kind", "id"],
           {"revision": drafts_t.c.revision + 1, "updated_by": user, "updated_at": utc_stamp(), **changes})


def _dump(data: dict[str, Any]) -> str:
    """Canonical JSON for storing and comparing records."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def working(conn: Connection, kind: str, item_id: str) -> Working | None:
    """The item's draft, or its published record with revision 0; None when neither exists."""
    published = store.load_plain(conn, kind, item_id)
    d = drafts_t.c
    row = conn.execute(select(d.data, d.revision, d.published_revision, d.updated_by, d.updated_at)
                       .where(d.kind == kind, d.id == item_id)).first()
    if row is not None:
        data = json.loads(row[0])
        if published is not None and row[1] == row[2] and published != data:
            # the draft holds nothing unpublished and the store was changed by an import: the store is the truth
            data = published
        return Working(kind, item_id, data, row[1], row[2], row[3], row[4], published is not None)
    if published is None:
        return None
    return Working(kind, item_id, published, 0, None, "", "", True)


def save_draft(conn: Connection, kind: str, item_id: str, data: dict[str, Any], revision: int,
               user: str) -> int:
    """Store ``data`` as the draft if ``revision`` is still current; return the new revision or raise Conflict."""
    lock(conn)
    current = working(conn, kind, item_id)
    if current is None or current.revision != revision:
        raise Conflict(current) if current is not None else LookupError(item_id)
    _put_draft(conn, kind, item_id, data, user)
    return revision + 1


def create_item(conn: Connection, kind: str, item_id: str, data: dict[str, Any], user: str) -> bool:
    """Start a new, unpublished item as a draft; False when the id is taken (draft or published)."""
    lock(conn)
    if working(conn, kind, item_id) is not None:
        return False
    conn.execute(insert(drafts_t).values(_draft_row(kind, item_id, data, user, None)))
    return True


def _ensure_baseline(conn: Connection, kind: str, item_id: str) -> None:
    """Record the published content that predates the editor as version 1, so it can be diffed and restored."""
    if _has_versions(conn, kind, item_id):
        return
    published = store.load_plain(conn, kind, item_id)
    if published is not None:
        upsert(conn, versions_t, {"kind": kind, "id": item_id, "number": 1, "data": _dump(published),
                                  "published_by": BASELINE_AUTHOR, "published_at": utc_stamp(), "note": "initial"},
               ["kind", "id", "number"])  # two editors opening the item at once: the first baseline stays


def _has_versions(conn: Connection, kind: str, item_id: str) -> bool:
    """True when the item has a version."""
    return conn.execute(select(versions_t.c.number).where(versions_t.c.kind == kind, versions_t.c.id == item_id)
                        .limit(1)).first() is not None


def has_baseline(conn: Connection, kind: str, item_id: str) -> bool:
    """True when the item has its versions started (read-only check before ``ensure_baseline``)."""
    return _has_versions(conn, kind, item_id)


def ensure_baseline(conn: Connection, kind: str, item_id: str) -> None:
    """Public form of the baseline rule, in the caller's write transaction (used by the edit and history pages)."""
    lock(conn)
    _ensure_baseline(conn, kind, item_id)


def _refuse_broken_references(conn: Connection, kind: str, item_id: str, record: Any | None) -> None:
    """Raise a ContentError naming every reference the change would break."""
    problems = added_problems(conn, kind, item_id, record)
    if problems:
        raise ContentError("；".join(problems))


def _publish_locked(conn: Connection, kind: str, item_id: str, record: Any, data: dict[str, Any],
                    user: str, note: str, check_refs: bool = True) -> int:
    """Inside a transaction: add the next version, write the published store, mark the draft published."""
    if check_refs:  # an import checks the references of the whole file at once instead
        _refuse_broken_references(conn, kind, item_id, record)
    _ensure_baseline(conn, kind, item_id)
    v = versions_t.c
    number = conn.execute(select(func.coalesce(func.max(v.number), 0) + 1)
                          .where(v.kind == kind, v.id == item_id)).scalar_one()
    conn.execute(insert(versions_t).values(kind=kind, id=item_id, number=number, data=_dump(data), published_by=user,
                                           note=note))
    store.put(conn, kind, record)
    conn.execute(update(drafts_t).where(drafts_t.c.kind == kind, drafts_t.c.id == item_id)
                 .values(published_revision=drafts_t.c.revision))
    return number


def publish(conn: Connection, kind: str, item_id: str, revision: int, user: str, note: str = "") -> int:
    """Publish the draft at ``revision``; return the new version number (Conflict when the draft moved on)."""
    lock(conn)
    model = store.KINDS[kind]
    current = working(conn, kind, item_id)
    if current is None:
        raise LookupError(item_id)
    if current.revision != revision:
        raise Conflict(current)
    if current.status == "published":
        raise NothingToPublish(item_id)
    record = model.from_dict(current.data)
    return _publish_locked(conn, kind, item_id, record, current.data, user, note)


def rollback(conn: Connection, kind: str, item_id: str, number: int, revision: int, user: str) -> tuple[int, dict | None]:
    """Make version ``number`` the draft and publish it as a new version.

    Returns the new version number and the unpublished draft it replaced (None when there was none),
    which the caller keeps in the audit log so that nothing typed is ever lost.
    """
    lock(conn)
    model = store.KINDS[kind]
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
    _put_draft(conn, kind, item_id, old.data, user)
    new_number = _publish_locked(conn, kind, item_id, record, old.data, user, f"rollback:{number}")
    return new_number, replaced


def unpublish(conn: Connection, kind: str, item_id: str, revision: int, user: str, check_refs: bool = True) -> None:
    """Take an item off the TV; its draft (the last published text) stays, so it can be published again.

    ``check_refs`` off: a guide whose 计划取消日期 has come goes even when halls or policies name it (their TV
    pages skip names of guides that are not published)."""
    lock(conn)
    current = working(conn, kind, item_id)
    if current is None or not current.published:
        raise LookupError(item_id)
    if current.revision != revision:
        raise Conflict(current)
    if check_refs:
        _refuse_broken_references(conn, kind, item_id, None)
    _put_draft(conn, kind, item_id, current.data, user, keep_data=True, published_revision=None)
    store.delete_one(conn, kind, item_id)


_VERSION = select(versions_t.c.kind, versions_t.c.id, versions_t.c.number, versions_t.c.data,
                  versions_t.c.published_by, versions_t.c.published_at, versions_t.c.note)


def _version(row: tuple) -> Version:
    """A Version from a row of editor_versions."""
    return Version(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[6])


def version(conn: Connection, kind: str, item_id: str, number: int) -> Version | None:
    """One version of an item."""
    row = conn.execute(_VERSION.where(versions_t.c.kind == kind, versions_t.c.id == item_id,
                                      versions_t.c.number == number)).first()
    return _version(row) if row else None


def history(conn: Connection, kind: str, item_id: str) -> list[Version]:
    """Every version of an item, newest first."""
    rows = conn.execute(_VERSION.where(versions_t.c.kind == kind, versions_t.c.id == item_id)
                        .order_by(versions_t.c.number.desc()))
    return [_version(r) for r in rows]


def drafts_of(conn: Connection, kind: str, published_ids: set[str]) -> dict[str, Working]:
    """Every draft row of one kind, by id (for the item lists)."""
    d = drafts_t.c
    rows = conn.execute(select(d.id, d.data, d.revision, d.published_revision, d.updated_by, d.updated_at)
                        .where(d.kind == kind))
    return {r[0]: Working(kind, r[0], json.loads(r[1]), r[2], r[3], r[4], r[5], r[0] in published_ids) for r in rows}


def record_imports(conn: Connection, records: list[Any], user: str) -> list[tuple[str, str, dict]]:
    """Inside the caller's transaction (which holds ``lock``): every imported record becomes its item's draft,
    a new version and the published text, in a few statements whatever the number of records.

    An item that had no version yet first gets its published text as version 1 (as when it is edited).
    Returns (kind, id, draft) of each unpublished draft the import replaced, for the audit log.
    """
    editable = [r for r in records if r.KIND in EDITABLE_KINDS]
    kinds = sorted({r.KIND for r in editable})
    d, v, c = drafts_t.c, versions_t.c, content_t.c
    drafts = {(k, i): (data, rev, pub) for k, i, data, rev, pub in conn.execute(
        select(d.kind, d.id, d.data, d.revision, d.published_revision).where(d.kind.in_(kinds)))}
    published = {(k, i): data for k, i, data in conn.execute(select(c.kind, c.id, c.data).where(c.kind.in_(kinds)))}
    newest = {(k, i): n for k, i, n in conn.execute(
        select(v.kind, v.id, func.max(v.number)).where(v.kind.in_(kinds)).group_by(v.kind, v.id))}
    stamp, replaced, new_drafts, bumped, new_versions = utc_stamp(), [], [], [], []
    for record in editable:
        key, data = (record.KIND, record.id), _dump(to_plain(record))
        draft = drafts.get(key)
        if draft is not None and key in published and draft[1] != draft[2]:
            replaced.append((*key, json.loads(draft[0])))
        number = newest.get(key, 0)
        if number == 0 and key in published:  # the baseline, as _ensure_baseline makes it
            number = 1
            new_versions.append({"kind": key[0], "id": key[1], "number": 1, "data": _dump(json.loads(published[key])),
                                 "published_by": BASELINE_AUTHOR, "published_at": stamp, "note": "initial"})
        new_versions.append({"kind": key[0], "id": key[1], "number": number + 1, "data": data, "published_by": user,
                             "published_at": stamp, "note": "import"})
        if draft is None:
            new_drafts.append({**_draft_row(*key, {}, user, 1), "data": data})
        else:
            bumped.append({"k": key[0], "i": key[1], "text": data, "rev": draft[1] + 1, "by": user, "at": stamp})
    if new_drafts:
        conn.execute(insert(drafts_t), new_drafts)
    if bumped:
        conn.execute(update(drafts_t).where(d.kind == bindparam("k"), d.id == bindparam("i")).values(
            data=bindparam("text"), revision=bindparam("rev"), published_revision=bindparam("rev"),
            updated_by=bindparam("by"), updated_at=bindparam("at")), bumped)
    if new_versions:
        conn.execute(insert(versions_t), new_versions)
    store.put_many(conn, records)
    return replaced
