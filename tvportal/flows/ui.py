"""Building blocks of the TV flows: the device cookie, per-device flow state, who acts for whom,
one generic flow screen (lines, a big number, a QR code, choices) and friendly fault pages."""

from __future__ import annotations

import logging
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web

from remote_nav import Layout, Rect
from tvportal import canvas
from tvportal.flows.device import DEVICE, keep_token
from tvportal.flows.session import current, keep_session
from tvportal.i18n import gettext as _
from tvportal.flows.state import STATE
from tvportal.stats.flows import finished, gave_up, track
from tvportal.keys import PLATFORM, SETTINGS
from tvportal.platform.interface import Platform
from tvportal.platform.models import DeviceLink, Person
from tvportal.screen import Crumb, Screen, prefs_of, render
from tvportal.views.lists import menu_sentences

log = logging.getLogger(__name__)

# The flow state is the device's, but what one person typed or asked for belongs to this browser session:
# a cookie without expiry names the session, and a state left by another (closed) one is dropped.
TAB_COOKIE = "tvtab"
TAB = web.RequestKey("flow_tab", str)
OUTLIVES_BROWSER = ("sms:", "spent:")  # codes sent and used up: the hourly limits must not reset on a restart
NEXT_SECONDS = 300  # after this, signing in goes to 我的 rather than to what someone asked for earlier


def platform(request: web.Request) -> Platform:
    """The central platform of this portal."""
    return request.app[PLATFORM]


def device_id(request: web.Request) -> str:
    """This set-top box's device key (flows/device.py), resolved by the handler's ``friendly`` wrapper."""
    if DEVICE not in request:
        raise RuntimeError("device used before flows.device.resolve_device (wear flows.guard.friendly)")
    return request[DEVICE]


