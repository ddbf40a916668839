"""Rendered TV pages kept in memory until the published content changes.

A content page is a pure function of the content version, the city's date, the device's display
preferences, the remote's key profile, whether the box takes gzip, the path and the few query parameters
pages read (``PARAMS``).  The key is exactly that: not the raw User-Agent (firmware builds differ in it,
not in their keys), and the query is normalised (only ``PARAMS``, sorted), so a box that adds a tracking
parameter still hits the cache; the page itself is rendered from the same normalised query, so a
parameter left out of the key can never change what is cached.  Only routes registered as cacheable
(TV content pages, not flows or the editor) use the cache.  Memory is bounded by entries and bytes.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from multidict import MultiMapping

MAX_ENTRIES = 4096
MAX_BYTES = 64 * 1024 * 1024
PARAMS = ("d", "f", "page", "q")  # every query parameter a cacheable page reads (tests/test_page_cache.py)
MAX_PARAM_CHARS = 64  # longer values are not typed on a remote: such a request is rendered, not cached


@dataclass(frozen=True)
class CachedPage:
    """The bytes and headers of one rendered page."""

    body: bytes
    headers: tuple[tuple[str, str], ...]
    content_type: str
    charset: str | None


def normal_query(query: MultiMapping[str]) -> list[tuple[str, str]] | None:
    """The query a cacheable page is rendered from: its parameters in ``PARAMS``, first value each, sorted.

    None when a value is too long to be worth a cache entry.
    """
    kept = []
    for name in PARAMS:
        value = query.get(name)
        if value is None:
            continue
        if len(value) > MAX_PARAM_CHARS:
            return None
        kept.append((name, value))
    return kept


class PageCache:
    """A bounded LRU of rendered pages of one content version, with hit counters."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        """Start empty."""
        self._pages: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._version: object = None
        self._bytes = 0
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.routes: set[str] = set()  # canonical paths of cacheable routes (routes.py)
        self.viewer_routes: set[str] = set()  # of those, the ones that differ for a signed-in person
        self.hits = self.misses = self.evictions = 0

    def get(self, key: tuple, version: object) -> CachedPage | None:
        """The cached page for ``key``, if it was rendered from content ``version``; older pages are dropped."""
        if version != self._version:
            self._pages.clear()
            self._bytes = 0
            self._version = version
        page = self._pages.get(key)
        if page is None:
            self.misses += 1
            return None
        self.hits += 1
        self._pages.move_to_end(key)
        return page

    def put(self, key: tuple, page: CachedPage, version: object) -> None:
        """Remember a page rendered from ``version``, dropping the least recently used ones when full."""
        if version != self._version or len(page.body) > self.max_bytes // 16:
            return  # the content changed while it was rendered, or one page would crowd out the rest
        old = self._pages.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._pages[key] = page
        self._bytes += len(page.body)
        while len(self._pages) > self.max_entries or self._bytes > self.max_bytes:
            _key, dropped = self._pages.popitem(last=False)
            self._bytes -= len(dropped.body)
            self.evictions += 1

    def stats(self) -> dict[str, float]:
        """Entries, bytes, hits, misses, evictions and the hit ratio since start."""
        total = self.hits + self.misses
        return {"entries": len(self._pages), "bytes": self._bytes, "hits": self.hits, "misses": self.misses,
                "evictions": self.evictions, "hit_ratio": self.hits / total if total else 0.0}

    def __len__(self) -> int:
        """How many pages are cached."""
        return len(self._pages)
