"""Big content kept small: lazy record bodies, the packed search index, segments built in a child process,
and snapshots patched rather than sorted again (content/decode.py, content/search.py, content/snapshot.py)."""

from __future__ import annotations

import copy
import dataclasses

import pytest
from sqlalchemy import create_engine

from content import decode, search, store, tables
from content.demo_loader import load_demo
from content.generate import big_demo, generated_guides
from content.model import to_plain
from content.search import GramIndex, SearchIndex, Segment
from content.snapshot import build_snapshot

from tests.test_content_versions import QUERIES, read, same


def stored(record):
    """``record`` as a snapshot reads it back from the store (a lazy record)."""
    return store._row(record.KIND, record.id, 0, store._dump(record), {}).record


def test_a_lazy_record_is_the_same_record_before_and_after_compaction():
    demo = load_demo("lu_an")
    records = [*demo["guide"], *demo["hall"], *demo["policy"], *generated_guides(40)]
    lazy = [stored(r) for r in records]
    assert any(decode.PACKED in r.__dict__ for r in lazy)
    for original, copy_ in zip(records, lazy):
        assert copy_ == original and to_plain(copy_) == to_plain(original)
    assert decode.compact(lazy) == sum(1 for r in lazy if decode.PACKED in r.__dict__)
    assert decode.compact(lazy) == 0  # already compressed
    decode._unpacked.cache_clear()
    for original, copy_ in zip(records, lazy):
        assert copy_ == original and to_plain(copy_) == to_plain(original)
        if copy_.KIND == "guide":
            assert dataclasses.replace(copy_, name="改名") == dataclasses.replace(original, name="改名")
    fresh = type(records[0]).from_dict(to_plain(records[0]))  # a validated record never uses the kept JSON
    assert decode.PACKED not in fresh.__dict__ and fresh == records[0]


def old_tiers(index, q):
    """The lookup of the unpacked index (dicts of lists, a tuple of strings per record), as it was."""
    exact = index.exact.get(q, ())
    if len(q) <= index.n:
        return exact, index.prefix.get(q, ()), index.grams.get(q, ())
    strings = index.strings
    starts = [r for r in index.prefix.get(q[:index.n], ()) if any(s.startswith(q) for s in strings[r])]
    offsets = range(len(q) - index.n + 1) if index.starts is None else (0,)
    rarest = min((index.grams.get(q[i:i + index.n], ()) for i in offsets), key=len)
    return exact, starts, [r for r in rarest if any(q in s for s in strings[r])]


def test_the_packed_index_answers_every_lookup_as_the_unpacked_one(monkeypatch):
    """Over the demo and 2,000 generated guides, every key of every table and longer strings of the records."""
    unpacked = []
    pack = GramIndex.pack

    def keep_a_copy(self, count):
        unpacked.append(copy.deepcopy({k: v for k, v in self.__dict__.items() if k != "starts"}) | {"starts": self.starts})
        pack(self, count)
    monkeypatch.setattr(GramIndex, "pack", keep_a_copy)
    demo = big_demo(2000)
    segment = Segment([*demo["guide"], *demo["policy"], *demo["hall"]],
                      {c.id: [c.name, *c.keywords] for c in demo["category"]})
    packed = [*segment.chinese, *segment.letters, *segment.digits]
    assert len(packed) == len(unpacked)
    checked = 0
    for new, raw in zip(packed, unpacked):
        old = type("Old", (), raw)
        queries = {*list(raw["prefix"])[:300], *list(raw["grams"])[:300], "不存在的词", "zzzzzz", "99999"}
        queries |= {s[:k] for strings in list(raw["strings"].values())[:200] for s in strings
                    for k in (raw["n"] + 1, raw["n"] + 3, len(s))}
        for q in queries:
            assert [list(t) for t in new.tiers(q)] == [list(t) for t in old_tiers(old, q)], q
            checked += 1
    assert checked > 5000


def test_a_segment_built_in_a_child_process_equals_one_built_here(monkeypatch):
    demo = big_demo(0)
    topics = {c.id: [c.name, *c.keywords] for c in demo["category"]}
    base = SearchIndex([*demo["guide"], *demo["policy"], *demo["hall"]], topics)
    new = [stored(g) for g in generated_guides(400, seed=5)]
    here = base.updated(new, [])
    monkeypatch.setattr(SearchIndex, "ELSEWHERE", 300)
    monkeypatch.setattr(search, "Segment", Segment)
    called = []
    import content.segment_worker as worker

    real = worker.build_elsewhere
    monkeypatch.setattr(worker, "build_elsewhere", lambda *a: called.append(1) or real(*a))
    there = base.updated(new, [])
    assert called == [1]
    assert there.segments[-1].records == here.segments[-1].records
    for q in (*QUERIES, "养老保险", "yanglaobaoxian", "ylbx", "9526", "金安区", "补办"):
        assert [(h.kind, h.id, h.tier) for h in there.text(q, 50)] == [(h.kind, h.id, h.tier) for h in here.text(q, 50)], q
        assert [h.id for h in there.keypad(q, 50)] == [h.id for h in here.keypad(q, 50)], q


@pytest.fixture
def engine(tmp_path):
    """A SQLite database with the demo content plus 120 generated guides."""
    eng = create_engine(f"sqlite:///{tmp_path / 'content.sqlite3'}")
    tables.metadata.create_all(eng)
    with eng.begin() as conn:
        store.save_demo(conn, big_demo(120))
    yield eng
    eng.dispose()


def test_a_reordered_kind_is_patched_into_the_order_a_rebuild_gives(engine):
    """Records moved (put_all renumbers), replaced in place, added and removed in one change."""
    snapshot = read(engine, build_snapshot)
    guides = list(snapshot.guides)
    with engine.begin() as conn:
        moved = guides[100:110][::-1] + guides[5:8]
        store.put_all(conn, "guide", moved)  # positions 0 … 12: these jump to the front
        store.put(conn, "guide", dataclasses.replace(guides[50], name=guides[50].name + "（新）"))
        store.put_many(conn, [dataclasses.replace(g, id=f"late{i}", implementation_code=f"6{i:028d}")
                              for i, g in enumerate(generated_guides(5, seed=9))])
        store.delete_one(conn, "guide", guides[60].id)
        hall = snapshot.halls[0]
        store.put(conn, "hall", dataclasses.replace(hall, name=hall.name + "（新址）"))
    updated = snapshot.updated(read(engine, store.changes_since, snapshot.version))
    same(updated, read(engine, build_snapshot))
    assert updated.policies is snapshot.policies  # an unchanged kind is kept as it was
