"""Writes kept in the outbox while the central platform is unreachable, as the TV sees them: the redirect
to the receipt (recording which TV queued the write), the receipt page itself, and 我的 lists' entries.

A receipt is shown only to the TV that queued the write, signed in as the person it is for (or the family
member who made it). Anyone else gets the very page an unknown reference gets, so references cannot be
tried one after another; a signed-out TV is asked to sign in first, whatever the reference.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from tvportal.flows.guard import friendly
from tvportal.flows.ui import Choice, device_id, flow_screen, grouped, login_redirect, platform, show, who
from tvportal.i18n import gettext as _
from tvportal.platform.models import Queued
from tvportal.screen import Crumb


def _outbox(request: web.Request):
    """The outbox of the HTTP platform, or None (the embedded platform never queues)."""
    return getattr(platform(request), "outbox", None)


async def to_receipt(request: web.Request, queued: Queued) -> web.HTTPSeeOther:
    """The redirect to a just-queued write's receipt; the write is recorded as this TV's."""
    outbox = _outbox(request)
    if outbox is not None:
        await asyncio.to_thread(outbox.claim, queued.reference, device_id(request))
    return web.HTTPSeeOther(f"/flow/queued/{queued.reference}")


async def waiting_entries(request: web.Request, person_id: str, ops: tuple[str, ...]) -> list:
    """Writes of this person queued on this TV and still in the outbox (or refused there), for 我的预约 / 我的办件."""
    outbox = _outbox(request)
    if outbox is None:
        return []
    here = device_id(request)
    return [e for e in await asyncio.to_thread(outbox.of_person, person_id)
            if e.op in ops and e.device_id == here]


@friendly
async def receipt(request: web.Request) -> web.Response:
    """A write kept in the outbox: its reference number, and that it will be sent automatically."""
    current = await who(request)
    if current is None:
        raise login_redirect(request)
    outbox = _outbox(request)
    entry = await asyncio.to_thread(outbox.get, request.match_info["reference"]) if outbox is not None else None
    if entry is None or entry.device_id != device_id(request) \
            or entry.person_id not in (current.person.id, current.actor.id):
        raise web.HTTPNotFound()
    if entry.status == "waiting":
        lines = [("", _("The provincial platform cannot be reached right now, but nothing is lost.")),
                 ("", _("It will be sent automatically. You do not need to do it again."))]
    elif entry.status == "delivered":
        number = (entry.result or {}).get("number", "")
        lines = [("", _("It has been sent.")), (_("Number"), number)]
    else:
        lines = [("", _("It was not accepted:")), ("", entry.message)]
    screen = flow_screen(request, _("Saved"), [Crumb(_("Home"), "/"), Crumb(_("Saved"))],
                         big=grouped(entry.reference), big_label=_("Reference number"), lines=lines,
                         choices=[Choice("home", _("Back to the home page"), href="/")], back="/",
                         receipt=entry.status in ("waiting", "delivered"))
    return show(request, screen)
