"""Publishing at scale: every instance on one database shows a publish; imports never stop the TV."""

from __future__ import annotations

import asyncio
import io
import dataclasses
import time

from content import store
from content.generate import generated_guides
from content.xml_io import export_xml
from tests.editor_support import csrf_of, password_hash, sign_in
from tvportal.app import create_app
from tvportal.editor import users, versions
from tvportal.keys import DB, PUBLISHED
from tvportal.settings import load_settings


async def shows(client, path: str, text: str) -> bool:
    """True when the TV page at ``path`` contains ``text``."""
    return text in await (await client.get(path)).text()


# The 2 s promise is measured by benchmarks/editor_publish.py and nginx_instances.py against a baseline;
# here, on a shared CI machine, only "the other instance sees it after its next content checks" is asserted.
SEEN_WITHIN = 10.0


async def seconds_until(check, limit: float = 15.0) -> float:
    """How long until ``check()`` is true, polling every 50 ms (``limit`` when it never is)."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if await check():
            return time.monotonic() - start
        await asyncio.sleep(0.05)
    return limit


async def test_a_publish_on_one_instance_is_served_by_another_within_2_seconds(aiohttp_client, tmp_path, db_url):
    """Two portal instances on one database (SQLite, PostgreSQL): what A publishes (or takes off) B serves
    after its next checks."""
    a = await aiohttp_client(create_app(load_settings({"data_dir": str(tmp_path / "a"), "database_url": db_url}, environ={})))
    b = await aiohttp_client(create_app(load_settings({"data_dir": str(tmp_path / "b"), "database_url": db_url}, environ={})))
    app_a = a.server.app
    old = app_a[PUBLISHED].snapshot.guide_by_id["h1"]
    assert await shows(b, "/guides/h1", old.name)  # B has the page in its cache now
    new = dataclasses.replace(old, name="城乡居民养老保险待遇领取资格认证（新版）")

    def publish(conn) -> None:
        """What the editor's publish writes."""
        versions.lock(conn)
        store.put(conn, "guide", new)

    await app_a[DB].write(publish)
    await app_a[PUBLISHED].republish(app_a[DB])
    assert await shows(a, "/guides/h1", new.name)  # this instance: at once
    assert await seconds_until(lambda: shows(b, "/guides/h1", new.name)) < SEEN_WITHIN
    (extra,) = generated_guides(1)  # a new guide, referenced by nothing, so it may be taken off again
    unreferenced = extra.id
    await app_a[DB].write(store.put, "guide", extra)
    assert await seconds_until(lambda: shows(b, f"/guides/{unreferenced}", extra.name)) < SEEN_WITHIN
    await app_a[DB].write(store.delete_one, "guide", unreferenced)

    async def gone() -> bool:
        """B answers 404 for the removed guide."""
        return (await b.get(f"/guides/{unreferenced}")).status == 404

    assert await seconds_until(gone) < SEEN_WITHIN


async def test_tv_pages_are_answered_while_an_editor_imports_2000_guides(aiohttp_client, settings):
    """The import is parsed, checked and written in worker threads: TV pages keep coming meanwhile."""
    client = await aiohttp_client(create_app(settings))
    app = client.server.app
    await app[DB].write(users.add_user, "pub", "publisher", "", password_hash())
    assert (await sign_in(client, "pub")).status == 303
    guides = [dataclasses.replace(g, hall_ids=()) for g in generated_guides(2000)]
    body = export_xml(guides)
    token = csrf_of(await (await client.get("/editor/import")).text())
    tv = await aiohttp_client(create_app(settings))  # a second instance, like a TV's
    local = []

    async def import_file():
        """Post the file as the import form does (its check page follows), then press 确认导入."""
        from aiohttp import FormData

        from tests.test_editor_import import confirm

        form = FormData()
        form.add_field("_csrf", token)
        form.add_field("file", io.BytesIO(body), filename="big.xml", content_type="application/xml")
        check = await client.post("/editor/import", data=form)
        assert check.status == 200, (await check.text())[:2000]
        return await confirm(client, await check.text())

    task = asyncio.create_task(import_file())
    await asyncio.sleep(0.3)  # the upload is in and being checked
    while not task.done():
        start = time.monotonic()
        response = await client.get("/policies", headers={"Accept-Encoding": "gzip"})
        local.append((time.monotonic() - start, response.status, task.done()))
        await asyncio.sleep(0.05)
    response = await task
    assert response.status == 200, await response.text()
    during = [t for t, status, finished in local if not finished]
    assert len(during) >= 5 and all(status == 200 for _t, status, _f in local)
    assert app[PUBLISHED].snapshot.guide_by_id.get("gen01999") is not None
    assert await seconds_until(lambda: shows(tv, "/guides/gen01999", guides[-1].name)) < SEEN_WITHIN
