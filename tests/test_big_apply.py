"""A big change reaches a running instance in steps (TV pages answered meanwhile) and its search segment is
built once and loaded by the other instances from the database (content/snapshot.py, content/segment_store.py).

The sizes are shrunk (a "big" change of 120 guides, pages of 25) so the steps are the real code at test speed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import urllib.parse

import pytest
from sqlalchemy import func, select

from content import segment_store, segment_worker, store
from content.generate import generated_guides
from content.search import SearchIndex
from content.snapshot import Published, build_snapshot
from content.tables import content_segments
from tvportal.app import create_app
from tvportal.keys import DB, PUBLISHED
from tvportal.settings import load_settings

QUERIES = ("养老保险", "yanglao", "ylbx", "9526", "72", "补办", "高龄津贴", "金安区")


@pytest.fixture
def small_steps(monkeypatch):
    """A big change from 100 records, read 25 at a time; every segment built (in the child) is counted."""
    monkeypatch.setattr(SearchIndex, "ELSEWHERE", 100)
    monkeypatch.setattr(store, "PAGE", 25)
    built = []
    real = segment_worker.build_parts
    monkeypatch.setattr(segment_store, "build_parts", lambda *a: built.append(len(a[0])) or real(*a))
    return built


def instance_settings(tmp_path, db_url, name):
    """An instance of its own data dir on the shared database; content checks left to the test."""
    return load_settings({"data_dir": str(tmp_path / name), "database_url": db_url, "tts_enabled": False,
                          "content_check_ms": 60000}, environ={})


def imported(n=120):
    """``n`` new guides, as an import writes them."""
    return [dataclasses.replace(g, id=f"imp{i:04d}", implementation_code=f"7{i:028d}", hall_ids=())
            for i, g in enumerate(generated_guides(n, seed=13))]


def found(snapshot, query):
    """What a search answers, comparable across instances."""
    return [(h.kind, h.id, h.tier) for h in snapshot.search_hits(query, 40)]


async def test_tv_pages_are_answered_between_the_steps_of_a_big_change(aiohttp_client, tmp_path, db_url, small_steps):
    client = await aiohttp_client(create_app(instance_settings(tmp_path, db_url, "a")))
    app = client.server.app
    published: Published = app[PUBLISHED]
    before = published.snapshot
    guides = imported()
    guides[-1] = dataclasses.replace(guides[-1], name=guides[-1].name + "甲乙丙丁末条")
    await app[DB].write(store.put_many, guides)
    paused, go, steps, between = asyncio.Event(), asyncio.Event(), [], []
    search = "/search?q=" + urllib.parse.quote("甲乙丙丁末条")

    async def held_step():
        """The second step waits until the test has been served a page; once the records are in (and the
        search index not yet), the new guide's page and a search for it are fetched."""
        steps.append(published.snapshot.version)
        if len(steps) == 2:
            paused.set()
            await go.wait()
        if published.snapshot.version > before.version and not between:
            between.append((await client.get(f"/guides/{guides[-1].id}")).status)
            between.append(await (await client.get(search)).text())
    published.between_steps = held_step
    applying = asyncio.create_task(published.refresh(app[DB]))
    await paused.wait()
    # half way through reading the change: the TV is served the content of before
    assert published.snapshot.version == before.version
    home = await client.get("/guides/h1")
    assert home.status == 200
    assert (await client.get(f"/guides/{guides[-1].id}")).status == 404
    go.set()
    assert await applying is True
    assert len(steps) >= len(guides) // store.PAGE + 1  # a step after every page of documents
    assert published.snapshot.version > before.version
    page = await client.get(f"/guides/{guides[-1].id}")
    assert page.status == 200 and guides[-1].name in await page.text()
    assert guides[-1].id in {h.id for h in published.snapshot.search_hits(guides[-1].name, 60)}
    assert small_steps == [len(guides)]
    assert between[0] == 200  # the records came first
    assert f"/guides/{guides[-1].id}" not in between[1]  # the search index after them,
    assert f"/guides/{guides[-1].id}" in await (await client.get(search)).text()  # not hidden by the page cache


