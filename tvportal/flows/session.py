"""Who is signed in on this browser: a session cookie without expiry (so closing the browser signs out),
ended after ``tv_idle_minutes`` without a key press and at 退出登录; the rows live server-side."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from aiohttp import web

from tvportal.flows import signin_store as store
from tvportal.flows.device import rotate_device
from tvportal.keys import DB, SETTINGS
from tvportal.platform.models import Person
from tvportal.storage import Database

SESSION_COOKIE = "tvsid"
_ROW = web.RequestKey("signin_session", object)
_SET = web.RequestKey("signin_set_cookie", str)  # "" deletes the cookie


def db(request: web.Request) -> Database:
    """The portal's database."""
    return request.app[DB]


def platform_device(device_id: str, id_number: str = "") -> str:
    """The platform's device key of one person on one TV: stable for an ID number (so consents given
    through it outlive a session), random for a QR sign-in whose person is not known beforehand."""
    seed = f"{device_id}:{id_number}" if id_number else secrets.token_hex(16)
    return "t" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:31]


async def current(request: web.Request, device_id: str) -> dict[str, Any] | None:
    """This browser's live session row (touched: the idle clock restarts), once per request."""
    if _ROW in request:
        return request[_ROW]
    token = request.cookies.get(SESSION_COOKIE, "")
    row = None
    if token:
        idle = request.app[SETTINGS].tv_idle_minutes * 60
        row = await db(request).write(store.session, token, device_id, idle, store.clock())
    request[_ROW] = row
    return row


async def sign_in(request: web.Request, device_id: str, pdev: str, person: Person) -> None:
    """Start a session for a person proven just now (SMS, QR or TV PIN)."""
    token = secrets.token_urlsafe(24)
    idle = request.app[SETTINGS].tv_idle_minutes * 60
    await db(request).write(store.start_session, token, device_id, pdev, person, store.clock(), idle)
    request[_SET] = token
    request[_ROW] = None  # read again when asked
    await rotate_device(request)


async def sign_out(request: web.Request) -> dict[str, Any] | None:
    """End this browser's session; the ended row (or None)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    row = await db(request).write(store.end_session, token) if token else None
    request[_SET] = ""
    request[_ROW] = None
    await rotate_device(request)
    return row


async def act_for(request: web.Request, person_id: str) -> None:
    """For whom this session acts from now on ("" = oneself)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        await db(request).write(store.set_acting_for, token, person_id)
        request.pop(_ROW, None)


def keep_session(request: web.Request, response: web.StreamResponse) -> None:
    """Give the browser its new session cookie (no max-age: it ends with the browser), or delete it."""
    if _SET not in request:
        return
    if request[_SET]:
        response.set_cookie(SESSION_COOKIE, request[_SET], path="/", httponly=True, samesite="Lax",
                            secure=request.app[SETTINGS].cookie_secure)
    else:
        response.del_cookie(SESSION_COOKIE, path="/")
