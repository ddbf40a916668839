"""The screen size a request is answered for, and the canvas pages are laid out on (tvportal/canvas.py).

``?size=sd|hd|fhd`` in the EPG's launch URL is remembered in a cookie, so the pages the viewer moves on
to (whose links do not carry it) keep the size.  The ``screen_size`` setting, when not ``auto``, wins.
"""

from __future__ import annotations

from aiohttp import web

from tvportal import canvas
from tvportal.boxes import SIZE_COOKIE, SIZES, chosen_size
from tvportal.keys import SETTINGS

SIZE = web.RequestKey("screen_size", str)
REMEMBER_SECONDS = 10 * 365 * 24 * 3600


def screen_size_of(request: web.Request) -> str:
    """``sd``, ``hd`` or ``fhd``: what this request's page is laid out for."""
    return request.get(SIZE, "hd")


@web.middleware
async def box_screen(request: web.Request, handler) -> web.StreamResponse:
    """Choose the screen size and make its canvas current while the page is built."""
    asked = request.query.get("size")
    size = chosen_size(request.app[SETTINGS].screen_size, asked, request.cookies.get(SIZE_COOKIE), None)
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
