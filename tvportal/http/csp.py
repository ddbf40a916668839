"""Content-Security-Policy of TV pages: inline scripts allowed by their hashes, never by 'unsafe-inline'.

The page cache keeps whole pages, headers included, so a per-request nonce would not survive a cache hit;
the hashes of a page's inline scripts are computed when it is rendered and travel with it.  Keypad pages
are the exception: the runtime writes the next screen in place of the page (remote_nav/static/nav.js
``paint``), and that document keeps the first page's policy, so the scripts of screens that may be written
in place carry a nonce that stays the same for the device (cookie ``tvcsp``) and the keypad page allows it.
Those screens are flow pages, answered to one device and never cached.

``object-src`` is ``'none'`` except on TV pages of an instance whose exit_method is ``hbbtv``: HbbTV's
``destroyApplication()`` is reached through an ``<object type="application/oipfApplicationManager">``
(epg_templates/base.html), which the terminal's browser treats as a plugin object; ``'self'`` allows it and
still no object from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from aiohttp import web

BASE = ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'")
NONCE_COOKIE = "tvcsp"
_NEW_NONCE = web.RequestKey("csp_new_nonce", str)
_INLINE = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)


def policy(frame_ancestors: tuple[str, ...], sources: tuple[str, ...] = (), app_manager: bool = False) -> str:
    """The policy with scripts from this origin plus ``sources`` ('sha256-…', 'nonce-…'); ``app_manager``:
    the page carries HbbTV's application manager object."""
    scripts = " ".join(("'self'", *sources))
    objects = "'self'" if app_manager else "'none'"
    return f"{BASE}; object-src {objects}; script-src {scripts}; frame-ancestors {' '.join(frame_ancestors)}"


def inline_hashes(body: bytes) -> tuple[str, ...]:
    """'sha256-…' of every inline script of an HTML page, as the browser hashes the element's text."""
    found = dict.fromkeys(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
        for m in _INLINE.finditer(body))
    return tuple(found)


def device_nonce(request: web.Request) -> str:
    """The device's script nonce (made once, kept in a cookie the response sets when it is new)."""
    value = request.cookies.get(NONCE_COOKIE, "")
    if not re.fullmatch(r"[A-Za-z0-9_-]{22}", value):
        value = secrets.token_urlsafe(16)
        request[_NEW_NONCE] = value
    return value


def finish(request: web.Request, response: web.Response, frame_ancestors: tuple[str, ...], nonce: str,
           secure: bool, app_manager: bool = False) -> None:
    """Set the page's policy from its rendered body; ``nonce`` (may be empty) is also allowed."""
    sources = inline_hashes(response.body) + ((f"'nonce-{nonce}'",) if nonce else ())
    response.headers["Content-Security-Policy"] = policy(frame_ancestors, sources, app_manager)
    new = request.get(_NEW_NONCE)
    if new:
        response.set_cookie(NONCE_COOKIE, new, path="/", httponly=True, samesite="Lax", secure=secure)
