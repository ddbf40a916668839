"""Rendering editor pages: the shared context (user, CSRF token, notices), error and refusal pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import Session
from multidict import MultiDictProxy

from tvportal.editor.users import ROLE_NAMES
from tvportal.i18n import N_, gettext as _
from tvportal.keys import ASSETS, EDITOR_INBOX, EDITOR_SESSION, EDITOR_USER
from tvportal.clock import city_tz
from tvportal.http.forms import form_of
from tvportal.storage.faults import DISK_FULL

KIND_NAMES = {"guide": N_("Service guides"), "policy": N_("Policies"), "hall": N_("Halls"),
              "category": N_("Life categories"), "bundle": N_("One-thing bundles")}
KIND_NOUNS = {"guide": N_("service guide"), "policy": N_("policy"), "hall": N_("service hall")}
STATUS_NAMES = {"new": N_("Not published"), "changed": N_("Unpublished changes"), "published": N_("Published")}
ERROR_TEXTS = {
    400: N_("The request was not understood."),
    403: N_("You may not do this."),
    404: N_("There is no such page or item."),
    405: N_("This address does not accept that kind of request."),
    413: N_("What you sent is too large."),
    500: N_("Something went wrong on our side. Nothing was changed; please try again."),
    507: DISK_FULL,
}


def local_time(stamp: str) -> str:
    """A stored UTC time as the bureau's local time, e.g. 2026-11-23 14:05:09."""
    try:
        moment = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return stamp
    return moment.astimezone(city_tz()).strftime("%Y-%m-%d %H:%M:%S")


def session_of(request: web.Request) -> Session | None:
    """The request's session if the editor middleware loaded it."""
    return request.get(EDITOR_SESSION)


def flash(request: web.Request, message: str, level: str = "ok") -> None:
    """Show ``message`` on the next page this browser sees."""
    session = session_of(request)
    if session is not None:
        session["flash"] = [*session.get("flash", []), [level, message]]


def page(request: web.Request, template: str, context: dict[str, Any] | None = None,
         status: int = 200) -> web.Response:
    """Render an editor template with the context every page shares."""
    session = session_of(request)
    notices = session.pop("flash", []) if session is not None else []
    assets = request.app[ASSETS]
    shared = {
        "user": request.get(EDITOR_USER),
        "inbox_count": request.get(EDITOR_INBOX),
        "csrf": session.get("csrf", "") if session is not None else "",
        "notices": notices,
        "kind_names": {k: _(v) for k, v in KIND_NAMES.items()},
        "role_names": {k: _(v) for k, v in ROLE_NAMES.items()},
        "status_names": {k: _(v) for k, v in STATUS_NAMES.items()},
        "editor_css": assets.url("editor.css"),
        "editor_js": assets.url("editor.js"),
        "path": request.path,
        "local_time": local_time,
    }
    return aiohttp_jinja2.render_template(f"editor/{template}", request, {**shared, **(context or {})},
                                          status=status)


def error_page(request: web.Request, status: int) -> web.Response:
    """An editor page for an HTTP error."""
    text = _(ERROR_TEXTS.get(status, ERROR_TEXTS[400 if status < 500 else 500]))
    return page(request, "error.html", {"status": status, "message": text, "title": _("Error {status}")
                                        .format(status=status)}, status=status)


def forbidden_page(request: web.Request, role: str) -> web.Response:
    """Refusal for a signed-in user whose role is too low."""
    message = _("This needs the role “{role}”. Ask an administrator if you should have it.").format(
        role=_(ROLE_NAMES[role]))
    return page(request, "error.html", {"status": 403, "message": message, "title": _("Not allowed")}, status=403)


def _submitted(form: MultiDictProxy | None) -> list[tuple[str, str]]:
    """The typed values of a posted form worth showing back (no tokens, no passwords, no blanks)."""
    return [(k, v) for k, v in (form or {}).items()
            if isinstance(v, str) and not k.startswith("_") and "password" not in k and v.strip()]


async def signed_out_page(request: web.Request) -> web.Response:
    """A POST from a browser whose session ended: nothing is done, and what was typed is shown back."""
    form = await form_of(request, files=True) if request.content_type in ("application/x-www-form-urlencoded",
                                                            "multipart/form-data") else None
    message = _("You had been signed out, so nothing was saved. Copy what you typed below, "
                "sign in again (in a new tab) and repeat the change.")
    return page(request, "error.html", {"status": 401, "message": message, "title": _("Signed out"),
                                        "submitted": _submitted(form), "signin": True}, status=401)


def unsaved_page(request: web.Request, form: MultiDictProxy | None, unreachable: bool = False) -> web.Response:
    """The storage is full or read-only (507), or the database does not answer (503): nothing was saved, and
    what was typed is shown so nothing is lost."""
    submitted = _submitted(form)
    if not unreachable:
        message = _(DISK_FULL) + " " + _("Copy what you typed below; it is not saved anywhere else.")
    else:
        message = _("The database cannot be reached right now, so nothing was saved or shown. Please try again "
                    "in a few minutes.")
        if submitted:
            message += " " + _("Copy what you typed below; it is not saved anywhere else.")
    status = 503 if unreachable else 507
    response = page(request, "error.html", {"status": status, "message": message, "title": _("Not saved"),
                                            "submitted": submitted}, status=status)
    if unreachable:
        response.headers["Retry-After"] = "30"
    return response


def csrf_page(request: web.Request, form: MultiDictProxy | None) -> web.Response:
    """Refusal of a POST without a valid CSRF token; what was typed is shown so nothing is lost."""
    submitted = _submitted(form)
    message = _("The form had expired or did not come from this editor, so nothing was saved. "
                "Copy what you typed below, reload the page and try again.")
    return page(request, "error.html", {"status": 403, "message": message, "title": _("Form refused"),
                                        "submitted": submitted}, status=403)
