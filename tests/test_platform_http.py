"""The portal against the central-platform simulator over real HTTP: flows, signatures and replays,
stale catalog while down, the circuit breaker, and the outbox delivering exactly once across restarts."""

from __future__ import annotations

import asyncio
import re
import time

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from tests.browser import free_port
from tests.platform_helpers import PEOPLE, SECRET, FlowClient, first_day_slot, move_cookies, sim_process, stop
from tests.storage_support import add_people, migrated, platform_db, scalar, sms_code, transaction
from tvportal.app import create_app
from tvportal.platform import http_client
from tvportal.platform.embedded import EmbeddedPlatform
from tvportal.platform.server import Knobs, build_api
from tvportal.platform.signing import sign
from tvportal.settings import load_settings
from tvportal.storage.tables import platform_applications as apps, platform_bookings


@pytest.fixture
async def sim(tmp_path):
    """An in-process simulator on a free port: (base URL, its knobs, its database)."""
    path = platform_db(tmp_path / "sim.sqlite3")
    knobs = Knobs()
    app = build_api(EmbeddedPlatform(path), {"tvportal": SECRET}, knobs)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    yield f"http://127.0.0.1:{port}", knobs, path
    await runner.cleanup()
    path.close()


def portal_settings(tmp_path, url: str, **more):
    """Portal settings pointing at a central platform."""
    values = {"data_dir": str(tmp_path / "portal"), "central_url": url, "central_secret": SECRET,
              "central_outbox_interval": 1, **more}
    return load_settings(values, environ={})


async def test_flows_over_http(aiohttp_client, tmp_path, sim):
    """Sign in, book, apply, query and rate with the portal talking to the simulator."""
    url, _knobs, path = sim
    client = await aiohttp_client(create_app(portal_settings(tmp_path, url)))
    tv = FlowClient(client, lambda n, p: sms_code(path, n, p))
    await tv.sign_in(PEOPLE["wang"])
    _day, slot_href = await first_day_slot(tv, "LA-02")
    receipt_url, receipt = await tv.post_button(await tv.get(slot_href), "ok")
    assert "/booking/r/YY" in receipt_url
    q0 = await tv.get("/apply/h5/q/0")
    _u, q1 = await tv.post_button(q0, "c0")
    _u, confirm = await tv.post_button(q1, "c0")
    url2, done = await tv.post_button(confirm, "ok")
    assert "/apply/a/BJ" in url2
    number = url2.split("/apply/a/")[1].split("?")[0]
    records = await tv.get("/lookup/q2/result")
    assert "元档" in records
    rate = await tv.get(f"/rate/application/{number}")
    _u, sure = await tv.post_button(rate, "l5")
    _u, thanks = await tv.post_button(sure, "send")  # the stars are confirmed before they are sent
    assert "PJ" in thanks
    assert scalar(path, select(func.count()).select_from(apps).where(apps.c.number == number)) == 1


async def _signed(session, url: str, method: str, path: str, body: bytes = b"", secret: str = SECRET,
                  now: float | None = None, headers: dict | None = None):
    """Send one signed request; return (status, headers used)."""
    h = headers or sign(secret, method, path, body, "tvportal", now=now)
    async with session.request(method, url + path, data=body or None, headers=h) as resp:
        return resp.status, h


async def test_signature_tampering_and_replays_rejected(sim):
    """Good signatures pass; a changed body, a wrong secret, an old timestamp and a replayed nonce do not."""
    url, _knobs, _path = sim
    body = b'{"id_number": "341524194503120027", "purpose": "login"}'
    async with aiohttp.ClientSession() as s:
        status, headers = await _signed(s, url, "POST", "/v1/identity/sms-codes", body)
        assert status == 200
        assert (await _signed(s, url, "POST", "/v1/identity/sms-codes", body, headers=headers))[0] == 401  # replay
        tampered = dict(sign(SECRET, "POST", "/v1/identity/sms-codes", body, "tvportal"))
        status, _ = await _signed(s, url, "POST", "/v1/identity/sms-codes", body.replace(b"27", b"28"),
                                  headers=tampered)
        assert status == 401
        assert (await _signed(s, url, "GET", "/v1/catalog/halls", secret="guess"))[0] == 401
        assert (await _signed(s, url, "GET", "/v1/catalog/halls", now=time.time() - 3600))[0] == 401
        other_path = dict(sign(SECRET, "GET", "/v1/catalog/halls", b"", "tvportal"))
        assert (await _signed(s, url, "GET", "/v1/people/P1/records/pension", headers=other_path))[0] == 401
        async with s.get(url + "/v1/catalog/halls") as resp:
            assert resp.status == 401


