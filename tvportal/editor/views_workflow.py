"""The workflow's buttons on the edit page: submit for review, return with comments, approve, publish now or
at a chosen Beijing time (the states and rules: workflow.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from content.model import ContentError
from tvportal.clock import city_tz
from tvportal.editor import forms, versions, workflow
from tvportal.editor.pages import flash, local_time
from tvportal.editor.publishing import do_publish, kind_of
from tvportal.editor.security import client_address, requires
from tvportal.http.forms import form_of
from tvportal.i18n import gettext as _
from tvportal.keys import CLOCK, DB, EDITOR_USER, SETTINGS

COMMENT_ROWS = 3  # comments on fields a reviewer can write at once (plus one on the whole draft)


async def review_context(request: web.Request, kind: str, item_id: str,
                         current: versions.Working | None) -> dict[str, Any]:
    """What the edit page shows of the workflow: its state, the reviewer's comments (also by field, as
    ``field_notes`` for the form) and which buttons this user has."""
    if current is None:
        return {"flow": None, "field_notes": {}}
    db = request.app[DB]
    flow = await db.read(workflow.flow_of, kind, item_id, current)
    comments = await db.read(workflow.open_comments, kind, item_id)
    labels = {s.name: s.label for s in forms.specs_of(kind)}
    notes: dict[str, list[dict[str, str]]] = {}
    for c in comments:
        if c.field:
            notes.setdefault(c.field, []).append({"author": c.author, "text": c.text, "when": local_time(c.at)})
    user, settings = request[EDITOR_USER], request.app[SETTINGS]
    own = settings.review_by_other and user.name in (flow.submitted_by, current.updated_by)
    unpublished = current.status != "published"
    publishable = flow.state in ("approved", "scheduled") or not settings.review_required
    soon = (request.app[CLOCK].now() + dt.timedelta(hours=1)).replace(second=0, microsecond=0, tzinfo=None)
    return {
        "flow": flow, "review_comments": comments, "field_notes": notes, "field_labels": labels,
        "comment_rows": range(1, COMMENT_ROWS + 1),
        "can_submit": unpublished and flow.state in ("draft", "returned"),
        "can_review": flow.state == "submitted" and user.can("reviewer") and not own,
        "own_change": flow.state == "submitted" and user.can("reviewer") and own,
        "can_publish": unpublished and publishable and user.can("publisher") and flow.state != "scheduled",
        "can_unschedule": flow.state == "scheduled" and user.can("publisher"),
        "publish_at_local": local_time(flow.publish_at) if flow.publish_at else "",
        "reviewed_at_local": local_time(flow.reviewed_at) if flow.reviewed_at else "",
        "schedule_default": soon.isoformat(timespec="seconds"),
        "review_required": settings.review_required,
    }


def _revision(form) -> int:
    """The draft revision a form was made from."""
    try:
        return int(str(form.get("_revision", "")))
    except ValueError:
        raise web.HTTPBadRequest() from None


async def _step(request: web.Request, fn, *args: Any, done: str) -> web.Response:
    """Run one workflow step in a write transaction, say how it went and go back to the edit page."""
    kind, item_id = kind_of(request), request.match_info["id"]
    try:
        await request.app[DB].write(fn, kind, item_id, *args)
    except workflow.WorkflowError as exc:
        flash(request, str(exc), "error")
    except ContentError as exc:
        flash(request, _("Not published: {error}").format(error=exc), "error")
    except LookupError:
        raise web.HTTPNotFound() from None
    else:
        flash(request, done)
    raise web.HTTPSeeOther(request.app.router["editor-edit"].url_for(kind=kind, id=item_id))


@requires("editor")
async def submit(request: web.Request) -> web.Response:
    """草稿/已退回 → 待审核, with the editor's change note."""
    form = await form_of(request, files=True)
    user = request[EDITOR_USER]
    return await _step(request, workflow.submit, _revision(form), user.name, client_address(request),
                       str(form.get("note", "")), done=_("Submitted for review. A reviewer will look at it."))


@requires("reviewer")
async def review(request: web.Request) -> web.Response:
    """待审核 → 已通过 (approve) or 已退回 (return with comments on the draft or on its fields)."""
    form = await form_of(request, files=True)
    user, settings = request[EDITOR_USER], request.app[SETTINGS]
    revision, address = _revision(form), client_address(request)
    if form.get("decision") == "approve":
        return await _step(request, workflow.approve, revision, user.name, address, settings.review_by_other,
                           request.app[CLOCK].today(), done=_("Approved. A publisher can now publish it."))
    names = {s.name for s in forms.specs_of(kind_of(request))}
    comments = [("", str(form.get("comment", "")))]
    for n in range(1, COMMENT_ROWS + 1):
        name = str(form.get(f"field_{n}", ""))
        comments.append((name if name in names else "", str(form.get(f"comment_{n}", ""))))
    return await _step(request, workflow.return_draft, revision, user.name, address, comments,
                       settings.review_by_other, done=_("Returned to the editor with your comments."))


def parse_local_time(text: str) -> dt.datetime | None:
    """A Beijing time typed as 2026-12-02T14:30, 2026-12-02 14:30 or with seconds; None when it is not one."""
    text = text.strip().replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return dt.datetime.strptime(text, pattern).replace(tzinfo=city_tz())
        except ValueError:
            continue
    return None


@requires("publisher")
async def schedule(request: web.Request) -> web.Response:
    """Publish the approved draft now, at a chosen Beijing time, or call a schedule off."""
    kind, item_id = kind_of(request), request.match_info["id"]
    form = await form_of(request, files=True)
    user, settings = request[EDITOR_USER], request.app[SETTINGS]
    revision, address, today = _revision(form), client_address(request), request.app[CLOCK].today()
    action = form.get("action")
    if action == "now":
        try:
            await do_publish(request, kind, item_id, revision, str(form.get("_note", "")))
        except versions.Conflict:
            flash(request, _("Someone changed this item meanwhile. Nothing was done; look at the current text and "
                             "try again."), "error")
        except LookupError:
            raise web.HTTPNotFound() from None
        raise web.HTTPSeeOther(request.app.router["editor-edit"].url_for(kind=kind, id=item_id))
    if action == "cancel":
        return await _step(request, workflow.unschedule, revision, user.name, address,
                           done=_("The scheduled publication is called off; the draft stays approved."))
    when = parse_local_time(str(form.get("when", "")))
    if when is None or when <= request.app[CLOCK].now() + dt.timedelta(seconds=1):
        flash(request, _("Choose a date and time in the future (Beijing time), e.g. 2026-12-31 09:00."), "error")
        raise web.HTTPSeeOther(request.app.router["editor-edit"].url_for(kind=kind, id=item_id))
    return await _step(request, workflow.schedule, revision, user.name, address, when, settings.review_required,
                       today, done=_("Scheduled: it goes on the TV at {time} (Beijing time).").format(
                           time=when.strftime("%Y-%m-%d %H:%M:%S")))
