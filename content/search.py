"""Search for the TV: phone-keypad pinyin initials (社保 → 72), full pinyin and Chinese substrings.

One ``SearchIndex`` is built with each published Snapshot.  Records are numbered in rank order
(popular first), and every searchable string goes into a gram index: exact strings, prefixes and
substrings up to ``n`` characters map to rank-sorted posting lists, so a query walks the lists of
the best tier first and stops as soon as it has ``limit`` hits; a longer query walks the postings
of its rarest n-gram and checks each candidate.  Polyphonic characters (重 → zhong / chong) are
indexed with the readings pypinyin gives with heteronym=True, bounded: the context reading of the
whole string first, then each rarer reading in a window of a few characters around it (ranked lower).
"""

from __future__ import annotations

import heapq
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

KEYPAD = {ch: str(d) for d, letters in enumerate(("", "", "abc", "def", "ghi", "jkl", "mno", "pqrs", "tuv", "wxyz"))
          for ch in letters}
KEYPAD_LETTERS = (("2", "abc"), ("3", "def"), ("4", "ghi"), ("5", "jkl"), ("6", "mno"), ("7", "pqrs"),
                  ("8", "tuv"), ("9", "wxyz"))
MAX_READINGS = 3  # alternative readings used per polyphonic character
MAX_VARIANTS = 24  # rarer-reading windows per string
WINDOW = 4  # parts either side of a rarer reading
_ALNUM = re.compile(r"[0-9a-z]+")
SYLLABLE_STARTS: dict[str, tuple[int, ...]] = {}  # full pinyin string → where its syllables start
FIELD_NAMES = ("name", "topic", "text")  # field ranks: names first, then topics/keywords, then long text


@dataclass(frozen=True)
class Hit:
    """One search result: what it is, where it leads, how well it matched (lower tier is better)."""

    kind: str  # guide / policy / hall
    id: str
    title: str
    record: Any
    tier: int  # 3 * field rank + (0 exact, 1 prefix, 2 substring)

    @property
    def href(self) -> str:
        """The TV page of the hit."""
        return {"guide": "/guides/", "policy": "/policies/", "hall": "/halls/"}[self.kind] + self.id


@lru_cache(maxsize=4096)  # while indexing: a name and its short name, a topic in many guides
def readings(text: str) -> tuple[tuple[bool, tuple[str, ...]], ...]:
    """Per Han character: (True, its readings, context reading first); per Latin/digit run: (False, (run,))."""
    # imported at the first indexing (or by ``load_readings``), not with this module: searching needs no
    # pinyin, and a process that only imports content (the CLI) does not keep pypinyin's 35 MB
    from content.pinyin_data import Style, pinyin  # noqa: PLC0415

    mark = lambda chunk: ["\x00" + chunk]  # noqa: E731 - non-Han runs come back marked, not transliterated
    out: list[tuple[bool, tuple[str, ...]]] = []
    # with heteronym=True a known phrase gives its one reading; a lone character lists its context reading first
    for options in pinyin(text, style=Style.NORMAL, heteronym=True, errors=mark):
        first = options[0]
        if first.startswith("\x00"):
            out.extend((False, (run,)) for run in _ALNUM.findall(first[1:].lower()))
            continue
        out.append((True, tuple(dict.fromkeys(options))[:1 + MAX_READINGS]))
    return tuple(out)


def load_readings() -> None:
    """Load the reading tables now (0.5 s of CPU, 35 MB), for a worker thread once an instance serves: else the
    first publish after a start pays for them, and an editor waits a second longer to see it on the TV."""
    readings.__wrapped__("汉")


def _variants(parts: tuple[tuple[bool, tuple[str, ...]], ...]) -> list[list[tuple[str, bool]]]:
    """The context reading of every part, then for each rarer reading a window of WINDOW parts around it.

    A window rather than the whole string keeps the index small for long names with many polyphonic
    characters; a query typed around a rare reading rarely spans more than a few characters.
    """
    base = [(options[0], han) for han, options in parts]
    variants = [base]
    for i, (han, options) in enumerate(parts):
        for alt in options[1:]:
            if len(variants) > MAX_VARIANTS:
                return variants
            variants.append(base[max(0, i - WINDOW):i] + [(alt, han)] + base[i + 1:i + 1 + WINDOW])
    return variants


def keypad_digits(letters: str) -> str:
    """Letters and digits as the phone keypad types them (abc → 2 … wxyz → 9)."""
    return "".join(KEYPAD.get(ch, ch) for ch in letters if ch.isdigit() or ch in KEYPAD)