async def test_catalog_served_stale_and_breaker_opens(aiohttp_client, tmp_path, sim, monkeypatch):
    """While the platform is down: hall lists come from the cache, the breaker stops calling, pages stay kind."""
    url, knobs, _path = sim
    monkeypatch.setattr(http_client, "CATALOG_TTL", 0.0)
    client = await aiohttp_client(create_app(portal_settings(tmp_path, url, central_retries=0)))
    assert (await client.get("/booking/halls")).status == 200
    knobs.down = True
    resp = await client.get("/booking/halls")
    assert resp.status == 200 and "六安市政务服务中心" in await resp.text()
    from tvportal.keys import PLATFORM

    platform = client.server.app[PLATFORM]
    for _ in range(6):
        await client.get("/booking/h/LA-01/" + _some_day())
    assert not platform.breaker.allow()
    resp = await client.get("/booking/h/LA-01/" + _some_day())
    text = await resp.text()
    assert resp.status == 503 and "Traceback" not in text and 'id="retry"' in text
    guide = await client.get("/guides/b1")
    assert guide.status == 200


def _some_day() -> str:
    """The first bookable day."""
    from tvportal.platform import services

    return services.working_days(services.now().date())[0].isoformat()


async def test_outbox_delivers_exactly_once_after_restarts(aiohttp_client, tmp_path):
    """The simulator answers too late (then stops): the application waits in the outbox with a reference;
    after the simulator and the portal restart it is delivered, and the platform holds it exactly once."""
    port = free_port()
    db = tmp_path / "central.sqlite3"
    proc = sim_process(port, db, "--latency-ms", "1500")
    url = f"http://127.0.0.1:{port}"
    settings = portal_settings(tmp_path, url, central_timeout_ms=5000, central_retries=0)
    client = await aiohttp_client(create_app(settings))
    tv = FlowClient(client, lambda n, p: sms_code(db, n, p))
    try:
        await tv.sign_in(PEOPLE["wang"])  # 81: 高龄津贴 needs 80+
        q0 = await tv.get("/apply/h2/q/0")
        _u, q1 = await tv.post_button(q0, "c0")
        _u, confirm = await tv.post_button(q1, "c0")
        from tvportal.keys import PLATFORM

        client.server.app[PLATFORM].timeout = aiohttp.ClientTimeout(total=0.4)  # the answer now comes too late
        queued_url, queued = await tv.post_button(confirm, "ok")
        assert "/flow/queued/DT" in queued_url
        reference = queued_url.rsplit("/", 1)[1]
        assert reference in re.sub(r"<[^>]+>|\s", "", queued)  # shown grouped in large digits
        await asyncio.sleep(1.6)  # the simulator finishes the write it received: only the answer was lost
    finally:
        stop(proc)
    await client.close()

    proc = sim_process(port, db)
    try:
        client2 = await aiohttp_client(create_app(settings))
        move_cookies(client, client2)  # the same TV, still signed in: only it may see the receipt
        from tvportal.keys import PLATFORM

        outbox = client2.server.app[PLATFORM].outbox
        for _ in range(100):
            if outbox.get(reference).status != "waiting":
                break
            await asyncio.sleep(0.1)
        entry = outbox.get(reference)
        assert entry.status == "delivered", entry
        page = await (await client2.get(f"/flow/queued/{reference}")).text()
        assert entry.result["number"] in page
        await client2.close()
    finally:
        stop(proc)
    with transaction(db) as conn:
        rows = conn.execute(select(apps.c.number).where(apps.c.person_id == "P1", apps.c.service_id == "h2")).all()
    assert [tuple(r) for r in rows] == [(entry.result["number"],)]


async def test_retries_only_for_idempotent_calls(tmp_path, sim):
    """With every call failing: a read is tried 1 + retries times, a keyed write too, an unkeyed write once."""
    from tvportal.platform.http_client import HttpPlatform
    from tvportal.platform.models import Queued, Unavailable
    from tvportal.platform.outbox import Outbox

    url, knobs, _path = sim
    knobs.error_rate = 1.0
    async with aiohttp.ClientSession() as session:
        client = HttpPlatform(session, url, "tvportal", SECRET, Outbox(migrated(tmp_path / "o.sqlite3")), retries=2)
        before = knobs.calls
        with pytest.raises(Unavailable):
            await client.catalog()
        assert knobs.calls - before == 3
        before = knobs.calls
        with pytest.raises(Unavailable):
            await client.send_sms_code(PEOPLE["wang"], "login")
        assert knobs.calls - before == 1
        client.breaker.success()  # 4 failures so far: keep the breaker out of this count
        before = knobs.calls
        with pytest.raises(Queued) as queued:
            await client.submit_application("P1", "P1", "h5", {"reason": "lost", "kind": "temporary"}, "key-1")
        assert knobs.calls - before == 3
        with pytest.raises(Queued) as again:  # the same key is kept once
            await client.submit_application("P1", "P1", "h5", {"reason": "lost", "kind": "temporary"}, "key-1")
        assert again.value.reference == queued.value.reference
        assert len(client.outbox.waiting()) == 1
        knobs.error_rate = 0.0
        client.breaker.success()
        assert await client.deliver_outbox() == 1
        entry = client.outbox.get(queued.value.reference)
        assert entry.status == "delivered" and entry.result["number"].startswith("BJ")


