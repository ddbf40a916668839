"""The published content held in memory: TV pages read this, never the database.

A Snapshot is immutable; a change to the content builds a new one and swaps the reference
(``app[SNAPSHOT]``), so a page being rendered never sees half an update.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from content import store
from content.model import Category, City, Guide, Hall, Policy


@dataclass(frozen=True)
class Snapshot:
    """Published content with the indexes the TV pages need."""

    city: City
    categories: tuple[Category, ...]
    guides: tuple[Guide, ...]
    halls: tuple[Hall, ...]
    policies: tuple[Policy, ...]
    guide_by_id: dict[str, Guide] = field(init=False)
    hall_by_id: dict[str, Hall] = field(init=False)
    policy_by_id: dict[str, Policy] = field(init=False)
    category_by_id: dict[str, Category] = field(init=False)
    guides_by_category: dict[str, tuple[Guide, ...]] = field(init=False)
    halls_by_county: dict[str, tuple[Hall, ...]] = field(init=False)

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

    def guides_of_kind(self, kind: str) -> tuple[Guide, ...]:
        """Guides of one kind (booking, handling, query, info) in stored order."""
        return tuple(g for g in self.guides if g.kind == kind)

    def policies_newest_first(self) -> tuple[Policy, ...]:
        """Policy articles, newest first."""
        return tuple(sorted(self.policies, key=lambda p: p.date, reverse=True))

    def search(self, query: str) -> list[Guide | Policy | Hall]:
        """Plain substring search over names and summaries (the content issue adds pinyin)."""
        words = [w for w in query.split() if w]
        if not words:
            return []

        def score(texts: tuple[str, ...]) -> int:
            """Weight matches in the name above matches in the summary."""
            name, *rest = texts
            total = 0
            for word in words:
                if word in name:
                    total += 10
                elif any(word in t for t in rest):
                    total += 1
                else:
                    return 0
            return total

        scored: list[tuple[int, int, Guide | Policy | Hall]] = []
        for g in self.guides:
            scored.append((score((g.name + g.short_name, g.summary, g.department)), g.popularity, g))
        for p in self.policies:
            scored.append((score((p.title, p.summary)), 0, p))
        for h in self.halls:
            scored.append((score((h.name, h.county, h.town, h.address)), 0, h))
        hits = [t for t in scored if t[0] > 0]
        hits.sort(key=lambda t: (-t[0], -t[1]))
        return [t[2] for t in hits]


def build_snapshot(conn: sqlite3.Connection) -> Snapshot:
    """Read the published content of the store into a new Snapshot."""
    return Snapshot(
        city=store.load_city(conn),
        categories=tuple(store.load_all(conn, "category")),
        guides=tuple(store.load_all(conn, "guide")),
        halls=tuple(store.load_all(conn, "hall")),
        policies=tuple(store.load_all(conn, "policy")),
    )


class Published:
    """Holds the snapshot TV pages read; publishing swaps it in one assignment."""

    def __init__(self, snapshot: Snapshot) -> None:
        """Start with the snapshot built at start-up."""
        self.snapshot = snapshot

    def swap(self, snapshot: Snapshot) -> None:
        """Make ``snapshot`` the published content (readers see the old or the new, never a mix)."""
        self.snapshot = snapshot
