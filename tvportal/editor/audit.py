"""The editor's audit log: who did what, when, on which item and from which address.

Rows are only ever added.  A row may keep a copy of an unpublished draft that an action
replaced (a rollback or an import), so that nothing typed is lost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select

from tvportal.i18n import N_, gettext as _
from tvportal.storage.tables import editor_audit as audit_t

# details are stored in a fixed, language-free shape ("revision 3", "version 2 -> version 3") and
# worded in Chinese when shown, so old lines read the same as new ones
_DETAIL_WORDS = (
    (re.compile(r"\brevision (\d+)"), N_("draft revision {n}")),
    (re.compile(r"\bversion (\d+)"), N_("version {n}")),
)
_DETAIL_PHRASES = {
    "replaced an unpublished draft": N_("replaced an unpublished draft"),
    "kept the draft": N_("kept the unpublished draft; the file's text was not used"),
    "unchanged": N_("the same as the file; nothing was changed"),
    "xml": "XML", "json": "JSON",
}

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


def _dump(data: dict) -> str:
    """Canonical JSON of a kept draft."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def record(conn: Connection, user: str, address: str, action: str, kind: str = "", item_id: str = "",
          detail: str = "", kept_data: dict | None = None) -> None:
    """Append one line to the audit log."""
    conn.execute(insert(audit_t).values(user=user, address=address, action=action, kind=kind, item_id=item_id,
                                        detail=detail, kept_data=None if kept_data is None else _dump(kept_data)))


def readable(detail: str) -> str:
    """An audit detail as an editor reads it (no English words)."""
    if detail in _DETAIL_PHRASES:
        return _(_DETAIL_PHRASES[detail])
    for pattern, text in _DETAIL_WORDS:
        detail = pattern.sub(lambda m, text=text: _(text).format(n=m.group(1)), detail)
    return detail.replace(" -> ", " → ")


def audit_entries(conn: Connection, limit: int = 100, offset: int = 0, user: str = "", kind: str = "",
                  item_id: str = "") -> tuple[list[AuditEntry], int]:
    """Audit lines, newest first, optionally only one user's or one item's; and how many there are in all."""
    where = [audit_t.c[column] == value for column, value in (("user", user), ("kind", kind), ("item_id", item_id))
             if value]
    total = conn.execute(select(func.count()).select_from(audit_t).where(*where)).scalar_one()
    c = audit_t.c
    rows = conn.execute(select(c.seq, c.at, c.user, c.address, c.action, c.kind, c.item_id, c.detail,
                               c.kept_data.is_not(None)).where(*where).order_by(c.seq.desc()).limit(limit).offset(offset))
    return [AuditEntry(*r[:8], bool(r[8])) for r in rows], total


def kept_data(conn: Connection, seq: int) -> dict | None:
    """The unpublished draft an audit line kept (a rollback replaced it), or None."""
    data = conn.execute(select(audit_t.c.kept_data).where(audit_t.c.seq == seq)).scalar()
    return json.loads(data) if data else None


def item_of(conn: Connection, seq: int) -> tuple[str, str] | None:
    """The (kind, item id) an audit line is about, or None when there is no such line."""
    row = conn.execute(select(audit_t.c.kind, audit_t.c.item_id).where(audit_t.c.seq == seq)).first()
    return (row[0], row[1]) if row else None
