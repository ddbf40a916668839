"""Service guides (办事指南): life topics, guide lists, and a guide split into screens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from aiohttp import web

from content.model import Guide, Hall
from remote_nav import Layout, Rect
from tvportal import canvas
from tvportal.i18n import N_, gettext as _
from tvportal.keys import PUBLISHED
from tvportal.pagination import TextBlock, page_slice, paginate_text, parse_page
from tvportal.screen import Crumb, Screen, prefs_of, render
from tvportal.views.area import area_name, nearest_hall, viewer_area
from tvportal.views.guide_pages import (COMPACT_LEVELS, facts, filler_blocks, fit_facts, main_blocks,
                                        more_blocks, short_address, spoken_of, tv_action, updated_text)
from tvportal.views.lists import Entries, Entry, list_screen, page_href, text_screen, tile_layout

KIND_PAGES = {
    "booking": (N_("Book a visit"), "/booking"),
    "handling": (N_("Apply"), "/services/handling"),
    "query": (N_("Look up"), "/services/query"),
}
def guides_crumbs() -> list[Crumb]:
    """当前位置 of the guide section."""
    return [Crumb(_("Home"), "/"), Crumb(_("Service guides"), "/guides")]


async def categories(request: web.Request) -> web.Response:
    """Life topics (养老, 社保 …) as tiles."""
    snapshot = request.app[PUBLISHED].snapshot
    tiles = [(f"c-{c.id}", f"/guides/c/{c.id}", c.name,
              _("{n} guides").format(n=len(snapshot.guides_by_category.get(c.id, ()))))
             for c in snapshot.categories][:8]
    layout, paging = tile_layout(request, tiles, "/guides")
    screen = Screen(title=_("Service guides"), crumbs=guides_crumbs()[:1] + [Crumb(_("Service guides"))],
                    layout=layout, template="home.html", start=layout.items[0].id if layout.items else None,
                    **paging)
    return render(request, screen)


def _entries(guides: Sequence[Guide], base: str = "/guides/") -> Entries:
    """List rows for guides (made only for the page shown)."""
    return Entries(guides, lambda g: Entry(f"g-{g.id}", g.name, base + g.id, g.tv_service))


async def category(request: web.Request) -> web.Response:
    """The guides of one life topic, paged."""
    snapshot = request.app[PUBLISHED].snapshot
    cat = snapshot.category_by_id.get(request.match_info["category"])
    if cat is None:
        raise web.HTTPNotFound()
    guides = snapshot.guides_by_category.get(cat.id, ())
    screen = list_screen(request, cat.name, guides_crumbs() + [Crumb(cat.name)], _entries(guides),
                         base=f"/guides/c/{cat.id}", empty=_("No guides in this topic yet."))
    return render(request, screen)


async def kind_list(request: web.Request, kind: str) -> web.Response:
    """The services of one kind (我要办 / 便民查询), each opening its guide."""
    snapshot = request.app[PUBLISHED].snapshot
    title, base = KIND_PAGES[kind]
    screen = list_screen(request, _(title), [Crumb(_("Home"), "/"), Crumb(_(title))],
                         _entries(snapshot.guides_of_kind(kind), base=base + "/"), base=base)
    return render(request, screen)


async def handling_list(request: web.Request) -> web.Response:
    """我要办: the 7 handling services."""
    return await kind_list(request, "handling")


async def query_list(request: web.Request) -> web.Response:
    """便民查询: the 5 query services."""
    return await kind_list(request, "query")



MAX_SCREENS = {False: 4, True: 6}  # a guide's screens, normal and large text (issue 10); twice that at SD


@dataclass
class GuideText:
    """A guide laid out for one device: screen 1's facts, the text screens after it, and 更多信息."""

    facts: list[tuple[str, str]]
    pages: list[list[TextBlock]]  # screens 2..n
    more: list[TextBlock]
    hall: Hall | None
    area: str
    updated: str


def _fill(main: list[TextBlock], fillers: list[TextBlock], large: bool) -> tuple[list[list[TextBlock]], list]:
    """Main text on as few screens as it needs, then each filler that still fits without a new screen."""
    cv = canvas.current()
    metrics = cv.metrics(large)

    def pages_of(blocks: list[TextBlock]) -> list[list[TextBlock]]:
        """Blocks flowed over guide text screens."""
        return paginate_text(blocks, metrics, cv.TEXT.w, cv.guide_text_h, continued=_(" (continued)"))

    pages, taken, left = pages_of(main), list(main), []
    for block in fillers:
        trial = pages_of(taken + [block])
        if len(trial) == len(pages):
            pages, taken = trial, taken + [block]
        else:
            left.append(block)
    return pages, left


def guide_text(snapshot, guide: Guide, large: bool, county: str = "", town: str = "") -> GuideText:
    """Everything a guide's screens show for a viewer in ``county``/``town`` (either may be unknown)."""
    halls = [snapshot.hall_by_id[h] for h in guide.hall_ids if h in snapshot.hall_by_id]
    hall = nearest_hall(snapshot, halls, county, town)
    area = area_name(snapshot, county, town) if hall is not None and county else ""
    address = short_address(hall, snapshot.city.name) if hall is not None else ""
    updated = updated_text(guide)
    shown = fit_facts(facts(guide, hall, area, address), large)
    said = address if any(address and address in value for _label, value in shown) else ""
    for level in range(COMPACT_LEVELS):  # the first that fits the screens a guide may have
        main, moved = main_blocks(guide, hall, said, level)
        pages, left = _fill(main, moved + filler_blocks(guide, hall), large)
        if 1 + len(pages) <= MAX_SCREENS[large] * (2 if canvas.current().size == "sd" else 1):
            break
    return GuideText(shown, pages, left + more_blocks(guide, [h.name for h in halls], updated), hall, area, updated)


