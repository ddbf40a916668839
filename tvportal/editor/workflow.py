"""The review workflow of a draft: 草稿 → 待审核 → 已退回 | 已通过 → 已发布 | 定时发布 (wagtail's moderation,
GOV.UK's 2i review).

One row per item in ``editor_workflow`` says where its draft is and which draft revision that is about;
a save after a submission, approval or schedule sends the draft back to 草稿, because what was reviewed
is no longer what would be published.  Every function here runs inside the caller's write transaction
after ``versions.lock``, so a check and the change it allows never interleave with another editor's, and
each writes its own audit line in Chinese.  The free-text 审核状态 / 审核人 / 审核日期 of a guide are no
longer typed: they are written here from the workflow (the stored values keep their old meaning).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from content import store
from content.model import ContentError
from content.tables import utc_stamp
from tvportal.editor import audit, versions
from tvportal.editor.forms import WORKFLOW_OWNED, specs_of
from tvportal.i18n import N_, gettext as _
from tvportal.storage import upsert
from tvportal.storage.tables import editor_comments as comments_t, editor_drafts as drafts_t
from tvportal.storage.tables import editor_workflow as flow_t

STATE_NAMES = {"draft": N_("Draft"), "submitted": N_("Awaiting review"), "returned": N_("Returned"),
               "approved": N_("Approved"), "scheduled": N_("Scheduled"), "published": N_("Published")}
REVIEW_STATE = {"draft": "草稿", "returned": "草稿", "submitted": "待审核", "approved": "已审核", "scheduled": "已审核"}
SCHEDULER = "(scheduler)"  # the audit log's user for what the server does on its own
MAX_COMMENT = 500
MAX_NOTE = 200


class WorkflowError(Exception):
    """A workflow step that cannot be done now; the message is for the person who tried."""


class Ended(WorkflowError):
    """The guide's 计划取消日期 has come: it may not be put on the TV (``end_now`` takes it off instead)."""

    def __init__(self, date: str) -> None:
        super().__init__(_("Its planned end date ({date}) has come, so it cannot be put on the TV.").format(date=date))
        self.date = date


@dataclass(frozen=True)
class Flow:
    """Where an item's draft is in the workflow."""

    kind: str
    id: str
    state: str
    revision: int
    note: str = ""
    submitted_by: str = ""
    submitted_at: str = ""
    reviewed_by: str = ""
    reviewed_at: str = ""
    publish_at: str = ""
    scheduled_by: str = ""
    message: str = ""

    @property
    def state_name(self) -> str:
        """The state in the current language."""
        return _(STATE_NAMES[self.state])


@dataclass(frozen=True)
class Comment:
    """A reviewer's comment on a returned draft (``field`` "" = on the whole draft)."""

    seq: int
    field: str
    author: str
    text: str
    at: str


_COLUMNS = ("state", "revision", "note", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "publish_at",
            "scheduled_by", "message")


def flow_of(conn: Connection, kind: str, item_id: str, current: versions.Working | None = None) -> Flow | None:
    """The item's workflow state (None when the item does not exist).

    Without a row, an item with unpublished changes is a draft and one without is published; a row whose
    revision is not the draft's (a save the row does not know of, e.g. by an older portal) counts as a draft."""
    current = current or versions.working(conn, kind, item_id)
    if current is None:
        return None
    row = conn.execute(select(*(flow_t.c[c] for c in _COLUMNS)).where(flow_t.c.kind == kind,
                                                                     flow_t.c.id == item_id)).first()
    unpublished = current.status != "published"
    if row is None:
        return Flow(kind, item_id, "draft" if unpublished else "published", current.revision)
    values = dict(zip(_COLUMNS, row))
    if not unpublished and values["state"] != "published":
        values["state"] = "published"  # published meanwhile (a rollback or an import)
    elif unpublished and (values["state"] == "published" or values["revision"] != current.revision
                          and values["state"] != "returned"):
        values["state"] = "draft"
    return Flow(kind, item_id, **values)


def _put(conn: Connection, kind: str, item_id: str, **values: Any) -> None:
    """Insert or update the item's workflow row."""
    row = {"kind": kind, "id": item_id, "updated_at": utc_stamp(), **values}
    upsert(conn, flow_t, row, ["kind", "id"], {k: v for k, v in row.items() if k not in ("kind", "id")})


