"""The published content held in memory: TV pages read this, never the database.

A Snapshot is immutable; a change to the content makes a new one and swaps the reference
(``Published.snapshot``), so a page being rendered never sees half an update.  A new snapshot is made
from the old one and the changes after its content version (``Snapshot.updated``): the lookup tables
are rebuilt (cheap) but the search index re-indexes only the changed records (content/search.py), so a
publish at 10,000 guides costs milliseconds, not the seconds a full build takes.  Everything a TV page
lists (guides of a kind, of a topic, the most popular, policies by date) is computed here once, so no
request pays for the number of guides.
"""

from __future__ import annotations

import asyncio
import bisect
import copy
import ctypes
import ctypes.util
import gc
import logging
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from content import index_cache, segment_store, store
from content.decode import compact
from content.model import Bundle, Category, City, Guide, Hall, Policy
from content.outage import Outage
from content.search import Hit, SearchIndex, Segment, load_readings, search as run_search

log = logging.getLogger(__name__)
KIND_FIELDS = {"category": "categories", "guide": "guides", "hall": "halls", "policy": "policies", "bundle": "bundles"}
SEARCHED = ("guide", "policy", "hall")
POPULAR = 60  # most popular guides kept ready (the search page's suggestions)
LEVEL_RANK = {"市": 0, "县": 1, "乡镇": 2, "村": 3}


