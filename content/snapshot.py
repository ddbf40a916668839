"""The published content held in memory: TV pages read this, never the database.

A Snapshot is immutable; a change to the content builds a new one and swaps the reference
(``app[SNAPSHOT]``), so a page being rendered never sees half an update.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from content import store
from content.model import Bundle, Category, City, Guide, Hall, Policy
from content.search import Hit, SearchIndex, search as run_search


@dataclass(frozen=True)
class Snapshot:
    """Published content with the indexes the TV pages need."""

    city: City
    categories: tuple[Category, ...]
    guides: tuple[Guide, ...]
    halls: tuple[Hall, ...]
    policies: tuple[Policy, ...]
    bundles: tuple[Bundle, ...] = ()
    guide_by_id: dict[str, Guide] = field(init=False)
    hall_by_id: dict[str, Hall] = field(init=False)
    policy_by_id: dict[str, Policy] = field(init=False)
    category_by_id: dict[str, Category] = field(init=False)
    guides_by_category: dict[str, tuple[Guide, ...]] = field(init=False)
    halls_by_county: dict[str, tuple[Hall, ...]] = field(init=False)
    bundle_by_id: dict[str, Bundle] = field(init=False)
    search_index: SearchIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Build the lookup tables once."""
        by_cat: dict[str, list[Guide]] = defaultdict(list)
        for guide in sorted(self.guides, key=lambda g: -g.popularity):
            for cat in guide.categories:
                by_cat[cat].append(guide)
        by_county: dict[str, list[Hall]] = defaultdict(list)
        level_rank = {"市": 0, "县": 1, "乡镇": 2, "村": 3}
        for hall in sorted(self.halls, key=lambda h: (level_rank.get(h.level, 9), h.id)):
            by_county[hall.county_code].append(hall)
        object.__setattr__(self, "guide_by_id", {g.id: g for g in self.guides})
        object.__setattr__(self, "hall_by_id", {h.id: h for h in self.halls})
        object.__setattr__(self, "policy_by_id", {p.id: p for p in self.policies})
        object.__setattr__(self, "category_by_id", {c.id: c for c in self.categories})
        object.__setattr__(self, "guides_by_category", {k: tuple(v) for k, v in by_cat.items()})
        object.__setattr__(self, "halls_by_county", {k: tuple(v) for k, v in by_county.items()})
        object.__setattr__(self, "bundle_by_id", {b.id: b for b in self.bundles})
        topics = {c.id: [c.name, *c.keywords] for c in self.categories}
        object.__setattr__(self, "search_index", SearchIndex((*self.guides, *self.policies, *self.halls), topics))

    def guides_of_kind(self, kind: str) -> tuple[Guide, ...]:
        """Guides of one kind (booking, handling, query, info) in stored order."""
        return tuple(g for g in self.guides if g.kind == kind)

    def policies_newest_first(self) -> tuple[Policy, ...]:
        """Policy articles, newest first."""
        return tuple(sorted(self.policies, key=lambda p: p.date, reverse=True))

    def search(self, query: str, limit: int = 60) -> list[Guide | Policy | Hall]:
        """Records matching ``query`` (Chinese, pinyin, or keypad digits), best and most popular first."""
        return [hit.record for hit in run_search(self.search_index, query, limit)]

    def search_hits(self, query: str, limit: int = 60) -> list[Hit]:
        """Like ``search`` but with each hit's kind, link and match tier (content/search.py)."""
        return run_search(self.search_index, query, limit)


def build_snapshot(conn: Any) -> Snapshot:
    """Read the published content of the store into a new Snapshot."""
    return Snapshot(
        city=store.load_city(conn),
        categories=tuple(store.load_all(conn, "category")),
        guides=tuple(store.load_all(conn, "guide")),
        halls=tuple(store.load_all(conn, "hall")),
        policies=tuple(store.load_all(conn, "policy")),
        bundles=tuple(store.load_all(conn, "bundle")),
    )


class Published:
    """Holds the snapshot TV pages read; publishing swaps it in one assignment."""

    def __init__(self, snapshot: Snapshot) -> None:
        """Start with the snapshot built at start-up."""
        self.snapshot = snapshot
        self._rebuilding = asyncio.Lock()

    def swap(self, snapshot: Snapshot) -> None:
        """Make ``snapshot`` the published content (readers see the old or the new, never a mix)."""
        self.snapshot = snapshot

    async def republish(self, db: Any) -> None:
        """Rebuild from the store and swap, off the event loop: with 10,000 guides the search index alone
        takes seconds.  ``db`` is the portal's Database (anything with ``read_sync(fn)``); one rebuild runs
        at a time, so the last one to finish has read the newest committed state."""
        async with self._rebuilding:
            self.swap(await asyncio.to_thread(snapshot_from, db))


def snapshot_from(db: Any) -> Snapshot:
    """Build a snapshot through a connection of its own (for a worker thread)."""
    return db.read_sync(build_snapshot)
