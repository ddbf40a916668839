"""A TV screen: what a page shows, where its focusable items sit, and what every key does.

Views build a Screen; ``render`` turns it into HTML.  The key-hint bar and the remote
runtime's key table are both made from ``Screen.keys``, so what the bar says is what the
keys do (tests/test_key_hints.py checks that on every page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from remote_nav import Layout, keymap
from tvportal.boxes import exit_plan
from tvportal.canvas import SD
from tvportal.copilot.snapshot import HELPING, SNAP, helped, take
from tvportal.http.box_screen import key_profile_of, screen_size_of
from tvportal.http import csp
from tvportal.http.csp import device_nonce
from tvportal.http.inline_json import script_json
from tvportal.i18n import format_day, gettext as _
from tvportal.keys import ASR, ASSETS, CLOCK, PREFS, SETTINGS, TTS
from tvportal.prefs import Prefs
from tvportal.speech import speech_script, zero_is_free
from tvportal.urls import url




FLASH_COOKIE = "tvflash"  # a one-time notice for a page that has no flow state (home after 退出登录)


@dataclass(frozen=True)
class Crumb:
    """One step of 当前位置 (where you are)."""

    label: str
    href: str | None = None


@dataclass(frozen=True)
class KeyHint:
    """One entry of the key-hint bar: a remote key and what it does on this page."""

    action: str  # the runtime's action name: ok, back, digits, page, yellow, blue ...
    key: str  # how the key is named on the remote, e.g. 黄键 (spoken, and read by screen readers)
    label: str  # what it does here, e.g. 首页; short: the whole bar must fit one line (docs/design.md)
    href: str | None = None  # where it leads, for keys that go somewhere
    prev_href: str | None = None  # page keys: page up target
    chip: str = ""  # the key as the bar's small chip shows it (e.g. 黄, 1-8); empty: ``key``


@dataclass
class Screen:
    """Everything one TV page shows."""

    title: str
    crumbs: list[Crumb]
    layout: Layout
    template: str
    start: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    keys: list[KeyHint] = field(default_factory=list)
    back: str | None = None  # None: history back; "": Back does nothing (home without exit URL)
    page: int = 1
    pages: int = 1
    step: str = ""  # where a flow stands (第1题，共3题), shown top right where pages show theirs
    prev_href: str | None = None
    next_href: str | None = None
    page_flags: dict[str, int] = field(default_factory=dict)  # {"rp": 1}: the page keys replace the history entry
    is_home: bool = False
    is_search: bool = False
    status: int = 200
    private: bool = False  # shows one person's data: never cached, by the page cache or the box
    typing: str = ""  # keypad screens: what the digit keys do here (they type instead of opening items)
    typed: bool = False  # keypad screens: digits are in the box, so Back deletes one (the runtime updates the hint)
    nav_extra: dict[str, Any] = field(default_factory=dict)  # more runtime data, e.g. the keypad's "pad"
    notice: str = ""  # a one-time confirmation of what was just done (已退出登录), shown and read first
    # What the screen says, in reading order, for a listener who cannot read it: a guide screen's facts,
    # a result's amounts and dates, a receipt's number, hall and time, an error.  Plain display text;
    # the speech layer normalises it for Mandarin (numbers, dates, masked IDs) before it is read aloud.
    spoken: list[str] = field(default_factory=list)


def prefs_of(request: web.Request) -> Prefs:
    """The requesting device's display preferences."""
    return request[PREFS]


def standard_keys(screen: Screen, can_exit: bool, exit_key: bool = False, helping: bool = False) -> list[KeyHint]:
    """The key hints of a screen: its own keys plus the ones every page shares.

    Nine hints can share the bar, so each is a chip and a word or two (docs/design.md).  ``can_exit``: the
    operator gave a way back to the EPG (exit_method); ``exit_key``: the box's remote has an EXIT key;
    ``helping``: a family member helps from a phone, and Back ends that (static/copilot.js) outside 请家人帮忙's
    own questions.
    """
    hints = [KeyHint("arrows", _("Arrow keys"), _("Choose"), chip=_("Arrows"))]
    hints.append(KeyHint("ok", _("OK"), _("Press the chosen key") if screen.typing else _("Open"), chip="OK"))
    digits = sorted(f.digit for f in screen.layout.items if f.digit is not None)
    if screen.typing:
        hints.append(KeyHint("digits", _("Number keys"), screen.typing, chip="0-9"))
    elif digits:
        span = f"{digits[0]}-{digits[-1]}" if len(digits) > 1 else str(digits[0])
        hints.append(KeyHint("digits", _("Number keys") + " " + span, _("Open"), chip=span))
    if screen.pages > 1:
        hints.append(KeyHint("page", _("Page keys"), _("Turn the page"), href=screen.next_href,
                             prev_href=screen.prev_href, chip=_("Page")))
    if helping and not (screen.typing and screen.typed):
        hints.append(KeyHint("back", _("Back"), _("End family help")))
        if not screen.is_home:
            hints.append(KeyHint("yellow", _("Yellow key"), _("Home"), href="/", chip=_("Yellow")))
    elif screen.is_home:
        if can_exit:
            hints.append(KeyHint("back", _("Back"), _("To the TV home")))
    else:
        # on a keypad Back first deletes the last digit (many remotes have one key for both)
        hints.append(KeyHint("back", _("Back"), _("Delete digit") if screen.typing and screen.typed
                             else _("Previous screen")))
        hints.append(KeyHint("yellow", _("Yellow key"), _("Home"), href="/", chip=_("Yellow")))
    if not screen.is_search:
        hints.append(KeyHint("blue", _("Blue key"), _("Find"), href="/search", chip=_("Blue")))
    if can_exit and exit_key:
        hints.append(KeyHint("exit", _("EXIT key"), _("To the TV home"), chip=_("Exit")))
    hints.extend(screen.keys)
    return hints


