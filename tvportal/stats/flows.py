"""Services started, finished and given up, counted from the flow state (flows/state.py): the state holds
``stat`` = [service, last screen, key-press count at the start, screens shown] while a service is open.

* ``start``: the first screen of a service (booking, apply, lookup, rate) on this box;
* ``done``: its receipt (screen = the service; presses = the presses it took, see ``presses_now``);
* ``abandon``: another service started while one was open, or the box came back after its browser was
  closed with one open (seen at its next flow screen: flows/ui.py ``this_browser``) (screen =
  ``service:last screen``, e.g. ``booking:/booking/slots/{hall}/{day}``).  Sign-in screens inside a service
  count as its screens, so a person who gives up at the SMS code is seen there.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tvportal.stats.collector import count
from tvportal.urls import app_route

SERVICES = frozenset({"booking", "apply", "lookup", "rate"})
PRESS_COOKIE = "tvkp"  # key presses counted by the page script (static/presses.js); absent on boxes without it


def presses_now(request: web.Request) -> int | None:
    """The page script's running count of key presses on this box, if it runs."""
    raw = request.cookies.get(PRESS_COOKIE, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _screen(request: web.Request) -> str:
    """The route of this request (its pattern, so no number or name ends up in the statistics)."""
    return app_route(request) or request.path.split("?")[0][:40]


def track(request: web.Request, st: dict[str, Any]) -> None:
    """A flow screen is shown: count a service's start, and where it is now."""
    first = request.path.strip("/").split("/", 1)[0]
    open_ = st.get("stat")
    if first not in SERVICES:
        if open_ and first == "id":
            open_[1], open_[3] = _screen(request), open_[3] + 1
        return
    if not open_ or open_[0] != first:
        if open_:
            gave_up(request, st)
        count(request, "start", screen=first)
        open_ = [first, "", presses_now(request) or 0, 0]
    open_[1], open_[3] = _screen(request), open_[3] + 1
    st["stat"] = open_


def finished(request: web.Request, st: dict[str, Any]) -> None:
    """A service's receipt is shown: count it done with the presses it took (screens when not counted)."""
    open_ = st.pop("stat", None)
    if not open_:
        return
    now = presses_now(request)
    presses = now - open_[2] if now is not None and now >= open_[2] else open_[3]
    count(request, "done", screen=open_[0], presses=presses)


def gave_up(request: web.Request, st: dict[str, Any]) -> None:
    """An open service is left unfinished: count where."""
    open_ = st.pop("stat", None)
    if open_:
        count(request, "abandon", screen=f"{open_[0]}:{open_[1]}")
