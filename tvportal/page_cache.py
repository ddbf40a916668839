"""Rendered TV pages kept in memory until the published content changes.

Published content only changes when a new Snapshot is swapped in, so a page is a pure
function of (URL, the device's display preferences, its key profile, today's date, the
snapshot).  Caching the final bytes (already gzip-compressed where the client accepts it)
makes a guide page cost about what a static file costs; the cache empties itself when the
snapshot changes and holds at most ``MAX_ENTRIES`` pages.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from content.snapshot import Snapshot

MAX_ENTRIES = 4096


@dataclass(frozen=True)
class CachedPage:
    """The bytes and headers of one rendered page."""

    body: bytes
    headers: tuple[tuple[str, str], ...]
    content_type: str
    charset: str | None


class PageCache:
    """A bounded LRU of rendered pages for one snapshot of the content."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        """Start empty."""
        self._pages: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._snapshot: Snapshot | None = None
        self.max_entries = max_entries

    def get(self, key: tuple, snapshot: Snapshot) -> CachedPage | None:
        """The cached page for ``key``, if it was rendered from this snapshot."""
        if snapshot is not self._snapshot:
            self._pages.clear()
            self._snapshot = snapshot
            return None
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: tuple, page: CachedPage) -> None:
        """Remember a page, dropping the least recently used one when full."""
        self._pages[key] = page
        if len(self._pages) > self.max_entries:
            self._pages.popitem(last=False)

    def __len__(self) -> int:
        """How many pages are cached."""
        return len(self._pages)
