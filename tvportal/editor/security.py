"""Editor sessions, sign-in state, CSRF tokens and role checks, all scoped to /editor.

Sessions are encrypted cookies (aiohttp-session's EncryptedCookieStorage, Fernet): path /editor,
HttpOnly, SameSite=Lax, Secure when ``cookie_secure`` is on.  The cookie names a session the server keeps
(sessions.py), so signing out ends it for every copy of the cookie.  A session is bound to the user's
password version, so changing a password or disabling a user ends their sessions.  Every form
carries the session's CSRF token and every POST is refused (403) without it.
"""

from __future__ import annotations

import functools
import hmac
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from aiohttp_session import Session
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from multidict import MultiDictProxy
from cryptography.fernet import Fernet

from tvportal.editor import sessions, users
from tvportal.http.forms import FORM, form_of
from tvportal.storage.faults import FailedRequests, cannot_write, unreachable
from tvportal.keys import DB, EDITOR_SESSION, EDITOR_USER, SETTINGS
from tvportal.middlewares import CSP
from tvportal.settings import Settings

log = logging.getLogger(__name__)
_unreachable = FailedRequests(log)  # one line per interval while the database does not answer

PREFIX = "/editor"
COOKIE = "tvportal_editor"
KEY_FILE = "editor-session.key"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "X-CSRF-Token"
MAX_SESSION_HOURS = 12  # signed in at most this long, however active
MAX_EDITOR_BODY = 65 * 1024 * 1024  # an import file (64 MB, content/xml_io.py) plus form overhead
TOUCH_SECONDS = 60  # refresh the idle timer at most once a minute (each refresh re-sends the cookie)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
clock = time.time  # the session clock (tests move it forward to expire a session)


class CsrfRejected(Exception):
    """A POST without the right CSRF token; carries what was posted, to show it back."""

    def __init__(self, posted) -> None:
        """Remember the posted form (None when it was not a form)."""
        super().__init__("CSRF token missing or wrong")
        self.posted = posted


def session_key(settings: Settings) -> bytes:
    """The Fernet key: from the setting, else generated once into the data dir with 0600 permissions."""
    if settings.session_secret:
        key = settings.session_secret.encode("ascii")
        Fernet(key)  # a malformed key fails at start-up, not on the first request
        return key
    path = Path(settings.data_dir) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as fh:
        key = Fernet.generate_key()
        fh.write(key)
    return key


def storage_for(settings: Settings) -> EncryptedCookieStorage:
    """The session cookie storage with explicit security flags."""
    return EncryptedCookieStorage(Fernet(session_key(settings)), cookie_name=COOKIE, path=PREFIX, httponly=True,
                                  samesite="Lax", secure=settings.cookie_secure,
                                  max_age=settings.editor_idle_minutes * 60)


def is_editor_path(path: str) -> bool:
    """True for /editor and everything under it."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def csrf_token(session: Session) -> str:
    """The session's CSRF token (made on first use)."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def client_address(request: web.Request) -> str:
    """The address a request came from, for rate limiting and the audit log."""
    return request.remote or "unknown"


async def _current_user(request: web.Request, session: Session) -> users.User | None:
    """The signed-in user of this session, if the session is still valid; an invalid one is cleared.

    Valid means: the server still has the session (not signed out), it was used within the idle limit
    (by the server's record, not only the cookie's), and the account's password and state are unchanged."""
    user_id, token = session.get("uid"), session.get("sid")
    if user_id is None:
        return None
    now = clock()
    db = request.app[DB]
    idle = request.app[SETTINGS].editor_idle_minutes * 60
    live = await db.read(sessions.lookup, token) if isinstance(token, str) else None
    user = await db.read(users.user_by_id, int(user_id)) if live and live[0] == int(user_id) else None
    if (user is None or user.disabled or user.password_version != session.get("pwv") or now - live[1] > idle
            or now - session.get("auth_at", 0) > MAX_SESSION_HOURS * 3600 or now - session.get("seen", 0) > idle):
        if live is not None:
            await db.write(sessions.end, token)
        csrf = session.get("csrf")
        session.clear()
        if csrf:
            session["csrf"] = csrf  # the sign-in form that follows still needs it
        session["expired"] = True
        return None
    if now - session.get("seen", 0) > TOUCH_SECONDS or now - live[1] > TOUCH_SECONDS:
        session["seen"] = now
        await db.write(sessions.touch, token, now)
    return user


def session_of(request: web.Request) -> Session:
    """The editor session of this request (loaded by the editor middleware)."""
    return request[EDITOR_SESSION]


