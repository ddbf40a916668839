"""我的: who uses this TV now, their bookings and applications, family members, sign-out, display settings.

Sign-in, remembered people and 帮家人办 consent are screens of tvportal/flows/identity.py (/id ...);
this page only links to them, so it works the same whichever way the person signed in.
"""

from __future__ import annotations

from aiohttp import web

from tvportal.flows.guard import friendly
from tvportal.flows import signin_store as store
from tvportal.flows.session import db
from tvportal.flows.ui import Choice, device_id, fitting, flow_screen, platform, show, sign_out_choice, who
from tvportal.i18n import gettext as _
from tvportal.screen import Crumb
from tvportal.views.home import home_screen_of

SIGN_IN = "/id?from=me"  # signed in, back to 我的
FORGET = "/id/forget"
ACT_FOR_FAMILY = "/id/family"


def family_help() -> Choice:
    """请家人帮忙: a family member's phone helps on this TV (tvportal/copilot/)."""
    return Choice("famhelp", _("Ask family to help"), href="/family?next=/me")


@friendly
async def me(request: web.Request) -> web.Response:
    """我的: signed out, one way in (and the settings); signed in, everything that is theirs."""
    current = await who(request)
    crumbs = [Crumb(_("Home"), "/"), Crumb(_("Mine"))]
    # not the history: after signing in from here it holds the sign-in screens; home focuses 我的 again
    home = home_screen_of(request, "t-me")
    settings = Choice("settings", _("Text size and language"), href="/settings?from=me")
    if current is None:
        lines = [("", _("Nobody is signed in on this TV.")),
                 ("", _("Sign in to see your bookings and applications."))]
        choices = [Choice("signin", _("Sign in"), href=SIGN_IN), family_help(), settings]
        return show(request, flow_screen(request, _("Mine"), crumbs, lines=lines, choices=choices, back=home))
    lines = [(_("Signed in"), f"{current.actor.name}  {current.actor.id_masked}")]
    if current.for_family:
        lines.append((_("Acting for"), f"{current.person.name}  {current.person.id_masked}"))
    family = [p.name for p in current.link.acts_for]
    helpers = [h.name for h in await platform(request).helpers(current.actor.id)]
    if family or not helpers:
        lines.append((_("You may act for"), "、".join(family) if family else _("None added yet")))
    if helpers:  # the elder sees who may act for her (she withdraws it in 帮家人办)
        lines.append((_("May act for you"), "、".join(helpers)))
    choices = [Choice("bookings", _("My bookings"), href="/booking/mine?from=me"),
               Choice("applications", _("My applications"), href="/apply/mine?from=me"),
               Choice("family", _("Act for a family member"), href=ACT_FOR_FAMILY),
               Choice("people", _("Switch person"), href=SIGN_IN), family_help(),
               settings, sign_out_choice()]
    if await db(request).read(store.one_remembered, device_id(request), current.actor.id) is not None:
        choices.insert(4, Choice("forget", _("Do not remember me"), href=FORGET))
    # SD in large text: eight choices leave room for who is signed in (and for whom they act) only; who may act
    # for whom is said again in 帮家人办
    keep = 2 if current.for_family else 1
    return show(request, fitting(lambda shown: flow_screen(request, _("Mine"), crumbs, lines=shown, choices=choices,
                                                           cols=2, back=home), lines, lines[:keep]))