def _set_review_fields(conn: Connection, kind: str, item_id: str, **fields: str) -> None:
    """Write the workflow's 审核状态/审核人/审核日期 into the draft in place (no new revision: the text is the
    same one that was reviewed)."""
    if kind != "guide":
        return
    raw = conn.execute(select(drafts_t.c.data).where(drafts_t.c.kind == kind, drafts_t.c.id == item_id)).scalar()
    if raw is None:
        return
    data = json.loads(raw)
    data.update(fields)
    conn.execute(update(drafts_t).where(drafts_t.c.kind == kind, drafts_t.c.id == item_id)
                 .values(data=json.dumps(data, ensure_ascii=False, sort_keys=True)))


def keep_owned_fields(kind: str, typed: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """The typed record with the workflow's fields taken from the stored draft: a form cannot set them."""
    if kind != "guide":
        return typed
    return {**typed, **{name: stored.get(name, "") for name in WORKFLOW_OWNED}}


def saved(conn: Connection, kind: str, item_id: str, revision: int, user: str, address: str) -> None:
    """A save made draft ``revision``: what was submitted, approved or scheduled is not this text any more."""
    f = flow_t.c
    row = conn.execute(select(f.state, f.revision).where(f.kind == kind, f.id == item_id)).first()
    state = row[0] if row is not None else "draft"
    if state in ("submitted", "approved", "scheduled") and row[1] == revision - 1:
        audit.record(conn, user, address, "wf-reopened", kind, item_id,
                     _("Changed after “{state}”: back to draft; it must be submitted for review again.").format(
                         state=_(STATE_NAMES[state])))
    _put(conn, kind, item_id, state="returned" if state == "returned" else "draft", revision=revision,
         publish_at="", scheduled_by="", message="")
    _set_review_fields(conn, kind, item_id, review_state=REVIEW_STATE["draft"])


def _require(conn: Connection, kind: str, item_id: str, revision: int, *states: str) -> tuple[versions.Working, Flow]:
    """The item and its workflow when it is in one of ``states`` at ``revision``; WorkflowError otherwise."""
    versions.lock(conn)
    current = versions.working(conn, kind, item_id)
    if current is None:
        raise LookupError(item_id)
    flow = flow_of(conn, kind, item_id, current)
    if current.revision != revision:
        raise WorkflowError(_("{user} changed this item meanwhile (revision {n}). Nothing was done; look at the "
                              "current text and try again.").format(user=current.updated_by or "?",
                                                                    n=current.revision))
    if flow.state not in states:
        raise WorkflowError(_("This cannot be done now: the draft is “{state}”.").format(state=flow.state_name))
    return current, flow


def submit(conn: Connection, kind: str, item_id: str, revision: int, user: str, address: str, note: str) -> None:
    """An editor sends the draft for review with a note saying what changed and why."""
    note = note.strip()[:MAX_NOTE]
    if not note:
        raise WorkflowError(_("Please say in a few words what you changed and why (the change note)."))
    current, flow = _require(conn, kind, item_id, revision, "draft", "returned")
    if current.status == "published":
        raise WorkflowError(_("Nothing to review: the TV already shows this text."))
    stamp = utc_stamp()
    _put(conn, kind, item_id, state="submitted", revision=revision, note=note, submitted_by=user,
         submitted_at=stamp, publish_at="", scheduled_by="", message="")
    _set_review_fields(conn, kind, item_id, review_state=REVIEW_STATE["submitted"])
    audit.record(conn, user, address, "wf-submit", kind, item_id, _("Change note: {note}").format(note=note))


def check_not_own(current: versions.Working, flow: Flow, user: str, by_other: bool) -> None:
    """Nobody reviews their own change (the setting ``review_by_other``)."""
    if by_other and user in (flow.submitted_by, current.updated_by):
        raise WorkflowError(_("You made or submitted this change, so someone else must review it."))


def return_draft(conn: Connection, kind: str, item_id: str, revision: int, user: str, address: str,
                 comments: list[tuple[str, str]], by_other: bool) -> int:
    """A reviewer sends the draft back with comments, each on the whole draft or on one field."""
    comments = [(name, text.strip()[:MAX_COMMENT]) for name, text in comments if text.strip()]
    if not comments:
        raise WorkflowError(_("Write at least one comment saying what must be changed."))
    current, flow = _require(conn, kind, item_id, revision, "submitted")
    check_not_own(current, flow, user, by_other)
    conn.execute(update(comments_t).where(comments_t.c.kind == kind, comments_t.c.id == item_id,
                                          comments_t.c.open == 1).values(open=0))
    stamp = utc_stamp()
    conn.execute(comments_t.insert(), [{"kind": kind, "id": item_id, "revision": revision, "field": name,
                                        "author": user, "text": text, "at": stamp, "open": 1}
                                       for name, text in comments])
    _put(conn, kind, item_id, state="returned", revision=revision, reviewed_by=user, reviewed_at=stamp)
    _set_review_fields(conn, kind, item_id, review_state=REVIEW_STATE["returned"])
    labels = {spec.name: spec.label for spec in specs_of(kind)}  # the log names the field as the form does
    audit.record(conn, user, address, "wf-return", kind, item_id,
                 "；".join(f"{labels.get(name, name) + '：' if name else ''}{text}" for name, text in comments))
    return len(comments)


def approve(conn: Connection, kind: str, item_id: str, revision: int, user: str, address: str,
            by_other: bool, today: dt.date) -> None:
    """A reviewer approves the draft at ``revision``: a publisher may now publish exactly this text."""
    current, flow = _require(conn, kind, item_id, revision, "submitted")
    check_not_own(current, flow, user, by_other)
    _close_comments(conn, kind, item_id)
    _put(conn, kind, item_id, state="approved", revision=revision, reviewed_by=user, reviewed_at=utc_stamp(),
         message="")
    _set_review_fields(conn, kind, item_id, review_state=REVIEW_STATE["approved"], reviewed_by=user,
                       reviewed_at=today.isoformat())
    audit.record(conn, user, address, "wf-approve", kind, item_id, _("Approved draft revision {n}").format(n=revision))


def _close_comments(conn: Connection, kind: str, item_id: str) -> None:
    """The reviewer's comments are dealt with."""
    conn.execute(update(comments_t).where(comments_t.c.kind == kind, comments_t.c.id == item_id,
                                          comments_t.c.open == 1).values(open=0))


def check_publishable(conn: Connection, current: versions.Working, required: bool, today: dt.date) -> None:
    """Refuse a publication that skips the review, or of a guide whose 计划取消日期 has come."""
    if required:
        flow = flow_of(conn, current.kind, current.id, current)
        if flow.state not in ("approved", "scheduled") or flow.revision != current.revision:
            raise WorkflowError(_("This draft has not been approved by a reviewer yet, so it cannot be published. "
                                  "Submit it for review first."))
    ended = str(current.data.get("effective_to") or "")
    if current.kind == "guide" and ended and ended <= today.isoformat():
        raise Ended(ended)


def end_now(conn: Connection, current: versions.Working, user: str, address: str, date: str) -> bool:
    """Publishing a guide whose 计划取消日期 has come means what the date says: off the TV now (the draft with
    the date stays). False when it is not on the TV, so there is nothing to take off."""
    if not current.published:
        return False
    versions.unpublish(conn, current.kind, current.id, current.revision, user, check_refs=False)
    after = versions.working(conn, current.kind, current.id)
    message = _("Taken off the TV: its planned end date ({date}) has come.").format(date=date)
    _put(conn, current.kind, current.id, state="draft", revision=after.revision, publish_at="", scheduled_by="",
         message=message)
    audit.record(conn, user, address, "wf-expire", current.kind, current.id,
                 _("Planned end date {date} has come: taken off the TV, its search entries and speech").format(date=date))
    return True


def published(conn: Connection, kind: str, item_id: str, revision: int, user: str, address: str,
              number: int, scheduled: bool = False) -> None:
    """After a publication: the workflow is done for this draft; logged in Chinese."""
    _close_comments(conn, kind, item_id)
    _put(conn, kind, item_id, state="published", revision=revision, publish_at="", message="")
    what = _("Published at the scheduled time as version {n}") if scheduled else _("Published as version {n}")
    audit.record(conn, user, address, "publish", kind, item_id, what.format(n=number))


def schedule(conn: Connection, kind: str, item_id: str, revision: int, user: str, address: str,
             when: dt.datetime, required: bool, today: dt.date) -> None:
    """A publisher chooses when the approved draft goes on the TV (``when``: aware, in the future)."""
    states = ("approved", "scheduled") if required else ("draft", "returned", "submitted", "approved", "scheduled")
    current, _flow = _require(conn, kind, item_id, revision, *states)
    if current.status == "published":
        raise WorkflowError(_("Nothing to publish: the TV already shows this text."))
    check_publishable(conn, current, required, today)
    stamp = when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    _put(conn, kind, item_id, state="scheduled", revision=revision, publish_at=stamp, scheduled_by=user, message="")
    audit.record(conn, user, address, "wf-schedule", kind, item_id,
                 _("To be published at {time} (Beijing time)").format(time=when.strftime("%Y-%m-%d %H:%M:%S")))


def unschedule(conn: Connection, kind: str, item_id: str, revision: int, user: str, address: str) -> None:
    """The publisher calls off a scheduled publication; the draft stays approved."""
    _require(conn, kind, item_id, revision, "scheduled")
    _put(conn, kind, item_id, state="approved", revision=revision, publish_at="", scheduled_by="")
    audit.record(conn, user, address, "wf-unschedule", kind, item_id, _("Scheduled publication called off"))


def open_comments(conn: Connection, kind: str, item_id: str) -> list[Comment]:
    """The reviewer's comments the editor still has to deal with, oldest first."""
    c = comments_t.c
    rows = conn.execute(select(c.seq, c.field, c.author, c.text, c.at).where(c.kind == kind, c.id == item_id,
                                                                            c.open == 1).order_by(c.seq))
    return [Comment(*r) for r in rows]


def in_states(conn: Connection, states: tuple[str, ...]) -> list[tuple[Flow, dict[str, Any], str]]:
    """Items whose workflow row is in one of ``states``, with their draft data and last saver, oldest first."""
    f, d = flow_t.c, drafts_t.c
    rows = conn.execute(select(*(f[c] for c in ("kind", "id", *_COLUMNS)), d.data, d.revision, d.updated_by)
                        .join(drafts_t, (d.kind == f.kind) & (d.id == f.id))
                        .where(f.state.in_(states)).order_by(f.updated_at))
    found = []
    for row in rows:
        flow = Flow(*row[:2 + len(_COLUMNS)])
        if flow.revision == row[-2] or flow.state == "returned":  # a later save made it a draft again
            found.append((flow, json.loads(row[-3]), row[-1]))
    return found


def due(conn: Connection, now_stamp: str) -> list[tuple[str, str, int]]:
    """(kind, id, revision) of scheduled publications whose time has come (or passed while stopped)."""
    f = flow_t.c
    return [tuple(r) for r in conn.execute(select(f.kind, f.id, f.revision).where(
        f.state == "scheduled", f.publish_at != "", f.publish_at <= now_stamp).order_by(f.publish_at))]


def run_scheduled(conn: Connection, kind: str, item_id: str, revision: int, now_stamp: str, today: dt.date,
                  required: bool) -> int | str | None:
    """Publish one due item, claiming it: the row is re-read under the lock, so when several instances find
    the same job only the first publishes it and the others find it done.  Returns the version number; the
    计划取消日期 when that date had come and the guide was taken off the TV instead; None when there was
    nothing (left) to do or it failed (then the draft is back to 已通过, with the reason)."""
    versions.lock(conn)
    f = flow_t.c
    row = conn.execute(select(f.state, f.revision, f.publish_at, f.scheduled_by).where(
        f.kind == kind, f.id == item_id)).first()
    if row is None or row[0] != "scheduled" or row[1] != revision or not row[2] or row[2] > now_stamp:
        return None
    by = row[3] or SCHEDULER
    try:
        with conn.begin_nested():  # a refusal undoes only this publication, never the claim's bookkeeping
            current = versions.working(conn, kind, item_id)
            if current is None or current.revision != revision:
                raise WorkflowError(_("The draft changed after it was scheduled."))
            try:
                check_publishable(conn, current, required, today)
            except Ended as ended:
                if end_now(conn, current, by, SCHEDULER, ended.date):
                    return ended.date
                raise
            number = versions.publish(conn, kind, item_id, revision, by, "")
            published(conn, kind, item_id, revision, by, SCHEDULER, number, scheduled=True)
            return number
    except (WorkflowError, ContentError, versions.NothingToPublish, versions.Conflict) as exc:
        reason = str(exc) if not isinstance(exc, versions.NothingToPublish) else _(
            "Nothing to publish: the TV already shows this text.")
        _put(conn, kind, item_id, state="approved", revision=revision, publish_at="", message=reason)
        audit.record(conn, by, SCHEDULER, "wf-schedule-failed", kind, item_id, reason)
        return None


def expire(conn: Connection, item_id: str, today: dt.date) -> bool:
    """Take a guide whose 计划取消日期 has come off the TV (its text stays as a draft); True when done.

    The same path as “从电视上撤下”: out of the published store, so every instance's snapshot, search index and
    speech lose it at their next refresh.  Halls and policies that name it are no reason to keep it: their
    TV pages leave out guides that are not published."""
    versions.lock(conn)
    data = store.load_plain(conn, "guide", item_id)
    ended = str((data or {}).get("effective_to") or "")
    if data is None or not ended or ended > today.isoformat():
        return False
    return end_now(conn, versions.working(conn, "guide", item_id), SCHEDULER, SCHEDULER, ended)
