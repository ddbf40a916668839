"""Splitting lists and long text into screens: the TV never scrolls.

Text is measured in "width units": a CJK character or full-width punctuation mark is 1, an
ASCII character about 0.55 (the fonts' advance widths).  Lines are estimated from that, and
blocks are packed greedily into pages; a block that is too long is split at sentence ends.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from aiohttp import web

from tvportal.canvas import Metrics



class BadPageNumber(web.HTTPBadRequest):
    """The page parameter is not a whole number of 1 or more."""


def parse_page(request: web.Request) -> int:
    """The ``page`` query parameter (1 when absent); malformed values are a 400."""
    raw = request.query.get("page")
    if raw is None:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= 999:
        raise BadPageNumber(reason="page")
    return int(raw)


# Latin glyphs of the CJK fonts, in em (measured in Chromium with Noto Sans CJK SC); ambiguous-width
# characters (“”…—) are set full width by a CJK font
_NARROW = {c: 0.3 for c in " .,:;!|'il()[]/-"}
_NARROW.update({c: 0.95 for c in "mwMW@%"})


@lru_cache(maxsize=4096)
def char_width(ch: str) -> float:
    """Width of one character in em (a CJK character is 1)."""
    if unicodedata.east_asian_width(ch) in ("W", "F", "A"):
        return 1.0
    if ch.isupper():
        return _NARROW.get(ch, 0.68)
    return _NARROW.get(ch, 0.57)


def text_width(text: str) -> float:
    """Width of ``text`` in CJK-character units."""
    return sum(char_width(ch) for ch in text)


# kinsoku: a line never starts with a closing mark nor ends with an opening one (the browser moves
# a character along with it), and a run of Latin letters or digits is never broken
_NO_START = set("，。、；：？！）》」』】”’…,.;:?!)%")
_NO_END = set("（《「『【“‘(")
_WORD = re.compile(r"[A-Za-z0-9@#&*+=._/:-]+|.", re.S)


def wrap(text: str, width: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` em, as the browser breaks Chinese text."""
    lines: list[str] = []
    line, used = "", 0.0
    for piece in _WORD.findall(text):
        size = text_width(piece)
        if used + size <= width or not line:
            line, used = line + piece, used + size
            continue
        carry = ""
        if piece[0] in _NO_START or line[-1] in _NO_END:
            carry, line = line[-1], line[:-1]  # the mark takes the character before it along
        lines.append(line)
        line = carry + piece
        used = text_width(line)
        while used > width and len(line) > 1:  # a word longer than a line is cut by the browser too
            cut = clip(line, width, more="")
            lines.append(cut)
            line = line[len(cut):]
            used = text_width(line)
    if line or not lines:
        lines.append(line)
    return lines


def clip(text: str, units: float, more: str = "……") -> str:
    """Cut ``text`` to at most ``units`` wide, ending with ``more`` when cut."""
    if text_width(text) <= units:
        return text
    budget = units - text_width(more)
    out, used = [], 0.0
    for ch in text:
        used += text_width(ch)
        if used > budget:
            break
        out.append(ch)
    return "".join(out) + more


@dataclass
class TextBlock:
    """A heading with paragraphs, the unit that text pages are made of."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)


def paginate_text(blocks: list[TextBlock], metrics: Metrics, width: float, height: float,
                  continued: str) -> list[list[TextBlock]]:
    """Pack blocks into pages of ``width`` x ``height`` px, filling each page: a paragraph that does not fit
    is split at a line break and goes on, under its heading plus ``continued``, on the next page.

    A heading never ends a page; lines are the browser's (``wrap``) at the body size.
    """
    cpl = width / metrics.body_px
    line, head = metrics.line_px, metrics.heading_px
    pages: list[list[TextBlock]] = []
    page: list[TextBlock] = []
    used = 0.0

    def start(heading: str) -> TextBlock:
        """Open a block on the current page, or on a new one when not even one line fits under its heading."""
        nonlocal page, used
        if page and used + head + line > height:
            pages.append(page)
            page, used = [], 0.0
        block = TextBlock(heading)
        page.append(block)
        used += head
        return block

    for block in blocks:
        current = start(block.heading)
        for paragraph in block.paragraphs:
            lines = wrap(paragraph, cpl)
            while lines:
                room = max(0, int((height - used + 0.5) // line))
                if room == 0:
                    current = start(block.heading + continued)
                    room = max(1, int((height - used + 0.5) // line))
                current.paragraphs.append("".join(lines[:room]))
                used += min(room, len(lines)) * line
                lines = lines[room:]
                if lines:
                    used = height  # the page is full: the rest goes on the next one
    if page:
        pages.append(page)
    return pages or [[]]


def page_slice(count: int, per_page: int, page: int) -> tuple[slice, int]:
    """The slice of items on ``page`` and the number of pages; a page past the end is a 404."""
    pages = max(1, math.ceil(count / per_page))
    if page > pages:
        raise web.HTTPNotFound(reason="page")
    start = (page - 1) * per_page
    return slice(start, start + per_page), pages
