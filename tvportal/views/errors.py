"""TV-style error pages: what went wrong in plain words, and keys that lead somewhere."""

from __future__ import annotations

from aiohttp import web

from remote_nav import Layout, Rect
from tvportal import canvas
from tvportal.i18n import gettext as _
from tvportal.screen import Crumb, Screen, render
from tvportal.storage.faults import DISK_FULL, UNREACHABLE


def _texts(status: int, reason: str) -> tuple[str, str]:
    """Title and explanation for an HTTP status."""
    if status == 404:
        return _("This page does not exist"), _("The item may have been removed or the address is wrong. "
                                                 "Nothing has been changed.")
    if status == 400:
        if reason == "page":
            return _("There is no such page number"), _("The page number in the address is not valid.")
        if reason == "q":
            return _("These search words cannot be used"), _("Use at most 30 characters, without special "
                                                             "characters.")
        return _("The request is not valid"), _("Something in the address or the form is not valid. "
                                                 "Nothing has been changed.")
    if status == 507:
        return _("Cannot save right now"), _(DISK_FULL)
    if status == 503 and reason == "database":
        return _("Cannot be handled right now"), _(UNREACHABLE)
    if status == 405:
        return _("This action is not possible here"), _("Nothing has been changed.")
    if status == 413:  # trying again later would not help, and what was sent was refused, not kept
        return _("Too much was sent"), _("What was sent was too large, so nothing was saved.")
    return _("Something went wrong"), _("The portal could not show this page. Please try again later; "
                                        "nothing you entered is lost.")


def error_screen(request: web.Request, status: int, reason: str) -> web.Response:
    """A full TV page for an error status, with Home and Back buttons."""
    title, text = _texts(status, reason)
    cv = canvas.current()
    layout = Layout(cv.width, cv.height)
    row = cv.BUTTON_ROW
    layout.add("e-home", Rect(row.x, row.y, 360, row.h), group="main", href="/", label=_("Home"))
    screen = Screen(title=title, crumbs=[Crumb(_("Home"), "/"), Crumb(title)], layout=layout, template="error.html",
                    start="e-home", context={"message": text, "status": status}, status=status,
                    spoken=[text])
    response = render(request, screen)
    if status == 503:  # a browser or a proxy may try again by itself, not at once
        response.headers["Retry-After"] = "30"
    return response
