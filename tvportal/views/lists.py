"""Paged list screens and text screens, shared by guides, halls, policies and search."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from remote_nav import Layout, Rect
from tvportal import canvas
from tvportal.i18n import gettext as _
from tvportal.pagination import TextBlock, page_slice, paginate_text, parse_page, text_width
from tvportal.screen import Crumb, Screen, prefs_of


PLACEHOLDER_MARK = "（示例）"


def marked(record: object, field: str, text: str) -> str:
    """Append 示例 to a value the content marks as a placeholder, so nobody takes it as official."""
    return text + PLACEHOLDER_MARK if text and field in getattr(record, "placeholders", ()) else text


@dataclass(frozen=True)
class Entry:
    """One row of a list screen."""

    id: str
    label: str
    href: str
    note: str = ""


class Entries(Sequence):
    """List rows made only for the records a page shows: a list of 5,000 guides costs what a page of 8 does."""

    def __init__(self, records: Sequence[Any], make: Callable[[Any], Entry]) -> None:
        """Rows of ``records`` (any sequence, e.g. a snapshot's precomputed tuple), each made by ``make``."""
        self._records = records
        self._make = make

    def __len__(self) -> int:
        """How many rows the list has."""
        return len(self._records)

    def __getitem__(self, index):
        """One row, or a list of the rows of a slice."""
        if isinstance(index, slice):
            return [self._make(r) for r in self._records[index]]
        return self._make(self._records[index])


def page_href(base: str, page: int, **query: str) -> str:
    """URL of one page of a paged screen."""
    params = dict(query)
    if page > 1:
        params["page"] = str(page)
    return base + ("?" + urlencode(params) if params else "")


def pager(layout: Layout, page: int, pages: int, base: str, **query: str) -> tuple[str | None, str | None]:
    """Add 上一页 / 下一页 buttons under the main area; return (prev, next) hrefs."""
    prev_href = page_href(base, page - 1, **query) if page > 1 else None
    next_href = page_href(base, page + 1, **query) if page < pages else None
    cv = canvas.current()
    row, width = cv.BUTTON_ROW, cv.button_w
    if prev_href:
        layout.add("pg-prev", Rect(row.x, row.y, width, row.h), group="pager", href=prev_href,
                   label="◀ " + _("Previous page"))
    if next_href:
        layout.add("pg-next", Rect(row.x + row.w - width, row.y, width, row.h), group="pager", href=next_href,
                   label=_("Next page") + " ▶")
    return prev_href, next_href


Tile = tuple[str, str, str, str]  # id, href, label, one-line note


def tile_layout(request: web.Request, tiles: Sequence[Tile], base: str) -> tuple[Layout, dict[str, Any]]:
    """Tiles numbered from 1, as many per screen as the canvas holds (8 at HD, 4 at SD), paged with
    上一页/下一页 replacing each other in the history; returns the layout and the Screen's paging fields."""
    cv = canvas.current()
    page = parse_page(request)
    window, pages = page_slice(len(tiles), cv.tiles_per_screen, page)
    shown = tiles[window]
    main = cv.MAIN
    area = main if pages == 1 else Rect(main.x, main.y, main.w, cv.BUTTON_ROW.y - cv.gap - main.y)
    layout = Layout(cv.width, cv.height)
    layout.grid([(tid, href, label) for tid, href, label, _note in shown], area, cols=cv.tile_cols, gap=cv.gap)
    for item, (_tid, _href, _label, note) in zip(layout.items, shown):
        item.extra["note"] = note
    layout.assign_digits("main")
    prev_href, next_href = pager(layout, page, pages, base)
    for item in layout.items:
        if item.group == "pager":
            item.extra["replace"] = True
    return layout, {"page": page, "pages": pages, "prev_href": prev_href, "next_href": next_href,
                    "page_flags": {"rp": 1} if pages > 1 else {}}


def list_screen(request: web.Request, title: str, crumbs: list[Crumb], entries: Sequence[Entry], base: str,
                empty: str = "", intro: str = "", **query: str) -> Screen:
    """A paged list of entries with number-key shortcuts."""
    cv = canvas.current()
    metrics = cv.metrics(prefs_of(request).large_text)
    page = parse_page(request)
    rows = metrics.list_rows - (1 if intro else 0)
    window, pages = page_slice(len(entries), rows, page)
    layout = Layout(cv.width, cv.height)
    area = cv.MAIN
    top = area.y + (metrics.line_px * 1.2 if intro else 0)
    row_h = (cv.BUTTON_ROW.y - 16 - top - 12 * (rows - 1)) / rows
    shown = entries[window]
    room = metrics.chars_per_line(area.w - 120)
    for i, entry in enumerate(shown):
        # a note is shown only where it leaves the name whole (notes are set at 24 px, names at body size)
        fits = text_width(entry.label) + text_width(entry.note) * 24 / metrics.body_px + 2 <= room
        layout.add(entry.id, Rect(area.x, top + i * (row_h + 12), area.w, row_h), href=entry.href,
                   label=entry.label, note=entry.note if fits else "")
    layout.assign_digits("main")
    prev_href, next_href = pager(layout, page, pages, base, **query)
    screen = Screen(title=title, crumbs=crumbs, layout=layout, template="list.html",
                    start=shown[0].id if shown else (next_href and "pg-next"),
                    context={"intro": intro, "empty": empty if not entries else ""},
                    page=page, pages=pages, prev_href=prev_href, next_href=next_href)
    screen.spoken = [intro] if intro else []
    screen.spoken += [empty] if not entries and empty else menu_sentences(layout)
    return screen


def menu_sentences(layout: Layout, group: str = "main") -> list[str]:
    """The items of a list or menu with their number keys (2，预约办理), so a listener hears every choice."""
    return [f"{item.digit}，{item.label}" + (f"，{item.extra['note']}" if item.extra.get("note") else "")
            for item in layout.items if item.group == group and item.label and item.digit is not None]


def text_sentences(blocks: list[TextBlock]) -> list[str]:
    """A screen of text as it reads: each heading, then its paragraphs."""
    return [text for block in blocks for text in (block.heading, *block.paragraphs) if text]


def text_screen(request: web.Request, title: str, crumbs: list[Crumb], blocks: list[TextBlock], base: str,
                first_page: list[TextBlock] | None = None, extra_buttons: list[tuple[str, str, str]] = (),
                template: str = "text.html", context: dict | None = None) -> Screen:
    """Text split into pages that fit the screen, with 上一页/下一页 and optional extra buttons."""
    cv = canvas.current()
    metrics = cv.metrics(prefs_of(request).large_text)
    pages_of_text = paginate_text(blocks, metrics, cv.TEXT.w, cv.TEXT.h, continued=_(" (continued)"))
    if first_page is not None:
        pages_of_text.insert(0, first_page)
    page = parse_page(request)
    _window, pages = page_slice(len(pages_of_text), 1, page)
    layout = Layout(cv.width, cv.height)
    prev_href, next_href = pager(layout, page, pages, base)
    row = cv.BUTTON_ROW
    # extra buttons share the room between 上一页 and 下一页
    x, room = row.x + cv.button_w + cv.gap, row.w - 2 * (cv.button_w + cv.gap)
    for button_id, label, href in extra_buttons:
        width = min(500, (room - cv.gap * (len(extra_buttons) - 1)) / len(extra_buttons))
        layout.add(button_id, Rect(x, row.y, width, row.h), group="pager", href=href, label=label)
        x += width + cv.gap
    if not layout.items:  # a one-page text with nothing else to press still needs a way out
        parent = next((c.href for c in reversed(crumbs[:-1]) if c.href), "/")
        layout.add("up", Rect(row.x, row.y, min(400, row.w), row.h), group="pager", href=parent,
                   label="◀ " + _("Back"))
    start = "pg-next" if next_href else layout.items[0].id
    screen = Screen(title=title, crumbs=crumbs, layout=layout, template=template, start=start,
                    context={"blocks": pages_of_text[page - 1], **(context or {})},
                    page=page, pages=pages, prev_href=prev_href, next_href=next_href)
    screen.spoken = text_sentences(pages_of_text[page - 1])
    return screen
