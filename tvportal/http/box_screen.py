"""The screen size a request is answered for, and the canvas pages are laid out on (tvportal/canvas.py).

``?size=sd|hd|fhd`` in the EPG's launch URL is remembered in a cookie, so the pages the viewer moves on
to (whose links do not carry it) keep the size.  Without either, the box's key profile may say (an SD
Huawei profile), else the ``screen_size`` setting (``auto``: HD).  Also the request's key profile, which
the size and the page's key map both depend on.
"""

from __future__ import annotations

from functools import lru_cache

from aiohttp import web

from remote_nav import profile_for_user_agent, profile_screen
from tvportal import canvas
from tvportal.boxes import SIZE_COOKIE, SIZES, chosen_size
from tvportal.keys import SETTINGS

SIZE = web.RequestKey("screen_size", str)
REMEMBER_SECONDS = 10 * 365 * 24 * 3600


def screen_size_of(request: web.Request) -> str:
    """``sd``, ``hd`` or ``fhd``: what this request's page is laid out for."""
    return request.get(SIZE, "hd")


@lru_cache(maxsize=1024)
def _profile_for(user_agent: str) -> str:
    """The key profile of a User-Agent (a handful of regular expressions; boxes send few distinct ones)."""
    return profile_for_user_agent(user_agent)


def key_profile_of(request: web.Request) -> str:
    """The remote's key profile this request is answered for: the setting, or guessed from the User-Agent.

    The page cache keys pages by this rather than by the raw User-Agent, which varies by firmware build.
    """
    profile = request.app[SETTINGS].key_profile
    return _profile_for(request.headers.get("User-Agent", "")) if profile == "auto" else profile


@web.middleware
async def box_screen(request: web.Request, handler) -> web.StreamResponse:
    """Choose the screen size and make its canvas current while the page is built."""
    asked = request.query.get("size")
    size = chosen_size(request.app[SETTINGS].screen_size, asked, request.cookies.get(SIZE_COOKIE),
                       profile_screen(key_profile_of(request)))
    request[SIZE] = size
    token = canvas.use(size)
    try:
        response = await handler(request)
    finally:
        canvas.reset(token)
    if asked in SIZES and asked != request.cookies.get(SIZE_COOKIE) and isinstance(response, web.StreamResponse) \
            and not response.prepared:
        response.set_cookie(SIZE_COOKIE, asked, max_age=REMEMBER_SECONDS, path="/", httponly=True, samesite="Lax")
    return response
