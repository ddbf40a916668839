"""Home screen: the big tiles an elder starts from."""

from __future__ import annotations

from aiohttp import web

from tvportal.i18n import N_, gettext as _
from tvportal.keys import PUBLISHED
from tvportal.screen import FLASH_COOKIE, Crumb, Screen, render
from tvportal.views.lists import menu_sentences, tile_layout

# one-time notices home may show (the cookie carries only the key, never the words)
NOTICES = {"out": N_("You are signed out")}

# (id, href, title, one-line description); 预约办理 opens its hall list straight away (fewest presses)
HOME_TILES: tuple[tuple[str, str, str, str], ...] = (
    ("t-guides", "/guides", N_("Service guides"), N_("What to bring, where to go")),
    ("t-booking", "/booking/halls", N_("Book a visit"), N_("Pick a day at the hall")),
    ("t-handle", "/apply", N_("Apply"), N_("Pensions, allowances, cards")),
    ("t-query", "/lookup", N_("Look up"), N_("Payments and progress")),
    ("t-policies", "/policies", N_("Policies"), N_("New policies in plain words")),
    ("t-halls", "/halls", N_("Service halls"), N_("Address, hours, phone")),
    ("t-help", "/voice", N_("Voice and help"), N_("Speak to the TV, get help")),
    ("t-me", "/me", N_("Mine"), N_("Bookings, applications, family")),
)


async def home(request: web.Request) -> web.Response:
    """The home screen: 8 tiles in two rows, numbered 1-8."""
    snapshot = request.app[PUBLISHED].snapshot
    layout, paging = tile_layout(request, [(tid, href, _(title), _(note)) for tid, href, title, note in HOME_TILES],
                                 "/")
    first = paging["page"] == 1
    # the second screen of tiles (SD) is not home for Back: Back returns to the first, not to the EPG
    screen = Screen(title=_("{city} government services on TV").format(city=snapshot.city.name),
                    crumbs=[Crumb(_("Home"))], layout=layout, template="home.html",
                    start=layout.items[0].id, is_home=first, back=None if first else "/", **paging)
    screen.spoken = menu_sentences(layout)
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
