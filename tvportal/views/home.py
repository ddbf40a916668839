"""Home screen: the big tiles an elder starts from."""

from __future__ import annotations

from aiohttp import web

from tvportal import canvas
from tvportal.i18n import N_, gettext as _
from tvportal.branding import home_tiles
from tvportal.flows import box_token
from tvportal.keys import ASR, ASSETS, PUBLISHED, SETTINGS
from tvportal.screen import FLASH_COOKIE, Crumb, Screen, render
from tvportal.views.lists import menu_sentences, page_href, tile_layout

# one-time notices home may show (the cookie carries only the key, never the words)
NOTICES = {"out": N_("You are signed out")}


def _tiles(request: web.Request) -> list[tuple[str, str, str, str]]:
    """This portal's home tiles now (tvportal/branding.py)."""
    # the recognizer's state (/healthz voice_input), not the model's files: a damaged model is installed
    # but unavailable, and the page cache keys pages by this state (middlewares.voice_state)
    asr = request.app.get(ASR)
    return home_tiles(request.app[SETTINGS], asr is not None and asr.available)


def home_screen_of(request: web.Request, tile: str) -> str:
    """The home screen that shows a tile (its element id): "/", or "/?page=2" where the canvas holds fewer tiles
    (SD). A page that Back leaves for home by address goes there, and the runtime focuses the item stored for
    it: the tile the viewer opened, as Back through the history does for every other tile."""
    ids = [tid for tid, _href, _title, _note in _tiles(request)]
    at = ids.index(tile) if tile in ids else 0
    return page_href("/", at // canvas.current().tiles_per_screen + 1)


async def home(request: web.Request) -> web.Response:
    """The home screen: up to 8 tiles in two rows, numbered 1-8, as the operator chose (tvportal/branding.py)."""
    snapshot = request.app[PUBLISHED].snapshot
    settings = request.app[SETTINGS]
    tiles = _tiles(request)
    layout, paging = tile_layout(request, [(tid, href, _(title), _(note)) for tid, href, title, note in tiles], "/")
    first = paging["page"] == 1
    title = settings.brand_title or _("{city} government services on TV").format(city=snapshot.city.name)
    # the second screen of tiles (SD) is not home for Back: Back returns to the first, not to the EPG
    screen = Screen(title=title, crumbs=[Crumb(_("Home"))], layout=layout, template="home.html",
                    start=layout.items[0].id if layout.items else None, is_home=first,
                    back=None if first else "/", **paging)
    screen.spoken = menu_sentences(layout)
    if box_token.offered(request):  # the box's account as its IPTV login says, checked by the operator
        # inline (allowed by its hash, tvportal/http/csp.py): the check is the one request it adds
        screen.context["boxtoken_js"] = request.app[ASSETS].get("boxtoken.js").body.decode("utf-8")
    notice = NOTICES.get(request.cookies.get(FLASH_COOKIE, ""))
    if notice:
        screen.notice = _(notice)
    response = render(request, screen)
    if FLASH_COOKIE in request.cookies:
        response.del_cookie(FLASH_COOKIE, path="/")  # said once (and a cookie keeps it out of the page cache)
        # nor kept by the browser: 返回 to home must not show 已退出登录 again from its history
        response.headers["Cache-Control"] = "no-store"
    return response


async def booking(request: web.Request) -> web.Response:
    """预约办理: the booking flow (tvportal/flows/booking.py), whose first screen also offers the guide."""
    from tvportal.flows.booking import start

    return await start(request)