async def test_the_segment_of_a_big_change_is_built_once_and_loaded_by_another_instance(
        aiohttp_client, tmp_path, db_url, small_steps):
    a = (await aiohttp_client(create_app(instance_settings(tmp_path, db_url, "a")))).server.app
    b = (await aiohttp_client(create_app(instance_settings(tmp_path, db_url, "b")))).server.app
    guides = imported()
    await a[DB].write(store.put_many, guides)
    assert await a[PUBLISHED].refresh(a[DB])
    await b[PUBLISHED].refresh(b[DB])  # (or B's own content check did, while A was building: it waited for A's)
    assert small_steps == [len(guides)]  # B loaded what A built
    sa, sb = a[PUBLISHED].snapshot, b[PUBLISHED].snapshot
    assert sa.version == sb.version
    for query in (*QUERIES, guides[7].name):
        assert found(sb, query) == found(sa, query), query
    # B's segment holds B's own records, not copies of A's
    assert sb.search_index.segments[-1].records[0] is sb.guide_by_id.get(sb.search_index.segments[-1].records[0].id)


async def test_a_new_instance_without_a_saved_index_loads_the_whole_index_the_first_one_stored(
        aiohttp_client, tmp_path, db_url, small_steps):
    """Big content and an empty data dir: the first instance indexes in a child process and stores the whole
    index; the next new instance loads it; both search exactly as an index built in one piece."""
    a = (await aiohttp_client(create_app(instance_settings(tmp_path, db_url, "a")))).server.app
    guides = imported()
    await a[DB].write(store.put_many, guides)
    whole = await a[DB].read(build_snapshot)  # indexed here, in one piece: what the others must agree with
    searched = len(whole.guides) + len(whole.policies) + len(whole.halls)
    small_steps.clear()
    b = (await aiohttp_client(create_app(instance_settings(tmp_path, db_url, "b")))).server.app
    assert small_steps == [searched]  # B had no saved index: built in the child, not in B
    c = (await aiohttp_client(create_app(instance_settings(tmp_path, db_url, "c")))).server.app
    assert small_steps == [searched]  # C loaded what B stored
    key = segment_store.key_of("all", whole.version, whole.topics())
    assert await a[DB].read(segment_store.fetch, key)
    for app in (b, c):
        snapshot = app[PUBLISHED].snapshot
        assert snapshot.version == whole.version and len(snapshot.search_index) == searched
        for query in (*QUERIES, guides[7].name):
            assert found(snapshot, query) == found(whole, query), query


async def test_a_stored_segment_not_signed_by_the_deployment_is_rebuilt(aiohttp_client, tmp_path, db_url, small_steps):
    a = (await aiohttp_client(create_app(instance_settings(tmp_path, db_url, "a")))).server.app
    b = (await aiohttp_client(create_app(instance_settings(tmp_path, db_url, "b")))).server.app
    before = b[PUBLISHED].snapshot
    guides = imported()
    await a[DB].write(store.put_many, guides)
    newest = await a[DB].read(store.current_version)
    key = segment_store.key_of(before.version, newest, before.topics())
    # someone with access to the database but not the deployment's key stores a segment under that key
    forged = segment_store.seal(segment_worker.dump_parts(({}, [])), b"not the key")
    await a[DB].write(segment_store.put, key, newest, forged)
    await b[PUBLISHED].refresh(b[DB])
    assert small_steps == [120]  # B built its own instead of unpickling the forged row, and stored it
    await a[PUBLISHED].refresh(a[DB])
    assert small_steps == [120]  # which A then loaded
    for query in QUERIES:
        assert found(b[PUBLISHED].snapshot, query) == found(a[PUBLISHED].snapshot, query)
    assert guides[3].id in {h.id for h in b[PUBLISHED].snapshot.search_hits(guides[3].name, 60)}


async def test_without_the_segment_table_the_big_change_is_still_indexed(aiohttp_client, tmp_path, db_url,
                                                                        small_steps, monkeypatch):
    """The database refusing the shared segment (here: the claim fails) costs speed, never the search."""
    app = (await aiohttp_client(create_app(instance_settings(tmp_path, db_url, "a")))).server.app
    guides = imported()
    await app[DB].write(store.put_many, guides)

    def refused(conn, key, to_version):
        raise RuntimeError("content_segments unavailable")
    monkeypatch.setattr(segment_store, "claim", refused)
    assert await app[PUBLISHED].refresh(app[DB])
    snapshot = app[PUBLISHED].snapshot
    assert snapshot.stage == 1 and guides[5].id in snapshot.guide_by_id
    assert guides[5].id in {h.id for h in snapshot.search_hits(guides[5].name, 60)}


