"""家庭成员 on a TV: after a first sign-in a person may be remembered behind a 4-digit TV PIN (typed
twice); next time they pick their masked name and type the PIN. Five wrong PINs lock it until the
person signs in by SMS or QR again and chooses a new one."""

from __future__ import annotations

from aiohttp import web

from tvportal.flows import signin_store as store
from tvportal.flows.guard import friendly
from tvportal.flows.keypad import Entry, Pad, pressed, show_pad
from tvportal.flows.session import current, db, sign_in, sign_out
from tvportal.flows.state import commit
from tvportal.flows.ui import Choice, device_id, flash, flow_screen, platform, show, state
from tvportal.http.forms import form_of
from tvportal.i18n import gettext as _
from tvportal.keys import SETTINGS
from tvportal.platform.models import Person
from tvportal.screen import Crumb

PIN = Entry("pin", 4, masked=True)
CHECK = "pin:check"  # flow state: the PIN the plain form sent, checked when its waiting screen asks
NEW_PIN = Entry("newpin", 4, masked=True)
NEW_PIN_AGAIN = Entry("newpin2", 4, masked=True)


def masked_name(name: str) -> str:
    """李*兰: enough for a family to tell its members apart, not enough for a visitor to learn a name."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def next_url(request: web.Request) -> str:
    """Where to go once signed in: /id/continue leads back to what needed the sign-in (a service, or 我的)."""
    return "/id/continue"


async def signed_in_as(request: web.Request, pdev: str, person: Person, confirm: bool = True) -> None:
    """Start the session (ending this browser's previous one: 换人) and confirm it once where the person lands
    (not yet when 记住我 is offered first: that screen's answers confirm it)."""
    await sign_out(request)
    await sign_in(request, device_id(request), pdev, person)
    if confirm:
        flash(request, "in", masked_name(person.name))


async def remembered_people(request: web.Request) -> list[dict]:
    """This TV's remembered people; those unused for tv_remember_days are forgotten first."""
    days = request.app[SETTINGS].tv_remember_days
    device = device_id(request)
    await db(request).write(store.forget_stale, device, days * 86400, store.clock())
    return await db(request).read(store.remembered, device)


async def after_sign_in(request: web.Request, pdev: str, person: Person | None) -> web.Response:
    """A person proved who they are (SMS or QR): a session starts; a remembered person with a working
    PIN goes on at once (through their existing platform link), anyone else is offered to be remembered."""
    if person is None:
        raise web.HTTPSeeOther("/id")
    known = await db(request).read(store.one_remembered, device_id(request), person.id)
    if known is not None:
        if known["platform_device"] != pdev:
            # the remembered link holds this person's consents on this TV: keep using it
            await platform(request).unlink_device(pdev)
            pdev = known["platform_device"]
    goes_on = known is not None and known["failed_pins"] < store.PIN_TRIES
    await signed_in_as(request, pdev, person, confirm=goes_on)
    if goes_on:
        raise web.HTTPSeeOther(next_url(request))
    raise web.HTTPSeeOther("/id/remember")


@friendly
async def offer(request: web.Request) -> web.Response:
    """Remember me on this TV?"""
    row = await current(request, device_id(request))
    if row is None:
        raise web.HTTPSeeOther("/id")
    lines = [("", _("Next time, choose your name and type a 4-digit TV PIN instead of the ID number.")),
             ("", _("Only do this on your own family's TV."))]
    choices = [Choice("yes", _("Remember me on this TV"), href="/id/newpin"),
               Choice("no", _("Not this time"), href=next_url(request) + "?m=in")]
    return show(request, flow_screen(request, _("Remember me on this TV?"),
                                     [Crumb(_("Home"), "/"), Crumb(_("Sign in"), "/id"), Crumb(_("Remember me"))],
                                     lines=lines, choices=choices, back=next_url(request)))


def checking() -> str:
    """The line shown (and said) at once on 确认 while a PIN's slow hash is checked or stored."""
    return _("Checking, please wait…")


def _crumbs() -> list[Crumb]:
    """Where a PIN screen is."""
    return [Crumb(_("Home"), "/"), Crumb(_("Sign in"), "/id"), Crumb(_("TV PIN"))]


def _pin_pad(request: web.Request, entry: Entry, prompt: str, error: str = "", status: int = 200) -> Pad:
    """A PIN keypad (dots, not digits, on screen)."""
    action = {"newpin": "/id/newpin", "newpin2": "/id/newpin/again"}.get(entry.name, request.path)
    return Pad(entry, action, _("TV PIN"), _crumbs(), prompt, value=state(request).get("entry:" + entry.name, ""),
               error=error, status=status, back="/id", checking="" if entry is NEW_PIN else checking())


@friendly
async def new_pin(request: web.Request) -> web.Response:
    """Choose a TV PIN (GET shows, POST types or confirms)."""
    if await current(request, device_id(request)) is None:
        raise web.HTTPSeeOther("/id")
    again = request.path.endswith("/again")
    entry = NEW_PIN_AGAIN if again else NEW_PIN
    prompt = _("Type the same 4 digits again") if again else _("Choose 4 digits as your TV PIN (not your birthday)")
    if request.method == "GET":
        return show_pad(request, _pin_pad(request, entry, prompt))
    key, value = await pressed(request, entry)
    if key != "ok":
        raise web.HTTPSeeOther(request.path)
    if len(value) != 4:
        return show_pad(request, _pin_pad(request, entry, prompt, _("The PIN has 4 digits."), 400))
    st = state(request)
    if not again:
        st["entry:newpin2"] = ""
        raise web.HTTPSeeOther("/id/newpin/again")
    first = st.pop("entry:newpin", "")
    st.pop("entry:newpin2", None)
    if value != first:
        return show_pad(request, _pin_pad(request, NEW_PIN, _("Choose 4 digits as your TV PIN (not your birthday)"),
                                          _("The two PINs were not the same. Please choose one again."), 400))
    row = await current(request, device_id(request))
    if row is None:
        raise web.HTTPSeeOther("/id")
    person = store.person_of(row["person"])
    await db(request).write(store.remember, device_id(request), row["platform_device"], person, value,
                            store.clock())
    flash(request, "mem")
    raise web.HTTPSeeOther(next_url(request))


@friendly
async def pin(request: web.Request) -> web.Response:
    """A remembered person types their TV PIN."""
    person_id = request.match_info["person"]
    known = await db(request).read(store.one_remembered, device_id(request), person_id)
    if known is None:
        raise web.HTTPSeeOther("/id")
    name = masked_name(store.person_of(known["person"]).name)
    if known["failed_pins"] >= store.PIN_TRIES:
        return _locked(request, name)
    prompt = _("%(name)s, please type your 4-digit TV PIN") % {"name": name}
    st = state(request)
    if request.method == "GET":
        if "check" not in request.query:
            return show_pad(request, _pin_pad(request, PIN, prompt))
        # the plain form's waiting screen asks for the answer: the PIN leaves the flow state before the slow
        # check, so that the screen asked for again meanwhile cannot check (and count) it a second time
        value = st.pop(CHECK, "")
        if not value:
            raise web.HTTPSeeOther(request.path)
        await commit(request)
        return await _checked(request, known, value, name, prompt)
    key, value = await pressed(request, PIN)
    if key != "ok":
        raise web.HTTPSeeOther(request.path)
    if len(value) != PIN.length:  # OK before all 4 digits: said, and not an attempt
        return show_pad(request, _pin_pad(request, PIN, prompt, _("The PIN has 4 digits."), 400))
    st["entry:pin"] = ""
    if request.headers.get("X-Pad"):  # the runtime says 正在核对 itself and keeps a second OK
        return await _checked(request, known, value, name, prompt)
    # The plain form (no scripts): the waiting line at once, then its screen fetches the answer. A second OK
    # meanwhile posts the same PIN again, which only replaces this one: one check, one attempt.
    st[CHECK] = value
    answer = request.path + "?check=1"
    # the line is the screen's one item (a screen always has one), and OK on it asks for the same answer
    waiting = [Choice("wait", checking(), href=answer)]
    shown = flow_screen(request, _("TV PIN"), _crumbs(), choices=waiting, back="/id", numbered=False)
    shown.context["refresh"] = answer
    return show(request, shown)


async def _checked(request: web.Request, known: dict, value: str, name: str, prompt: str) -> web.Response:
    """Check a typed PIN (argon2: seconds on a busy server): sign in, or say how many tries are left."""
    person_id = known["person_id"]
    result, left = await db(request).write(store.check_pin, device_id(request), person_id, value, store.clock())
    if result == "ok":
        link = await platform(request).device(known["platform_device"])
        if link.person is None:
            # the platform no longer knows this TV's link: the person proves who they are once more
            await db(request).write(store.forget, device_id(request), person_id)
            raise web.HTTPSeeOther("/id")
        await signed_in_as(request, known["platform_device"], link.person)
        raise web.HTTPSeeOther(next_url(request))
    if result == "locked":
        return _locked(request, name)
    error = _("The PIN is not right. %(n)d more tries.") % {"n": left}
    return show_pad(request, _pin_pad(request, PIN, prompt, error, 400))


def _locked(request: web.Request, name: str) -> web.Response:
    """Five wrong PINs: sign in by QR or SMS again, then choose a new PIN."""
    lines = [("", _("The TV PIN of %(name)s was typed wrongly 5 times.") % {"name": name}),
             ("", _("Please sign in with the phone or the ID number again; then choose a new PIN."))]
    choices = [Choice("qr", _("Scan a QR code with your phone"), href="/id/qr"),
               Choice("idnum", _("Enter ID number and SMS code"), href="/id/enter/id")]
    return show(request, flow_screen(request, _("TV PIN locked"),
                                     [Crumb(_("Home"), "/"), Crumb(_("Sign in"), "/id"), Crumb(_("TV PIN"))],
                                     lines=lines, choices=choices, back="/id", status=403))


@friendly
async def forget_page(request: web.Request) -> web.Response:
    """不要记住我: one question, OK = yes (from 我的, for the person signed in)."""
    row = await current(request, device_id(request))
    if row is None:
        raise web.HTTPSeeOther("/id")
    known = await db(request).read(store.one_remembered, device_id(request), row["person_id"])
    if known is None:
        raise web.HTTPSeeOther("/me")
    name = masked_name(store.person_of(known["person"]).name)
    lines = [("", _("This TV will no longer list %(name)s or ask for the TV PIN.") % {"name": name}),
             ("", _("Next time, sign in with the phone or the ID number."))]
    choices = [Choice("yes", _("Yes, do not remember me"), post="/id/forget", fields={"person": row["person_id"]}),
               Choice("no", _("No, keep remembering me"), href="/me")]
    return show(request, flow_screen(request, _("Do not remember me?"),
                                     [Crumb(_("Home"), "/"), Crumb(_("Mine"), "/me"), Crumb(_("Do not remember me"))],
                                     lines=lines, choices=choices, back="/me"))


@friendly
async def forget(request: web.Request) -> web.Response:
    """Forget a remembered person on this TV (from 我的; anyone signed in on this TV may tidy its list)."""
    if await current(request, device_id(request)) is None:
        raise web.HTTPSeeOther("/id")
    person_id = str((await form_of(request)).get("person", ""))
    known = await db(request).read(store.one_remembered, device_id(request), person_id)
    await db(request).write(store.forget, device_id(request), person_id)
    if known is not None:
        flash(request, "forgot", masked_name(store.person_of(known["person"]).name))
    raise web.HTTPSeeOther("/me")