@dataclass(frozen=True)
class Snapshot:
    """Published content of one content version, with the indexes the TV pages need."""

    city: City
    categories: tuple[Category, ...]
    guides: tuple[Guide, ...]
    halls: tuple[Hall, ...]
    policies: tuple[Policy, ...]
    bundles: tuple[Bundle, ...] = ()
    version: int = 0
    positions: dict[tuple[str, str], int] = field(default_factory=dict, repr=False, compare=False)
    digests: dict[tuple[str, str], str] = field(default_factory=dict, repr=False, compare=False)  # of stored JSON
    search_index: SearchIndex | None = field(default=None, repr=False, compare=False)
    stage: int = field(default=0, repr=False, compare=False)  # search index swapped in after the records (with_index)
    guide_by_id: dict[str, Guide] = field(init=False, repr=False, compare=False)
    hall_by_id: dict[str, Hall] = field(init=False, repr=False, compare=False)
    policy_by_id: dict[str, Policy] = field(init=False, repr=False, compare=False)
    category_by_id: dict[str, Category] = field(init=False, repr=False, compare=False)
    bundle_by_id: dict[str, Bundle] = field(init=False, repr=False, compare=False)
    guides_by_category: dict[str, tuple[Guide, ...]] = field(init=False, repr=False, compare=False)
    guides_by_kind: dict[str, tuple[Guide, ...]] = field(init=False, repr=False, compare=False)
    halls_by_county: dict[str, tuple[Hall, ...]] = field(init=False, repr=False, compare=False)
    popular_guides: tuple[Guide, ...] = field(init=False, repr=False, compare=False)
    newest_policies: tuple[Policy, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Build the lookup tables and lists once (and the search index, unless one is given)."""
        by_popularity = sorted(self.guides, key=lambda g: -g.popularity)
        by_cat: dict[str, list[Guide]] = defaultdict(list)
        for guide in by_popularity:
            for cat in guide.categories:
                by_cat[cat].append(guide)
        by_kind: dict[str, list[Guide]] = defaultdict(list)
        for guide in self.guides:
            by_kind[guide.kind].append(guide)
        by_county: dict[str, list[Hall]] = defaultdict(list)
        for hall in sorted(self.halls, key=lambda h: (LEVEL_RANK.get(h.level, 9), h.id)):
            by_county[hall.county_code].append(hall)
        put = object.__setattr__
        put(self, "guide_by_id", {g.id: g for g in self.guides})
        put(self, "hall_by_id", {h.id: h for h in self.halls})
        put(self, "policy_by_id", {p.id: p for p in self.policies})
        put(self, "category_by_id", {c.id: c for c in self.categories})
        put(self, "bundle_by_id", {b.id: b for b in self.bundles})
        put(self, "guides_by_category", {k: tuple(v) for k, v in by_cat.items()})
        put(self, "guides_by_kind", {k: tuple(v) for k, v in by_kind.items()})
        put(self, "halls_by_county", {k: tuple(v) for k, v in by_county.items()})
        put(self, "popular_guides", tuple(by_popularity[:POPULAR]))
        put(self, "newest_policies", tuple(sorted(self.policies, key=lambda p: p.date, reverse=True)))
        if self.search_index is None:
            put(self, "search_index", SearchIndex((*self.guides, *self.policies, *self.halls), self.topics()))

    def topics(self) -> dict[str, list[str]]:
        """Category id → its name and keywords (what a guide's topics are searched by)."""
        return {c.id: [c.name, *c.keywords] for c in self.categories}

    def guides_of_kind(self, kind: str) -> tuple[Guide, ...]:
        """Guides of one kind (booking, handling, query, info) in stored order."""
        return self.guides_by_kind.get(kind, ())

    def policies_newest_first(self) -> tuple[Policy, ...]:
        """Policy articles, newest first."""
        return self.newest_policies

    def search(self, query: str, limit: int = 60) -> list[Guide | Policy | Hall]:
        """Records matching ``query`` (Chinese, pinyin, or keypad digits), best and most popular first."""
        return [hit.record for hit in run_search(self.search_index, query, limit)]

    def search_hits(self, query: str, limit: int = 60) -> list[Hit]:
        """Like ``search`` but with each hit's kind, link and match tier (content/search.py)."""
        return run_search(self.search_index, query, limit)

    def records(self, kind: str) -> tuple[Any, ...]:
        """The records of one kind, in stored order."""
        return getattr(self, KIND_FIELDS[kind])

    def with_index(self, index: SearchIndex) -> Snapshot:
        """This snapshot with another search index (the tables are shared, not built again)."""
        new = copy.copy(self)
        object.__setattr__(new, "search_index", index)
        object.__setattr__(new, "stage", self.stage + 1)
        return new

    @property
    def edition(self) -> tuple[int, int]:
        """What a page made from this snapshot depends on: the content version, and whether the search index
        of a big change is in yet (pages cached before it must not be served after it)."""
        return self.version, self.stage

    def updated(self, changes: store.Changes, index: SearchIndex | None = None) -> Snapshot:
        """A new snapshot with ``changes`` applied; only the changed records are indexed for search again.

        Kinds without changes keep their tuples; a changed kind is patched (records replaced in place, new
        ones inserted at their position) rather than sorted again, so a publish at 10,000 guides does not
        hold the GIL for a sort of every record.  ``index``: the search index to use instead of updating it
        (a big change's is made afterwards, ``Published.refresh``).
        """
        positions, digests = dict(self.positions), dict(self.digests)
        gone_by_kind: dict[str, set[str]] = defaultdict(set)
        for kind, rid in changes.removed:
            if positions.pop((kind, rid), None) is not None:
                digests.pop((kind, rid), None)
                gone_by_kind[kind].add(rid)
        rows_by_kind: dict[str, list[store.Row]] = defaultdict(list)
        for row in changes.rows:
            if row.kind in KIND_FIELDS:
                rows_by_kind[row.kind].append(row)
        ordered = {}
        for kind in KIND_FIELDS:
            rows, gone = rows_by_kind.get(kind, []), gone_by_kind.get(kind, set())
            if not rows and not gone:
                ordered[kind] = self.records(kind)
                continue
            moved = {row.id for row in rows if self.positions.get((kind, row.id)) != row.position}
            for row in rows:
                positions[(kind, row.id)] = row.position
                digests[(kind, row.id)] = row.digest
            ordered[kind] = _patched(self.records(kind), rows, gone, moved, lambda r, k=kind: (positions[(k, r.id)], r.id))
        searched = [r.record for r in changes.rows if r.kind in SEARCHED]
        gone = [(k, i) for k, i in changes.removed if k in SEARCHED]
        topics_changed = any(r.kind == "category" for r in changes.rows) or any(k == "category" for k, _ in changes.removed)
        if index is None and not topics_changed:
            index = self.search_index.updated(searched, gone)
        return Snapshot(city=changes.city, version=changes.version, positions=positions, digests=digests,
                        search_index=index,
                        **{KIND_FIELDS[k]: v for k, v in ordered.items()})


def _patched(old: tuple, rows: list, gone: set[str], moved: set[str], order: Any) -> tuple:
    """Records of one kind in stored order (``order``: their sort key) after replacing, adding and removing.

    A record whose position is unchanged is replaced where it stands; new and moved ones are put at their
    place by binary search: O(changes × log n) comparisons instead of a sort of everything.
    """
    in_place = {row.id: row.record for row in rows if row.id not in moved}
    drop = gone | moved
    records = [in_place.get(r.id, r) for r in old if r.id not in drop]
    for row in rows:
        if row.id in moved:
            bisect.insort(records, row.record, key=order)
    return tuple(records)


def build_snapshot(conn: Any, index_file: Path | None = None) -> Snapshot:
    """Read the whole published content of the store into a new Snapshot (see ``load_snapshot``)."""
    return load_snapshot(conn, index_file)[0]


def load_snapshot(conn: Any, index_file: Path | None = None, defer: bool = False) -> tuple[Snapshot, bool]:
    """The whole published content as a Snapshot, and whether ``index_file`` holds its search index as is.

    With ``index_file`` the saved search index is used and only records changed since it was saved are
    indexed again (content/index_cache.py); without it, or when it cannot be used, everything is indexed,
    here, or with ``defer`` and big content not at all: the snapshot then has an empty index, to be
    replaced (``start_snapshot``).
    """
    version, city, rows = store.load_rows(conn)
    by_kind: dict[str, list[Any]] = {kind: [] for kind in KIND_FIELDS}
    for row in rows:  # load_rows gives each kind in stored order
        by_kind[row.kind].append(row.record)
    digests = {(r.kind, r.id): r.digest for r in rows}
    index, current = None, False
    if index_file is not None:
        topics = {c.id: [c.name, *c.keywords] for c in by_kind["category"]}
        searched = {(r.kind, r.id): r.record for r in rows if r.kind in SEARCHED}
        index, current = index_cache.load(index_file, searched, digests, topics)
        if index is None and defer and len(searched) >= SearchIndex.ELSEWHERE:
            index = SearchIndex.from_segment(Segment([], topics), topics)
    snapshot = Snapshot(city=city, version=version, positions={(r.kind, r.id): r.position for r in rows},
                        digests=digests, search_index=index, **{KIND_FIELDS[k]: tuple(v) for k, v in by_kind.items()})
    return snapshot, current


async def start_snapshot(db: Any, index_file: Path, secret: bytes) -> tuple[Snapshot, bool]:
    """The snapshot an instance starts with, and whether ``index_file`` was up to date.

    Without a usable saved index, big content is not indexed in this process: the whole index of this
    content version is loaded from the database, where the first instance to need it stored it, or built
    in a child process and stored there for the next (content/segment_store.py). A new instance on a
    province's database thus starts in seconds, and no instance keeps what indexing leaves behind in memory.
    """
    snapshot, current = await db.read(load_snapshot, index_file, True)
    if len(snapshot.search_index) or not any(snapshot.records(kind) for kind in SEARCHED):
        return snapshot, current
    topics = snapshot.topics()
    searched = [r for kind in SEARCHED for r in snapshot.records(kind)]
    key = segment_store.key_of("all", snapshot.version, topics)
    try:
        segment = await segment_store.shared(db, key, snapshot.version, searched, topics, secret)
    except Exception:  # noqa: BLE001 - the database is up (the records came from it); index here if it fails
        log.exception("whole search index of content version %s not shared; indexing it here", snapshot.version)
        from content.segment_worker import build_elsewhere  # noqa: PLC0415 - it imports content.search

        segment = await asyncio.to_thread(build_elsewhere, searched, topics)
    return snapshot.with_index(SearchIndex.from_segment(segment, topics)), False


def save_index(snapshot: Snapshot, index_file: Path) -> None:
    """Save the snapshot's search index for the next start (for a worker thread; errors are logged)."""
    try:
        index_cache.save(index_file, snapshot.search_index,
                         {k: d for k, d in snapshot.digests.items() if k[0] in SEARCHED})
    except Exception:  # noqa: BLE001 - a cache that cannot be saved must not stop a shutdown; next start rebuilds
        log.warning("could not save the search index to %s", index_file, exc_info=True)


class Published:
    """Holds the snapshot TV pages read; brings it up to date from the store and swaps it in one assignment.

    A big change (an import of thousands of guides) is applied in steps so that no TV request waits long:
    its documents are read and decoded a page at a time in worker threads, with a turn of the event loop
    between pages and the cyclic garbage collector paused (a full collection over thousands of new objects
    holds the GIL for hundreds of milliseconds); the records are swapped in first, with the search index of
    before (the changed records found by their old text, removed ones hidden); then the search segment of the
    change, built once by one instance and loaded by the others (content/segment_store.py), is swapped in.
    That last part can take minutes (another instance building the segment), so it runs on its own
    (``_index_later``): the next publish, say a one-guide correction, is applied meanwhile instead of waiting
    behind it, and the segment is then put into whatever index is current (``_reconciled``).
    """

    def __init__(self, snapshot: Snapshot, secret: bytes = b"") -> None:
        """Start with the snapshot built at start-up; ``secret`` signs the search segments of the database."""
        self._refreshing = asyncio.Lock()
        self._indexing: asyncio.Task | None = None  # the search index of the last big change, being made
        self.secret = secret
        self.outage = Outage("checking the published content in the database", log)  # the watch's last check
        self.swap(snapshot)

    async def compact(self) -> int:
        """After start-up, off the event loop: compress the stored JSON the snapshot's records keep
        (content/decode.py), give the memory freed since start-up back to the system, and load the reading
        tables the next publish indexes with."""
        snapshot = self.snapshot

        def work() -> int:
            done = compact(r for kind in KIND_FIELDS for r in snapshot.records(kind))
            release_memory()
            load_readings()
            return done
        return await asyncio.to_thread(work)

    def swap(self, snapshot: Snapshot) -> None:
        """Make ``snapshot`` the published content (readers see the old or the new, never a mix)."""
        self.snapshot = snapshot
        # the snapshot lives until the next publish: leave its objects out of the cyclic garbage collector's
        # full collections, which would otherwise walk all of them (a pause of TV pages at big content)
        gc.freeze()

    def refreshed(self, db: Any) -> Snapshot:
        """The current snapshot with the store's changes since its version applied, all at once (for a worker
        thread; ``refresh`` applies big changes in steps).  ``db`` has ``read_sync(fn)`` (the portal's Database).
        """
        snapshot = self.snapshot
        changes = db.read_sync(store.changes_since, snapshot.version)
        if changes is None:
            return snapshot
        compact(row.record for row in changes.rows)
        return snapshot.updated(changes)

    async def refresh(self, db: Any, wait: bool = True) -> bool:
        """Apply the store's changes off the event loop, one refresh at a time; True when something changed.

        ``wait``: when this call applied a big change, also wait for its search index (``watch`` does not: its
        next check, a small publish, goes ahead meanwhile).  A small change never waits for the index of a big
        one before it: an editor's one-guide correction is answered while another instance builds a segment."""
        async with self._refreshing:
            snapshot = self.snapshot
            head = await db.read(store.changed_keys, snapshot.version)
            big = head is not None and len(head[1]) >= SearchIndex.ELSEWHERE
            if head is None:
                pass
            elif not big:
                self.swap(await asyncio.to_thread(self.refreshed, db))
            else:
                await self._apply_big(db, snapshot, head)
            del snapshot  # the old snapshot's records and index go now (unless a page being made still reads them)
            if head is not None and len(head[1]) > SearchIndex.MAX_DELTA:
                await asyncio.to_thread(release_memory)  # hand what they held back to the system
        if wait and big:
            await self.indexed()
        return head is not None

    async def indexed(self) -> None:
        """Wait until the search index of every big change applied so far is in."""
        while self._indexing is not None and not self._indexing.done():
            await asyncio.shield(self._indexing)

    async def _apply_big(self, db: Any, snapshot: Snapshot, head: tuple) -> None:
        """Apply a big change in steps (see the class): records now, the search segment in the background."""
        newest, keys, removed = head
        with _collector_paused():
            rows: list[store.Row] = []
            strings: dict[str, str] = {}
            for at in range(0, len(keys), store.PAGE):
                rows += await db.read(store.rows_of, keys[at:at + store.PAGE], strings)
                await self.between_steps()
            changes = store.Changes(newest, await db.read(store.load_city), tuple(rows), removed)
            del rows, strings
            await asyncio.to_thread(compact, (row.record for row in changes.rows))
            await self.between_steps()
            gone = [(k, i) for k, i in removed if k in SEARCHED]
            stale = await asyncio.to_thread(snapshot.search_index.updated, [], gone)
            records_first = await asyncio.to_thread(snapshot.updated, changes, stale)
            self.swap(records_first)
        await self.between_steps()
        self._indexing = asyncio.create_task(self._index_later(db, self._indexing, snapshot, records_first, changes, gone))

    async def _index_later(self, db: Any, before: asyncio.Task | None, snapshot: Snapshot, records_first: Snapshot,
                           changes: store.Changes, gone: list[tuple[str, str]]) -> None:
        """Make the search segment of a big change and put it into the current snapshot's index (after the
        big change before it, whose segment must be in first)."""
        if before is not None:
            await asyncio.gather(before, return_exceptions=True)
        topics = records_first.topics()
        whole = topics != snapshot.topics()  # other topics: every record is indexed again, as one segment
        searched = [r for kind in SEARCHED for r in records_first.records(kind)] if whole else \
            [r.record for r in changes.rows if r.kind in SEARCHED]
        key = segment_store.key_of("all" if whole else snapshot.version, changes.version, topics)
        try:
            segment = await segment_store.shared(db, key, changes.version, searched, topics, self.secret)
        except Exception:  # noqa: BLE001 - the records are in; their search must come even without the database
            log.exception("search segment of content version %s not shared; indexing it here", changes.version)
            from content.segment_worker import build_elsewhere  # noqa: PLC0415 - it imports content.search
            segment = await asyncio.to_thread(build_elsewhere, searched, topics)
        async with self._refreshing:
            current = self.snapshot
            if whole:
                index = await asyncio.to_thread(_reconciled, SearchIndex.from_segment(segment, topics), records_first,
                                                current)
            else:
                index = await asyncio.to_thread(_with_segment, current, searched, gone, segment)
            self.swap(current.with_index(index))

    async def between_steps(self) -> None:
        """A turn of the event loop between two steps of a big change (TV requests waiting are answered)."""
        await asyncio.sleep(0)

    async def republish(self, db: Any) -> None:
        """After a write on this instance: show it on this instance's TVs now (other instances: ``watch``)."""
        await self.refresh(db)

    async def watch(self, db: Any, interval: float) -> None:
        """Every ``interval`` seconds, compare the store's content version with ours and catch up.

        One indexed read of one row per interval; the changes themselves are read only when there are some.
        A failure (the database restarting) is tried again at the next interval; ``outage`` logs one line
        when the checks start failing and one when they work again, and answers whether the last worked.
        """
        while True:
            await asyncio.sleep(interval)
            try:
                newest = await db.read(store.current_version)
                if newest > self.snapshot.version:
                    await self.refresh(db, wait=False)
            except Exception as exc:  # noqa: BLE001 - keep serving the content we have; the next tick tries again
                self.outage.failed(exc)
            else:
                self.outage.worked()


def _with_segment(current: Snapshot, records: list[Any], gone: list[tuple[str, str]], segment: Any) -> SearchIndex:
    """The current index with the segment of a big change's ``records`` (``gone``: what it removed), less what
    was published over them while the segment was being made (those are indexed again as they are now)."""
    index = current.search_index.updated(records, gone, segment)
    later, removed = [], []
    for record in records:
        now = getattr(current, f"{record.KIND}_by_id").get(record.id)
        if now is None:
            removed.append((record.KIND, record.id))
        elif now is not record:
            later.append(now)
    return index.updated(later, removed) if later or removed else index


def _reconciled(index: SearchIndex, built_on: Snapshot, current: Snapshot) -> SearchIndex:
    """``index`` (made for the records of ``built_on``) brought up to ``current``: the records published since
    (small publishes applied while it was being made) indexed again, those removed since hidden.

    Only records searched by ``index`` differently from ``current`` are touched: found by identity, since a
    snapshot keeps the record objects of everything a change did not touch."""
    changed, removed = [], []
    for kind in SEARCHED:
        now, then = current.records(kind), getattr(built_on, f"{kind}_by_id")
        ids = getattr(current, f"{kind}_by_id")
        changed += [r for r in now if then.get(r.id) is not r]
        removed += [(kind, rid) for rid in then if rid not in ids]
    return index.updated(changed, removed) if changed or removed else index


@contextmanager
def _collector_paused():
    """The cyclic garbage collector off meanwhile (what is made then is frozen by ``swap``, never walked)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def release_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc ``malloc_trim``; elsewhere nothing).

    Loading or applying thousands of documents frees as much memory as it keeps (the text and parsed JSON of
    each), scattered between live objects; without this the process keeps it: ~80 MB at 10,000 guides.
    """
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def snapshot_from(db: Any) -> Snapshot:
    """Build a whole snapshot through a connection of its own (for a worker thread)."""
    return db.read_sync(build_snapshot)
