"""The content store: one JSON document per record, typed by the content model, in the tables of
content/tables.py on a SQLAlchemy Connection (SQLite or PostgreSQL; the portal's storage layer,
tvportal/storage/, makes the connection and the transaction).

Reads for TV pages never come here: they use the in-memory Snapshot (content/snapshot.py) built
from this store at start-up and brought up to date with ``changes_since`` after each change.  Every
write stamps the rows it touches with the transaction's content version (content/tables.py).
Documents of an older schema version are rewritten once by ``migrate_documents``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from content.decode import decode_lazy
from content.model import KINDS as MODEL_KINDS, SCHEMA_VERSION, City, migrate, model_of, to_plain
from content.tables import content, content_removed, content_version, meta, utc_stamp

KINDS: dict[str, type] = {kind: model_of(kind) for kind in MODEL_KINDS}
_VERSION_OF_TX = "content_version_of_transaction"
PAGE = 500  # rows written, or read and decoded, at a time in big changes (memory and event-loop turns bounded)


@dataclass(frozen=True)
class Row:
    """One stored record with its place in its kind's order."""

    kind: str
    id: str
    position: int
    record: Any
    digest: str = ""  # of the stored JSON: what a saved search index is checked against (content/index_cache.py)


@dataclass(frozen=True)
class Changes:
    """What changed after some content version: records written and (kind, id) of records removed."""

    version: int
    city: City
    rows: tuple[Row, ...]
    removed: tuple[tuple[str, str], ...]


def _insert(conn: Connection, table):
    """INSERT with ON CONFLICT support in the connection's dialect."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


def current_version(conn: Connection) -> int:
    """The number of the newest committed write of published content (0: none yet)."""
    return conn.execute(select(content_version.c.version).where(content_version.c.id == 1)).scalar() or 0


def write_version(conn: Connection) -> int:
    """Inside a write transaction: the content version its writes carry, taken once per transaction.

    The UPDATE locks the counter's row until commit, so concurrent writers get their numbers in the
    order they commit, and a reader that saw version N has seen every write numbered N or less.
    """
    tx = conn.get_transaction()
    cached = conn.info.get(_VERSION_OF_TX)
    if cached is not None and cached[0] is tx:
        return cached[1]
    bump = update(content_version).where(content_version.c.id == 1).values(version=content_version.c.version + 1)
    if conn.execute(bump).rowcount == 0:
        conn.execute(_insert(conn, content_version).values(id=1, version=0).on_conflict_do_nothing())
        conn.execute(bump)
    number = current_version(conn)
    conn.info[_VERSION_OF_TX] = (tx, number)
    return number


def migrate_documents(conn: Connection) -> None:
    """Inside the caller's transaction: rewrite every document of an older schema version in the current shape."""
    raw = get_meta(conn, "schema_version")
    if raw is None or int(raw) >= SCHEMA_VERSION:
        return
    version = write_version(conn)
    rows = conn.execute(select(content.c.kind, content.c.id, content.c.data)).all()
    for kind, rid, data in rows:
        if kind not in KINDS:
            continue
        record = KINDS[kind].from_dict(migrate(kind, json.loads(data), int(raw)))
        conn.execute(update(content).where(content.c.kind == kind, content.c.id == rid)
                     .values(data=_dump(record), code=code_of(record), version=version))
    set_meta(conn, "schema_version", str(SCHEMA_VERSION))


def get_meta(conn: Connection, key: str) -> str | None:
    """Read one value of the meta table."""
    return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()


def set_meta(conn: Connection, key: str, value: str) -> None:
    """Write one value of the meta table."""
    stmt = _insert(conn, meta).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value}))


def _dump(record: Any) -> str:
    """A record as stored JSON."""
    return json.dumps(to_plain(record), ensure_ascii=False)


def code_of(record: Any) -> str | None:
    """What the ``code`` column holds for a record: a guide's 实施编码, else NULL."""
    return getattr(record, "implementation_code", None) or None


def _upsert(conn: Connection, rows: list[dict[str, Any]], keep_position: bool) -> None:
    """Insert or update rows of the content table in one statement."""
    if not rows:
        return
    stmt = _insert(conn, content)
    changed = {"data": stmt.excluded.data, "code": stmt.excluded.code, "updated_at": stmt.excluded.updated_at,
               "version": stmt.excluded.version}
    if not keep_position:
        changed["position"] = stmt.excluded.position
    conn.execute(stmt.on_conflict_do_update(index_elements=["kind", "id"], set_=changed), rows)


