"""The TV's side of 远程帮办: 请家人帮忙 (QR code and a 6-digit code), the elder's two questions (may this
family member help; may they see private screens), the end, the poll the TV's script asks while a help
session is open, and the middleware that hands the TV's screens to the phone and audits what is sent."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import quote, urlsplit

import segno
from aiohttp import web
from sqlalchemy import select

from tvportal.copilot import store
from tvportal.copilot.snapshot import HELP_COOKIE, HELPING, SNAP
from tvportal.flows.device import resolve_device
from tvportal.flows.guard import friendly
from tvportal.flows.signin_store import digest as session_digest
from tvportal.flows.session import SESSION_COOKIE
from tvportal.flows.ui import Choice, device_id, fitting, flow_screen, show, who
from tvportal.http.forms import form_of
from tvportal.i18n import gettext as _
from tvportal.keys import DB, SETTINGS
from tvportal.screen import Crumb
from tvportal.storage.tables import tv_sessions
from tvportal.urls import public

PHONE_PATH = "/m/help"
# what the TV shows a family member to type: the shortest address, and no English word on a Chinese screen
SHORT_PATH = "/m"
LONG_POLL_S = 6.0  # a poll waits this long for something to do, so an idle help costs one request per 6 s
_WAKE = web.AppKey("copilot_wake", dict)  # session id -> {Event}: a phone's command wakes its TV's polls here


def idle_s(request: web.Request) -> float:
    """Seconds of nothing done after which a help ends."""
    return request.app[SETTINGS].copilot_idle_minutes * 60


def wake(app: web.Application, sid: str) -> None:
    """A phone on this instance gave its TV something to do: answer the TV's waiting poll now."""
    for event in app[_WAKE].get(sid, ()):
        event.set()


def _crumbs(last: str) -> list[Crumb]:
    return [Crumb(_("Home"), "/"), Crumb(_("Family help"), "/family"), Crumb(last)]


def _drop_cookie(response: web.StreamResponse) -> web.StreamResponse:
    response.del_cookie(HELP_COOKIE, path="/")
    return response


def _set_cookie(request: web.Request, response: web.StreamResponse, sid: str, banner: str = "") -> None:
    # readable by the TV's script: it polls only while the cookie is there; "~a~banner" once helped, so that
    # every page shows the banner and Back ends the help from its first moment, before any poll has answered
    # (the banner's words URL-encoded: a cookie holds no Chinese). The poll checks the device too.
    response.set_cookie(HELP_COOKIE, sid + (f"~a~{quote(banner)}" if banner else ""), path="/", samesite="Lax",
                        secure=request.app[SETTINGS].cookie_secure)


def banner_text(name: str) -> str:
    """家人（陈建国）正在帮您 · 按返回键结束."""
    return _("Family member %(name)s is helping you · press Back to end") % {"name": name}


def help_sid(request: web.Request) -> str:
    """The help session the TV's cookie names ("" when none)."""
    return request.cookies.get(HELP_COOKIE, "").split("~")[0]


def _local(path: str) -> str:
    """A path on this portal (a Referer or a ``next`` parameter), else home."""
    parts = urlsplit(path)
    base = parts.path + (f"?{parts.query}" if parts.query else "")
    return base if base.startswith("/") and not base.startswith("//") and not base.startswith("/family") else "/"


async def _mine(request: web.Request) -> dict | None:
    """The help session this TV's cookie names (time limits applied), or None."""
    sid = help_sid(request)
    if not sid:
        return None
    return await request.app[DB].write(store.of_device, await resolve_device(request), sid, idle_s(request),
                                       time.time())


def grouped_code(code: str) -> str:
    """123 456: two groups of three, easy to read aloud over the phone."""
    return f"{code[:3]} {code[3:]}"


def digits_aloud(digits: str) -> str:
    """Digits as Chinese digit words, one by one (零 not 〇: what an elder says on the phone)."""
    return " ".join("零一二三四五六七八九"[int(d)] for d in digits)