def exit_key_of(request: web.Request) -> bool:
    """Whether the box's key profile has an EXIT key (iPanel 339, Tizen 10182)."""
    return "exit" in keymap(key_profile_of(request)).values()


def voice_hints(request: web.Request, screen: Screen) -> list[KeyHint]:
    """Red reads aloud (when speech works here), green listens (when a recognition model is installed)."""
    hints = []
    tts, asr = request.app.get(TTS), request.app.get(ASR)
    if tts is not None and tts.available:
        # where the digits type (search, keypads) or an item owns 0, key 0 cannot give the key list
        label = _("Read aloud, 0 explains keys") if zero_is_free(screen) else _("Read aloud on/off")
        hints.append(KeyHint("red", _("Red key"), label, chip=_("Red")))
    if asr is not None and asr.available:
        hints.append(KeyHint("green", _("Green key"), _("Speak"), chip=_("Green")))
    return hints


def nav_data(request: web.Request, screen: Screen, hints: list[KeyHint]) -> dict[str, Any]:
    """The data the remote runtime reads: focus map, key table, what each key does here."""
    settings = request.app[SETTINGS]
    remembered = request.query.get("f")
    start = remembered if remembered and remembered in {f.id for f in screen.layout.items} else screen.start
    data = screen.layout.to_map(start=start)
    if start == remembered:  # ?f= names the item (the row a switch just changed): it wins over the focus
        data["fs"] = 1       # the runtime kept for this address on an earlier visit
    for item in data["items"].values():
        if "h" in item:
            item["h"] = url(request.app, item["h"])
    # the help key (F8, VK_INFO) asks family to help from a phone on every screen (tvportal/copilot/)
    # (an error page does not echo the address asked for: a not-found page is the same for every address)
    back_to = request.path_qs if screen.status < 400 else "/"
    keys: dict[str, Any] = {"home": {"href": url(request.app, "/")},
                            "help": {"href": url(request.app, "/family?next=" + quote(back_to))}}
    for hint in hints:
        if hint.action == "page":
            if hint.href:
                keys["page_down"] = {"href": url(request.app, hint.href), **screen.page_flags}
            if hint.prev_href:
                keys["page_up"] = {"href": url(request.app, hint.prev_href), **screen.page_flags}
        elif hint.href and hint.action not in ("back",):
            keys[hint.action] = {"href": url(request.app, hint.href)}
    data["keys"] = keys
    data.update(screen.nav_extra)
    plan = exit_plan(settings.exit_method, settings.exit_url)
    if plan:
        data["ex"] = plan
    if screen.is_home:
        # Back on home is the way out to the EPG, or does nothing when the operator gave none
        data.update({"hx": 1} if plan else {"back": ""})
    elif screen.back is not None:
        data["back"] = url(request.app, screen.back)
    data["keymap"] = {str(code): action for code, action in keymap(key_profile_of(request)).items()}
    return data


def render(request: web.Request, screen: Screen) -> web.Response:
    """Render a Screen with the base TV template."""
    settings = request.app[SETTINGS]
    plan = exit_plan(settings.exit_method, settings.exit_url)
    helping = request.get(HELPING, False) and not request.path.startswith("/family")
    hints = standard_keys(screen, plan is not None, exit_key_of(request), helping) + voice_hints(request, screen)
    prefs = prefs_of(request)
    today = request.app[CLOCK].today()
    context = {
        "screen": screen,
        "hints": hints,
        "prefs": prefs,
        "nav_json": script_json(nav_data(request, screen, hints)),
        "today": format_day(today),
        "css_url": request.app[ASSETS].url("tv.css"),
        "js_url": request.app[ASSETS].url("nav.js"),
        "speech_json": script_json(speech_script(request, screen, hints)),
        "voice_js_url": request.app[ASSETS].url("voice.js"),
        "hbbtv_exit": plan == ["h"],  # destroyApplication() is reached through an application manager object
        # the page's own canvas: SD only when the view laid it out for SD (others are the HD page scaled)
        "size": screen_size_of(request),
        "sd": screen.layout.width == SD.width,
        **screen.context,
    }
    # a screen that may be written in place of a keypad page carries the device's nonce (tvportal/http/csp.py)
    keypad = bool(screen.typing or "pad" in screen.nav_extra)
    nonce = device_nonce(request) if keypad or screen.private or request.method != "GET" else ""
    context["nonce"] = nonce
    if helped(request):  # a family member's phone shows what this TV shows (tvportal/copilot/)
        request[SNAP] = take(request, screen, request.query.get("f") or screen.start)
    response = aiohttp_jinja2.render_template(screen.template, request, context, status=screen.status)
    response.headers["Cache-Control"] = "private, no-store" if screen.private else "no-cache"
    csp.finish(request, response, settings.frame_ancestors, nonce if keypad else "", settings.cookie_secure,
               app_manager=context["hbbtv_exit"])
    return response
