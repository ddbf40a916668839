"""Identity on the TV: 您是谁 (remembered people by number key, QR with the phone, ID number + SMS),
the sign-in summary, 为谁办, 帮家人办 with the consent the elder sees and can revoke, and 退出登录.

Stable URLs (linked from 我的 on home): /id 您是谁 or who is signed in; /id/logout (POST) 退出登录;
/id/family 帮家人办; /id/forget (POST, field person) forget a remembered person on this TV."""

from __future__ import annotations

import secrets

import segno
from aiohttp import web

from tvportal.flows.guard import friendly
from tvportal.flows.session import act_for, platform_device, sign_out
from tvportal.flows.signin_pin import after_sign_in, masked_name, remembered_people
from tvportal.flows.signin_store import PIN_TRIES, person_of
from tvportal.flows.ui import (Choice, Who, ask_next, device_id, fitting, flash, flow_screen, forget_typed, next_url,
                               platform, show, sign_out_choice, state, who)
from tvportal.http.forms import form_of
from tvportal.i18n import gettext as _
from tvportal.platform.models import PlatformError
from tvportal.keys import SETTINGS
from tvportal.screen import FLASH_COOKIE, Crumb
from tvportal.urls import public

MAX_REMEMBERED_SHOWN = 6  # with the two ways to sign in: 8 choices, the most a screen holds


def _crumbs(last: str) -> list[Crumb]:
    """当前位置 of identity screens."""
    return [Crumb(_("Home"), "/"), Crumb(_("Sign in"), "/id"), Crumb(last)]


def _people_choices(people: list[dict], but: str = "") -> list[Choice]:
    """The remembered people (but the one signed in), by masked name, each to their TV PIN."""
    others = [row for row in people if row["person_id"] != but]
    return [Choice(f"m{i + 1}", masked_name(person_of(row["person"]).name), href=f"/id/pin/{row['person_id']}",
                   note=_("TV PIN locked") if row["failed_pins"] >= PIN_TRIES else _("TV PIN"))
            for i, row in enumerate(others[:MAX_REMEMBERED_SHOWN])]


def _ways() -> list[Choice]:
    """The two ways to prove who one is."""
    return [Choice("qr", _("Scan a QR code with your phone"), href="/id/qr"),
            Choice("idnum", _("Enter ID number and SMS code"), href="/id/enter/id")]


@friendly
async def start(request: web.Request) -> web.Response:
    """您是谁 (signed out), or who is signed in, whom else to switch to (换人) and what they can do here."""
    forget_typed(request)
    if request.query.get("from") == "me":
        ask_next(request, "/me")  # 我的 → 登录 / 换人 comes back to 我的
    current = await who(request)
    people = await remembered_people(request)
    if current is None:
        choices = _people_choices(people) + _ways()
        lines = [("", _("Choose your name, or one of the ways to sign in."))] if people else [
            ("", _("To book or apply, the TV needs to know who you are.")),
            ("", _("Choose one of the two ways below."))]
        return show(request, flow_screen(request, _("Who are you?"), [Crumb(_("Home"), "/"), Crumb(_("Sign in"))],
                                         lines=lines, choices=choices, back="/"))
    lines = [(_("Signed in"), f"{current.actor.name}  {current.actor.id_masked}")]
    if current.for_family:
        lines.append((_("Acting for"), f"{current.person.name}  {current.person.id_masked}"))
    choices = []
    back = next_url(request)
    if back and back != "/me":  # from 我的 (换人), Back is the way back: no 继续办理 needed
        choices.append(Choice("go", _("Continue"), href="/id/continue"))
    switch = _people_choices(people, but=current.actor.id)[:4]
    if switch:
        lines.append(("", _("Someone else? Choose the name.")))
    choices += switch
    choices.append(Choice("other", _("Sign in another way"), href="/id/other"))
    if current.link.acts_for:
        choices.append(Choice("who", _("Choose for whom"), href="/id/who"))
    choices.append(Choice("family", _("Act for a family member"), href="/id/family"))
    choices.append(sign_out_choice())
    return show(request, flow_screen(request, _("Who are you?"), [Crumb(_("Home"), "/"), Crumb(_("Sign in"))],
                                     lines=lines, choices=choices, cols=2, back="/me" if back == "/me" else "/"))