@friendly
async def offer(request: web.Request) -> web.Response:
    """请家人帮忙: a QR code and a short code for the family member's phone (or, while helped, who helps)."""
    row = await _mine(request)
    if row is not None and row["status"] == "active" and "new" not in request.query:
        lines = [("", _("%(name)s is helping you from a phone.") % {"name": row["helper_name"]})]
        choices = [Choice("stop", _("End family help"), href="/family/end"),
                   Choice("on", _("Go on"), href=row["return_to"] or "/")]
        return show(request, flow_screen(request, _("Family help"), _crumbs(_("Family help")), lines=lines,
                                         choices=choices, cols=2, back=row["return_to"] or "/", private=True))
    back = _local(request.query.get("next", "") or request.headers.get("Referer", ""))
    settings = request.app[SETTINGS]
    sid, code, token = await request.app[DB].write(store.open_session, device_id(request), back,
                                                   settings.copilot_code_minutes, time.time())
    url = public(request, f"{PHONE_PATH}/t/{token}")
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True)
    # the address without its scheme: shorter on an SD line, and any phone browser adds it
    site = public(request, SHORT_PATH).split("://", 1)[-1]
    lines = [("", _("Ask a family member to scan this with their phone to help you.")),
             ("", _("Or type the number at %(site)s on the phone.") % {"site": site}),
             ("", _("The number works once, for %(n)d minutes.") % {"n": settings.copilot_code_minutes})]
    choices = [Choice("fresh", _("A new number"), href=f"/family?new=1&next={quote(back)}"),
               Choice("cancel", _("Not now"), href="/family/end")]
    label = _("Number to type")
    # SD in large text: how long the number works goes first, then the line on scanning (the code shows it,
    # and it is still said); the address for the number stays
    alone = [("", _("Or scan the code, or type the number at %(site)s on the phone.") % {"site": site})]
    screen = fitting(lambda shown: flow_screen(request, _("Ask family to help"), _crumbs(_("Ask family to help")),
                                               big=grouped_code(code), big_label=label, lines=shown,
                                               choices=choices, cols=2, qr=svg, back="/family/end"),
                     lines, lines[:2], alone)
    # read aloud digit by digit, as it is read to the son over the phone (a group of three would be read as a
    # number, 五百二十二); the address is not read (a port would be heard as a time of day)
    spoken = {f"{label}：{grouped_code(code)}": f"{label}：{digits_aloud(code[:3])}，{digits_aloud(code[3:])}",
              lines[1][1]: _("Or open the address shown on the TV in the phone's browser, and type the number.")}
    spoken[alone[0][1]] = lines[0][1] + spoken[lines[1][1]]  # all of it is said, whatever the screen shows
    screen.spoken = [spoken.get(s, s) for s in screen.spoken]
    response = show(request, screen)
    _set_cookie(request, response, sid)
    return response


@friendly
async def ask(request: web.Request) -> web.Response:
    """允许（家人姓名）帮您操作吗？ OK = yes (the focus starts there), Back = no."""
    row = await _mine(request)
    if row is None or row["status"] != "signed":
        raise web.HTTPSeeOther(row["return_to"] if row and row["status"] == "active" else "/")
    name = row["helper_name"]
    lines = [("", _("%(name)s signed in on a phone with their own SMS code.") % {"name": name}),
             ("", _("They will see this screen, choose and type for you. You confirm every submission here."))]
    choices = [Choice("yes", _("Yes, let %(name)s help") % {"name": name}, post="/family/ask", fields={"a": "yes"}),
               Choice("no", _("No"), post="/family/ask", fields={"a": "no"})]
    screen = flow_screen(request, _("May %(name)s help you?") % {"name": name}, _crumbs(_("Allow help")),
                         big=_("May %(name)s help you?") % {"name": name}, lines=lines, choices=choices, cols=2,
                         back="/family/refuse", start="yes")
    return show(request, screen)


async def _elder(request: web.Request) -> str:
    """Whom the TV acts for now: the person signed in (or the family member chosen), "" when nobody."""
    current = await who(request)
    return current.person.id if current else ""


@friendly
async def answer(request: web.Request) -> web.Response:
    """The elder's OK (help starts, back to where she was) or no."""
    form = await form_of(request)
    return await _answer(request, form.get("a") == "yes")


@friendly
async def refuse(request: web.Request) -> web.Response:
    """Back on the consent question: no."""
    return await _answer(request, False)


async def _answer(request: web.Request, yes: bool) -> web.Response:
    row = await _mine(request)
    if row is None or row["status"] != "signed":
        raise web.HTTPSeeOther("/")
    await request.app[DB].write(store.answer, row, yes, await _elder(request), time.time())
    if yes:
        done = web.HTTPSeeOther(row["return_to"] or "/")
        _set_cookie(request, done, row["id"], banner_text(row["helper_name"]))
        raise done
    lines = [("", _("%(name)s will not help. Their phone says so.") % {"name": row["helper_name"]})]
    choices = [Choice("back", _("Back to where I was"), href=row["return_to"] or "/"),
               Choice("home", _("Back to the home page"), href="/")]
    return _drop_cookie(show(request, flow_screen(request, _("Help refused"), _crumbs(_("Help refused")),
                                                  lines=lines, choices=choices, cols=2, back="/")))