def _buttons(layout: Layout, buttons: list[tuple[str, str, str, bool]]) -> None:
    """The button row: up to four (id, label, href, replaces-history), 下一页 always at the right end."""
    cv = canvas.current()
    slots = 4 if cv.size == "hd" else 3
    row, gap = cv.BUTTON_ROW, cv.gap
    width = (row.w - gap * (slots - 1)) / slots
    for slot, (bid, label, href, replace) in enumerate(buttons[:slots - 1] + buttons[-1:] if len(buttons) > slots
                                                       else buttons):
        if bid == "pg-next":
            slot = slots - 1
        layout.add(bid, Rect(row.x + slot * (width + gap), row.y, width, row.h), group="pager", href=href,
                   label=label, replace=replace)


def guide_screen(request: web.Request, guide: Guide, base: str, parent: Crumb | None = None,
                 county: str | None = None) -> Screen:
    """A guide in at most 4 screens (6 in large text): the five facts, then the text, 更多信息 behind a button.

    ``county``: the signed-in person's county, used when this TV chose no area.
    """
    snapshot = request.app[PUBLISHED].snapshot
    prefs = prefs_of(request)
    if prefs.county:
        county, town = prefs.county, prefs.town
    else:
        county, town = county or "", ""
    text = guide_text(snapshot, guide, prefs.large_text, county, town)
    crumbs = [Crumb(_("Home"), "/")] + ([parent] if parent else [Crumb(_("Service guides"), "/guides")])
    crumbs.append(Crumb(guide.short_name))
    page = parse_page(request)
    _window, pages = page_slice(1 + len(text.pages), 1, page)
    prev_href = page_href(base, page - 1) if page > 1 else None
    next_href = page_href(base, page + 1) if page < pages else None
    booking = tuple(h for g in snapshot.guides_of_kind("booking") for h in g.hall_ids)
    action = tv_action(guide, booking, text.hall if text.area else None)  # unknown area: the list of halls
    buttons = [("pg-prev", "◀ " + _("Previous page"), prev_href, True)] if prev_href else []
    if page == 1:
        if action:
            buttons.append((*action, False))
        here = page_href(base, 1)
        buttons.append(("area", _("Your county") if not text.area else _("Change county"),
                        "/area?" + urlencode({"next": here}, quote_via=quote), True))
    buttons.append(("more", _("More information"), f"/guides/{guide.id}/more", False))
    if page == pages and page > 1 and action:
        buttons.append((*action, False))
    if next_href:
        buttons.append(("pg-next", _("Next page") + " ▶", next_href, True))
    layout = Layout(canvas.current().width, canvas.current().height)
    _buttons(layout, buttons)
    blocks = text.pages[page - 2] if page > 1 else []
    spoken = spoken_of("", text.facts) if page == 1 else spoken_of("", blocks)
    if page == 1:
        if guide.tts_text:
            spoken = [guide.tts_text]  # the editor's 朗读文本 replaces what screen 1 would say
        if text.updated:
            spoken.append(text.updated)
    screen = Screen(title=guide.name, crumbs=crumbs, layout=layout, template="guide.html",
                    start="pg-next" if next_href else layout.items[-1].id,
                    context={"facts": text.facts, "blocks": blocks, "guide": guide, "updated": text.updated},
                    page=page, pages=pages, prev_href=prev_href, next_href=next_href, page_flags={"rp": 1},
                    spoken=spoken)
    return screen


def more_screen(request: web.Request, guide: Guide) -> Screen:
    """更多信息: the remaining national elements of a guide (paged like any text, pages replacing each other)."""
    snapshot = request.app[PUBLISHED].snapshot
    text = guide_text(snapshot, guide, prefs_of(request).large_text)
    crumbs = [Crumb(_("Home"), "/"), Crumb(_("Service guides"), "/guides"), Crumb(guide.short_name),
              Crumb(_("More information"))]
    screen = text_screen(request, guide.name, crumbs, text.more, base=f"/guides/{guide.id}/more")
    for item in screen.layout.items:
        if item.id.startswith("pg-"):
            item.extra["replace"] = True
    screen.page_flags = {"rp": 1}
    screen.spoken = spoken_of(_("More information"), screen.context["blocks"])
    return screen


async def guide_more(request: web.Request) -> web.Response:
    """更多信息 of one guide."""
    guide = request.app[PUBLISHED].snapshot.guide_by_id.get(request.match_info["guide"])
    if guide is None:
        raise web.HTTPNotFound()
    return render(request, more_screen(request, guide))


async def guide_detail(request: web.Request) -> web.Response:
    """One guide, reached from a topic list, a service list or search."""
    snapshot = request.app[PUBLISHED].snapshot
    guide = snapshot.guide_by_id.get(request.match_info["guide"])
    if guide is None:
        raise web.HTTPNotFound()
    parent = None
    base = f"/guides/{guide.id}"
    section = request.match_info.get("section")
    if section is not None:
        if section not in ("handling", "query"):
            raise web.HTTPNotFound()
        title, href = KIND_PAGES[section]
        parent, base = Crumb(_(title), href), f"{href}/{guide.id}"
    county, _town, from_person = await viewer_area(request)
    screen = guide_screen(request, guide, base=base, parent=parent, county=county if from_person else None)
    screen.private = from_person  # named the signed-in person's hall: never cached
    return render(request, screen)
