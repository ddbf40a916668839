"""Identity on the TV: QR login confirmed on the phone, or ID number + SMS code with the digit keys;
帮家人办 (acting for an elder with their recorded consent); choosing for whom; logging out."""

from __future__ import annotations

import secrets

import segno
from aiohttp import web

from tvportal.flows.guard import friendly
from tvportal.flows.ui import Choice, device_id, flow_screen, platform, show, state, who
from tvportal.i18n import gettext as _
from tvportal.platform import idnumber
from tvportal.platform.models import PlatformError
from tvportal.screen import Crumb
from tvportal.urls import public

# what a keypad screen enters: (prompt, length, X allowed)
ENTRIES = {
    "id": ("Enter your ID number with the number keys", 18, True),
    "code": ("Enter the 6-digit code from the text message", 6, False),
    "elder": ("Enter the ID number of the family member", 18, True),
    "elder_code": ("Enter the 6-digit code sent to the family member's phone", 6, False),
}


def _crumbs(last: str) -> list[Crumb]:
    """当前位置 of identity screens."""
    return [Crumb(_("Home"), "/"), Crumb(_("Sign in"), "/id"), Crumb(last)]


@friendly
async def start(request: web.Request) -> web.Response:
    """Who is using this TV, and the ways to sign in."""
    current = await who(request)
    next_url = state(request).get("next", "")
    if current is None:
        choices = [Choice("qr", _("Scan a QR code with your phone"), href="/id/qr"),
                   Choice("idnum", _("Enter ID number and SMS code"), href="/id/enter/id")]
        lines = [("", _("To book or apply, the TV needs to know who you are.")),
                 ("", _("Choose one of the two ways below."))]
        return show(request, flow_screen(request, _("Sign in"), [Crumb(_("Home"), "/"), Crumb(_("Sign in"))],
                                         lines=lines, choices=choices, back="/"))
    lines = [(_("Signed in"), f"{current.actor.name}  {current.actor.id_masked}")]
    if current.for_family:
        lines.append((_("Acting for"), f"{current.person.name}  {current.person.id_masked}"))
    choices = []
    if next_url:
        choices.append(Choice("go", _("Continue"), href="/id/continue"))
    if current.link.acts_for:
        choices.append(Choice("who", _("Choose for whom"), href="/id/who"))
    choices.append(Choice("family", _("Act for a family member"), href="/id/enter/elder"))
    choices.append(Choice("logout", _("Sign out of this TV"), post="/id/logout"))
    return show(request, flow_screen(request, _("Sign in"), [Crumb(_("Home"), "/"), Crumb(_("Sign in"))],
                                     lines=lines, choices=choices, back="/"))


@friendly
async def go_on(request: web.Request) -> web.Response:
    """Back to where the citizen was before signing in."""
    raise web.HTTPSeeOther(state(request).pop("next", "") or "/")


@friendly
async def qr(request: web.Request) -> web.Response:
    """Show a QR code the phone scans to confirm this TV."""
    ticket = await platform(request).start_qr_login(device_id(request))
    state(request)["ticket"] = ticket.ticket
    url = public(request, ticket.confirm_url)  # the phone is on the mobile network, not behind the box
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True)
    lines = [("1", _("Scan the code on the right with your phone.")),
             ("2", _("On the phone, confirm with your ID number.")),
             ("3", _("Then press OK here."))]
    choices = [Choice("done", _("I have confirmed on the phone"), href="/id/qr/check"),
               Choice("idnum", _("Use the ID number instead"), href="/id/enter/id")]
    return show(request, flow_screen(request, _("Sign in with your phone"), _crumbs(_("QR code")), lines=lines,
                                     choices=choices, qr=svg, back="/id"))


@friendly
async def qr_check(request: web.Request) -> web.Response:
    """After the phone confirmed: continue; otherwise say it is not confirmed yet."""
    ticket = state(request).get("ticket", "")
    if ticket:
        try:
            status = await platform(request).qr_login_status(ticket)
        except PlatformError:
            status = None
        if status is not None and status.status == "confirmed":
            state(request).pop("ticket", None)
            raise web.HTTPSeeOther("/id/continue" if state(request).get("next") else "/id")
    choices = [Choice("done", _("I have confirmed on the phone"), href="/id/qr/check"),
               Choice("again", _("Show a new QR code"), href="/id/qr"),
               Choice("idnum", _("Use the ID number instead"), href="/id/enter/id")]
    return show(request, flow_screen(request, _("Sign in with your phone"), _crumbs(_("QR code")),
                                     error=_("The phone has not confirmed yet."),
                                     lines=[("", _("Please confirm on the phone first, then press OK."))],
                                     choices=choices, back="/id/qr"))


def _pretty(value: str, length: int) -> str:
    """The entered digits in groups, with the places still to fill."""
    shown = value + "_" * (length - len(value))
    if length == 18:
        return f"{shown[:6]} {shown[6:14]} {shown[14:]}"
    return " ".join(shown)


