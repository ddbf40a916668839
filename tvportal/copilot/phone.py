"""The helper's phone: plain server-rendered pages (epg_templates/phone.html) that work in any phone browser;
static/phone.js only reloads the page when the TV changed (a meta refresh does it without JavaScript).

The phone never acts on the TV directly: it leaves one command in the session (store.command) that the TV
takes on its next poll and carries out itself, in its own sign-in, through the flows' own forms; a form that
acts for the elder is only pointed at, and her OK on the TV sends it."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from tvportal.copilot import store
from tvportal.copilot.tv import PHONE_PATH, SHORT_PATH, idle_s, wake
from tvportal.flows import signin_store
from tvportal.flows.session import platform_device
from tvportal.flows.signin_sms import platform_message
from tvportal.http.forms import form_of
from tvportal.i18n import N_, gettext as _
from tvportal.keys import ASSETS, DB, PLATFORM, SETTINGS
from tvportal.platform import idnumber
from tvportal.platform.models import PlatformError, Unavailable

PHONE_COOKIE = "mhelp"
# where the phone can send the TV at once (besides the screen's own items and Back)
PLACES = ((N_("Home"), "/"), (N_("Book a visit"), "/booking/halls"), (N_("Apply"), "/apply"),
          (N_("Look up"), "/lookup"), (N_("Mine"), "/me"), (N_("Service guides"), "/guides"))
NOTES = {"go": N_("The TV is opening it."), "sent": N_("Sent to the TV."),
         "point": N_("The TV now frames it and asks her to press OK."), "typed": N_("Typed on the TV."),
         "pin": N_("A PIN is typed only by its owner, on the TV."), "bad": N_("Please type digits only."),
         "gone": N_("That item is no longer on the TV screen. Look again below.")}
ENDED = {"tv": N_("She ended the help on the TV."), "phone": N_("You ended the help."),
         "idle": N_("The help ended because nothing was done for a while."),
         "refused": N_("She chose not to be helped this time."),
         "expired": N_("The number expired before the help started. Ask her to show a new one."),
         "replaced": N_("The TV showed a new number, so this one no longer works.")}


def _page(request: web.Request, view: str, status: int = 200, **context: Any) -> web.Response:
    """A phone page (never cached: it is one person's)."""
    context.update(view=view, js_url=request.app[ASSETS].url("phone.js"))
    response = aiohttp_jinja2.render_template("phone.html", request, context, status=status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _address(request: web.Request) -> str:
    return request.remote or ""


async def _session(request: web.Request) -> dict[str, Any] | None:
    return await request.app[DB].write(store.of_phone, request.cookies.get(PHONE_COOKIE, ""), idle_s(request),
                                       time.time())


async def code_form(request: web.Request) -> web.Response:
    """GET /m/help: type the number the TV shows (or straight on when this phone already helps)."""
    row = await _session(request)
    if row is not None and row["status"] in store.LIVE:
        raise web.HTTPSeeOther(PHONE_PATH + "/go")
    return _page(request, "code")


REFUSED = {"wrong": (N_("This number is not right. Please look at the TV and type it again."), 400),
           "expired": (N_("This number has expired. Ask her to press the help key again for a new one."), 410),
           "used": (N_("This number has been used. Ask her to press the help key again for a new one."), 410),
           "busy": (N_("Another family member is already helping on this TV. Only one can help at a time."), 409)}


async def _claim(request: web.Request, code: str = "", token: str = "") -> web.Response:
    phone = request.cookies.get(PHONE_COOKIE, "") or secrets.token_urlsafe(24)
    settings, now = request.app[SETTINGS], time.time()
    outcome, row = await request.app[DB].write(store.claim, code=code, token=token, phone=phone,
                                               address=_address(request), idle_s=idle_s(request), now=now)
    if outcome != "ok":
        message, status = REFUSED[outcome]
        return _page(request, "code", status, error=_(message), code=code)
    wake(request.app, row["id"])
    done = web.HTTPSeeOther(PHONE_PATH + "/go")
    done.set_cookie(PHONE_COOKIE, phone, path="/", httponly=True, samesite="Lax", secure=settings.cookie_secure)
    raise done


async def code_typed(request: web.Request) -> web.Response:
    """POST /m/help: the 6-digit code (guessing is limited per address)."""
    code = "".join(ch for ch in str((await form_of(request)).get("code", "")) if ch.isdigit())
    settings = request.app[SETTINGS]
    left = await request.app[DB].write(store.guesses_left, _address(request), settings.copilot_code_tries, time.time())
    if not left:
        return _page(request, "code", 429, error=_("Too many wrong numbers. Please wait 10 minutes and try again."))
    if len(code) != 6:
        return _page(request, "code", 400, error=_("The number has 6 digits."), code=code)
    return await _claim(request, code=code)


async def scanned(request: web.Request) -> web.Response:
    """GET /m/help/t/{token}: the QR code opened on the phone."""
    return await _claim(request, token=request.match_info["token"])


async def main(request: web.Request) -> web.Response:
    """GET /m/help/go: sign in, wait for her answer, help (the TV's screen and what can be done), or ended."""
    row = await _session(request)
    if row is None:
        raise web.HTTPSeeOther(PHONE_PATH)
    if row["status"] == "ended":
        return _page(request, "ended", reason=_(ENDED.get(row["ended"], ENDED["tv"])))
    if row["status"] == "claimed":
        return _page(request, "signin")
    if row["status"] == "signed":
        return _page(request, "wait", name=row["helper_name"], version=row["version"])
    screen = json.loads(row["screen"] or "{}")
    asking = screen.get("path", "").startswith(("/family/ask", "/family/share"))
    hidden = screen.get("private") and row["share"] != 1
    note = NOTES.get(request.query.get("m", ""), "")
    return _page(request, "help", name=row["helper_name"], screen=screen, asking=asking, hidden=hidden,
                 note=_(note) if note else "", places=[(_(label), href) for label, href in PLACES],
                 version=row["version"], refused_share=row["share"] == -1)


async def version(request: web.Request) -> web.Response:
    """GET /m/help/v: the session's version, for phone.js to reload when the TV changed."""
    row = await _session(request)
    text = f"{row['version']}" if row is not None else "0"
    return web.Response(text=text, content_type="text/plain", headers={"Cache-Control": "no-store"})


async def signin(request: web.Request) -> web.Response:
    """POST /m/help/signin: the helper's own ID number and SMS code (the platform's SMS sign-in)."""
    row = await _session(request)
    if row is None or row["status"] != "claimed":
        raise web.HTTPSeeOther(PHONE_PATH + "/go")
    form = await form_of(request)
    number = str(form.get("id_number", "")).strip().upper()
    problem = idnumber.problem(number)
    if problem:
        return _page(request, "signin", 400, error=problem, id_number=number)
    platform, db, now = request.app[PLATFORM], request.app[DB], time.time()
    try:
        if form.get("action") == "send":
            return await _send(request, row, number)
        link = await platform.login_with_sms(platform_device("copilot:" + row["id"], number), number,
                                             str(form.get("sms_code", "")).strip())
    except PlatformError as exc:
        return _page(request, "signin", 400, error=platform_message(exc), id_number=number)
    except Unavailable:
        return _page(request, "signin", 503, error=_("The provincial platform is not answering. Please try again soon."),
                     id_number=number)
    await db.write(store.signed, row["id"], link.person.id, link.person.name, now)
    wake(request.app, row["id"])
    raise web.HTTPSeeOther(PHONE_PATH + "/go")


async def _send(request: web.Request, row: dict[str, Any], number: str) -> web.Response:
    """A code to the helper's own phone, within the same hourly limits as on a TV (signin_store)."""
    s, db, now = request.app[SETTINGS], request.app[DB], time.time()
    phone_key = "phone:" + row["id"]
    at = await db.read(signin_store.sms_allowed, number, "login", phone_key, s.sms_per_id_hour, s.sms_per_tv_hour,
                       s.sms_resend_seconds, now)
    if at:
        return _page(request, "signin", 429, id_number=number,
                     error=_("No more codes for now. Please try again in a few minutes."))
    try:
        await request.app[PLATFORM].send_sms_code(number, "login")
    except PlatformError as exc:
        if exc.code != "no_person":  # an unknown number is answered like a known one (no enumeration)
            raise
    await db.write(signin_store.sms_sent, number, "login", phone_key, now)
    return _page(request, "signin", id_number=number, sent=True)


async def act(request: web.Request) -> web.Response:
    """POST /m/help/do: open a place or an item, type into the TV's keypad, point at an item, or end."""
    row = await _session(request)
    if row is None or row["status"] != "active":
        raise web.HTTPSeeOther(PHONE_PATH + "/go")
    form = await form_of(request)
    what, db, now = str(form.get("do", "")), request.app[DB], time.time()
    if what == "end":
        await db.write(store.end, row, "phone", now)
        wake(request.app, row["id"])
        raise web.HTTPSeeOther(PHONE_PATH + "/go")
    screen = json.loads(row["screen"] or "{}")
    note = await _command(request, row, screen, what, form)
    wake(request.app, row["id"])
    raise web.HTTPSeeOther(f"{PHONE_PATH}/go?m={note}")


async def _command(request: web.Request, row: dict[str, Any], screen: dict[str, Any], what: str, form) -> str:
    """Leave the TV its next command; the note the phone shows."""
    db, now = request.app[DB], time.time()
    if what == "go":
        href = str(form.get("href", ""))
        allowed = {h for _label, h in PLACES} | ({screen["back"]} if screen.get("back") else set())
        if href not in allowed:
            return "gone"
        await db.write(store.command, row, {"do": "go", "to": href}, href, now)
        return "go"
    if what == "type":
        pad = screen.get("pad")
        if not pad:
            return "gone"
        if pad["masked"]:
            return "pin"
        value = str(form.get("value", "")).replace(" ", "").upper()
        if not value or len(value) > pad["n"] or not value.rstrip("X").isdigit():
            return "bad"
        await db.write(store.command, row, {"do": "post", "to": pad["action"], "f": {"k": "ok", "v": value}},
                       f"{pad['action']} ({len(value)} characters)", now)
        return "typed"
    item = next((i for i in screen.get("items", []) if i["id"] == form.get("item")), None)
    if item is None:
        return "gone"
    if what == "choose" and item["act"] == "go":
        await db.write(store.command, row, {"do": "go", "to": item["href"]}, item["href"], now)
        return "go"
    if what == "choose" and item["act"] == "send":
        await db.write(store.command, row, {"do": "post", "to": item["post"], "f": item["fields"]},
                       f"{item['post']} {item['label']}", now)
        return "sent"
    # a form that acts for her (or a plain pointer): the TV frames it and she presses OK herself
    await db.write(store.command, row, {"do": "point", "to": item["id"]}, f"{screen.get('path', '')} {item['label']}", now)
    return "point"


def setup_phone(app: web.Application) -> None:
    """The phone's routes."""
    r = app.router
    r.add_get(PHONE_PATH, code_form)
    r.add_get(SHORT_PATH, code_form)  # the address the TV shows
    r.add_post(PHONE_PATH, code_typed)
    r.add_get(PHONE_PATH + "/t/{token}", scanned)
    r.add_get(PHONE_PATH + "/go", main)
    r.add_get(PHONE_PATH + "/v", version)
    r.add_post(PHONE_PATH + "/signin", signin)
    r.add_post(PHONE_PATH + "/do", act)
