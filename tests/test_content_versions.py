"""Content versions: a snapshot brought up to date from the changes equals one built from scratch."""

from __future__ import annotations

import dataclasses
import random

import pytest
from sqlalchemy import create_engine

from content import store, tables
from content.generate import big_demo, generated_guides
from content.search import SearchIndex
from content.snapshot import build_snapshot
from content.xml_io import apply_import, export_xml, parse_import

QUERIES = ("养老", "yanglao", "72", "4558", "社保卡", "shebao", "金安", "补办", "jinzhai", "64")


@pytest.fixture
def engine(tmp_path):
    """A SQLite database with the content tables and the demo content plus 150 generated guides."""
    eng = create_engine(f"sqlite:///{tmp_path / 'content.sqlite3'}")
    tables.metadata.create_all(eng)
    with eng.begin() as conn:
        store.save_demo(conn, big_demo(150))
    yield eng
    eng.dispose()


def read(engine, fn, *args):
    """Run ``fn(conn, *args)`` on a fresh connection."""
    with engine.connect() as conn:
        return fn(conn, *args)


def same(a, b) -> None:
    """Two snapshots hold the same content, in the same order, and search the same."""
    assert a == b
    assert a.version == b.version
    assert a.guides_by_category == b.guides_by_category and a.guides_by_kind == b.guides_by_kind
    assert a.popular_guides == b.popular_guides and a.halls_by_county == b.halls_by_county
    for q in QUERIES:
        assert [(h.kind, h.id, h.tier) for h in a.search_hits(q, 30)] == [(h.kind, h.id, h.tier) for h in b.search_hits(q, 30)], q


def random_edit(conn, snapshot, rng: random.Random, counter: list[int]) -> None:
    """One transaction of random edits, additions and removals of guides (and now and then a policy)."""
    guides = list(snapshot.guides)
    for _ in range(rng.randint(1, 6)):
        action = rng.random()
        if action < 0.45 and guides:
            g = rng.choice(guides)
            store.put(conn, "guide", dataclasses.replace(g, name=g.name + rng.choice("甲乙丙丁"),
                                                          popularity=rng.randint(0, 100)))
        elif action < 0.75:
            counter[0] += 1
            (new,) = generated_guides(1, seed=counter[0])
            store.put(conn, "guide", dataclasses.replace(new, id=f"new{counter[0]}",
                                                        implementation_code=f"8{counter[0]:028d}"))
        elif action < 0.95 and guides:
            victim = rng.choice([g for g in guides if g.id.startswith(("gen", "new"))] or guides)
            if not any(victim.id in h.services for h in snapshot.halls) and not any(
                    victim.id in p.related_guides for p in snapshot.policies) and not any(
                    victim.id in b.guide_ids for b in snapshot.bundles):
                store.delete_one(conn, "guide", victim.id)
        else:
            p = rng.choice(snapshot.policies)
            store.put(conn, "policy", dataclasses.replace(p, title=p.title + "（修订）"))


@pytest.mark.parametrize("seed, max_delta", [(1, 300), (2, 300), (3, 4), (4, 4)])
def test_incremental_updates_equal_a_full_rebuild(engine, seed, max_delta, monkeypatch):
    """Over random edits, additions and removals, updating the snapshot gives what a rebuild gives.

    With a small ``max_delta`` the index goes through many segments and merges them (MAX_SEGMENTS 3).
    """
    monkeypatch.setattr(SearchIndex, "MAX_DELTA", max_delta)
    monkeypatch.setattr(SearchIndex, "MAX_SEGMENTS", 3)
    rng = random.Random(seed)
    snapshot = read(engine, build_snapshot)
    counter = [seed * 1000]
    for _ in range(15):
        with engine.begin() as conn:
            random_edit(conn, snapshot, rng, counter)
        changes = read(engine, store.changes_since, snapshot.version)
        if changes is None:
            continue
        snapshot = snapshot.updated(changes)
        same(snapshot, read(engine, build_snapshot))


