"""Signing in with the ID number and an SMS code on the keypad, and 帮家人办's consent code: the keypad
entries, the per-hour limits on codes, 重新获取 with its countdown, and a wrong code cleared."""

from __future__ import annotations

import datetime as dt
import secrets

from aiohttp import web

from tvportal.flows import signin_store as store
from tvportal.flows.guard import friendly
from tvportal.flows.keypad import Entry, Pad, id_check_failed, pressed, show_pad, wrong_digit_message
from tvportal.flows.session import act_for, db, platform_device
from tvportal.flows.signin_pin import after_sign_in
from tvportal.flows.ui import Choice, device_id, flash, flow_screen, platform, show, state, who
from tvportal.i18n import gettext as _
from tvportal.keys import CLOCK, SETTINGS
from tvportal.platform import idnumber
from tvportal.platform.models import PlatformError
from tvportal.screen import Crumb

ENTRIES = {
    "id": Entry("id", 18, allow_x=True),
    "code": Entry("code", 6),
    "elder": Entry("elder", 18, allow_x=True),
    "elder_code": Entry("elder_code", 6),
}
CODE_FOR = {"id": "code", "elder": "elder_code"}
NUMBER_OF = {"code": "id", "elder_code": "elder"}
PURPOSE = {"id": "login", "elder": "consent"}
CODE_OF = {PURPOSE[number]: code for number, code in CODE_FOR.items()}
CODE_TRIES = 5  # the platform's wrong tries per code (docs/signin.md)
SMS_VALID = 600  # a code sent less than this ago is still good: asking again sends no new one


def platform_message(exc: PlatformError) -> str:
    """The platform's refusal in the catalog's words (its own message for anything unforeseen)."""
    known = {
        "code_wrong": _("The code is not right. Please look at the text message and type it again."),
        "code_locked": _("The code was typed wrongly 5 times. Please press Send a new code."),
        "code_expired": _("The code has expired. Please press Send a new code."),
        "no_person": _("The platform has no record of this ID number. Please go to a service hall."),
        "bad_id": wrong_digit_message(),
        "self_proxy": _("This is your own ID number. Please enter the family member's number."),
        "not_linked": _("Please sign in yourself first."),
    }
    return known.get(exc.code, exc.message)


def _prompt(what: str) -> str:
    """What a keypad screen asks for."""
    return {"id": _("Type your ID number with the number keys"),
            "code": _("Type the 6-digit code from the text message"),
            "elder": _("Type the family member's ID number"),
            "elder_code": _("Type the 6-digit code sent to the family member's phone")}[what]


def _at(request: web.Request, epoch: float) -> str:
    """A time of day in the city, HH:MM."""
    return dt.datetime.fromtimestamp(epoch, request.app[CLOCK].tz).strftime("%H:%M")


def _limit(request: web.Request, at: float) -> str:
    """The refusal when the hourly limits allow no code now."""
    return _("No more codes for now. A new code can be sent from %(time)s.") % {"time": _at(request, at)}


async def _allowed(request: web.Request, id_number: str, purpose: str, resend: bool = True) -> float:
    """0 when a code may be sent now, else when one may (``resend``: 重新获取 also waits its countdown)."""
    s = request.app[SETTINGS]
    return await db(request).read(store.sms_allowed, id_number, purpose, device_id(request), s.sms_per_id_hour,
                                  s.sms_per_tv_hour, s.sms_resend_seconds if resend else 0, store.clock())


def _pending(request: web.Request, id_number: str, purpose: str) -> bool:
    """True when this TV was sent a code for this number and purpose a moment ago that is not used yet."""
    sent = state(request).get(f"sms:{purpose}", [])
    return len(sent) == 2 and sent[0] == store.digest(id_number) and sent[1] > store.clock() - SMS_VALID


def _mark_sent(request: web.Request, id_number: str, purpose: str, again: bool = False) -> None:
    """Remember the code waiting to be typed; the next code screen says once that it was sent."""
    st = state(request)
    st[f"sms:{purpose}"] = [store.digest(id_number), store.clock()]
    st["sms_note"] = "again" if again else "sent"
    st.pop("tries:" + CODE_OF[purpose], None)
    st.pop(f"spent:{purpose}", None)
    st.pop(f"misses:{purpose}", None)


async def _send(request: web.Request, id_number: str, purpose: str) -> None:
    """Ask the platform to send a code. An ID number it does not know is answered exactly like a known one
    (the same screens, no phone number shown) so that the TV cannot be used to find out who is registered;
    the person learns it only when no text message comes, and the code screen says so."""
    try:
        await platform(request).send_sms_code(id_number, purpose)
    except PlatformError as exc:
        if exc.code != "no_person":
            raise
    await db(request).write(store.sms_sent, id_number, purpose, device_id(request), store.clock())