async def test_a_one_guide_correction_goes_ahead_of_a_big_change_whose_segment_is_not_ready(
        aiohttp_client, tmp_path, db_url, small_steps, monkeypatch):
    """Another instance has claimed the big change's segment and is still building it: a correction published
    meanwhile reaches the TV at once; when the segment comes, both the import and the correction are found."""
    monkeypatch.setattr(segment_store, "POLL", 0.05)
    client = await aiohttp_client(create_app(instance_settings(tmp_path, db_url, "a")))
    app = client.server.app
    published: Published = app[PUBLISHED]
    before = published.snapshot
    guides = imported()
    guides[3] = dataclasses.replace(guides[3], name=guides[3].name + "庚辛壬旧")
    await app[DB].write(store.put_many, guides)
    newest = await app[DB].read(store.current_version)
    key = segment_store.key_of(before.version, newest, before.topics())
    assert await app[DB].write(segment_store.claim, key, newest) is True  # "the other instance" builds it
    assert await app[DB].write(segment_store.claim, key, newest) is False  # and nobody else claims it now
    assert await published.refresh(app[DB], wait=False)  # as the content check applies it
    assert not published._indexing.done()  # the records are in, the segment is awaited

    # a one-guide correction of a demo guide and of an imported one, published while the segment is awaited
    h1 = dataclasses.replace(published.snapshot.guide_by_id["h1"], name="养老认证更正甲乙丙")
    fixed = dataclasses.replace(guides[3], name="导入更正丁戊己")
    await app[DB].write(store.put, "guide", h1)
    await app[DB].write(store.put, "guide", fixed)
    assert await published.refresh(app[DB], wait=False)
    assert not published._indexing.done()  # it went ahead of the segment, did not wait for it
    assert h1.name in await (await client.get("/guides/h1")).text()
    assert fixed.name in await (await client.get(f"/guides/{fixed.id}")).text()
    assert "h1" in {h.id for h in published.snapshot.search_hits(h1.name, 60)}

    # the other instance delivers the segment of the change as it was (before the corrections)
    parts = segment_worker.build_parts([g for g in guides], before.topics())
    await app[DB].write(segment_store.put, key, newest, segment_store.seal(parts, published.secret))
    await published.indexed()
    snapshot = published.snapshot
    assert snapshot.stage == 1
    assert guides[-1].id in {h.id for h in snapshot.search_hits(guides[-1].name, 60)}  # the import is searchable
    assert "h1" in {h.id for h in snapshot.search_hits(h1.name, 60)}  # the corrections stay found,
    assert fixed.id in {h.id for h in snapshot.search_hits(fixed.name, 60)}
    assert fixed.id not in {h.id for h in snapshot.search_hits("庚辛壬旧", 60)}  # not by their old text
    for hit in snapshot.search_hits(fixed.name, 60):
        assert hit.record is snapshot.guide_by_id.get(hit.id, hit.record)  # records of now, not of the import
    # the same answers as an instance that applied it all in one go
    fresh = (await aiohttp_client(create_app(instance_settings(tmp_path, db_url, "b")))).server.app
    for query in (*QUERIES, h1.name, fixed.name, guides[3].name, guides[-1].name):
        assert found(snapshot, query) == found(fresh[PUBLISHED].snapshot, query), query


async def test_segments_stay_bounded_after_many_big_changes(aiohttp_client, tmp_path, db_url, small_steps,
                                                           monkeypatch):
    """Ten big changes in a row: the index merges its segments (built in the child process) and the database
    keeps only the newest segments, so neither memory nor the table grows with the number of imports."""
    merges, real = [], segment_worker.build_parts
    monkeypatch.setattr(segment_worker, "build_parts", lambda *a: merges.append(len(a[0])) or real(*a))
    app = (await aiohttp_client(create_app(instance_settings(tmp_path, db_url, "a")))).server.app
    published: Published = app[PUBLISHED]
    for round_ in range(10):
        guides = [dataclasses.replace(g, name=f"{g.name}第{round_}轮") for g in imported(100)]
        await app[DB].write(store.put_many, guides)
        assert await published.refresh(app[DB])
        assert len(published.snapshot.search_index.segments) <= SearchIndex.MAX_SEGMENTS
    stored = await app[DB].read(lambda conn: conn.execute(select(func.count()).select_from(content_segments)).scalar())
    assert stored <= segment_store.KEEP
    assert len(small_steps) == 10  # each change's segment was built once,
    assert merges and min(merges) > 100  # and the merges of all segments in the child process too
    snapshot = published.snapshot
    assert guides[5].id in {h.id for h in snapshot.search_hits(guides[5].name, 60)}
    assert guides[5].id not in {h.id for h in snapshot.search_hits(guides[5].name.replace("第9轮", "第8轮"), 60)}
    assert len(snapshot.search_index) == len(snapshot.guides) + len(snapshot.policies) + len(snapshot.halls)
