"""The import check: what a file would do to each record, a pending import kept in the database, and applying it.

An upload changes nothing.  Each record of the file is sorted into new, changed, unchanged (the TV already
shows exactly this) or conflict: the item has an unpublished draft that differs from both the published
text and the file, so importing would silently throw someone's work away.  Every conflict needs its own
choice — keep the draft (the file's text for that item is not used) or replace it (the draft is kept in
the audit log) — before 确认导入 is accepted.  Unchanged records make no version.

The file waits in ``editor_imports`` (not in a process's memory), so the confirmation may reach another
portal instance; at confirmation it is checked again against the content as it is then.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from content import store
from content.model import ContentError, to_plain
from content.tables import content as content_t, utc_stamp
from content.xml_io import ImportReport, apply_import, parse_import, stored_references
from tvportal.editor import audit, versions
from tvportal.i18n import N_, gettext as _
from tvportal.storage.tables import editor_drafts as drafts_t, editor_imports as imports_t, \
    editor_versions as versions_t

STATUSES = ("conflict", "new", "changed", "unchanged")
STATUS_NAMES = {"new": N_("New records"), "changed": N_("Changed records"), "unchanged": N_("Unchanged records"),
                "conflict": N_("Conflicts with an unpublished draft")}
CHOICES = ("keep", "replace")
_STAMP = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Entry:
    """One record of the file and what importing it would do."""

    kind: str
    id: str
    name: str
    status: str
    line: int | None = None
    draft: dict[str, Any] | None = None  # the unpublished draft of a conflict
    draft_by: str = ""
    draft_at: str = ""
    data: dict[str, Any] | None = None  # the file's record as plain JSON

    @property
    def key(self) -> str:
        """``kind/id``: how the plan and the form name the record."""
        return f"{self.kind}/{self.id}"


@dataclass(frozen=True)
class Pending:
    """A checked file waiting for 确认导入."""

    token: str
    user: str
    filename: str
    file: bytes
    plan: dict[str, str]
    expires_at: str


def _same(kind: str, stored: dict[str, Any], plain: dict[str, Any]) -> bool:
    """True when the stored record says what the file says (the stored one normalised as an import would)."""
    if stored == plain:
        return True
    try:
        return to_plain(store.KINDS[kind].from_dict(stored)) == plain
    except (ContentError, KeyError):
        return False


def classify(conn: Connection, report: ImportReport) -> list[Entry]:
    """Sort every record of a clean, resolved report into new, changed, unchanged and conflict."""
    kinds = sorted({r.KIND for r in report.records})
    d, c = drafts_t.c, content_t.c
    published = {(k, i): json.loads(data) for k, i, data in conn.execute(
        select(c.kind, c.id, c.data).where(c.kind.in_(kinds)))}
    drafts = {(k, i): row for k, i, *row in conn.execute(
        select(d.kind, d.id, d.data, d.revision, d.published_revision, d.updated_by, d.updated_at)
        .where(d.kind.in_([k for k in kinds if k in versions.EDITABLE_KINDS])))}
    entries = []
    for record in report.records:
        key, plain = (record.KIND, record.id), to_plain(record)
        name = str(plain.get("name") or plain.get("title") or record.id)
        pub, draft = published.get(key), drafts.get(key)
        line = report.lines.get(key)
        draft_data = json.loads(draft[0]) if draft is not None else None
        unpublished = draft is not None and (pub is None or draft[1] != draft[2])
        if pub is not None and _same(record.KIND, pub, plain):
            status = "unchanged"
        elif unpublished and draft_data != plain and (pub is None or not _same(record.KIND, pub, draft_data)):
            entries.append(Entry(*key, name, "conflict", line, draft_data, draft[3], draft[4], plain))
            continue
        else:
            status = "changed" if pub is not None else "new"
        entries.append(Entry(*key, name, status, line, data=plain))
    return entries


def check_file(conn: Connection, data: bytes) -> tuple[ImportReport, list[Entry]]:
    """The report of a file and, when it is clean, what importing it would do (read-only)."""
    report = parse_import(data, existing=stored_references(conn))
    return report, (classify(conn, report) if report.ok else [])


def _expired(now: dt.datetime) -> str:
    """``now`` as the stored stamp format."""
    return now.astimezone(dt.timezone.utc).strftime(_STAMP)


def save_pending(conn: Connection, user: str, filename: str, data: bytes, entries: list[Entry],
                 now: dt.datetime, hours: int) -> str:
    """Keep a checked file for ``hours``; drop the ones whose time ran out.  Returns its token."""
    conn.execute(delete(imports_t).where(imports_t.c.expires_at < _expired(now)))
    token = secrets.token_urlsafe(24)
    conn.execute(insert(imports_t).values(
        token=token, user=user, filename=filename[:200], file=data, created_at=utc_stamp(),
        plan=json.dumps({e.key: e.status for e in entries}, ensure_ascii=False),
        expires_at=_expired(now + dt.timedelta(hours=hours))))
    return token


def load_pending(conn: Connection, token: str) -> Pending | None:
    """A pending import by its token (expired ones included: the caller says so)."""
    i = imports_t.c
    row = conn.execute(select(i.token, i.user, i.filename, i.file, i.plan, i.expires_at)
                       .where(i.token == token)).first()
    return Pending(row[0], row[1], row[2], bytes(row[3]), json.loads(row[4]), row[5]) if row else None


def is_expired(pending: Pending, now: dt.datetime) -> bool:
    """True when the file waited longer than allowed."""
    return pending.expires_at < _expired(now)


def drop_pending(conn: Connection, token: str) -> None:
    """Forget a pending import (done or cancelled)."""
    conn.execute(delete(imports_t).where(imports_t.c.token == token))


@dataclass(frozen=True)
class Outcome:
    """What happened to one record, in words for the result screen."""

    entry: Entry
    text: str


def apply_checked(conn: Connection, pending: Pending, choices: dict[str, str], user: str,
                  address: str) -> tuple[list[Outcome], dict[str, int]]:
    """Check the file again against the content as it is now and import it with the choices, in one transaction.

    Raises ``MissingChoice`` (with the current entries) when a conflict has no choice, ContentError when the
    file no longer passes the checks.  Returns the outcome of each record and the counts for the log.
    """
    versions.lock(conn)
    report, entries = check_file(conn, pending.file)
    if not report.ok:
        raise ContentError("；".join(str(p) for p in report.errors[:5]) or report.summary())
    missing = [e for e in entries if e.status == "conflict" and choices.get(e.key) not in CHOICES]
    if missing:
        raise MissingChoice(entries, missing)
    kept = {e.key for e in entries if e.status == "conflict" and choices[e.key] == "keep"}
    skipped = kept | {e.key for e in entries if e.status == "unchanged"}
    todo = [r for r in report.records if f"{r.KIND}/{r.id}" not in skipped]
    if todo:
        apply_import(conn, dataclasses.replace(report, records=todo),
                     write=lambda c, records: versions.record_imports(c, records, user))
    numbers = _newest_versions(conn, [e for e in entries if e.key not in skipped])
    outcomes, counts = [], {status: 0 for status in (*STATUSES, "keep", "replace")}
    for e in entries:
        number = numbers.get((e.kind, e.id))
        if e.status == "conflict":
            choice = choices[e.key]
            counts[choice] += 1
            if choice == "keep":
                text = _("Kept the unpublished draft; the file's text for it was not used.")
                audit.record(conn, user, address, "import", e.kind, e.id, "kept the draft")
            else:
                text = _("Replaced the draft with the file's text and published it as version {n}; the draft is "
                         "kept in the audit log.").format(n=number)
                audit.record(conn, user, address, "import", e.kind, e.id, "replaced an unpublished draft", e.draft)
        else:
            counts[e.status] += 1
            text = {"new": _("Added and published as version {n}."),
                    "changed": _("Updated and published as version {n}."),
                    "unchanged": _("The same as on the TV: nothing changed, no new version.")}[e.status].format(
                n=number)
            if e.status != "unchanged" and e.kind in versions.EDITABLE_KINDS:
                audit.record(conn, user, address, "import", e.kind, e.id, f"version {number}")
        outcomes.append(Outcome(e, text))
    audit.record(conn, user, address, "import", detail=f"{pending.filename}: {summary(counts)}")
    drop_pending(conn, pending.token)
    return outcomes, counts


def _newest_versions(conn: Connection, entries: list[Entry]) -> dict[tuple[str, str], int]:
    """The newest version number of each imported guide, policy or hall."""
    v = versions_t.c
    kinds = sorted({e.kind for e in entries if e.kind in versions.EDITABLE_KINDS})
    wanted = {(e.kind, e.id) for e in entries}
    rows = conn.execute(select(v.kind, v.id, func.max(v.number)).where(v.kind.in_(kinds)).group_by(v.kind, v.id))
    return {(k, i): n for k, i, n in rows if (k, i) in wanted}


def summary(counts: dict[str, int]) -> str:
    """One line in Chinese: how many records were added, updated, left alone, and how conflicts were settled."""
    parts = [(N_("{n} new"), counts.get("new", 0)), (N_("{n} updated"), counts.get("changed", 0)),
             (N_("{n} unchanged"), counts.get("unchanged", 0)),
             (N_("{n} drafts kept"), counts.get("keep", 0)), (N_("{n} drafts replaced"), counts.get("replace", 0))]
    return _("; ").join(_(text).format(n=n) for text, n in parts if n) or _("nothing to import")


class MissingChoice(Exception):
    """Some conflicts have no choice; carries the entries as they are now and the ones missing a choice."""

    def __init__(self, entries: list[Entry], missing: list[Entry]) -> None:
        """Remember what to show again."""
        super().__init__(f"{len(missing)} conflicts without a choice")
        self.entries, self.missing = entries, missing