@friendly
async def other_way(request: web.Request) -> web.Response:
    """用别的方法登录: someone not remembered here signs in while another person is signed in."""
    forget_typed(request)
    lines = [("", _("Choose one of the two ways below."))]
    return show(request, flow_screen(request, _("Sign in another way"), _crumbs(_("Sign in another way")),
                                     lines=lines, choices=_ways(), back="/id"))


@friendly
async def go_on(request: web.Request) -> web.Response:
    """Back to where the citizen was before signing in (a service, or 我的), saying who is signed in
    (``?m=in``: the answer 暂不 to 记住我, which confirmed nothing yet)."""
    current = await who(request)
    if current is not None and request.query.get("m") == "in":
        flash(request, "in", masked_name(current.actor.name))
    raise web.HTTPSeeOther(next_url(request, take=True) or ("/me" if current else "/"))


@friendly
async def qr(request: web.Request) -> web.Response:
    """Show a QR code the phone scans to confirm this TV."""
    forget_typed(request)
    pdev = platform_device(device_id(request))
    ticket = await platform(request).start_qr_login(pdev)
    state(request)["ticket"] = ticket.ticket
    state(request)["ticket_device"] = pdev
    url = public(request, ticket.confirm_url)  # the phone is on the mobile network, not behind the box
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True)
    lines = [("1", _("Scan the code on the right with your phone.")),
             ("2", _("On the phone, confirm with your ID number.")),
             ("3", _("Then press OK here."))]
    choices = [Choice("done", _("I have confirmed on the phone"), href="/id/qr/check"),
               Choice("idnum", _("Use the ID number instead"), href="/id/enter/id")]
    # SD in large text: each step takes two lines beside the code, and the third leaves the buttons no room;
    # the first button (我已在手机上确认) says what it says
    return show(request, fitting(lambda shown: flow_screen(request, _("Sign in with your phone"),
                                                           _crumbs(_("QR code")), lines=shown, choices=choices,
                                                           qr=svg, back="/id"), lines, lines[:2]))


@friendly
async def qr_check(request: web.Request) -> web.Response:
    """After the phone confirmed: signed in; otherwise say it is not confirmed yet."""
    st = state(request)
    ticket = st.get("ticket", "")
    if ticket:
        try:
            status = await platform(request).qr_login_status(ticket)
        except PlatformError:
            status = None
        if status is not None and status.status == "confirmed":
            pdev = st.pop("ticket_device", "")
            st.pop("ticket", None)
            link = await platform(request).device(pdev)
            return await after_sign_in(request, pdev, link.person)
    choices = [Choice("done", _("I have confirmed on the phone"), href="/id/qr/check"),
               Choice("again", _("Show a new QR code"), href="/id/qr"),
               Choice("idnum", _("Use the ID number instead"), href="/id/enter/id")]
    return show(request, flow_screen(request, _("Sign in with your phone"), _crumbs(_("QR code")),
                                     error=_("The phone has not confirmed yet."),
                                     lines=[("", _("Please confirm on the phone first, then press OK."))],
                                     choices=choices, back="/id/qr"))


async def _signed_in(request: web.Request) -> Who:
    """Who is signed in; anyone else goes to 您是谁."""
    current = await who(request)
    if current is None:
        raise web.HTTPSeeOther("/id")
    return current


async def _field(request: web.Request, name: str) -> str:
    """One posted form field."""
    return str((await form_of(request)).get(name, ""))


@friendly
async def choose_who(request: web.Request) -> web.Response:
    """为谁办理: oneself or a family member who consented."""
    current = await _signed_in(request)
    people = [current.actor, *current.link.acts_for]
    choices = [Choice(f"p{i}", f"{p.name}  {p.id_masked}", post="/id/who", fields={"person": p.id},
                      note=_("Myself") if p.id == current.actor.id else "") for i, p in enumerate(people)]
    return show(request, flow_screen(request, _("Choose for whom"), _crumbs(_("Choose for whom")),
                                     lines=[("", _("Whose matter is it?"))], choices=choices, back="/id"))


