"""What awaits each person in the workflow: the inbox page, the count in the header, guides due for review.

Reviewers see drafts 待审核 (not their own while ``review_by_other`` is on), publishers drafts 已通过 and
scheduled ones, editors their own drafts 已退回.  Higher roles see what the lower ones see too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tvportal.editor import workflow
from tvportal.editor.pages import page
from tvportal.editor.publishing import title_of
from tvportal.editor.security import is_editor_path, requires
from tvportal.editor.users import User
from tvportal.i18n import N_, gettext as _
from tvportal.keys import CLOCK, DB, EDITOR_INBOX, EDITOR_USER, PUBLISHED, SETTINGS

SHELVES = (  # (what awaits, the role that does it, the workflow states, the heading)
    ("returned", "editor", ("returned",), N_("Returned to you: put right what the reviewer says, then submit again")),
    ("review", "reviewer", ("submitted",), N_("Awaiting your review")),
    ("publish", "publisher", ("approved",), N_("Approved, awaiting publication")),
    ("scheduled", "publisher", ("scheduled",), N_("Scheduled publications")),
)
COUNTED = ("returned", "review", "publish")  # the header counts what needs doing, not what waits for its time


@dataclass(frozen=True)
class Waiting:
    """One item on a shelf of the inbox."""

    flow: workflow.Flow
    title: str
    updated_by: str


def _mine(shelf: str, user: User, flow: workflow.Flow, updated_by: str, by_other: bool) -> bool:
    """Whether ``flow`` belongs on this user's shelf."""
    if shelf == "returned":
        return flow.submitted_by == user.name
    if shelf == "review":
        return not by_other or user.name not in (flow.submitted_by, updated_by)
    return True


def shelves(conn, user: User, by_other: bool) -> list[tuple[str, str, list[Waiting]]]:
    """(key, heading, items) of each shelf this user's role has, in workflow order."""
    found = workflow.in_states(conn, tuple(s for _key, _role, states, _h in SHELVES for s in states))
    result = []
    for key, role, states, heading in SHELVES:
        if not user.can(role):
            continue
        items = [Waiting(flow, title_of(data), by) for flow, data, by in found
                 if flow.state in states and _mine(key, user, flow, by, by_other)]
        result.append((key, _(heading), items))
    return result


def count(conn, user: User, by_other: bool) -> int:
    """How many items need this user now (the number in the header)."""
    return sum(len(items) for key, _heading, items in shelves(conn, user, by_other) if key in COUNTED)


@web.middleware
async def inbox_middleware(request: web.Request, handler) -> web.StreamResponse:
    """Every editor page a signed-in person opens says in its header how much awaits them (runs inside the
    editor middleware, which has found the user)."""
    user = request.get(EDITOR_USER)
    if user is not None and request.method == "GET" and is_editor_path(request.path):
        request[EDITOR_INBOX] = await request.app[DB].read(count, user, request.app[SETTINGS].review_by_other)
    return await handler(request)


@requires("editor")
async def inbox(request: web.Request) -> web.Response:
    """/editor/inbox: what awaits the signed-in person."""
    user = request[EDITOR_USER]
    found = await request.app[DB].read(shelves, user, request.app[SETTINGS].review_by_other)
    return page(request, "inbox.html", {"shelves": found, "title": _("My inbox")})


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (the month's last day when it has fewer days)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(d, day.day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def stale_guides(snapshot: Any, since: dt.date) -> list[Any]:
    """Published guides whose 审核日期 is before ``since`` or empty, the longest unreviewed first."""
    day = since.isoformat()
    old = [g for g in snapshot.records("guide") if not g.reviewed_at or str(g.reviewed_at) < day]
    return sorted(old, key=lambda g: (str(g.reviewed_at or ""), g.id))


@requires("editor")
async def stale(request: web.Request) -> web.Response:
    """/editor/stale: published guides not reviewed for ``review_stale_months`` months."""
    months = request.app[SETTINGS].review_stale_months
    since = months_before(request.app[CLOCK].today(), months)
    guides = stale_guides(request.app[PUBLISHED].snapshot, since)
    return page(request, "stale.html", {"guides": guides, "months": months, "since": since.isoformat(),
                                        "title": _("Guides due for review")})