def keep_device(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """Give the box its device token when it was issued now (and its sign-in and browser-session cookies
    when they changed)."""
    keep_session(request, response)
    if request.get(TAB) and request.cookies.get(TAB_COOKIE) != request[TAB]:
        response.set_cookie(TAB_COOKIE, request[TAB], path="/", httponly=True, samesite="Lax",
                            secure=request.app[SETTINGS].cookie_secure)
    keep_token(request, response)
    return response


def state(request: web.Request) -> dict[str, Any]:
    """This device's flow state: a dict loaded from the database before the handler and saved after it
    (flows/state.py; every handler decorated with ``friendly`` has it)."""
    if STATE not in request:
        raise RuntimeError("flow state used outside a handler decorated with flows.guard.friendly")
    return request[STATE]


def this_browser(request: web.Request, st: dict[str, Any]) -> None:
    """Drop what another browser session left in the device's flow state (a half-typed ID number, the
    page to return to): closing the browser on a shared TV must leave nothing for the next person."""
    tab = request.cookies.get(TAB_COOKIE, "")
    if not tab or st.get("tab") != tab:
        gave_up(request, st)
        kept = {k: v for k, v in st.items() if k.startswith(OUTLIVES_BROWSER)}
        st.clear()
        st.update(kept)
        st["tab"] = tab = tab or secrets.token_urlsafe(12)
    request[TAB] = tab


def forget_typed(request: web.Request) -> None:
    """Leaving the sign-in: what was typed on its keypads is gone (the next person never sees it)."""
    st = state(request)
    for key in [k for k in st if k.startswith("entry:")] + ["sms_to", "sms_note"]:
        st.pop(key, None)


def ask_next(request: web.Request, url: str) -> None:
    """Where signing in should lead: back to what asked for it (for a few minutes)."""
    state(request)["next"] = [url, time.time()]


def next_url(request: web.Request, take: bool = False) -> str:
    """Where signing in leads now ("" when nothing asked for it in the last few minutes); ``take`` forgets it."""
    st = state(request)
    value = st.pop("next", None) if take else st.get("next")
    if isinstance(value, list) and len(value) == 2 and time.time() - value[1] < NEXT_SECONDS:
        return str(value[0])
    return ""


@dataclass(frozen=True)
class Who:
    """Who presses the buttons (actor) and for whom (person); the same unless 帮家人办."""

    link: DeviceLink
    actor: Person
    person: Person

    @property
    def for_family(self) -> bool:
        """True when acting for a family member."""
        return self.actor.id != self.person.id


async def who(request: web.Request) -> Who | None:
    """Who is signed in on this browser and the chosen family member, or None (signed out, idle too long)."""
    row = await current(request, device_id(request))
    if row is None:
        return None
    link = await platform(request).device(row["platform_device"])
    if link.person is None or link.person.id != row["person_id"]:
        return None
    person = next((p for p in link.acts_for if p.id == row["acting_for"]), link.person)
    return Who(link, link.person, person)


def login_redirect(request: web.Request) -> web.HTTPSeeOther:
    """Send the box to the login screen, coming back here afterwards."""
    ask_next(request, request.path_qs)
    return web.HTTPSeeOther("/id")


@dataclass
class Choice:
    """One focusable choice of a flow screen: a link, or a button that posts a small form."""

    id: str
    label: str
    href: str | None = None
    post: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    note: str = ""
    digit: int | None = None
    disabled: bool = False
    final: bool = False  # signs out or withdraws: a screen never starts on it, even when it was left there


def text_px(text: str, px: float) -> float:
    """Width of a line of text: a CJK character is a square, digits, Latin and punctuation about half one
    (measured in Chromium with the TV's font: 0.49)."""
    return sum(px if ord(ch) >= 0x2E80 else 0.52 * px for ch in text)


def wrapped_lines(text: str, px: float, width: float) -> int:
    """Lines a browser needs for ``text`` in ``width``: CJK breaks after any character, but a run of Latin,
    digits and punctuation (an address such as tv.example.cn/m) moves whole to the next line."""
    lines, used = 1, 0.0
    for token in re.findall(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+", text):
        w = text_px(token, px)
        if token.isspace():
            used += w if used else 0
            continue
        if used and used + w > width:
            lines, used = lines + 1, 0.0
        while w > width:  # longer than a line: the browser breaks it anyway
            lines, w = lines + 1, w - width
        used += w
    return lines


def flow_screen(request: web.Request, title: str, crumbs: list[Crumb], *, choices: list[Choice],
                lines: list[tuple[str, str]] = (), cols: int = 1, back: str | None = None, big: str = "",
                error: str = "", qr: str = "", start: str | None = None, status: int = 200,
                private: bool = True, numbered: bool = True, big_label: str = "", receipt: bool = False) -> Screen:
    """One flow step: text lines on top, then a grid of choices (disabled ones shown, not focusable);
    ``receipt``: the screen that finishes a service (counted done for the operator, stats/flows.py)."""
    cv = canvas.current()
    metrics = cv.metrics(prefs_of(request).large_text)
    area, sd = cv.MAIN, cv.size == "sd"
    qr_w, big_h = (216, 64) if sd else (300, 96)
    width = area.w - (qr_w if qr else 0)
    y = area.y
    placed = []  # (label, value, top, lines): at SD a long line wraps onto a second one rather than being cut
    for label, value in ([("", error)] if error else []) + ([(None, "")] if big else []) + list(lines):
        if label is None:
            y += big_h
            continue
        text = (label + "：" if label else "") + value
        # measured, not counted: a line of dates and times is mostly half-width digits and fits one line
        n = min(3, wrapped_lines(text, metrics.body_px, width - 24)) if sd else 1
        placed.append((label, value, y, n))
        y += metrics.line_px * n
    top = y + 12 if y > area.y else y
    bottom = area.y + area.h
    gap = 10 if sd else 16
    if sd:  # fewer choices side by side when the longest would be cut (at SD a cell is half as wide)
        longest = max((len(c.label) + len(c.note) for c in choices), default=0) * metrics.body_px + 64
        while cols > 2 and (width - gap * (cols - 1)) / cols < longest:
            cols -= 1
        # two side by side beside a QR code would be cut, and one a row fits under the text: one a row
        if qr and cols == 2 and (width - gap) / 2 < longest and \
                (bottom - top - gap * (len(choices) - 1)) / len(choices) >= metrics.body_px * 1.3 + 8:
            cols = 1
    rows = max(1, -(-len(choices) // cols))
    if sd and cols == 1 and len(choices) > 2 and (bottom - top - gap * (rows - 1)) / rows < metrics.line_px + 14:
        cols, rows = 2, -(-len(choices) // 2)  # too many rows for SD: two columns of choices
    # SD choices side by side have no room for a note after the label: it goes on a second line
    font = 26 if metrics.body_px > 24 else 24  # flow.html .st
    widest = max((text_px(c.label + c.note, font) + (16 if c.note else 0) for c in choices), default=0)
    # the note goes on a second line when a choice side by side, or a label and its note in a row, would be cut
    stacked = sd and any(c.note for c in choices) and (cols > 1 or widest > width - 64)
    one_a_row = (bottom - top - 6 * (len(choices) - 1)) / max(1, len(choices)) >= 2 * 1.3 * font + 4
    if stacked and cols > 1 and one_a_row and max(text_px(c.label, font) for c in choices) > (width - gap) / cols - 64:
        cols, rows = 1, len(choices)  # a label wider than half the screen would be cut: one choice a row
    if stacked:  # two lines a cell: closer together, nearer the text (flow.html .st: 24 or 26 px at 1.3)
        gap, top = 6, top - 8 if top > area.y else top
    stacked_h = 2 * 1.3 * font + 4
    room = (bottom - top - gap * (rows - 1)) / rows
    # a row must hold a line of its text; text that leaves less is a screen to lay out with less text (callers
    # do, on cramped below): until one does, the buttons run on over the hint bar rather than shrink unreadable
    least = 2 * 1.3 * font if stacked else metrics.body_px * 1.3 + 8  # two lines of a note may eat the padding
    cramped = bool(choices) and room < least
    row_h = max(least, min(stacked_h if stacked else 60.0 if sd else 84.0, room))
    if qr and top >= area.y + qr_w:  # all below the code (flow.html .fl-qr): the choices may use the full width
        width = area.w
    cell_w = (width - gap * (cols - 1)) / cols
    layout = Layout(cv.width, cv.height)
    disabled = []
    for i, choice in enumerate(choices):
        rect = Rect(area.x + (i % cols) * (cell_w + gap), top + (i // cols) * (row_h + gap), cell_w, row_h)
        if choice.disabled:
            disabled.append((choice, rect))
            continue
        item = layout.add(choice.id, rect, href=choice.href, label=choice.label, post=choice.post,
                          fields=choice.fields, note=choice.note, final=choice.final)
        item.digit = choice.digit
    if numbered:
        _number(layout)
    screen = Screen(title=title, crumbs=crumbs, layout=layout, template="flow.html",
                    start=start or (layout.items[0].id if layout.items else None), back=back, status=status,
                    private=private,
                    context={"lines": list(lines), "big": big, "big_label": big_label, "error": error, "qr": qr, "disabled": disabled,
                             "text_w": area.w - (qr_w if qr else 0), "text_top": area.y, "receipt": receipt, "stacked": stacked,
                             "placed": placed, "lh": metrics.line_px, "big_top": area.y + (metrics.line_px * placed[0][3] if error else 0),
                             # the text leaves the choices less than a line of their own text each (SD in
                             # large text): a caller with text to spare shows less of it per screen
                             "cramped": cramped})
    screen.spoken = flow_sentences(error, big, big_label, lines, [c for c, _rect in disabled])
    if not big:  # a question or a choice of day: the listener hears the answers (a receipt's are just ways on)
        screen.spoken += menu_sentences(layout)
    return screen


def fitting(build: Callable[[list], Screen], *line_sets: list) -> Screen:
    """The first of ``build(lines)`` for each set of lines, longest first, whose text leaves its buttons room
    (not cramped: SD in large text); the last one when none does."""
    for lines in line_sets:
        screen = build(lines)
        if not screen.context["cramped"]:
            break
    return screen


def _number(layout: Layout) -> None:
    """Digits 1, 2 … for the choices in order, skipping those a choice keeps everywhere (退出登录 is 9)."""
    taken = {item.digit for item in layout.items if item.digit is not None}
    free = (d for d in range(1, 10) if d not in taken)
    for item in layout.items:
        if item.digit is None:
            item.digit = next(free, None)


def sign_out_choice() -> Choice:
    """退出登录, on every screen that offers it with the same number key and never where focus starts."""
    return Choice("logout", _("Sign out"), post="/id/logout", digit=9, final=True)


def flow_sentences(error: str, big: str, big_label: str, lines: list[tuple[str, str]],
                   disabled: list[Choice]) -> list[str]:
    """What a flow screen says, in the order it shows it: the error, the big number, each line, and the
    choices that cannot be taken now (they are not focusable, so the focus never says them)."""
    said = [error] if error else []
    if big:
        said.append(f"{big_label}：{big}" if big_label else big)
    said += [f"{label}：{value}" if label and not label.isdigit() else value for label, value in lines if value]
    said += [_("Not available now: %(name)s") % {"name": c.label + (f"（{c.note}）" if c.note else "")}
             for c in disabled]
    return said


def back_to(request: web.Request, default: str) -> str:
    """Where Back leads from a list: 我的 when it was opened from there (``?from=me``), else its service."""
    return "/me" if request.query.get("from") == "me" else default


def grouped(number: str) -> str:
    """A receipt number as it is read aloud and copied: letters, then the digits in short groups
    (BJ2612010001 -> BJ 261201 0001), so that an elder can read it to the hall over the phone."""
    head = number.rstrip("0123456789")
    digits = number[len(head):]
    groups = [digits[:6], digits[6:]] if len(digits) == 10 else [digits[i:i + 4] for i in range(0, len(digits), 4)]
    return " ".join(g for g in (head, *groups) if g)


def flash(request: web.Request, kind: str, name: str = "") -> None:
    """Say once, on the next flow screen shown, what was just done (``kind``: signed in, remembered, forgotten)."""
    state(request)["flash"] = [kind, name]


def _flash_text(kind: str, name: str) -> str:
    """The words of a one-time notice."""
    if kind == "in":
        return _("Signed in: %(name)s") % {"name": name}
    if kind == "mem":
        return _("Remembered: next time press your number key and type your TV PIN")
    if kind == "for":
        return _("From now on you act for %(name)s") % {"name": name}
    if kind == "self":
        return _("From now on you act for yourself")
    if kind == "revoked":
        return _("%(name)s can no longer act for you") % {"name": name}
    if kind == "forgot":
        return _("This TV no longer remembers %(name)s") % {"name": name}
    return ""


def show(request: web.Request, screen: Screen) -> web.Response:
    """Render a flow screen (with the notice of what was just done, once) keeping the device cookie."""
    note = request[STATE].pop("flash", None) if STATE in request else None
    if STATE in request:
        (finished if screen.context.get("receipt") else track)(request, request[STATE])
    if note and not screen.notice:
        screen.notice = _flash_text(*note)
    if screen.context.get("cramped"):  # shown anyway (buttons over the hint bar), and said for the developers
        log.warning("flow screen %s leaves its buttons less than a line of text", request.path)
    response = render(request, screen)
    keep_device(request, response)
    return response


def unavailable(request: web.Request, what_next: str, retry: str) -> web.Response:
    """The central platform did not answer: say so kindly and what happens next."""
    screen = flow_screen(
        request, _("Please try again later"), [Crumb(_("Home"), "/"), Crumb(_("Please try again later"))],
        lines=[("", _("The provincial service platform is not answering right now.")), ("", what_next)],
        choices=[Choice("retry", _("Try again"), href=retry), Choice("home", _("Back to the home page"), href="/")],
        status=503)
    return show(request, screen)