@friendly
async def share(request: web.Request) -> web.Response:
    """The second question, when a private screen first comes up: may the helper see it on the phone?"""
    row = await _mine(request)
    target = _local(request.query.get("next", ""))
    if row is None or row["status"] != "active" or row["share"]:
        raise web.HTTPSeeOther(target)
    if request.method == "POST" or "no" in request.query:
        yes = request.method == "POST" and (await form_of(request)).get("a") == "yes"
        await request.app[DB].write(store.set_share, row, yes, time.time())
        raise web.HTTPSeeOther(target)
    name = row["helper_name"]
    lines = [("", _("The next screen shows your own information (pension, ID number, bookings, applications).")),
             ("", _("If you say no, %(name)s still helps but sees only the names of such screens.") % {"name": name})]
    action = f"/family/share?next={quote(target)}"
    choices = [Choice("yes", _("Yes, show it"), post=action, fields={"a": "yes"}),
               Choice("no", _("No, keep it on the TV"), post=action, fields={"a": "no"})]
    screen = flow_screen(request, _("Show %(name)s your information?") % {"name": name}, _crumbs(_("Your information")),
                         big=_("Show %(name)s your information?") % {"name": name}, lines=lines, choices=choices,
                         cols=2, back=f"{action}&no=1", start="yes")
    return show(request, screen)


@friendly
async def end(request: web.Request) -> web.Response:
    """Back while helped, 结束帮忙, 不用了 on the code screen, or the phone ended it: over at once."""
    row = await _mine(request)
    back = _local(request.query.get("next", "")) if "next" in request.query else row["return_to"] if row else "/"
    if row is not None:
        shown = row["status"]
        await request.app[DB].write(store.end, row, "tv", time.time())
        if shown in ("open", "claimed"):  # nobody was helping yet: straight back
            raise _drop_cookie(web.HTTPSeeOther(back))
        back = _last_path(row) or back
    lines = [("", _("Family help has ended. The phone can no longer change anything here."))]
    choices = [Choice("back", _("Back to where I was"), href=back or "/"),
               Choice("home", _("Back to the home page"), href="/")]
    return _drop_cookie(show(request, flow_screen(request, _("Family help ended"), _crumbs(_("Ended")),
                                                  lines=lines, choices=choices, cols=2, back=back or "/")))


@friendly
async def expired(request: web.Request) -> web.Response:
    """The number was not used in time: a new one, or not now."""
    back = _local(request.query.get("next", ""))
    lines = [("", _("Nobody used the number in time, so it no longer works.")),
             ("", _("Choose A new number to show one, then ask your family member to use it soon."))]
    choices = [Choice("fresh", _("A new number"), href=f"/family?new=1&next={quote(back)}"),
               Choice("back", _("Not now"), href=back)]
    return _drop_cookie(show(request, flow_screen(request, _("The number has expired"), _crumbs(_("Expired")),
                                                  lines=lines, choices=choices, cols=2, back=back, private=False)))


def _last_path(row: dict | None) -> str:
    """The screen the TV showed last (not one of these family-help screens)."""
    if not row or not row.get("screen"):
        return ""
    path = json.loads(row["screen"]).get("path", "")
    return "" if path.startswith("/family") else path


# ---------------------------------------------------------------------------------------------- the TV's poll

def _reply(state: str, name: str = "", cmd: dict | None = None, pause: int = 2000) -> web.Response:
    """Lines the ES3 script splits (no JSON on the oldest boxes): state, name, what to do, its target, a form,
    when to ask again (ms), the banner's words and the pointer's."""
    cmd = cmd or {}
    fields = "&".join(f"{quote(k)}={quote(str(v))}" for k, v in (cmd.get("f") or {}).items())
    banner = banner_text(name) if name else ""
    body = "\n".join((state, name, cmd.get("do", ""), cmd.get("to", ""), fields, str(pause), banner,
                      _("Please press OK")))
    return web.Response(text=body, content_type="text/plain", headers={"Cache-Control": "no-store"})


