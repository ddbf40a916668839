"""Publishing a draft and swapping the TV's snapshot: shared by the edit form (保存并发布) and the publish
views, which therefore need not import each other (tests/test_layering.py)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from content.model import ContentError
from tvportal.editor import versions, workflow
from tvportal.editor.pages import flash
from tvportal.editor.security import client_address
from tvportal.i18n import gettext as _
from tvportal.keys import CLOCK, DB, EDITOR_USER, PUBLISHED, SETTINGS


def kind_of(request: web.Request) -> str:
    """The record kind in the URL (the route only matches editable kinds)."""
    return request.match_info["kind"]


def title_of(data: dict[str, Any]) -> str:
    """What a list calls an item."""
    return str(data.get("name") or data.get("title") or data.get("id") or "?")


async def ensure_baseline(request: web.Request, kind: str, item_id: str) -> None:
    """Start the item's versions with what is published, unless they are started (a write only the first time)."""
    db = request.app[DB]
    if not await db.read(versions.has_baseline, kind, item_id):
        await db.write(versions.ensure_baseline, kind, item_id)


async def publish_snapshot(request: web.Request) -> None:
    """Make the TV show the store as it is now (the page cache empties itself)."""
    await request.app[PUBLISHED].republish(request.app[DB])


async def do_publish(request: web.Request, kind: str, item_id: str, revision: int, note: str) -> None:
    """Publish the draft at ``revision``, swap the TV's snapshot, log it and say so (raises Conflict)."""
    user = request[EDITOR_USER]
    address = client_address(request)
    required, today = request.app[SETTINGS].review_required, request.app[CLOCK].today()

    def publish_logged(conn) -> int | str:
        """The review check, the new version and its log line, in one transaction; the 计划取消日期 when that
        date has come and the guide was taken off the TV instead."""
        versions.lock(conn)
        current = versions.working(conn, kind, item_id)
        if current is not None and current.revision == revision and current.status != "published":
            try:
                workflow.check_publishable(conn, current, required, today)
            except workflow.Ended as ended:
                if workflow.end_now(conn, current, user.name, address, ended.date):
                    return ended.date
                raise
        number = versions.publish(conn, kind, item_id, revision, user.name, note.strip()[:200])
        workflow.published(conn, kind, item_id, revision, user.name, address, number)
        return number

    try:
        number = await request.app[DB].write(publish_logged)
    except versions.NothingToPublish:
        flash(request, _("Nothing to publish: the TV already shows this text."), "warn")
        return
    except (ContentError, workflow.WorkflowError) as exc:
        flash(request, _("Not published: {error}").format(error=exc), "error")
        return
    await publish_snapshot(request)
    if isinstance(number, str):
        flash(request, _("Its planned end date ({date}) has come, so it was taken off the TV, its search and "
                         "speech; the text stays as a draft.").format(date=number), "warn")
        return
    flash(request, _("Published as version {n}; the TV shows it now.").format(n=number))
