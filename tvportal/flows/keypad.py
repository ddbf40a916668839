"""Keypad screens (ID number, SMS code, TV PIN): digits shown large and grouped, typed in place by the
remote runtime (remote_nav/static/nav.js, ``pad``) with no page load per digit; without JavaScript every
key is a plain form button and the entry is kept server-side between presses."""

from __future__ import annotations

import re
from urllib.parse import quote
from dataclasses import dataclass

from aiohttp import web

from remote_nav import Layout, Rect
from tvportal import canvas
from tvportal.flows.ui import keep_device, state
from tvportal.http.forms import form_of
from tvportal.i18n import gettext as _
from tvportal.screen import Crumb, Screen, prefs_of, render

# how the digits of an entry are grouped on screen
GROUPS = {18: (6, 8, 4), 11: (3, 4, 4)}


@dataclass(frozen=True)
class Entry:
    """What a keypad screen enters."""

    name: str  # key of the entry in the flow state
    length: int
    allow_x: bool = False  # an ID number may end in X
    masked: bool = False  # a PIN is shown as dots


@dataclass
class Pad:
    """One keypad screen to render."""

    entry: Entry
    action: str  # where the form posts
    title: str
    crumbs: list[Crumb]
    prompt: str
    value: str = ""
    error: str = ""
    info: str = ""
    resend: str = ""  # URL of 重新获取 (SMS code screens), posted
    wait: int = 0  # seconds until 重新获取 may be pressed
    focus: str = ""  # the key to start on, when not the usual one
    back: str | None = None
    status: int = 200
    checking: str = ""  # said at once on 确认 when the check takes seconds (a TV PIN's hash)


def clean(value: str, entry: Entry) -> str | None:
    """A typed value if it is well-formed (digits, X last for ID numbers, not too long), else None."""
    value = value.strip().upper()
    pattern = r"[0-9]*" + (r"X?" if entry.allow_x else "")
    if len(value) > entry.length or not re.fullmatch(pattern, value):
        return None
    return value


async def pressed(request: web.Request, entry: Entry) -> tuple[str, str]:
    """Apply a posted key to the entry: (key, value). The runtime posts the whole value in ``v``; the
    plain form posts one key and the value comes from the flow state."""
    form = await form_of(request)
    key = str(form.get("k", ""))
    st = state(request)
    posted = clean(str(form.get("v", "")), entry) if "v" in form else None
    value = posted if posted is not None else st.get("entry:" + entry.name, "")
    if len(key) == 1 and (key.isdigit() or (key == "X" and entry.allow_x)) and len(value) < entry.length:
        if key != "X" or len(value) == entry.length - 1:
            value += key
    elif key == "del":
        value = value[:-1]
    elif key == "clr":
        value = ""
    st["entry:" + entry.name] = value
    return key, value


def id_check_failed(value: str) -> bool:
    """True when 18 characters are in and the GB 11643 check digit does not match (one digit is wrong)."""
    from tvportal.platform import idnumber

    return len(value) == 18 and idnumber.check_digit(value[:17]) != value[17]


def wrong_digit_message() -> str:
    """What the screen says when the check digit does not match."""
    return _("One of the digits is wrong. Please check the number and correct it with Delete.")


def _cells(entry: Entry, value: str) -> list[list[tuple[int, str]]]:
    """The digit cells in their groups: (index, shown character)."""
    groups = GROUPS.get(entry.length, (entry.length,))
    out, i = [], 0
    for size in groups:
        group = []
        for _n in range(size):
            ch = value[i] if i < len(value) else ""
            group.append((i, "\u25cf" if ch and entry.masked else ch))
            i += 1
        out.append(group)
    return out