async def poll(request: web.Request) -> web.Response:
    """GET /family/poll?f=focus: what the TV does next. Waits up to LONG_POLL_S for it (one request at a time,
    at least copilot_poll_seconds apart: copilot.js); an ended session clears the cookie, so polling stops."""
    pause = request.app[SETTINGS].copilot_poll_seconds * 1000
    row = await _mine(request)
    if row is None:
        return _drop_cookie(_reply("end", pause=pause))
    sid = row["id"]
    focus = request.query.get("f", "")
    if focus and row["status"] == "active":
        await request.app[DB].write(store.focus, row, focus)
    # a poll of the page the TV just left may still be waiting: each poll has its own event
    event = asyncio.Event()
    request.app[_WAKE].setdefault(sid, set()).add(event)
    deadline = time.time() + LONG_POLL_S
    try:
        while True:
            event.clear()
            if request.transport is None or request.transport.is_closing():
                # the TV left the page (its poll was cut off): a command taken now would be lost
                return _reply(row["status"], pause=pause)
            reply = await _next_step(request, sid, pause)
            # a page's first question is answered at once: its banner and its Back must not wait
            if reply is not None or time.time() >= deadline or "i" in request.query:
                return reply or _reply(row["status"], row["helper_name"] if row["status"] == "active" else "",
                                       pause=pause)
            try:  # woken at once by a phone on this instance; every second a look at the database for others
                await asyncio.wait_for(event.wait(), min(1.0, max(0.05, deadline - time.time())))
            except asyncio.TimeoutError:
                pass
    finally:
        waiting = request.app[_WAKE].get(sid, set())
        waiting.discard(event)
        if not waiting:
            request.app[_WAKE].pop(sid, None)


END_GOES = {"phone": "/family/end", "idle": "/family/end", "expired": "/family/expired"}


async def _next_step(request: web.Request, sid: str, pause: int) -> web.Response | None:
    """A reply when the TV has something to do now, else None."""
    db = request.app[DB]
    row = await db.write(store.of_device, await resolve_device(request), sid, idle_s(request), time.time())
    screen = json.loads(row["screen"] or "{}") if row else {}
    path = screen.get("path", "")
    if row is None or row["status"] == "ended":
        to = END_GOES.get(row["ended"] if row else "", "")
        # no screen since the number: she is still looking at it; else she left it and is not disturbed
        if to == END_GOES["expired"] and path and path.split("?")[0] != "/family":
            to = ""
        return _drop_cookie(_reply("end", cmd={"do": "go", "to": f"{to}?next={quote(path or row['return_to'])}"}
                                   if to else None, pause=pause))
    name = row["helper_name"]
    if row["status"] == "signed" and not path.startswith("/family/ask"):
        return _reply("signed", name, {"do": "go", "to": "/family/ask"}, pause)
    if row["status"] != "active":
        return None
    cmd = await db.write(store.take_command, sid)
    if cmd is not None:
        return _reply("active", name, cmd, pause)
    if screen.get("private") and row["share"] == 0 and path and not path.startswith("/family"):
        return _reply("active", name, {"do": "go", "to": "/family/share?next=" + quote(path)}, pause)
    return None


# ---------------------------------------------------------------------------------------------- middleware

@web.middleware
async def help_middleware(request: web.Request, handler) -> web.StreamResponse:
    """While a TV is helped: its rendered screen goes to the phone, and every form it sends is audited
    (who helped whom do what). Requests of TVs not helped pass untouched."""
    if HELP_COOKIE not in request.cookies or request.path.startswith(("/family/poll", "/static/", PHONE_PATH)):
        return await handler(request)
    request[HELPING] = await request.app[DB].read(store.status_of, help_sid(request)) == "active"
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        await _after(request, status)


async def _after(request: web.Request, status: int) -> None:
    snap = request.get(SNAP)
    if snap is None and request.method == "GET":
        return
    sid, db, now = help_sid(request), request.app[DB], time.time()
    device = await resolve_device(request)
    elder = await db.read(_signed_in, request.cookies.get(SESSION_COOKIE, ""), device)
    if snap is not None:
        await db.write(store.save_screen, sid, device, snap, elder, now)
    if request.method == "POST":
        row = await db.write(store.of_device, device, sid, idle_s(request), now)
        if row is not None and row["status"] == "active":
            await db.write(store.audit, {**row, "elder_id": elder or row["elder_id"]}, "tv_post",
                           f"{request.path} {status}", now)


def _signed_in(conn, token: str, device: str) -> str | None:
    """The person the TV acts for (its sign-in, or the family member chosen), None when nobody is."""
    if not token:
        return None
    row = conn.execute(select(tv_sessions.c.person_id, tv_sessions.c.acting_for).where(
        tv_sessions.c.token_hash == session_digest(token), tv_sessions.c.device_id == device)).first()
    return (row.acting_for or row.person_id) if row else None


def setup_tv(app: web.Application) -> None:
    """The TV's routes."""
    app[_WAKE] = {}
    r = app.router
    r.add_get("/family", offer)
    r.add_get("/family/ask", ask)
    r.add_post("/family/ask", answer)
    r.add_get("/family/refuse", refuse)
    r.add_get("/family/share", share)
    r.add_post("/family/share", share)
    r.add_get("/family/end", end)
    r.add_get("/family/expired", expired)
    r.add_get("/family/poll", poll)