@friendly
async def set_who(request: web.Request) -> web.Response:
    """Act for this person from now on (only oneself or a consenting family member)."""
    current = await _signed_in(request)
    person = await _field(request, "person")
    chosen = next((p for p in current.link.acts_for if p.id == person), None)
    await act_for(request, chosen.id if chosen else "")
    flash(request, "for" if chosen else "self", chosen.name if chosen else "")
    # back to what asked for it, else to 我的, which shows for whom the TV now acts
    raise web.HTTPSeeOther("/id/continue" if next_url(request) else "/me")


@friendly
async def family(request: web.Request) -> web.Response:
    """帮家人办: whom I may act for (and add one with their consent code), and who may act for me —
    which the elder sees here and can revoke."""
    forget_typed(request)
    current = await who(request)
    if current is None:
        ask_next(request, "/id/family")
        raise web.HTTPSeeOther("/id")
    lines = []
    if current.link.acts_for:
        # the signed-in person sees their family's full names (only 您是谁, open to anyone, masks them)
        names = "、".join(f"{p.name} {p.id_masked}" for p in current.link.acts_for)
        lines.append((_("You may act for"), names))
    helpers = await platform(request).helpers(current.actor.id)
    choices = [Choice("add", _("Add a family member (their consent by SMS)"), href="/id/enter/elder")]
    if current.link.acts_for:
        choices.insert(0, Choice("who", _("Choose for whom"), href="/id/who"))
    for i, helper in enumerate(helpers[:5]):
        choices.append(Choice(f"r{i}", _("Stop %(name)s acting for me") % {"name": helper.name},
                              href=f"/id/family/revoke?actor={helper.id}"))
    lines.append((_("May act for you"), "、".join(h.name for h in helpers) if helpers else _("nobody")))
    return show(request, flow_screen(request, _("Act for a family member"), _crumbs(_("Act for a family member")),
                                     lines=lines, choices=choices, back="/me"))


async def _helper(request: web.Request, current: Who, actor: str):
    """The family member who may act for the signed-in person (None: nobody by that id)."""
    return next((h for h in await platform(request).helpers(current.actor.id) if h.id == actor), None)


@friendly
async def revoke_ask(request: web.Request) -> web.Response:
    """不再让…帮我办: one question first (a press too many must not end a son's help); No has the focus."""
    current = await _signed_in(request)
    helper = await _helper(request, current, request.query.get("actor", ""))
    if helper is None:
        raise web.HTTPSeeOther("/id/family")
    name = {"name": helper.name}
    lines = [("", _("Stop %(name)s acting for you?") % name),
             ("", _("%(name)s will no longer be able to book or apply for you, on any TV.") % name)]
    choices = [Choice("keep", _("No, %(name)s may go on acting for me") % name, href="/id/family"),
               Choice("stop", _("Yes, stop %(name)s acting for me") % name, post="/id/family/revoke",
                      fields={"actor": helper.id}, final=True)]
    return show(request, flow_screen(request, _("Stop acting for me"), _crumbs(_("Stop acting for me")),
                                     lines=lines, choices=choices, back="/id/family"))


@friendly
async def revoke(request: web.Request) -> web.Response:
    """The elder withdraws a family member's consent (confirmed on the question above); 帮家人办 says so."""
    current = await _signed_in(request)
    helper = await _helper(request, current, await _field(request, "actor"))
    if helper is not None:
        await platform(request).revoke_proxy(helper.id, current.actor.id, secrets.token_hex(16))
        flash(request, "revoked", helper.name)
    raise web.HTTPSeeOther("/id/family")


@friendly
async def logout(request: web.Request) -> web.Response:
    """退出登录: this browser's sign-in ends; remembered people stay remembered (behind their PIN)."""
    await sign_out(request)
    state(request).clear()
    done = web.HTTPSeeOther("/")
    # home has no flow state (it is a cached content page): its one-time notice comes in a short cookie
    done.set_cookie(FLASH_COOKIE, "out", max_age=120, path="/", httponly=True, samesite="Lax",
                    secure=request.app[SETTINGS].cookie_secure)
    raise done