def test_a_removed_then_readded_guide_is_shown_and_a_readded_then_removed_one_is_not(engine):
    """Between two refreshes a record may be removed and written again (or the reverse): the last write wins."""
    snapshot = read(engine, build_snapshot)
    back, gone = snapshot.guide_by_id["gen00001"], snapshot.guide_by_id["gen00002"]
    with engine.begin() as conn:
        store.delete_one(conn, "guide", back.id)
        store.delete_one(conn, "guide", gone.id)
    with engine.begin() as conn:
        store.put(conn, "guide", back)
        store.put(conn, "guide", gone)
    with engine.begin() as conn:
        store.delete_one(conn, "guide", gone.id)
    updated = snapshot.updated(read(engine, store.changes_since, snapshot.version))
    assert back.id in updated.guide_by_id and gone.id not in updated.guide_by_id
    same(updated, read(engine, build_snapshot))


def test_nothing_changed_means_no_changes(engine):
    """A refresh with nothing new reads one row and changes nothing."""
    snapshot = read(engine, build_snapshot)
    assert read(engine, store.changes_since, snapshot.version) is None


def test_one_version_per_transaction_and_versions_grow(engine):
    """All writes of one transaction carry one version; the next transaction's is higher."""
    before = read(engine, store.current_version)
    guides = generated_guides(3, seed=99)
    with engine.begin() as conn:
        for i, g in enumerate(guides):
            store.put(conn, "guide", dataclasses.replace(g, id=f"v{i}", implementation_code=f"7{i:028d}"))
    after = read(engine, store.current_version)
    assert after == before + 1
    changes = read(engine, store.changes_since, before)
    assert {r.id for r in changes.rows} == {"v0", "v1", "v2"} and changes.version == after


def test_a_batch_import_appends_new_records_and_keeps_the_place_of_existing_ones(engine):
    """New guides go to the end in file order; an updated guide stays where it was."""
    snapshot = read(engine, build_snapshot)
    first = snapshot.guides[0]
    fresh = [dataclasses.replace(g, id=f"imp{i}", implementation_code=f"6{i:028d}")
             for i, g in enumerate(generated_guides(40, seed=5))]
    report = parse_import(export_xml([dataclasses.replace(first, name="改过的名字办理"), *fresh]))
    with engine.begin() as conn:
        apply_import(conn, report)
    rebuilt = read(engine, build_snapshot)
    assert rebuilt.guides[0].id == first.id and rebuilt.guides[0].name == "改过的名字办理"
    assert [g.id for g in rebuilt.guides[-40:]] == [f"imp{i}" for i in range(40)]
    same(snapshot.updated(read(engine, store.changes_since, snapshot.version)), rebuilt)


def test_a_saved_search_index_is_brought_up_to_date_at_start(engine, tmp_path):
    """A start with the index saved before some publishes searches exactly like one that indexes everything."""
    from content.snapshot import load_snapshot, save_index

    index_file = tmp_path / "search-index.pickle"
    first, current = read(engine, load_snapshot, index_file)
    assert not current
    save_index(first, index_file)
    again, current = read(engine, load_snapshot, index_file)
    assert current
    same(again, first)
    rng, counter = random.Random(5), [5000]
    for _ in range(4):
        with engine.begin() as conn:
            random_edit(conn, first, rng, counter)
    later, current = read(engine, load_snapshot, index_file)
    assert not current
    same(later, read(engine, build_snapshot))


def test_a_damaged_saved_index_is_ignored(engine, tmp_path):
    """A truncated or foreign file never breaks a start: everything is indexed again."""
    from content.snapshot import load_snapshot

    index_file = tmp_path / "search-index.pickle"
    index_file.write_bytes(b"\x80\x05not a pickle")
    snapshot, current = read(engine, load_snapshot, index_file)
    assert not current
    same(snapshot, read(engine, build_snapshot))
