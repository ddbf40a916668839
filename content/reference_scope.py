"""The broken references a change of one record adds, reading only the records the change can affect.

Checking the whole content set (content/integrity.py) before and after would read and parse every stored
guide: seconds at 10,000 guides, for each publish.  Only guides scale like that; every other kind is
small, so the check reads all of those, plus the guides the change involves:

* the record itself, as stored and as it will be;
* the guides it names (a hall's 可办事项, a policy's 相关办事指南, a bundle's guides);
* the guides sharing its 实施编码 (old or new), in stored order, since a duplicate names the first one;
* when a hall goes away, the guides that name it.

A problem of a record whose targets were not read shows up before and after alike, so comparing the two
(as the full check does) leaves exactly the problems the change adds.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from content.integrity import check_references
from content.store import KINDS, Stored
from content.tables import content

_GUIDE_REFERRERS = {"hall": "services", "policy": "related_guides", "bundle": "guide_ids"}
Found = dict[tuple[str, str], tuple[int, Stored]]  # (kind, id) -> (position, record)


def _rows(conn: Connection, *where) -> Found:
    """Stored records matching ``where``, unvalidated, with their positions."""
    c = content.c
    query = select(c.kind, c.id, c.position, c.data).where(*where)
    return {(kind, rid): (position, Stored(kind, json.loads(data))) for kind, rid, position, data in conn.execute(query)}


def _guides_involved(conn: Connection, kind: str, item_id: str, records: list[Any], removed: bool) -> Found:
    """The stored guides whose problems the change can alter, or whose existence those problems depend on.

    The guides naming a removed guide need not be read: only halls, policies and bundles name guides.
    """
    c, found = content.c, {}
    ids = sorted({ref for r in records for ref in getattr(r, _GUIDE_REFERRERS[kind])}) if kind in _GUIDE_REFERRERS else []
    if ids:
        found.update(_rows(conn, c.kind == "guide", c.id.in_(ids)))
    codes = sorted({r.implementation_code for r in records if r.implementation_code}) if kind == "guide" else []
    if codes:
        found.update(_rows(conn, c.kind == "guide", c.code.in_(codes)))
    if removed and kind == "hall":  # the text filter only narrows (no JSON parsing in Python); the check decides
        found.update(_rows(conn, c.kind == "guide", c.data.contains(json.dumps(item_id, ensure_ascii=False))))
    return found


def added_problems(conn: Connection, kind: str, item_id: str, record: Any | None) -> list[str]:
    """Broken references that storing ``record`` as (kind, item_id) (None: removing it) adds, in the order the
    full check names them."""
    c = content.c
    found = _rows(conn, c.kind.in_([k for k in KINDS if k != "guide"]))  # not "!= guide": that scans the guides
    found.update(_rows(conn, c.kind == kind, c.id == item_id))
    stored = found.get((kind, item_id))
    involved = [r for r in (stored and stored[1], record) if r is not None]
    found.update(_guides_involved(conn, kind, item_id, involved, record is None))
    before = [r for _key, (_p, r) in sorted(found.items(), key=lambda kv: (kv[0][0], kv[1][0], kv[0][1]))]
    after = [r for r in before if not (r.KIND == kind and r.id == item_id)] + ([record] if record else [])
    known = set(check_references(before))
    return [p for p in check_references(after) if p not in known]
