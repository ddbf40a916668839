"""Policy articles (政策资讯): newest first, each split into screens."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from content.model import Policy
from tvportal.i18n import format_date_long
from tvportal.i18n import gettext as _
from tvportal.keys import PUBLISHED
from tvportal.pagination import TextBlock
from tvportal.screen import Crumb, Screen, render
from tvportal.views.lists import Entries, Entry, list_screen, text_screen


def policies_crumbs() -> list[Crumb]:
    """当前位置 of the policy section."""
    return [Crumb(_("Home"), "/"), Crumb(_("Policies"), "/policies")]


async def policy_list(request: web.Request) -> web.Response:
    """Policy articles, newest first."""
    snapshot = request.app[PUBLISHED].snapshot
    entries = Entries(snapshot.policies_newest_first(),
                      lambda p: Entry(f"p-{p.id}", p.title, f"/policies/{p.id}", format_date_long(dt.date.fromisoformat(p.date))))
    screen = list_screen(request, _("Policies"), [Crumb(_("Home"), "/"), Crumb(_("Policies"))], entries,
                         base="/policies", empty=_("No policy articles yet."))
    return render(request, screen)


def policy_screen(request: web.Request, policy: Policy) -> Screen:
    """The screens of one policy article (also used by the editor's preview of a draft)."""
    snapshot = request.app[PUBLISHED].snapshot
    issued = format_date_long(dt.date.fromisoformat(policy.date))
    source = policy.issuer + (f"（{policy.doc_no}）" if policy.doc_no else "") + "，" + issued
    blocks = [TextBlock(_("In short"), [policy.summary, source]), TextBlock(_("Full text"), list(policy.paragraphs))]
    related = [snapshot.guide_by_id[g] for g in policy.related_guides if g in snapshot.guide_by_id]
    if related:
        blocks.append(TextBlock(_("Related services"), ["、".join(g.short_name for g in related)]))
    extra = [("guide", _("Guide: {name}").format(name=related[0].short_name), f"/guides/{related[0].id}")] \
        if related else []
    return text_screen(request, policy.title, policies_crumbs() + [Crumb(_("Article"))], blocks,
                       base=f"/policies/{policy.id}", extra_buttons=extra)


async def policy_detail(request: web.Request) -> web.Response:
    """One policy article in plain paragraphs."""
    policy = request.app[PUBLISHED].snapshot.policy_by_id.get(request.match_info["policy"])
    if policy is None:
        raise web.HTTPNotFound()
    return render(request, policy_screen(request, policy))
