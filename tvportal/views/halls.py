"""Service halls (附近大厅): by county or district, then a hall's address, hours and services."""

from __future__ import annotations

from aiohttp import web

from content.model import Hall
from tvportal.i18n import gettext as _
from tvportal.keys import PUBLISHED
from tvportal.pagination import TextBlock
from tvportal.screen import Crumb, Screen, render
from tvportal.views.lists import PLACEHOLDER_MARK, Entry, list_screen, marked, menu_sentences, text_screen, tile_layout

def halls_crumbs() -> list[Crumb]:
    """当前位置 of the hall section."""
    return [Crumb(_("Home"), "/"), Crumb(_("Service halls"), "/halls")]


async def counties(request: web.Request) -> web.Response:
    """The counties and districts of the city, each with its number of halls."""
    snapshot = request.app[PUBLISHED].snapshot
    with_halls = [(code, name) for code, name in snapshot.city.counties if snapshot.halls_by_county.get(code)]
    layout, paging = tile_layout(request, [(f"a-{code}", f"/halls/area/{code}", name,
                                            _("{n} halls").format(n=len(snapshot.halls_by_county[code])))
                                           for code, name in with_halls[:8]], "/halls")
    screen = Screen(title=_("Service halls"), crumbs=[Crumb(_("Home"), "/"), Crumb(_("Service halls"))],
                    layout=layout, template="home.html", start=layout.items[0].id if layout.items else None,
                    **paging)
    screen.spoken = menu_sentences(layout)
    return render(request, screen)


async def area(request: web.Request) -> web.Response:
    """The halls of one county or district, largest first."""
    snapshot = request.app[PUBLISHED].snapshot
    code = request.match_info["code"]
    names = dict(snapshot.city.counties)
    if code not in names:
        raise web.HTTPNotFound()
    entries = [Entry(f"h-{h.id}", h.name, f"/halls/{h.id}", h.town) for h in snapshot.halls_by_county.get(code, ())]
    screen = list_screen(request, names[code], halls_crumbs() + [Crumb(names[code])], entries,
                         base=f"/halls/area/{code}", empty=_("No halls listed here yet."))
    return render(request, screen)



def hall_blocks(hall: Hall, service_names: list[str]) -> list[TextBlock]:
    """A hall's facts as text blocks: address and hours first, how to get there last."""
    hours = [f"{h.days}：{h.times}" for h in hall.hours]
    if hours and "hours" in hall.placeholders:
        hours[-1] += PLACEHOLDER_MARK
    blocks = [
        TextBlock(_("Address"), [marked(hall, "address", hall.address)]),
        TextBlock(_("Opening hours"), hours + [hall.holiday_rule]),
        TextBlock(_("Phone"), [marked(hall, "phone", hall.phone)]),
    ]
    if service_names:
        blocks.append(TextBlock(_("Services here"), ["、".join(service_names)]))
    if hall.extras:
        blocks.append(TextBlock(_("Help at the hall"), [hall.extras]))
    if hall.directions:
        blocks.append(TextBlock(_("How to get there"), [marked(hall, "directions", hall.directions)]))
    return blocks


def hall_screen(request: web.Request, hall: Hall) -> Screen:
    """The screens of one hall (also used by the editor's preview of a draft)."""
    snapshot = request.app[PUBLISHED].snapshot
    names = [snapshot.guide_by_id[s].short_name for s in hall.services if s in snapshot.guide_by_id]
    crumbs = halls_crumbs() + [Crumb(hall.county, f"/halls/area/{hall.county_code}"), Crumb(hall.name)]
    return text_screen(request, hall.name, crumbs, hall_blocks(hall, names), base=f"/halls/{hall.id}")


async def hall_detail(request: web.Request) -> web.Response:
    """One hall: address, hours, phone, services and directions, over as many screens as needed."""
    hall = request.app[PUBLISHED].snapshot.hall_by_id.get(request.match_info["hall"])
    if hall is None:
        raise web.HTTPNotFound()
    return render(request, hall_screen(request, hall))