def _unknown_code(request: web.Request, purpose: str) -> PlatformError:
    """What a code typed for an unknown ID number gets: what a wrong code gets, and after 5 tries what a
    code used up gets (the platform counts a known number's tries the same way)."""
    st = state(request)
    st[f"misses:{purpose}"] = st.get(f"misses:{purpose}", 0) + 1
    if st[f"misses:{purpose}"] >= 5:
        return PlatformError("code_locked", "")
    return PlatformError("code_wrong", "")


def pad_for(request: web.Request, what: str, error: str = "", status: int = 200, wait: int = 0,
            info: str = "", focus: str = "") -> Pad:
    """The keypad of an entry with its current value."""
    st = state(request)
    family = what.startswith("elder")
    title = _("Act for a family member") if family else _("Sign in")
    prompt = _prompt(what)
    step = _("Enter the code") if what in NUMBER_OF else _("Enter numbers")
    crumbs = [Crumb(_("Home"), "/"), Crumb(title, "/id/family" if family else "/id"), Crumb(step)]
    return Pad(ENTRIES[what], f"/id/enter/{what}", title, crumbs, prompt, value=st.get("entry:" + what, ""),
               error=error, info=info, status=status, back="/id/family" if family else "/id",
               resend=f"/id/sms/{what}" if what in NUMBER_OF else "", wait=wait, focus=focus)


async def _code_pad(request: web.Request, what: str, error: str = "", status: int = 200) -> web.Response:
    """A code keypad, with 重新获取 counting down or saying when the hourly limit lets it. Right after a send
    it says the code went out (the hourly limit that send reached is only mentioned quietly); once the code
    is used up (5 wrong tries, expired) 重新获取 waits for nothing but the hourly limits and has the focus."""
    st = state(request)
    number = st.get("entry:" + NUMBER_OF[what], "")
    purpose = PURPOSE[NUMBER_OF[what]]
    spent = bool(st.get(f"spent:{purpose}"))
    at = await _allowed(request, number, purpose, resend=not spent) if number else 0
    note = st.pop("sms_note", "")
    info = ""
    if note:  # never the phone number: that would tell anyone whether an ID number is registered
        info = (_("If this ID number is registered, a new code was sent to its registered phone.") if note == "again"
                else _("If this ID number is registered, the code was sent to its registered phone."))
    wait = 0
    if at:
        left = int(at - store.clock()) + 1
        resend = request.app[SETTINGS].sms_resend_seconds
        wait = left if left <= resend and not spent else -1
        if wait < 0:
            later = _("A new code can be sent from %(time)s.") % {"time": _at(request, at)}
            if _pending(request, number, purpose) and not spent and not error:
                info = f"{info} {later}".strip()  # a code is on its way: not a failure
            elif not error:
                error = _limit(request, at)
            else:
                error = f"{error} {later}"
    if spent and wait < 0:
        return _used_up(request, what, at, status)
    focus = "kre" if spent and not wait else ""
    return show_pad(request, pad_for(request, what, error, status, wait, info, focus))


def _used_up(request: web.Request, what: str, at: float, status: int, why: str = "") -> web.Response:
    """No code can be typed: the code is used up (or, ``why``, none can be sent) and the hourly limit allows no
    new one. No keypad (typing would lead nowhere), but plainly when a code can be sent again and what can be
    done now, with the focus on a way that works."""
    family = what.startswith("elder")
    lines = [("", why or _("This code can no longer be used, and no new code can be sent right now.")),
             (_("New code from"), _at(request, at))]
    if family:
        choices = [Choice("back", _("Back to Act for a family member"), href="/id/family")]
    else:
        lines.append(("", _("You can sign in now with your phone, or ask a family member to do it for you.")))
        choices = [Choice("qr", _("Scan a QR code with your phone"), href="/id/qr")]
    choices.append(Choice("home", _("Back to the home page"), href="/"))
    title = _("Act for a family member") if family else _("Sign in")
    crumbs = [Crumb(_("Home"), "/"), Crumb(title, "/id/family" if family else "/id"), Crumb(_("Enter the code"))]
    return show(request, flow_screen(request, title, crumbs, lines=lines, choices=choices,
                                     back="/id/family" if family else "/id", status=status))


@friendly
async def enter(request: web.Request) -> web.Response:
    """GET a keypad screen."""
    what = request.match_info["what"]
    if what not in ENTRIES:
        raise web.HTTPNotFound()
    if what.startswith("elder") and await who(request) is None:
        raise web.HTTPSeeOther("/id")
    if what in NUMBER_OF:
        return await _code_pad(request, what)
    return show_pad(request, pad_for(request, what))


@friendly
async def press(request: web.Request) -> web.Response:
    """A keypad key: typed, deleted, cleared (the plain form's way), or 确认."""
    what = request.match_info["what"]
    if what not in ENTRIES:
        raise web.HTTPNotFound()
    key, value = await pressed(request, ENTRIES[what])
    if key != "ok":
        # the plain form: each key is a page; 确认 is focused once the entry is complete
        raise web.HTTPSeeOther(f"/id/enter/{what}")
    if what in CODE_FOR:
        return await _number_done(request, what, value)
    return await _code_done(request, what, value)


