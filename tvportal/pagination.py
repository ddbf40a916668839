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

from aiohttp import web

from tvportal.canvas import Metrics

_SENTENCE_END = re.compile(r"(?<=[。！？；;])")


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


def text_width(text: str) -> float:
    """Width of ``text`` in CJK-character units."""
    width = 0.0
    for ch in text:
        width += 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55
    return width


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


def _lines(paragraph: str, cpl: int) -> int:
    """Lines a paragraph takes at ``cpl`` characters per line."""
    return max(1, math.ceil(text_width(paragraph) / cpl))


def _split_paragraph(paragraph: str, cpl: int, max_lines: int) -> list[str]:
    """Split a paragraph that is too long for one page at sentence ends (or hard, if it must)."""
    pieces: list[str] = []
    current = ""
    for sentence in (s for s in _SENTENCE_END.split(paragraph) if s):
        while _lines(sentence, cpl) > max_lines:  # one sentence longer than a page
            cut = clip(sentence, cpl * max_lines, more="")
            if current:
                pieces.append(current)
                current = ""
            pieces.append(cut)
            sentence = sentence[len(cut):]
        if current and _lines(current + sentence, cpl) > max_lines:
            pieces.append(current)
            current = sentence
        else:
            current += sentence
    if current:
        pieces.append(current)
    return pieces


def paginate_text(blocks: list[TextBlock], metrics: Metrics, width: float, height: float,
                  continued: str) -> list[list[TextBlock]]:
    """Pack blocks into pages that fit ``width`` x ``height``; a split block's heading gets ``continued``."""
    cpl = metrics.chars_per_line(width)
    max_lines = metrics.lines_in(height)
    heading_lines = 1.3  # headings are a little larger, with space above
    pages: list[list[TextBlock]] = []
    page: list[TextBlock] = []
    used = 0.0

    def new_page() -> None:
        """Close the current page and start an empty one."""
        nonlocal page, used
        if page:
            pages.append(page)
        page, used = [], 0.0

    for block in blocks:
        paragraphs = [piece for p in block.paragraphs for piece in _split_paragraph(p, cpl, max_lines - 2)]
        if used + heading_lines + (_lines(paragraphs[0], cpl) if paragraphs else 0) > max_lines:
            new_page()
        current = TextBlock(block.heading)
        page.append(current)
        used += heading_lines
        for paragraph in paragraphs:
            need = _lines(paragraph, cpl)
            if used + need > max_lines:
                new_page()
                current = TextBlock(block.heading + continued)
                page.append(current)
                used += heading_lines
            current.paragraphs.append(paragraph)
            used += need
    new_page()
    return pages or [[]]


def page_slice(count: int, per_page: int, page: int) -> tuple[slice, int]:
    """The slice of items on ``page`` and the number of pages; a page past the end is a 404."""
    pages = max(1, math.ceil(count / per_page))
    if page > pages:
        raise web.HTTPNotFound(reason="page")
    start = (page - 1) * per_page
    return slice(start, start + per_page), pages
