"""Declared page layouts: focusable boxes on the 1280x720 canvas, and the map pages embed.

Page code places every focusable item here (instead of letting the browser lay
them out and measuring afterwards) so that the neighbour map can be computed on
the server.  The same rectangles are written into the page's CSS, which keeps
what the user sees and what the remote does in step.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from .focus_graph import memory_exempt, neighbours
from .geometry import CANVAS_H, CANVAS_W, EPS, Rect

# Ids double as HTML element ids and are stored by the runtime as "id;group:id"
# strings, so they must not contain separators.
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
MAX_DIGIT = 9


@dataclass
class Focusable:
    """One item the remote can focus: element id, box, group, link target, label, digit shortcut."""

    id: str
    rect: Rect
    group: str = "main"
    href: str | None = None
    label: str = ""
    digit: int | None = None
    extra: dict = field(default_factory=dict)


GridEntry = tuple[str, "str | None", str]


class Layout:
    """Focusables in declaration order, with helpers that place them on the canvas."""

    def __init__(self, width: float = CANVAS_W, height: float = CANVAS_H) -> None:
        """Start an empty layout on a width x height canvas."""
        self.width = width
        self.height = height
        self._items: list[Focusable] = []
        self._by_id: dict[str, Focusable] = {}

    @property
    def items(self) -> list[Focusable]:
        """The focusables in declaration order (a copy)."""
        return list(self._items)

    def __iter__(self):
        """Iterate over the focusables in declaration order."""
        return iter(list(self._items))

    def __len__(self) -> int:
        """Number of focusables."""
        return len(self._items)

    def __contains__(self, item_id: object) -> bool:
        """True if an item with this id has been declared."""
        return item_id in self._by_id

    def get(self, item_id: str) -> Focusable:
        """The focusable with this id (KeyError if absent)."""
        return self._by_id[item_id]

    def groups(self) -> list[str]:
        """Group names in order of first declaration."""
        return list(dict.fromkeys(item.group for item in self._items))

    def add(
        self, id: str, rect: Rect, group: str = "main", href: str | None = None, label: str = "", **extra: Any
    ) -> Focusable:
        """Declare one focusable; ids must be unique and the box must lie on the canvas."""
        if not _NAME.match(id):
            raise ValueError(f"bad focusable id {id!r}: use letters, digits, '-' and '_' (letter first)")
        if not _NAME.match(group):
            raise ValueError(f"bad group name {group!r}")
        if id in self._by_id:
            raise ValueError(f"duplicate focusable id {id!r}")
        if not (rect.w > EPS and rect.h > EPS):
            raise ValueError(f"{id!r}: a focusable needs a positive width and height, got {rect}")
        if not all(math.isfinite(v) for v in (rect.x, rect.y, rect.w, rect.h)):
            raise ValueError(f"{id!r}: non-finite rectangle {rect}")
        if not rect.inside(self.width, self.height):
            raise ValueError(f"{id!r}: {rect} is outside the {self.width:g}x{self.height:g} canvas")
        item = Focusable(id=id, rect=rect, group=group, href=href, label=label, extra=dict(extra))
        self._items.append(item)
        self._by_id[id] = item
        return item

    def grid(
        self,
        ids_hrefs_labels: list[GridEntry | None],
        area: Rect,
        cols: int,
        gap: float = 24,
        group: str = "main",
        row_height: float | None = None,
    ) -> list[Focusable]:
        """Place entries row by row in equal cells inside ``area``; a None entry leaves its cell empty."""
        if cols < 1:
            raise ValueError("cols must be at least 1")
        if not ids_hrefs_labels:
            return []
        rows = math.ceil(len(ids_hrefs_labels) / cols)
        cell_w = (area.w - gap * (cols - 1)) / cols
        if row_height is None:
            row_height = (area.h - gap * (rows - 1)) / rows
        if cell_w <= EPS or row_height <= EPS:
            raise ValueError(f"{len(ids_hrefs_labels)} cells in {cols} columns do not fit in {area}")
        if rows * row_height + (rows - 1) * gap > area.h + EPS:
            raise ValueError(f"{rows} rows of {row_height:g} px do not fit in {area}")
        placed: list[Focusable] = []
        for index, entry in enumerate(ids_hrefs_labels):
            if entry is None:
                continue
            item_id, href, label = entry
            row, col = divmod(index, cols)
            rect = Rect(area.x + col * (cell_w + gap), area.y + row * (row_height + gap), cell_w, row_height)
            placed.append(self.add(item_id, rect, group=group, href=href, label=label))
        return placed

    def column(
        self,
        ids_hrefs_labels: list[GridEntry | None],
        area: Rect,
        gap: float = 24,
        group: str = "main",
        row_height: float | None = None,
    ) -> list[Focusable]:
        """Stack entries top to bottom inside ``area`` (a one-column grid)."""
        return self.grid(ids_hrefs_labels, area, cols=1, gap=gap, group=group, row_height=row_height)

    def row(
        self, ids_hrefs_labels: list[GridEntry | None], area: Rect, gap: float = 24, group: str = "main"
    ) -> list[Focusable]:
        """Place entries left to right inside ``area`` (a one-row grid)."""
        return self.grid(ids_hrefs_labels, area, cols=max(1, len(ids_hrefs_labels)), gap=gap, group=group)

    def reading_order(self, group: str | None = None) -> list[Focusable]:
        """Items (of one group, or all) top-to-bottom, then left-to-right within a visual row."""
        pool = [i for i in self._items if group is None or i.group == group]
        pool.sort(key=lambda i: (i.rect.y, i.rect.x))
        ordered: list[Focusable] = []
        row: list[Focusable] = []
        for item in pool:
            # An item starting above the middle of the row's first item belongs to
            # that row, so a tall tile and the short ones beside it read as one row.
            if row and item.rect.y >= row[0].rect.cy - EPS:
                ordered.extend(sorted(row, key=lambda i: i.rect.x))
                row = []
            row.append(item)
        ordered.extend(sorted(row, key=lambda i: i.rect.x))
        return ordered

    def assign_digits(self, group: str = "main", start: int = 1) -> dict[str, int]:
        """Give the group's items digit shortcuts start..9 in reading order (0 stays reserved)."""
        if not 1 <= start <= MAX_DIGIT:
            raise ValueError("digit shortcuts run from 1 to 9; 0 is reserved")
        taken = {i.digit: i.id for i in self._items if i.digit is not None and i.group != group}
        ordered = self.reading_order(group)
        pairs = list(zip(range(start, MAX_DIGIT + 1), ordered))
        for digit, _item in pairs:
            if digit in taken:
                raise ValueError(f"digit {digit} is already used by {taken[digit]!r}")
        # Checked first and applied after, so a refused call leaves the layout unchanged.
        for item in ordered:
            item.digit = None
        for digit, item in pairs:
            item.digit = digit
        return {item.id: digit for digit, item in pairs}

    def to_map(self, start: str | None = None, remembered: dict[str, str] | None = None) -> dict:
        """The JSON-able focus map the page embeds as window.TVNAV (format in docs/remote-navigation.md)."""
        if not self._items:
            raise ValueError("an empty layout has nothing to focus")
        if start is None:
            main = [i for i in self._items if i.group == "main"]
            start = (main or self._items)[0].id
        if start not in self._by_id:
            raise ValueError(f"start item {start!r} is not in the layout")
        nbrs = neighbours(self._items, start=start)
        exempt = memory_exempt(self._items, nbrs)
        items: dict[str, dict[str, Any]] = {}
        for item in self._items:
            entry: dict[str, Any] = {}
            for direction in ("up", "down", "left", "right"):
                target = nbrs[item.id][direction]
                if target is not None:
                    entry[direction[0]] = target
            entry["g"] = item.group
            if item.digit is not None:
                entry["n"] = item.digit
            if item.href is not None:
                entry["h"] = item.href
                if item.extra.get("replace"):
                    entry["rp"] = 1
            if item.id in exempt:
                entry["x"] = exempt[item.id]
            items[item.id] = entry
        groups: dict[str, dict[str, str]] = {}
        for item in self._items:
            groups.setdefault(item.group, {"first": item.id})
        for group, item_id in (remembered or {}).items():
            if group not in groups:
                raise ValueError(f"remembered group {group!r} is not in the layout")
            if item_id not in self._by_id or self._by_id[item_id].group != group:
                raise ValueError(f"remembered item {item_id!r} is not in group {group!r}")
            groups[group]["last"] = item_id
        return {"start": start, "items": items, "groups": groups}
