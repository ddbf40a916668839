"""Signing in and out of the editor, with rate limiting per user name and per address."""

from __future__ import annotations

import asyncio

from aiohttp import web

from tvportal.editor import audit, security, sessions, users
from tvportal.editor.pages import flash, page
from tvportal.editor.security import PREFIX, client_address, csrf_token, session_of, sign_in
from tvportal.http.forms import form_of
from tvportal.i18n import gettext as _
from tvportal.keys import DB, EDITOR_USER, SETTINGS


def _safe_next(target: str) -> str:
    """Only a path inside the editor is a place to go after signing in (no open redirect)."""
    if target.startswith(PREFIX) and not target.startswith("//") and "\\" not in target:
        return target
    return PREFIX


async def signin_form(request: web.Request) -> web.Response:
    """The sign-in page (signed-in users go straight to the editor)."""
    session = session_of(request)
    if request.get(EDITOR_USER) is not None:
        raise web.HTTPSeeOther(_safe_next(request.query.get("next", PREFIX)))
    csrf_token(session)
    message = ""
    if session.pop("expired", False):
        message = _("You were signed out after a while without activity. Please sign in again.")
    return page(request, "signin.html", {"name": "", "next": _safe_next(request.query.get("next", PREFIX)),
                                         "error": "", "info": message, "title": _("Sign in")})


def _succeeded(conn, user_id: int, name: str, address: str, now: float, idle: float) -> str:
    """Forget this name's failures from this address (the attempt's own too), log the sign-in and start the
    server's session, in one transaction; returns the session token."""
    users.clear_failures(conn, name, address)
    audit.record(conn, name, address, "signin")
    return sessions.start(conn, user_id, now, idle)


def _claimed(conn, name: str, address: str) -> bool:
    """Count the attempt before the password is checked (users.claim_attempt); log a refusal."""
    if users.claim_attempt(conn, name, address):
        return True
    audit.record(conn, name, address, "signin-blocked")
    return False


async def signin(request: web.Request) -> web.Response:
    """Check the name and password; too many failures block the name and the address for a while."""
    form = await form_of(request, files=True)
    name = str(form.get("name", "")).strip().lower()
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", PREFIX)))
    db = request.app[DB]
    address = client_address(request)

    def again(error: str, status: int) -> web.Response:
        """The form once more, with the name kept and the reason said."""
        return page(request, "signin.html", {"name": name, "next": target, "error": error, "info": "",
                                             "title": _("Sign in")}, status=status)

    if not name or not password:
        return again(_("Please enter your user name and password."), 400)
    if not await db.write(_claimed, name, address):
        return again(_("Too many failed sign-ins. For your safety, signing in is paused for {minutes} minutes; "
                       "please try again later or ask an administrator.").format(
                           minutes=users.FAILURE_WINDOW // 60), 429)
    user, digest = await db.read(users.sign_in_lookup, name)
    good = await asyncio.get_running_loop().run_in_executor(None, users.verify_password, digest, password)
    if not good or user is None or user.disabled:
        await db.write(audit.record, name, address, "signin-failed")  # already counted by _claimed
        return again(_("The user name or password is wrong (or the account is disabled)."), 401)
    if users.needs_rehash(digest):
        await db.write(users.store_hash, user.id, await asyncio.get_running_loop().run_in_executor(
            None, users.hash_password, password))
    token = await db.write(_succeeded, user.id, user.name, address, security.clock(),
                           request.app[SETTINGS].editor_idle_minutes * 60)
    sign_in(request, user, token)
    flash(request, _("Welcome, {name}.").format(name=user.name))
    raise web.HTTPSeeOther(target)


def _signed_out(conn, name: str, address: str, token: str | None) -> None:
    """End the server's session (every copy of the cookie stops working) and log it."""
    if isinstance(token, str):
        sessions.end(conn, token)
    audit.record(conn, name, address, "signout")


async def signout(request: web.Request) -> web.Response:
    """End the session and go back to the sign-in page."""
    user = request.get(EDITOR_USER)
    session = session_of(request)
    token = session.get("sid")
    session.invalidate()
    if user is not None:
        await request.app[DB].write(_signed_out, user.name, client_address(request), token)
    raise web.HTTPSeeOther(request.app.router["editor-signin"].url_for())