def put_all(conn: Connection, kind: str, records: list[Any]) -> None:
    """Insert or replace records of one kind, in this order (positions 0, 1, 2 …)."""
    version, stamp = write_version(conn), utc_stamp()
    _upsert(conn, [{"kind": kind, "id": r.id, "position": i, "data": _dump(r), "code": code_of(r),
                    "updated_at": stamp, "version": version} for i, r in enumerate(records)], keep_position=False)


def put_many(conn: Connection, records: Iterable[Any]) -> None:
    """Insert or update records of any kinds; new ones go to the end of their kind's order, in the given order.

    One query per kind finds where its order ends, so a batch of 10,000 costs no more per record than one.
    """
    version, stamp = write_version(conn), utc_stamp()
    by_kind: dict[str, list[Any]] = {}
    for record in records:
        by_kind.setdefault(record.KIND, []).append(record)
    for kind, batch in by_kind.items():
        end = conn.execute(select(func.coalesce(func.max(content.c.position), -1))
                           .where(content.c.kind == kind)).scalar() + 1
        for at in range(0, len(batch), PAGE):  # the JSON of a page at a time: an import's memory stays bounded
            rows = [{"kind": kind, "id": r.id, "position": end + at + i, "data": _dump(r), "code": code_of(r),
                     "updated_at": stamp, "version": version} for i, r in enumerate(batch[at:at + PAGE])]
            _upsert(conn, rows, keep_position=True)  # an existing record keeps its place; a gap in positions is harmless


def put(conn: Connection, kind: str, record: Any) -> None:
    """Insert or update one record; a new record goes to the end of its kind's order."""
    assert record.KIND == kind
    put_many(conn, [record])


def _ordered(kind: str, *columns):
    """SELECT columns of one kind's records in stored order."""
    return select(*columns).where(content.c.kind == kind).order_by(content.c.position, content.c.id)


def load_all(conn: Connection, kind: str) -> list[Any]:
    """Read every record of one kind as model objects, in stored order."""
    model = KINDS[kind]
    return [model.from_dict(json.loads(data)) for data in conn.execute(_ordered(kind, content.c.data)).scalars()]


def _row(kind: str, rid: str, position: int, data: str, strings: dict[str, str]) -> Row | None:
    """A stored row as a Row (None for a kind this version of the code does not know).

    Stored documents were validated when they were written: they are read without validating again,
    sharing repeated strings through ``strings`` (content/decode.py).
    """
    model = KINDS.get(kind)
    if model is None:
        return None
    packed = data.encode()
    record = decode_lazy(model, json.loads(packed), packed, strings)
    return Row(kind, rid, position, record, hashlib.blake2b(packed, digest_size=12).hexdigest())


def load_rows(conn: Connection) -> tuple[int, City, list[Row]]:
    """The content version, the city and every record with its position (a full snapshot's input)."""
    version = current_version(conn)
    cols = (content.c.kind, content.c.id, content.c.position, content.c.data)
    strings: dict[str, str] = {}
    ordered = select(*cols).order_by(content.c.kind, content.c.position, content.c.id)
    # streamed in batches: 10,000 documents fetched at once would be ~100 MB of text held at the same time
    rows = [_row(*r, strings) for r in conn.execution_options(stream_results=True, yield_per=500).execute(ordered)]
    return version, load_city(conn), [r for r in rows if r is not None]


def changed_keys(conn: Connection, version: int) -> tuple[int, list[tuple[str, str]], tuple[tuple[str, str], ...]] | None:
    """The content version, the (kind, id) written and those removed after ``version``; None when nothing was.

    Only keys: a big import's documents are then read a page at a time (``rows_of``).  The counter is read
    first, so rows committed meanwhile may come too (with a higher version): applying them now and again
    next time gives the same result.  When a record was both written and removed in that span, whichever
    happened last (higher version) wins.
    """
    newest = current_version(conn)
    if newest <= version:
        return None
    cols = (content.c.kind, content.c.id, content.c.version)
    written = {(k, i): v for k, i, v in conn.execute(select(*cols).where(content.c.version > version))}
    removed = {}
    tombs = select(content_removed.c.kind, content_removed.c.id, content_removed.c.version)
    for k, i, v in conn.execute(tombs.where(content_removed.c.version > version)):
        if (k, i) not in written or written[(k, i)] < v:
            written.pop((k, i), None)
            removed[(k, i)] = v
    newest = max([newest, *written.values(), *removed.values()])
    return newest, sorted(written), tuple(removed)


