"""The server's own editor work, on SQLite and PostgreSQL: a scheduled publication (定时发布) happens once
however many instances share the database, it is caught up after a restart, and a guide whose 计划取消日期
has come leaves the TV's pages, lists and search; the migration puts existing drafts into the workflow."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time

from sqlalchemy import func, insert, select, update

from alembic import command
from content import store
from tvportal.app import create_app
from tvportal.clock import city_now, city_tz
from tvportal.editor import scheduler, versions, workflow
from tvportal.keys import DB, PUBLISHED
from tvportal.settings import load_settings
from tvportal.storage import migrate
from tvportal.storage.tables import editor_audit, editor_drafts, editor_versions, editor_workflow

NEW_NAME = "定时发布的新名称"
SEEN_WITHIN = 10.0


def portal_settings(tmp_path, db_url, name="a"):
    """Settings of one instance on the shared database (its own checks kept out of the way of the test's)."""
    return load_settings({"data_dir": str(tmp_path / name), "database_url": db_url, "scheduler_seconds": 3600,
                          "tts_enabled": False}, environ={})


def approved_draft(conn, name: str = NEW_NAME) -> int:
    """b1 renamed by ed, submitted, approved by rev, as the editor's buttons do it; returns the revision."""
    current = versions.working(conn, "guide", "b1")
    data = {**current.data, "name": name}
    revision = versions.save_draft(conn, "guide", "b1", data, current.revision, "ed")
    workflow.saved(conn, "guide", "b1", revision, "ed", "test")
    workflow.submit(conn, "guide", "b1", revision, "ed", "test", "改名")
    workflow.approve(conn, "guide", "b1", revision, "rev", "test", True, city_now().date())
    return revision


def scheduled(conn, when: dt.datetime) -> None:
    """b1 approved and scheduled by pub for ``when``."""
    revision = approved_draft(conn)
    workflow.schedule(conn, "guide", "b1", revision, "pub", "test", when, True, city_now().date())


def version_count(conn) -> int:
    """Versions of b1."""
    return conn.execute(select(func.count()).select_from(editor_versions).where(editor_versions.c.id == "b1")).scalar()


async def until(check, limit: float = SEEN_WITHIN) -> bool:
    """Poll ``check`` until it is true or ``limit`` seconds passed."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if await check():
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_due_publication_is_done_once_by_several_instances(aiohttp_client, tmp_path, db_url):
    """Two instances find the same due job at once: one publishes it, the other finds it done; both TVs show it."""
    a = await aiohttp_client(create_app(portal_settings(tmp_path, db_url, "a")))
    b = await aiohttp_client(create_app(portal_settings(tmp_path, db_url, "b")))
    db = a.app[DB]
    await db.write(versions.ensure_baseline, "guide", "b1")  # version 1: what was published first
    before = await db.read(version_count)
    when = city_now() + dt.timedelta(seconds=4)
    await db.write(scheduled, when)
    assert await db.read(workflow.due, versions.utc_stamp()) == []  # not yet
    assert sum(await asyncio.gather(scheduler.run_once(a.app), scheduler.run_once(b.app))) == 0
    await asyncio.sleep(max(0.0, (when - city_now()).total_seconds()) + 1.1)
    done = await asyncio.gather(scheduler.run_once(a.app), scheduler.run_once(b.app), scheduler.run_once(a.app))
    assert sum(done) == 1
    assert await db.read(version_count) == before + 1
    for client in (a, b):
        async def shows(client=client) -> bool:
            return NEW_NAME in await (await client.get("/guides/b1")).text()
        assert await until(shows)
    flow = await db.read(workflow.flow_of, "guide", "b1")
    assert flow.state == "published"
    lines = await db.read(lambda conn: conn.execute(select(editor_audit.c.action, editor_audit.c.user).where(
        editor_audit.c.item_id == "b1", editor_audit.c.action == "publish")).all())
    assert lines == [("publish", "pub")]


async def test_publication_missed_while_stopped_is_caught_up_at_start(aiohttp_client, tmp_path, db_url):
    """A schedule whose time passed while no portal ran is published by the first check after start."""
    from tvportal.database import open_database, prepare

    settings = portal_settings(tmp_path, db_url)

    def scheduled_then_stopped(conn) -> None:
        """Scheduled; the portal was stopped when it fell due (the time moved back into the past)."""
        scheduled(conn, city_now() + dt.timedelta(seconds=5))
        conn.execute(update(editor_workflow).where(editor_workflow.c.id == "b1").values(
            publish_at=(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")))

    db = open_database(settings)
    try:
        prepare(db, settings)  # the database as a portal left it: demo content loaded
        db.write_sync(scheduled_then_stopped)
    finally:
        db.close()
    client = await aiohttp_client(create_app(settings))

    async def shows() -> bool:
        return NEW_NAME in await (await client.get("/guides/b1")).text()

    assert await until(shows)


async def test_a_scheduled_publication_whose_end_date_came_takes_the_guide_off(aiohttp_client, tmp_path, db_url):
    """A scheduled draft whose 计划取消日期 came meanwhile does what that date says: the guide leaves the TV (the
    draft stays, with the reason for the publisher)."""
    client = await aiohttp_client(create_app(portal_settings(tmp_path, db_url)))
    db = client.app[DB]

    def expiring(conn) -> None:
        """Approved and scheduled, with a 计划取消日期 of today."""
        scheduled(conn, city_now() + dt.timedelta(seconds=1))
        raw = conn.execute(select(editor_drafts.c.data).where(editor_drafts.c.id == "b1")).scalar()
        import json
        data = {**json.loads(raw), "effective_to": city_now().date().isoformat()}
        conn.execute(update(editor_drafts).where(editor_drafts.c.id == "b1").values(
            data=json.dumps(data, ensure_ascii=False, sort_keys=True)))

    await db.write(expiring)
    await asyncio.sleep(1.2)
    assert await scheduler.run_once(client.app) == 1  # one guide changed on the TV: it left
    flow = await db.read(workflow.flow_of, "guide", "b1")
    assert flow.state == "draft" and "计划取消日期" in flow.message
    assert (await client.get("/guides/b1")).status == 404
    current = await db.read(versions.working, "guide", "b1")
    assert current.data["name"] == NEW_NAME and not current.published


async def test_an_expired_guide_leaves_the_tv(aiohttp_client, tmp_path, db_url):
    """计划取消日期 yesterday: the scheduler takes the guide off its page, its category list, the search and the
    hall page that names it; the editor keeps its text and refuses to publish it again unchanged."""
    client = await aiohttp_client(create_app(portal_settings(tmp_path, db_url)))
    app = client.app
    guide = app[PUBLISHED].snapshot.guide_by_id["i3"]
    yesterday = (city_now().date() - dt.timedelta(days=1)).isoformat()

    def expire_it(conn) -> None:
        """A published 计划取消日期 of yesterday (as an import or an old publish left it)."""
        versions.lock(conn)
        store.put(conn, "guide", dataclasses.replace(guide, effective_to=yesterday))

    await app[DB].write(expire_it)
    await app[PUBLISHED].republish(app[DB])
    assert (await client.get("/guides/i3")).status == 200
    search = f"/search?q={guide.name[:4]}"
    assert "/guides/i3" in await (await client.get(search)).text()
    assert await scheduler.run_once(app) == 1
    assert (await client.get("/guides/i3")).status == 404
    assert "/guides/i3" not in await (await client.get(search)).text()
    assert "/guides/i3" not in await (await client.get("/guides/c/huji")).text()
    hall = await client.get("/halls/LA-01")
    assert hall.status == 200 and guide.short_name not in await hall.text()
    assert await scheduler.run_once(app) == 0  # nothing left to do
    current = await app[DB].read(versions.working, "guide", "i3")
    assert current.status == "new" and current.data["name"] == guide.name
    lines = await app[DB].read(lambda conn: conn.execute(select(editor_audit.c.action).where(
        editor_audit.c.item_id == "i3")).scalars().all())
    assert lines == ["wf-expire"]

    def publish_again(conn) -> None:
        """What the publisher's button does, with the review passed."""
        versions.lock(conn)
        workflow.check_publishable(conn, versions.working(conn, "guide", "i3"), False, city_now().date())

    try:
        await app[DB].write(publish_again)
    except workflow.WorkflowError as exc:
        assert yesterday in str(exc)
    else:
        raise AssertionError("an expired guide was publishable")


def test_migration_puts_unpublished_drafts_into_the_workflow(db_url):
    """0008 on a database at 0007 with two drafts: the one with unpublished changes becomes 草稿, the other none."""
    from tvportal.storage import Database

    db = Database(db_url)
    try:
        def to_0007(conn) -> None:
            command.upgrade(migrate.alembic_config(conn), "0007")
            for item, published in (("b1", None), ("h1", 2)):
                conn.execute(insert(editor_drafts).values(kind="guide", id=item, data="{}", revision=2,
                                                          published_revision=published, updated_by="ed",
                                                          updated_at="2026-11-30T01:02:03Z"))

        db.write_sync(to_0007)
        migrate.upgrade(db)
        rows = db.read_sync(lambda conn: conn.execute(select(
            editor_workflow.c.id, editor_workflow.c.state, editor_workflow.c.revision)).all())
        assert rows == [("b1", "draft", 2)]
        assert db.read_sync(migrate.current_revision) == migrate.head_revision()
    finally:
        db.close()


def test_schedule_times_are_beijing_times():
    """The publisher types Beijing time; it is stored in UTC."""
    from tvportal.editor.views_workflow import parse_local_time

    when = parse_local_time("2026-12-31T09:00")
    assert when == dt.datetime(2026, 12, 31, 9, 0, tzinfo=city_tz())
    assert when.astimezone(dt.timezone.utc).hour == 1
    assert parse_local_time("2026-12-31 09:00:30").second == 30
    assert parse_local_time("明天上午") is None