async def _number_done(request: web.Request, what: str, value: str) -> web.Response:
    """An ID number is complete: check it and send (or reuse) the SMS code."""
    problem = ""
    if len(value) < 18:
        problem = _("An ID number has 18 digits; %(n)d are typed.") % {"n": len(value)}
    elif id_check_failed(value):
        problem = wrong_digit_message()
    elif idnumber.problem(value):
        problem = _("This is not a valid ID number. Please check it.")
    if problem:
        return show_pad(request, pad_for(request, what, problem, 400))
    st = state(request)
    code_what = CODE_FOR[what]
    # a code sent a moment ago and not used yet is still good: asking again neither sends another nor
    # resets the count
    if not _pending(request, value, PURPOSE[what]):
        at = await _allowed(request, value, PURPOSE[what], resend=False)
        if at:  # the ID pad again would only invite typing the code into it
            st["entry:" + what] = ""
            return _used_up(request, what, at, 429, _("Codes have been sent several times; no new code can be "
                                                      "sent right now."))
        try:
            await _send(request, value, PURPOSE[what])
        except PlatformError as exc:
            return show_pad(request, pad_for(request, what, platform_message(exc), 400))
        _mark_sent(request, value, PURPOSE[what])
    st["entry:" + code_what] = ""
    raise web.HTTPSeeOther(f"/id/enter/{code_what}")


@friendly
async def resend(request: web.Request) -> web.Response:
    """重新获取: a new code, when the limits allow."""
    what = request.match_info["what"]
    if what not in NUMBER_OF:
        raise web.HTTPNotFound()
    st = state(request)
    number = st.get("entry:" + NUMBER_OF[what], "")
    if not number:
        raise web.HTTPSeeOther(f"/id/enter/{NUMBER_OF[what]}")
    purpose = PURPOSE[NUMBER_OF[what]]
    spent = bool(st.get(f"spent:{purpose}"))
    at = await _allowed(request, number, purpose, resend=not spent)
    if at:
        wait = at - store.clock()
        refused = "" if wait <= request.app[SETTINGS].sms_resend_seconds and not spent else \
            _limit(request, at)
        st.pop("sms_note", None)
        return await _code_pad(request, what, refused, status=429)
    try:
        await _send(request, number, purpose)
    except PlatformError as exc:
        return await _code_pad(request, what, platform_message(exc), 400)
    _mark_sent(request, number, purpose, again=True)
    st["entry:" + what] = ""
    raise web.HTTPSeeOther(f"/id/enter/{what}")


async def _code_done(request: web.Request, what: str, code: str) -> web.Response:
    """A code is complete: sign in, or record the family member's consent."""
    st = state(request)
    if len(code) != 6:
        return await _code_pad(request, what, _("The code has 6 digits."), 400)
    number = st.get("entry:" + NUMBER_OF[what], "")
    p = platform(request)
    try:
        if what == "code":
            pdev = platform_device(device_id(request), number)
            link = await p.login_with_sms(pdev, number, code)
            for k in ("entry:id", "entry:code", "sms:login", "misses:login"):
                st.pop(k, None)
            return await after_sign_in(request, pdev, link.person)
        current = await who(request)
        if current is None:
            raise web.HTTPSeeOther("/id")
        link = await p.add_proxy(current.link.device_id, number, code, secrets.token_hex(16))
    except PlatformError as exc:
        if exc.code == "no_person":
            exc = _unknown_code(request, PURPOSE[NUMBER_OF[what]])
        # a wrong code is cleared, and the focus goes back to the first digit; a code used up (5 wrong
        # tries, expired) needs 重新获取, which the pad then offers at once
        st["entry:" + what] = ""
        if exc.code in ("code_locked", "code_expired"):
            st[f"spent:{PURPOSE[NUMBER_OF[what]]}"] = True
        message = platform_message(exc)
        if exc.code == "code_wrong":
            tries = st[f"tries:{what}"] = st.get(f"tries:{what}", 0) + 1
            if tries < CODE_TRIES:
                message = _("The code is not right; %(n)d more tries. Please look at the text message and type "
                            "it again.") % {"n": CODE_TRIES - tries}
        if exc.field == "id_number":
            return show_pad(request, pad_for(request, NUMBER_OF[what], platform_message(exc), 400))
        return await _code_pad(request, what, message, 400)
    elder = next((e for e in link.acts_for if e.id_masked == idnumber.mask(number)), None)
    if elder is not None:  # he added her to act for her: done at once, and said, so no booking is a surprise
        await act_for(request, elder.id)
        flash(request, "for", elder.name)
    for k in ("entry:elder", "entry:elder_code", "sms:consent", "misses:consent"):
        st.pop(k, None)
    raise web.HTTPSeeOther("/id/family")