async def test_booking_while_down_is_queued_then_delivered(aiohttp_client, tmp_path, sim):
    """Platform down at 确认预约: a reference and 将自动提交; 我的预约 lists it; once up, it becomes a booking."""
    url, knobs, path = sim
    client = await aiohttp_client(create_app(portal_settings(tmp_path, url, central_retries=0)))
    tv = FlowClient(client, lambda n, p: sms_code(path, n, p))
    await tv.sign_in(PEOPLE["li"])
    _day, slot_href = await first_day_slot(tv, "LA-04")
    confirm = await tv.get(slot_href)
    from tvportal.keys import PLATFORM

    client.server.app[PLATFORM].breaker.cooldown = 0.3  # the outage opens it; delivery need not wait 10 s
    knobs.down = True
    queued_url, queued = await tv.post_button(confirm, "ok")
    assert "/flow/queued/DT" in queued_url
    reference = queued_url.rsplit("/", 1)[1]
    mine = await tv.get("/booking/mine")
    assert reference in mine
    knobs.down = False
    platform = client.server.app[PLATFORM]
    for _ in range(50):
        if platform.outbox.get(reference).status == "delivered":
            break
        await asyncio.sleep(0.1)
    assert platform.outbox.get(reference).status == "delivered"
    number = platform.outbox.get(reference).result["number"]
    assert number in await tv.get(f"/flow/queued/{reference}")
    mine = await tv.get("/booking/mine")
    assert f"/booking/b/{number}" in mine and reference not in mine


async def test_fifty_http_clients_two_simulators_one_database(tmp_path, db_url):
    """50 clients over HTTP, split over two simulator processes on the same database (SQLite file or
    PostgreSQL), book the last 3 places of a slot: exactly 3 bookings (the transaction, not one
    process's memory, enforces capacity)."""
    from tvportal.platform import services
    from tvportal.platform.http_client import HttpPlatform
    from tvportal.platform.models import Conflict
    from tvportal.platform.outbox import Outbox

    shared = platform_db(db_url)  # create and fill once, before two processes open it
    add_people(shared, 52)
    db = db_url if db_url.startswith("postgresql") else db_url.split("///", 1)[1]
    day = services.working_days(services.now().date())[1]
    slot = f"LA-05.b1.{day:%Y%m%d}.1500"
    ports = [free_port(), free_port()]
    procs = [sim_process(port, db, log_path=tmp_path / f"sim-{port}.log") for port in ports]
    try:
        async with aiohttp.ClientSession() as s1, aiohttp.ClientSession() as s2:
            outbox = Outbox(migrated(tmp_path / "o.sqlite3"))
            clients = [HttpPlatform(s, f"http://127.0.0.1:{p}", "tvportal", SECRET, outbox, timeout_ms=20000)
                       for s, p in ((s1, ports[0]), (s2, ports[1]))]
            await clients[0].create_booking("T50", "T50", slot, "pre-a")
            await clients[1].create_booking("T51", "T51", slot, "pre-b")

            async def one(i: int):
                """One citizen's attempt."""
                try:
                    return await clients[i % 2].create_booking(f"T{i}", f"T{i}", slot, f"k{i}")
                except Conflict as exc:
                    return exc

            results = await asyncio.gather(*(one(i) for i in range(50)))
    finally:
        for proc in procs:
            stop(proc)
    booked = [r for r in results if not isinstance(r, Exception)]
    assert len(booked) == 3
    assert all(isinstance(r, Conflict) and r.code == "slot_full" for r in results if isinstance(r, Exception))
    bookings = platform_bookings
    assert scalar(shared, select(func.count()).select_from(bookings).where(
        bookings.c.slot_id == slot, bookings.c.status == "booked")) == 5
    shared.close()