@lru_cache(maxsize=4096)  # while indexing: a name and its short name, a topic in many guides
def spellings(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(full pinyin strings, initials strings, keypad digit strings) of ``text``: context reading first."""
    fulls, inits = [], []
    for variant in _variants(readings(text)):
        full = "".join(s for s, _han in variant)
        fulls.append(full)
        offsets, at = [], 0
        for syllable, _han in variant:
            offsets.append(at)
            at += len(syllable)
        SYLLABLE_STARTS[full] = tuple(sorted(set(SYLLABLE_STARTS.get(full, ())) | set(offsets)))
        inits.append("".join(s[0] if han else s for s, han in variant))
    return _dedup(fulls), _dedup(inits), _dedup([keypad_digits(s) for s in inits])


def _dedup(strings: list[str]) -> tuple[str, ...]:
    """Distinct strings in order; the first (context reading) stays first, copies of it leave the rest."""
    return tuple(dict.fromkeys(strings))


class Postings:
    """The posting lists of one table of a GramIndex packed into two arrays: few objects to keep, pickle and
    scan for the garbage collector (a dict of one array per key was ~670,000 objects at 10,000 guides).

    ``slots`` maps a key to its number; the postings of key number i are ``postings[offsets[i]:offsets[i+1]]``.
    """

    __slots__ = ("slots", "offsets", "postings")

    def __init__(self, table: dict[str, list[int]], typecode: str) -> None:
        """Pack ``table`` (key → record numbers in rank order) into an array of ``typecode``."""
        self.slots: dict[str, int] = {}
        self.offsets = array("I", [0])
        self.postings = array(typecode)
        for number, (key, rids) in enumerate(table.items()):
            self.slots[key] = number
            self.postings.extend(rids)
            self.offsets.append(len(self.postings))

    def __getstate__(self) -> tuple:
        """What pickle keeps (a class with __slots__ has no __dict__)."""
        return self.slots, self.offsets, self.postings

    def __setstate__(self, state: tuple) -> None:
        """Restore from ``__getstate__``."""
        self.slots, self.offsets, self.postings = state

    def __len__(self) -> int:
        """Number of keys."""
        return len(self.slots)

    def get(self, key: str, default: Any = ()) -> Any:
        """The rank-ordered record numbers of ``key`` (a view, nothing copied), or ``default``."""
        number = self.slots.get(key)
        if number is None:
            return default
        return memoryview(self.postings)[self.offsets[number]:self.offsets[number + 1]]


class GramIndex:
    """Exact, prefix and substring (up to ``n`` characters) posting lists over strings, by record rank.

    Built with ``add`` (one call per record, in rank order), then ``pack``ed into ``Postings`` for serving;
    every list is in rank order, so a search reads them front to back and stops at its limit.
    """

    def __init__(self, n: int, starts: dict[str, tuple[int, ...]] | None = None) -> None:
        """An empty index of grams up to ``n`` characters; ``starts`` limits where grams of a string begin."""
        self.n = n
        self.starts = starts  # full pinyin: only at syllable starts ("ebao" must not match inside "shebao")
        self.exact: Any = {}
        self.prefix: Any = {}
        self.grams: Any = {}
        self.strings: Any = {}  # record number → its strings; packed into (text, bounds)

    def add(self, rid: int, strings: Iterable[str]) -> None:
        """Index the strings of record ``rid``; call with ascending ``rid``, before ``pack``."""
        unique = tuple(dict.fromkeys(s for s in strings if s))
        if not unique:
            return
        self.strings[rid] = unique
        n = self.n
        prefixes = {s[:length] for s in unique for length in range(1, min(n, len(s)) + 1)}
        starts = self.starts or {}
        grams = {s[i:j] for s in unique for i in starts.get(s, range(len(s)))
                 for j in range(i + 1, min(i + n, len(s)) + 1)}
        for table, keys in ((self.exact, unique), (self.prefix, prefixes), (self.grams, grams)):
            get = table.get
            for key in keys:
                posting = get(key)
                if posting is None:
                    table[key] = [rid]
                else:  # each key once per record, records in rank order: no duplicate check needed
                    posting.append(rid)

    def pack(self, count: int) -> None:
        """Turn the built tables into packed ``Postings`` and the strings of every record into one text
        (no ``add`` after this); ``count`` is the number of records of the segment."""
        typecode = "H" if count <= 1 << 16 else "I"  # two bytes a posting in all but huge segments
        self.exact, self.prefix, self.grams = (Postings(table, typecode) for table in (self.exact, self.prefix, self.grams))
        # record r's strings are text[bounds[r]:bounds[r + 1]], each preceded by "\n" (indexed strings never
        # hold one): "\n" + q in it finds a string starting with q, q in it one containing q
        chunks, bounds, at = [], array("I", [0]), 0
        for rid in range(max(self.strings, default=-1) + 1):
            chunk = "".join("\n" + s for s in self.strings.get(rid, ()))
            chunks.append(chunk)
            at += len(chunk)
            bounds.append(at)
        self.strings = "".join(chunks), bounds

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the shared syllable table: it is only read while adding (module state, filled as
        strings are spelled), so a loaded index must not carry a stale copy of it."""
        return {**self.__dict__, "starts": self.starts is not None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore from ``__getstate__``."""
        self.__dict__.update(state, starts=SYLLABLE_STARTS if state["starts"] else None)

    def tiers(self, q: str) -> tuple[Iterable[int], Iterable[int], Iterable[int]]:
        """Rank-ordered record numbers whose strings equal, start with, or contain ``q`` (lazy for long q)."""
        exact = self.exact.get(q, ())
        if len(q) <= self.n:
            return exact, self.prefix.get(q, ()), self.grams.get(q, ())
        text, bounds = self.strings
        head = "\n" + q
        starts = (r for r in self.prefix.get(q[:self.n], ()) if head in text[bounds[r]:bounds[r + 1]])
        # the rarest n-gram of q gives the fewest candidates (grams start anywhere unless limited to syllables)
        offsets = range(len(q) - self.n + 1) if self.starts is None else (0,)
        rarest = min((self.grams.get(q[i:i + self.n], ()) for i in offsets), key=len)
        contain = (r for r in rarest if q in text[bounds[r]:bounds[r + 1]])
        return exact, starts, contain


class Segment:
    """Records in rank order with one gram index per field and script (the unit an index is built in)."""

    def __init__(self, records: Iterable[Any], topics: dict[str, list[str]], fields_of: Any = None) -> None:
        """Index ``records`` (guides, policies, halls); ``topics`` maps category id → its name and keywords;
        ``fields_of(record)`` gives a record's (names, topics, texts) when they were taken out beforehand."""
        fields_of = fields_of or (lambda record: _fields(record, topics))
        ranked = sorted(records, key=rank_key)
        self.records = ranked
        self.keys = [rank_key(r) for r in ranked]
        self.rid_of = {(r.KIND, r.id): rid for rid, r in enumerate(ranked)}
        self.chinese = [GramIndex(2) for _ in FIELD_NAMES]
        # pinyin and keypad indexes: names, topics, then the same with rarer readings (ranked lower)
        self.letters = [GramIndex(3, SYLLABLE_STARTS) for _ in range(4)]
        self.digits = [GramIndex(4) for _ in range(4)]
        for rid, record in enumerate(ranked):
            fields = fields_of(record)
            for rank, texts in enumerate(fields):
                self.chinese[rank].add(rid, (_norm(t) for t in texts))
                if rank < 2:
                    spelled = [spellings(_norm(t)) for t in texts]
                    for alt in (0, 1):
                        pick = (lambda xs: xs[:1]) if alt == 0 else (lambda xs: xs[1:])
                        self.letters[rank + 2 * alt].add(rid, (s for sp in spelled for s in (*pick(sp[0]), *pick(sp[1]))))
                        self.digits[rank + 2 * alt].add(rid, (s for sp in spelled for s in pick(sp[2])))
        for index in (*self.chinese, *self.letters, *self.digits):
            index.pack(len(ranked))

    def state(self) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """The segment without its records (what is saved or sent), and the (kind, id) of each record."""
        keys: list[Any] = [None] * len(self.records)
        for key, rid in self.rid_of.items():
            keys[rid] = key
        return {k: v for k, v in self.__dict__.items() if k != "records"}, keys

    def without(self, rids: Iterable[int]) -> Segment:
        """This segment with the records of ``rids`` (hidden from now on) let go: an edited or removed record's
        old copy is not kept alive by the index (10,000 re-imported guides would otherwise be held twice)."""
        drop = set(rids)
        seg = Segment.__new__(Segment)
        seg.__dict__.update(self.__dict__)
        seg.records = [None if rid in drop else r for rid, r in enumerate(self.records)]
        return seg

    @classmethod
    def restore(cls, fields: dict[str, Any], keys: list[tuple[str, str]], records: dict[tuple[str, str], Any]) -> Segment:
        """A segment from ``state()`` with its records looked up by (kind, id) (None for one that is gone:
        hidden, never returned)."""
        seg = cls.__new__(cls)
        seg.__dict__.update(fields)
        seg.records = [records.get(key) for key in keys]
        return seg

    def walk(self, indexes: list[GramIndex], q: str, number: int,
             hidden: frozenset[int]) -> Iterator[tuple[int, tuple, int, int]]:
        """(tier, rank key, segment number, record id), best tier first, rank order within a tier."""
        keys = self.keys
        for rank, index in enumerate(indexes):
            for kind, rids in enumerate(index.tiers(q)):
                for rid in rids:
                    if rid not in hidden:
                        yield 3 * rank + kind, keys[rid], number, rid


class SearchIndex:
    """The search index of one snapshot: segments, each made once, the first holding what was there at start.

    A publish indexes only the records it changed: they go into the last small segment (rebuilt with the
    earlier small changes, at most ``MAX_DELTA`` records) or, for a big import, into a segment of their own
    (built in a child process, so the serving process's GIL stays free for TV pages);
    their old entries in earlier segments are hidden.  More than ``MAX_SEGMENTS`` segments are merged by
    building the whole index again.  Results merge the segments by tier, then rank, so an index updated
    in segments answers exactly like one built at once.
    """

    MAX_DELTA = 300
    MAX_SEGMENTS = 8
    ELSEWHERE = 1000  # a segment of this many records is built in a child process (content/segment_worker.py)

    def __init__(self, records: Iterable[Any], topics: dict[str, list[str]] | None = None) -> None:
        """Index ``records`` (guides, policies, halls); ``topics`` maps category id → its name and keywords."""
        self.topics = topics or {}
        self.segments: tuple[Segment, ...] = (Segment(records, self.topics),)
        self.hidden: tuple[frozenset[int], ...] = (frozenset(),)  # per segment: records replaced or removed since

    @classmethod
    def from_segment(cls, segment: Segment, topics: dict[str, list[str]]) -> SearchIndex:
        """An index of one segment built beforehand."""
        index = cls.__new__(cls)
        index.topics, index.segments, index.hidden = topics, (segment,), (frozenset(),)
        return index

    @property
    def records(self) -> list[Any]:
        """Every searchable record, in rank order."""
        live = [r for seg, hidden in zip(self.segments, self.hidden)
                for rid, r in enumerate(seg.records) if rid not in hidden]
        return sorted(live, key=rank_key)

    def updated(self, changed: Iterable[Any], removed: Iterable[tuple[str, str]], built: Segment | None = None) -> SearchIndex:
        """A new index with ``changed`` records (new or edited) and without ``removed`` (kind, id) pairs;
        ``built``: the segment of ``changed``, made beforehand (content/segment_store.py)."""
        changed = list(changed)
        gone = {(r.KIND, r.id) for r in changed} | set(removed)
        segments, hidden = list(self.segments), list(self.hidden)
        last = segments[-1]
        if built is None and len(segments) > 1 and len(last.records) - len(hidden[-1]) + len(changed) <= self.MAX_DELTA:
            kept = [r for rid, r in enumerate(last.records)
                    if rid not in hidden[-1] and r is not None and (r.KIND, r.id) not in gone]
            segments[-1], hidden[-1] = Segment([*kept, *changed], self.topics), frozenset()
            older = len(segments) - 1
        else:
            older = len(segments)
            if built is not None:
                segments.append(built)
                hidden.append(frozenset())
            elif len(changed) >= self.ELSEWHERE:
                from content.segment_worker import build_elsewhere  # noqa: PLC0415 - it imports this module

                segments.append(build_elsewhere(changed, self.topics))
                hidden.append(frozenset())
            elif changed:
                segments.append(Segment(changed, self.topics))
                hidden.append(frozenset())
        for i in range(older):
            rid_of = segments[i].rid_of
            hits = {rid_of[key] for key in gone if key in rid_of}
            if hits:
                hidden[i] = hidden[i] | hits
                segments[i] = segments[i].without(hidden[i])
        out = SearchIndex.__new__(SearchIndex)
        out.topics, out.segments, out.hidden = self.topics, tuple(segments), tuple(hidden)
        if len(segments) > self.MAX_SEGMENTS:  # merged into one, built elsewhere when big (seconds of GIL here)
            records = out.records
            if len(records) < self.ELSEWHERE:
                return SearchIndex(records, self.topics)
            from content.segment_worker import build_elsewhere  # noqa: PLC0415 - it imports this module

            return SearchIndex.from_segment(build_elsewhere(records, self.topics), self.topics)
        return out

    def __len__(self) -> int:
        """Number of indexed records."""
        return sum(len(seg.records) - len(hidden) for seg, hidden in zip(self.segments, self.hidden))

    def _walks(self, field: str, q: str) -> list[Iterator[tuple[int, tuple, int, int]]]:
        """The walks of every segment over one family of gram indexes (chinese, letters or digits)."""
        return [seg.walk(getattr(seg, field), q, number, hidden)
                for number, (seg, hidden) in enumerate(zip(self.segments, self.hidden)) if seg.records]

    def _collect(self, walks: list[Iterator[tuple[int, tuple, int, int]]], limit: int) -> list[Hit]:
        """The first ``limit`` distinct records of the merged walks (ordered by tier, then rank)."""
        segments = self.segments
        hits, seen = [], set()
        for tier, _key, number, rid in _merge(walks):
            if (number, rid) in seen:
                continue
            seen.add((number, rid))
            record = segments[number].records[rid]
            hits.append(Hit(record.KIND, record.id, _title(record), record, tier))
            if len(hits) >= limit:
                break
        return hits

    def keypad(self, digits: str, limit: int = 20) -> list[Hit]:
        """Records whose name's (or topic's) pinyin initials contain ``digits`` as typed on a phone keypad."""
        digits = "".join(ch for ch in digits if ch.isdigit())
        if not digits:
            return []
        return self._collect(self._walks("digits", digits), limit)

    def text(self, query: str, limit: int = 20) -> list[Hit]:
        """Chinese substring, full pinyin or pinyin-initials search; several words must all match."""
        words = [_norm(w) for w in query.split() if _norm(w)]
        if not words:
            return []
        if len(words) == 1:
            return self._collect(self._word_walks(words[0]), limit)
        everything = min(len(self), 2000)
        first = self._collect(self._word_walks(words[0]), everything)
        others = [{h.id + h.kind for h in self._collect(self._word_walks(w), everything)} for w in words[1:]]
        return [h for h in first if all(h.id + h.kind in o for o in others)][:limit]

    def _word_walks(self, word: str) -> list[Iterator[tuple[int, tuple, int, int]]]:
        """The walks that can match one word: Chinese text, and pinyin when the word is Latin letters."""
        walks = self._walks("chinese", word)
        if word.isascii() and word.isalpha():
            walks += self._walks("letters", word)
        elif word.isdigit():
            walks += self._walks("digits", word)
        return walks


def rank_key(record: Any) -> tuple[int, int, str]:
    """Search rank of a record: most popular first, then guides before policies before halls, then by id
    (a total order, so an index updated in segments ranks exactly as one built at once)."""
    return -getattr(record, "popularity", 0), _KIND_ORDER.get(record.KIND, 9), record.id


_KIND_ORDER = {"guide": 0, "policy": 1, "hall": 2}


def _norm(text: str) -> str:
    """Lower case without blanks or punctuation, the form every string is indexed and searched in."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _title(record: Any) -> str:
    """The name a hit shows."""
    return getattr(record, "title", None) or record.name


def _fields(record: Any, topics: dict[str, list[str]]) -> tuple[list[str], list[str], list[str]]:
    """(names, topics and keywords, long text) of a record for the three field ranks."""
    topic_words = [w for c in getattr(record, "categories", ()) for w in topics.get(c, ())]
    if record.KIND == "guide":
        return ([record.name, record.short_name], topic_words + list(record.topic_tags),
                [record.summary, record.department, record.tv_service])
    if record.KIND == "policy":
        return [record.title], topic_words, [record.summary, record.issuer, record.doc_no]
    return [record.name], [record.county, record.town], [record.address, record.extras]


def _merge(walks: list[Iterator[tuple]]) -> Iterator[tuple]:
    """Merge walks that are each ordered by tier into one ordered by tier (then rank)."""
    if len(walks) == 1:
        yield from walks[0]
        return
    yield from heapq.merge(*walks)


def search(source: Any, query: str, limit: int = 20) -> list[Hit]:
    """Search a Snapshot or SearchIndex: digits as keypad initials, otherwise text and pinyin."""
    index = source if isinstance(source, SearchIndex) else source.search_index
    query = query.strip()
    if query.isdigit():
        return keypad_search(index, query, limit)
    return index.text(query, limit)


def keypad_search(source: Any, digits: str, limit: int = 20) -> list[Hit]:
    """Search by phone-keypad pinyin initials (社保 → 72, 高龄津贴 → 4558)."""
    index = source if isinstance(source, SearchIndex) else source.search_index
    return index.keypad(digits, limit)
