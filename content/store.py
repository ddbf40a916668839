"""The content store: one JSON document per record, typed by the content model, in the tables of
content/tables.py on a SQLAlchemy Connection (SQLite or PostgreSQL; the portal's storage layer,
tvportal/storage/, makes the connection and the transaction).

Reads for TV pages never come here: they use the in-memory Snapshot (content/snapshot.py) built
from this store at start-up and after each change.  Documents of an older schema version are
rewritten once by ``migrate_documents`` (the portal runs it when it upgrades the database).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from content.model import KINDS as MODEL_KINDS, SCHEMA_VERSION, City, migrate, model_of, to_plain
from content.tables import content, meta, utc_stamp

KINDS: dict[str, type] = {kind: model_of(kind) for kind in MODEL_KINDS}


def _insert(conn: Connection, table):
    """INSERT with ON CONFLICT support in the connection's dialect."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


def migrate_documents(conn: Connection) -> None:
    """Inside the caller's transaction: rewrite every document of an older schema version in the current shape."""
    raw = get_meta(conn, "schema_version")
    if raw is None or int(raw) >= SCHEMA_VERSION:
        return
    rows = conn.execute(select(content.c.kind, content.c.id, content.c.data)).all()
    for kind, rid, data in rows:
        if kind not in KINDS:
            continue
        record = KINDS[kind].from_dict(migrate(kind, json.loads(data), int(raw)))
        conn.execute(update(content).where(content.c.kind == kind, content.c.id == rid)
                     .values(data=json.dumps(to_plain(record), ensure_ascii=False)))
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


def put_all(conn: Connection, kind: str, records: list[Any]) -> None:
    """Insert or replace records of one kind, keeping their order."""
    if not records:
        return
    stmt = _insert(conn, content)
    stmt = stmt.on_conflict_do_update(index_elements=["kind", "id"], set_={
        "position": stmt.excluded.position, "data": stmt.excluded.data, "updated_at": utc_stamp()})
    conn.execute(stmt, [{"kind": kind, "id": r.id, "position": i, "data": _dump(r), "updated_at": utc_stamp()}
                        for i, r in enumerate(records)])


def put(conn: Connection, kind: str, record: Any) -> None:
    """Insert or update one record; a new record goes to the end of its kind's order."""
    end = select(func.coalesce(func.max(content.c.position), -1) + 1).where(content.c.kind == kind).scalar_subquery()
    stmt = _insert(conn, content).values(kind=kind, id=record.id, position=end, data=_dump(record),
                                         updated_at=utc_stamp())
    conn.execute(stmt.on_conflict_do_update(index_elements=["kind", "id"], set_={
        "data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at}))


def _ordered(kind: str, *columns):
    """SELECT columns of one kind's records in stored order."""
    return select(*columns).where(content.c.kind == kind).order_by(content.c.position, content.c.id)


def load_all(conn: Connection, kind: str) -> list[Any]:
    """Read every record of one kind as model objects, in stored order."""
    model = KINDS[kind]
    return [model.from_dict(json.loads(data)) for data in conn.execute(_ordered(kind, content.c.data)).scalars()]


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
    """Remove one record (the editor's 撤下); True when there was one."""
    return conn.execute(delete(content).where(content.c.kind == kind, content.c.id == record_id)).rowcount > 0


def load_plain(conn: Connection, kind: str, record_id: str) -> dict[str, Any] | None:
    """One stored record as plain JSON (not validated), or None (used by the editor)."""
    data = conn.execute(select(content.c.data).where(content.c.kind == kind, content.c.id == record_id)).scalar()
    return json.loads(data) if data is not None else None


def iter_plain(conn: Connection, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """Every stored record of one kind as (id, plain JSON), in stored order, without validating (editor lists)."""
    return [(record_id, json.loads(data)) for record_id, data in conn.execute(_ordered(kind, content.c.id, content.c.data))]