def sign_in(request: web.Request, user: users.User, token: str) -> None:
    """Start a signed-in session with the server-side session ``token`` (sessions.start): everything from
    before is dropped and the CSRF token is new, so a session fixed in advance is worth nothing."""
    session = request[EDITOR_SESSION]
    session.clear()
    request[EDITOR_USER] = user
    now = clock()
    session["uid"] = user.id
    session["sid"] = token
    session["pwv"] = user.password_version
    session["auth_at"] = now
    session["seen"] = now
    session["csrf"] = secrets.token_urlsafe(32)


async def _checked(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the user and refuse a POST whose CSRF token is missing or wrong."""
    session = request[EDITOR_SESSION]
    user = request[EDITOR_USER] = await _current_user(request, session)
    original = request
    if user is not None:
        # signed-in editors post whole guides and import files; strangers keep the app's small body limit
        request = request.clone(client_max_size=MAX_EDITOR_BODY)
    posted = None
    try:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            expected = session.get("csrf") or ""
            sent = request.headers.get(CSRF_HEADER, "")
            if not sent and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                posted = original[FORM] = await form_of(request, files=user is not None)  # shown back on errors
                sent = posted.get(CSRF_FIELD, "")
            if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
                raise CsrfRejected(posted)
        return await handler(request)
    finally:
        for value in (posted or {}).values():
            if isinstance(value, web.FileField):
                value.file.close()  # uploads are spooled to temporary files; close them whatever happened


def editor_middleware(settings: Settings) -> Callable:
    """The middleware of /editor: session, user, CSRF, no-store caching and editor error pages."""
    storage = storage_for(settings)

    async def save(request: web.Request, response: web.StreamResponse) -> None:
        """Send the session cookie when the session changed; never let a shared cache keep the page."""
        session = request[EDITOR_SESSION]
        if session._changed:  # aiohttp-session's own middleware reads the same flag
            await storage.save_session(request, response, session)
        response.headers["Cache-Control"] = "private, no-store"
        # editor pages may be framed only by the editor itself (its preview frame), never by another site
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Content-Security-Policy"] = CSP + "; frame-ancestors 'self'"

    @web.middleware
    async def editor(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Run /editor requests through the session and checks; leave every other request alone."""
        if not is_editor_path(request.path):
            return await handler(request)
        # aiohttp-session's middleware keeps its state under string request keys, which aiohttp 3.14
        # warns about; the storage is used directly instead, with typed keys
        request[EDITOR_SESSION] = await storage.load_session(request)
        try:
            response = await _guarded(request, handler)
        except web.HTTPException as exc:  # redirects (errors became pages in _guarded)
            await save(request, exc)
            raise
        await save(request, response)
        return response

    return editor


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn errors inside the editor into editor pages (the TV error pages are for the remote)."""
    from tvportal.editor.pages import csrf_page, error_page, unsaved_page

    try:
        return await _checked(request, handler)
    except CsrfRejected as refused:
        return csrf_page(request, refused.posted)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_page(request, exc.status)
    except Exception as exc:
        if cannot_write(exc):  # full or read-only storage: the transaction rolled back (storage/faults.py)
            log.error("editor cannot save on %s %s: %s", request.method, request.path,
                      getattr(exc, "orig", None) or exc)
            return unsaved_page(request, await _typed(request))
        if unreachable(exc):  # the database server is down or restarting: not a bug (storage/faults.py)
            _unreachable.failed(f"editor {request.method} {request.path}", exc)
            return unsaved_page(request, await _typed(request), unreachable=True)
        log.exception("editor error on %s %s", request.method, request.path)
        return error_page(request, 500)


async def _typed(request: web.Request) -> MultiDictProxy | None:
    """The form a failed POST carried (aiohttp keeps a read body), to show it back; None when there is none."""
    if request.method != "POST":
        return None
    try:
        return await form_of(request, files=True)
    except web.HTTPException:  # BadForm too
        return None


def requires(role: str) -> Callable[[Handler], Handler]:
    """Decorator: the handler needs a signed-in user with at least ``role``."""

    def wrap(handler: Handler) -> Handler:
        """Check the user before running the handler."""

        @functools.wraps(handler)
        async def checked(request: web.Request) -> web.StreamResponse:
            """Redirect to sign-in, or refuse with 403, when the user may not do this."""
            user = request.get(EDITOR_USER)
            if user is None:
                if request.method != "GET":
                    from tvportal.editor.pages import signed_out_page

                    return await signed_out_page(request)
                raise web.HTTPSeeOther(request.app.router["editor-signin"].url_for().with_query(
                    next=request.path_qs))
            if not user.can(role):
                from tvportal.editor.pages import forbidden_page

                return forbidden_page(request, role)
            return await handler(request)

        return checked

    return wrap