def rows_of(conn: Connection, keys: list[tuple[str, str]], strings: dict[str, str] | None = None) -> list[Row]:
    """The stored rows of ``keys`` (one page of ``changed_keys``), decoded; a key removed meanwhile is skipped
    (its tombstone is read next time)."""
    strings = {} if strings is None else strings
    by_kind: dict[str, list[str]] = {}
    for kind, rid in keys:
        by_kind.setdefault(kind, []).append(rid)
    cols = (content.c.kind, content.c.id, content.c.position, content.c.data)
    rows = []
    for kind, ids in by_kind.items():
        query = select(*cols).where(content.c.kind == kind, content.c.id.in_(ids))
        rows += [_row(*raw, strings) for raw in conn.execute(query)]
    return [r for r in rows if r is not None]


def changes_since(conn: Connection, version: int) -> Changes | None:
    """What was written and removed after ``version`` (see ``changed_keys``), read at once; None when nothing was."""
    head = changed_keys(conn, version)
    if head is None:
        return None
    newest, keys, removed = head
    strings: dict[str, str] = {}
    rows = [row for at in range(0, len(keys), PAGE) for row in rows_of(conn, keys[at:at + PAGE], strings)]
    return Changes(newest, load_city(conn), tuple(rows), removed)


def load_city(conn: Connection) -> City:
    """Read the city the deployment serves."""
    raw = get_meta(conn, "city")
    if raw is None:
        raise LookupError("no city in the database")
    data = json.loads(raw)
    return City(code=data["code"], name=data["name"], counties=tuple(tuple(c) for c in data["counties"]))


def is_empty(conn: Connection) -> bool:
    """True when no content has been loaded yet (first start)."""
    return get_meta(conn, "city") is None


def save_demo(conn: Connection, demo: dict[str, Any]) -> None:
    """Inside the caller's transaction: fill an empty database with the bundled demo content."""
    set_meta(conn, "schema_version", str(SCHEMA_VERSION))
    set_meta(conn, "city", json.dumps(demo["city"], ensure_ascii=False))
    for kind in KINDS:
        put_all(conn, kind, demo.get(kind, []))


def delete_one(conn: Connection, kind: str, record_id: str) -> bool:
    """Remove one record (the editor's 撤下), leaving a tombstone for other instances; True when there was one."""
    if conn.execute(delete(content).where(content.c.kind == kind, content.c.id == record_id)).rowcount == 0:
        return False
    stmt = _insert(conn, content_removed).values(kind=kind, id=record_id, version=write_version(conn))
    conn.execute(stmt.on_conflict_do_update(index_elements=["kind", "id"], set_={"version": stmt.excluded.version}))
    return True


class Stored:
    """A stored record as its plain JSON, read without validating: checking references (an import, a publish)
    needs only ids, 实施编码, names and references, and validating 10,000 stored guides would take seconds."""

    __slots__ = ("KIND", "_data")

    def __init__(self, kind: str, data: dict[str, Any]) -> None:
        """Wrap the stored JSON of a record of ``kind``."""
        self.KIND = kind
        self._data = data

    def __getattr__(self, name: str) -> Any:
        """A field of the record (lists as tuples, missing ones empty)."""
        value = self._data.get(name, ())
        return tuple(value) if isinstance(value, list) else value


def load_references(conn: Connection) -> list[Stored]:
    """Every stored record, unvalidated, for reference checks (content/integrity.py)."""
    return [Stored(kind, data) for kind in KINDS for _rid, data in iter_plain(conn, kind)]


def load_plain(conn: Connection, kind: str, record_id: str) -> dict[str, Any] | None:
    """One stored record as plain JSON (not validated), or None (used by the editor)."""
    data = conn.execute(select(content.c.data).where(content.c.kind == kind, content.c.id == record_id)).scalar()
    return json.loads(data) if data is not None else None


def iter_plain(conn: Connection, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """Every stored record of one kind as (id, plain JSON), in stored order, without validating (editor lists)."""
    return [(record_id, json.loads(data)) for record_id, data in conn.execute(_ordered(kind, content.c.id, content.c.data))]