def keypad(request: web.Request, what: str, error: str = "", status: int = 200) -> web.Response:
    """A number pad on the screen (the remote's digit keys press its keys)."""
    prompt, length, allow_x = ENTRIES[what]
    value = state(request).get("entry:" + what, "")
    lines = [("", _(prompt))]
    if what.endswith("code") and state(request).get("sms_to"):
        lines.append((_("Sent to"), state(request)["sms_to"]))
    lines.append((_("Entered"), _pretty(value, length)))
    action = f"/id/enter/{what}"
    choices = [Choice(f"k{d}", str(d), post=action, fields={"k": str(d)}, digit=d) for d in (1, 2, 3, 4, 5, 6, 7, 8, 9, 0)]
    if allow_x:
        choices.append(Choice("kx", "X", post=action, fields={"k": "X"}))
    choices += [Choice("kdel", _("Delete"), post=action, fields={"k": "del"}),
                Choice("kok", _("Confirm"), post=action, fields={"k": "ok"})]
    # a complete entry puts the focus on 确认 so that OK is the next press
    start = "kok" if len(value) == length else request.query.get("f") or "k1"
    title = _("Act for a family member") if what.startswith("elder") else _("Sign in")
    screen = flow_screen(request, title, _crumbs(_("Enter numbers")), lines=lines, choices=choices, cols=5,
                         error=error, start=start, status=status, back="/id")
    return show(request, screen)


@friendly
async def enter(request: web.Request) -> web.Response:
    """GET a keypad screen."""
    what = request.match_info["what"]
    if what not in ENTRIES:
        raise web.HTTPNotFound()
    return keypad(request, what)


@friendly
async def press(request: web.Request) -> web.Response:
    """A keypad key: add, delete, or confirm (validated here, with Chinese messages; the entry is kept)."""
    what = request.match_info["what"]
    if what not in ENTRIES:
        raise web.HTTPNotFound()
    _prompt, length, allow_x = ENTRIES[what]
    key = str((await request.post()).get("k", ""))
    st = state(request)
    value = st.get("entry:" + what, "")
    if key.isdigit() and len(key) == 1 or (key == "X" and allow_x):
        if len(value) < length:
            value = st["entry:" + what] = value + key
        # once complete, the focus goes to 确认 (its own URL, so no remembered focus overrides it)
        raise web.HTTPSeeOther(f"/id/enter/{what}?f=" + ("kok" if len(value) == length else f"k{key.lower()}"))
    if key == "del":
        st["entry:" + what] = value[:-1]
        raise web.HTTPSeeOther(f"/id/enter/{what}?f=kdel")
    if key != "ok":
        return keypad(request, what, _("Please use the keys on the screen."), 400)
    return await _confirm(request, what, value)


async def _confirm(request: web.Request, what: str, value: str) -> web.Response:
    """Act on a complete entry."""
    st = state(request)
    p = platform(request)
    try:
        if what in ("id", "elder"):
            problem = idnumber.problem(value)
            if problem:
                return keypad(request, what, problem, 400)
            sent = await p.send_sms_code(value, "login" if what == "id" else "consent")
            st["sms_to"] = sent.phone_masked
            st["entry:code" if what == "id" else "entry:elder_code"] = ""
            raise web.HTTPSeeOther("/id/enter/code" if what == "id" else "/id/enter/elder_code")
        if len(value) != 6:
            return keypad(request, what, _("The code has 6 digits."), 400)
        if what == "code":
            await p.login_with_sms(device_id(request), st.get("entry:id", ""), value)
            for k in ("entry:id", "entry:code", "sms_to", "for"):
                st.pop(k, None)
            raise web.HTTPSeeOther("/id/continue" if st.get("next") else "/id")
        link = await p.add_proxy(device_id(request), st.get("entry:elder", ""), value, secrets.token_hex(16))
        elder = next((e for e in link.acts_for if e.id_masked == idnumber.mask(st.get("entry:elder", ""))), None)
        if elder:
            st["for"] = elder.id
        for k in ("entry:elder", "entry:elder_code", "sms_to"):
            st.pop(k, None)
        raise web.HTTPSeeOther("/id")
    except PlatformError as exc:
        back_to = what if exc.field != "id_number" else ("id" if what in ("id", "code") else "elder")
        return keypad(request, back_to, exc.message, 400)


@friendly
async def choose_who(request: web.Request) -> web.Response:
    """为谁办理: oneself or a family member who consented."""
    current = await who(request)
    if current is None:
        raise web.HTTPSeeOther("/id")
    people = [current.actor, *current.link.acts_for]
    choices = [Choice(f"p{i}", f"{p.name}  {p.id_masked}", post="/id/who", fields={"person": p.id},
                      note=_("Myself") if p.id == current.actor.id else "") for i, p in enumerate(people)]
    return show(request, flow_screen(request, _("Choose for whom"), _crumbs(_("Choose for whom")),
                                     lines=[("", _("Whose matter is it?"))], choices=choices, back="/id"))


@friendly
async def set_who(request: web.Request) -> web.Response:
    """Remember for whom this TV acts now."""
    person = str((await request.post()).get("person", ""))
    state(request)["for"] = person
    raise web.HTTPSeeOther("/id/continue" if state(request).get("next") else "/id")


@friendly
async def logout(request: web.Request) -> web.Response:
    """Forget who uses this TV."""
    await platform(request).unlink_device(device_id(request))
    state(request).clear()
    raise web.HTTPSeeOther("/id")