def screen(request: web.Request, pad: Pad) -> Screen:
    """The keypad screen: prompt, grouped digits, a message line, then 1-0, (X), 删除, 全清, (重新获取), 确认."""
    entry = pad.entry
    cv = canvas.current()
    line = cv.metrics(prefs_of(request).large_text).line_px
    area, sd = cv.MAIN, cv.size == "sd"
    # SD: shorter digits, a message of up to two lines (24 characters a line), the ten digits on one row
    digits_h, msg_h = (52, 2 * line) if sd else (96, line)
    top = area.y + line + digits_h + msg_h + (4 if sd else 8)  # prompt, digits, message
    last = [("kx", "X")] if entry.allow_x else []
    last += [("kdel", _("Delete")), ("kclr", _("Clear all"))]
    if pad.resend:
        last.append(("kre", _("Send a new code")))
    last.append(("kok", _("Confirm")))
    # the key rows under the digit keys; at SD 重新获取（60秒） needs a wide key, so 确认 goes beside it
    key_rows = [last[:-2], last[-2:]] if sd and pad.resend else [last]
    cols = 10 if sd else 5
    digit_rows = 10 // cols
    gap, rows = (8 if sd else 12), digit_rows + len(key_rows)
    row_h = (area.y + area.h - top - gap * (rows - 1)) / rows
    layout = Layout(cv.width, cv.height)
    cell_w = (area.w - gap * (cols - 1)) / cols
    for i, d in enumerate("1234567890"):
        layout.add(f"k{d}", Rect(area.x + (i % cols) * (cell_w + gap), top + (i // cols) * (row_h + gap), cell_w,
                                 row_h), label=d)
    for r, keys in enumerate(key_rows, start=digit_rows):
        w = (area.w - gap * (len(keys) - 1)) / len(keys)
        for i, (item_id, label) in enumerate(keys):
            layout.add(item_id, Rect(area.x + i * (w + gap), top + r * (row_h + gap), w, row_h), label=label)
    complete = len(pad.value) == entry.length
    start = pad.focus or ("kok" if complete and not pad.error else "k1")
    nav = {"pad": {"n": entry.length, "x": int(entry.allow_x), "p": int(entry.masked), "v": pad.value,
                   "bad": wrong_digit_message(), "w": pad.wait,
                   "full": _("All %(n)d digits are in. To change one, press Delete.") % {"n": entry.length},
                   "b": [_("Previous screen"), _("Delete digit")]}}  # what Back does, empty box or not
    if pad.checking:
        nav["pad"]["c"] = pad.checking
    context = {"pad": pad, "cells": _cells(entry, pad.value), "prompt_top": area.y, "digits_top": area.y + line,
               "msg_top": area.y + line + digits_h, "msg_h": msg_h, "resend_wait": pad.wait}
    return Screen(title=pad.title, crumbs=pad.crumbs, layout=layout, template="keypad.html", start=start,
                  back=pad.back, status=pad.status, private=True, typing=_("Type the digits"), typed=bool(pad.value), nav_extra=nav,
                  context=context, spoken=[pad.prompt, typed_so_far(entry, pad.value), pad.error or pad.info])


def typed_so_far(entry: Entry, value: str) -> str:
    """What is typed, as it may be said in a room: how many digits, and the last four unless it is a PIN."""
    if not value:
        return _("Nothing typed yet.")
    if entry.masked:
        return _("%(n)d of %(total)d digits typed.") % {"n": len(value), "total": entry.length}
    return _("%(n)d of %(total)d digits typed, ending in %(tail)s.") % {
        "n": len(value), "total": entry.length, "tail": " ".join(value[-4:])}


def show_pad(request: web.Request, pad: Pad) -> web.Response:
    """Render a keypad screen (keeping the device's cookies)."""
    shown = screen(request, pad)
    response = render(request, shown)
    if request.headers.get("X-Pad") and pad.action == request.path and not pad.resend:
        # the runtime sent 确认 without a page load and shows this same keypad in place (a wrong PIN):
        # value, focus, message (a code keypad's 重新获取 changes too: that one is written whole)
        response.headers["X-Pad"] = "|".join((quote(pad.value), shown.start or "k1", quote(pad.error or pad.info)))
    keep_device(request, response)
    return response
