"""选择您所在的县区: the viewer's county (and town), chosen once per device, and the hall nearest to it.

Guides name the nearest of their halls in 去哪里办.  The area is the one chosen on this TV (kept in the
device's preference cookie, so the page cache keys pages by it), else the signed-in person's county as the
platform knows it, else unknown (the guide's first hall).

The chooser replaces its own history entries (focus-map flag ``r``), so that after the choice Back on the
guide still returns to where the guide was opened.  The choice itself is a GET for the same reason: a form
post would add a history entry.  It only sets a display preference of this device.
"""

from __future__ import annotations

import math
from dataclasses import replace
from urllib.parse import quote, urlencode

from aiohttp import web

from content.model import Hall
from content.snapshot import Snapshot
from remote_nav import Layout
from tvportal import canvas
from tvportal.flows.session import SESSION_COOKIE, current
from tvportal.flows.signin_store import person_of
from tvportal.flows.device import resolve_device
from tvportal.i18n import gettext as _
from tvportal.keys import PUBLISHED, SETTINGS
from tvportal.prefs import remember
from tvportal.screen import Crumb, Screen, prefs_of, render

LEVEL_RANK = {"县": 0, "市": 1, "乡镇": 2, "村": 3}  # in one's own county the county hall serves every matter


def safe_next(raw: str | None) -> str:
    """Where to go after the choice: a path of this portal, else the settings page."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw and len(raw) <= 200:
        return raw
    return "/settings"


def towns(snapshot: Snapshot, county: str) -> list[str]:
    """The towns of a county that have a hall, in the order of its halls."""
    seen: list[str] = []
    for hall in snapshot.halls_by_county.get(county, ()):
        if hall.town and hall.town not in seen:
            seen.append(hall.town)
    return seen


def _spot(snapshot: Snapshot, county: str, town: str) -> tuple[float, float] | None:
    """A point standing for the viewer's area: a hall of the town, else the county's main hall."""
    halls = snapshot.halls_by_county.get(county, ())
    for hall in sorted(halls, key=lambda h: (h.town != town if town else 0, LEVEL_RANK.get(h.level, 9))):
        if hall.lat is not None and hall.lon is not None:
            return hall.lat, hall.lon
    return None


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km (precise enough to rank halls of one city)."""
    (la1, lo1), (la2, lo2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


def nearest_hall(snapshot: Snapshot, halls: list[Hall], county: str, town: str) -> Hall | None:
    """The hall nearest the viewer: in their town, else in their county (its county hall first), else the
    nearest by distance; the first of ``halls`` when the area is unknown."""
    if not halls or not county:
        return halls[0] if halls else None
    spot = _spot(snapshot, county, town)

    def rank(item: tuple[int, Hall]) -> tuple:
        """Town, county, level in the county, distance, then the editor's order."""
        index, hall = item
        far = _km(spot, (hall.lat, hall.lon)) if spot and hall.lat is not None and hall.lon is not None else 1e9
        own = hall.county_code == county
        return (not (own and town and hall.town == town), not own, LEVEL_RANK.get(hall.level, 9) if own else 0,
                far, index)

    return min(enumerate(halls), key=rank)[1]


async def viewer_area(request: web.Request) -> tuple[str, str, bool]:
    """(county, town, from_person): this TV's choice, else the signed-in person's county, else ("", "")."""
    prefs = prefs_of(request)
    if prefs.county:
        return prefs.county, prefs.town, False
    if SESSION_COOKIE in request.cookies:
        row = await current(request, await resolve_device(request))
        if row is not None:
            return person_of(row["person"]).county_code, "", True
    return "", "", False


def area_name(snapshot: Snapshot, county: str, town: str) -> str:
    """金寨县 or 金寨县天堂寨镇; empty when unknown."""
    name = dict(snapshot.city.counties).get(county, "")
    return name + town if name else ""


def _chooser(request: web.Request, title: str, tiles: list[tuple[str, str, str, str]], back: str,
             start: str | None) -> Screen:
    """Up to 8 big tiles (id, href, label, note), each replacing this page in the history: 4 columns on the
    HD canvas, 2 columns of 4 low tiles (tv.css .sd .tile.low) on SD, so the one choice stays on one screen."""
    c = canvas.current()
    layout = Layout(c.width, c.height)
    layout.grid([(tid, href, label) for tid, href, label, _note in tiles[:8]], c.MAIN, cols=c.tile_cols,
                gap=c.gap)
    for item, (_tid, _href, _label, note) in zip(layout.items, tiles):
        item.extra["note"] = note
        item.extra["replace"] = True
    layout.assign_digits("main")
    crumbs = [Crumb(_("Home"), "/"), Crumb(_("Settings"), "/settings"), Crumb(title)]
    screen = Screen(title=title, crumbs=crumbs, layout=layout, template="home.html",
                    start=start if start in layout else layout.items[0].id, back=back, private=True)
    screen.nav_extra["br"] = 1  # Back replaces this page too: the chooser leaves no trace in the history
    screen.spoken = [_("Choose the county or district you live in; guides then name the hall nearest to you.")]
    return screen


def _set_href(county: str, town: str, nxt: str) -> str:
    """The link that stores a choice and returns to ``nxt``."""
    query = {"next": nxt, **({"town": town} if town else {})}
    return f"/area/set/{county}?" + urlencode(query, quote_via=quote)


async def choose_county(request: web.Request) -> web.Response:
    """The city's counties (seven in 六安), and 不选 to forget the choice."""
    snapshot = request.app[PUBLISHED].snapshot
    prefs = prefs_of(request)
    nxt = safe_next(request.query.get("next"))
    tiles = [(f"a-{code}", f"/area/{code}?" + urlencode({"next": nxt}, quote_via=quote), name,
              _("{n} halls").format(n=len(snapshot.halls_by_county.get(code, ()))))
             for code, name in snapshot.city.counties][:7]
    tiles.append(("a-none", _set_href("none", "", nxt), _("Do not say"), _("The first hall of each guide")))
    screen = _chooser(request, _("Choose your county or district"), tiles, nxt, f"a-{prefs.county}")
    return render(request, screen)


async def choose_town(request: web.Request) -> web.Response:
    """The towns of one county with a hall, and 整个县区 for the county alone."""
    snapshot = request.app[PUBLISHED].snapshot
    county = request.match_info["county"]
    names = dict(snapshot.city.counties)
    if county not in names:
        raise web.HTTPNotFound()
    nxt = safe_next(request.query.get("next"))
    tiles = [("t-all", _set_href(county, "", nxt), names[county], _("The whole county or district"))]
    tiles += [(f"t-{i}", _set_href(county, town, nxt), town, names[county]) for i, town in
              enumerate(towns(snapshot, county)[:7], 1)]
    prefs = prefs_of(request)
    start = next((tid for tid, _h, label, _n in tiles[1:] if prefs.county == county and label == prefs.town), None)
    back = "/area?" + urlencode({"next": nxt}, quote_via=quote)
    return render(request, _chooser(request, _("Choose your town"), tiles, back, start))


async def set_area(request: web.Request) -> web.Response:
    """Remember the choice on this device and go back to where the chooser was opened."""
    snapshot = request.app[PUBLISHED].snapshot
    county, town = request.match_info["county"], request.query.get("town", "")
    prefs = prefs_of(request)
    if county == "none":
        prefs = replace(prefs, county="", town="")
    elif county in dict(snapshot.city.counties) and (not town or town in towns(snapshot, county)):
        prefs = replace(prefs, county=county, town=town)
    else:
        raise web.HTTPNotFound()
    done = web.HTTPSeeOther(safe_next(request.query.get("next")))
    remember(done, prefs, request.app[SETTINGS].cookie_secure)
    raise done


def setup_area_routes(app: web.Application) -> None:
    """Register the chooser's routes."""
    app.router.add_get("/area", choose_county)
    app.router.add_get("/area/set/{county}", set_area)
    app.router.add_get("/area/{county}", choose_town)
