"""What the phone shows of the TV: the same Screen the TV view rendered, reduced to title, where, lines,
items (with what choosing each does) and the focus; taken in ``tvportal.screen.render`` while the TV is
being helped, saved by ``tv.help_middleware`` after the handler.

Imports nothing of the views or flows: ``screen.py`` imports it."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

HELP_COOKIE = "tvhelp"  # on the TV: the help session it shows (read by static/copilot.js: not httponly)
SNAP = web.RequestKey("copilot_snapshot", dict)
HELPING = web.RequestKey("copilot_helping", bool)  # set by tv.help_middleware: a helper is on (Back ends it)

# forms the phone may send for the elder (typing and answering); every other form acts for her (a booking,
# an application, a cancellation, signing out...) and needs her OK on the TV: the phone can only point at it
PHONE_MAY_POST = (re.compile(r"^/apply/[^/]+/q/\d+$"), re.compile(r"^/apply/[^/]+/for$"),
                  re.compile(r"^/id/enter/(id|code|elder|elder_code)$"), re.compile(r"^/id/sms/\w+$"),
                  re.compile(r"^/settings$"))


def phone_may_post(path: str) -> bool:
    """Whether the helper's phone may send this form itself."""
    return any(p.match(path) for p in PHONE_MAY_POST)


def helped(request: web.Request) -> bool:
    """Whether this request comes from a TV that shows a help session (its cookie names one)."""
    return HELP_COOKIE in request.cookies


def _lines(screen: Any) -> list[str]:
    """The screen's text in reading order: a flow screen's error, big number and lines; else what it says."""
    ctx = screen.context
    if screen.template == "flow.html":
        said = [ctx["error"]] if ctx.get("error") else []
        if ctx.get("big"):
            said.append(f"{ctx['big_label']}：{ctx['big']}" if ctx.get("big_label") else ctx["big"])
        said += [f"{label}：{value}" if label and not label.isdigit() else value
                 for label, value in ctx.get("lines", []) if value]
        said += [f"{c.label}（{c.note}）" if c.note else c.label for c, _rect in ctx.get("disabled", [])]
        return said
    labels = {item.label for item in screen.layout.items}
    return [s for s in screen.spoken if s not in labels][:20]


def take(request: web.Request, screen: Any, start: str | None) -> dict[str, Any]:
    """The phone's view of a rendered Screen."""
    items = []
    for item in screen.layout.items:
        entry = {"id": item.id, "label": item.label, "note": item.extra.get("note", "")}
        if item.extra.get("post"):
            entry.update(post=item.extra["post"], fields=dict(item.extra.get("fields") or {}),
                         act="send" if phone_may_post(item.extra["post"]) else "confirm")
        elif item.href:
            entry.update(href=item.href, act="go")
        else:
            entry["act"] = "key"  # a keypad key or an item only the TV's keys work
        items.append(entry)
    pad = screen.context.get("pad")
    snap = {"path": request.path_qs if request.method == "GET" else request.path, "title": screen.title,
            "crumbs": [c.label for c in screen.crumbs], "lines": _lines(screen), "items": items,
            "focus": start or "", "private": bool(screen.private), "back": screen.back or "",
            "notice": screen.notice, "status": screen.status}
    if pad is not None:
        snap["pad"] = {"action": pad.action, "n": pad.entry.length, "masked": pad.entry.masked,
                       "prompt": pad.prompt, "error": pad.error, "x": pad.entry.allow_x}
        snap["lines"] = [pad.prompt] + ([pad.error] if pad.error else [])
        snap["items"] = []  # the phone types the whole entry in one field instead of the keys
    return snap
