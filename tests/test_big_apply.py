"""A big change reaches a running instance in steps (TV pages answered meanwhile) and its search segment is
built once and loaded by the other instances from the database (content/snapshot.py, content/segment_store.py).

The sizes are shrunk (a "big" change of 120 guides, pages of 25) so the steps are the real code at test speed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import urllib.parse

import pytest
from content import segment_store, segment_worker, store
from content.generate import generated_guides
from content.search import SearchIndex
from content.snapshot import Published
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
