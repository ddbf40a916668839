"""The portal while the central platform is down (issue 11): queued writes survive a restart for every kind
the docs name, outbox references never collide, a queued write's receipt is shown only to the TV and person
that made it, the breaker lets one probe through, and the catalog's stale copy outlives any number of boxes."""

from __future__ import annotations

import asyncio
import re

import aiohttp
from sqlalchemy.exc import IntegrityError

from tests.platform_helpers import PEOPLE, SECRET, FlowClient, first_day_slot, move_cookies
from tests.storage_support import migrated, sms_code
from tests.test_platform_http import portal_settings, sim  # noqa: F401  (the in-process simulator fixture)
from tvportal.app import create_app
from tvportal.keys import PLATFORM
from tvportal.platform.http_client import Breaker, HttpPlatform
from tvportal.platform.models import DeviceLink, Unavailable
from tvportal.platform.outbox import Outbox


def test_three_thousand_references_never_collide(db_url):
    """3,000 writes queued on one day get 3,000 different references, short enough for a receipt (SQLite and
    PostgreSQL)."""
    outbox = Outbox(migrated(db_url))
    refs = [outbox.add("apply", f"key-{i}", "P1", {"path": "/v1/applications", "body": {}}).reference
            for i in range(3000)]
    assert len(set(refs)) == 3000
    assert all(re.fullmatch(r"DT\d{12}", r) for r in refs), refs[:3]
    outbox.db.close()


async def _pages_before_the_outage(tv: FlowClient) -> dict[str, str]:
    """Signed in as 王秀英, the four confirmation pages of the four kinds of write, taken while the platform is up."""
    await tv.sign_in(PEOPLE["wang"])
    _day, slot = await first_day_slot(tv, "LA-02")
    receipt_url, _page = await tv.post_button(await tv.get(slot), "ok")  # a booking to cancel later
    number = receipt_url.split("/booking/r/")[1]
    pages = {"cancel": await tv.get(f"/booking/b/{number}/cancel")}
    days = re.findall(r'href="/booking/h/LA-04/(\d{4}-\d\d-\d\d)"', await tv.get("/booking/h/LA-04"))
    slot2 = re.findall(r'href="(/booking/s/[^"]+)"', await tv.get(f"/booking/h/LA-04/{days[1]}"))[0]
    pages["book"] = await tv.get(slot2)  # another day: one booking per service and day
    q0 = await tv.get("/apply/h2/q/0")
    _u, q1 = await tv.post_button(q0, "c0")
    _u, pages["apply"] = await tv.post_button(q1, "c0")
    done = re.search(r'href="(/apply/a/BJ\d+)"', await tv.get("/apply/mine")).group(1)
    rate = re.search(r'href="(/rate/application/BJ\d+)"', await tv.get(done)).group(1)
    pages["rate"] = await tv.get(rate)
    return pages


async def test_every_kind_of_write_is_queued_after_a_restart_while_down(aiohttp_client, tmp_path, sim):  # noqa: F811
    """The portal restarts while the platform is down: booking, cancellation, application and rating are
    each still queued with a reference (nothing typed is lost), and delivered once the platform is back."""
    url, knobs, path = sim
    settings = portal_settings(tmp_path, url, central_retries=0)
    first = await aiohttp_client(create_app(settings))
    pages = await _pages_before_the_outage(FlowClient(first, lambda n, p: sms_code(path, n, p)))
    knobs.down = True
    await first.close()

    second = await aiohttp_client(create_app(settings))
    move_cookies(first, second)
    tv = FlowClient(second, lambda n, p: sms_code(path, n, p))
    refs = {}
    for kind, button in (("book", "ok"), ("cancel", "yes"), ("apply", "ok"), ("rate", "l4")):
        where, page = await tv.post_button(pages[kind], button)
        if kind == "rate":  # the chosen stars are confirmed before they are sent
            where, page = await tv.post_button(page, "send")
        assert "/flow/queued/DT" in where, (kind, where, page[:1500])
        refs[kind] = where.rsplit("/", 1)[1]
        assert refs[kind] in re.sub(r"<[^>]+>|\s", "", page)
    knobs.down = False
    outbox = second.server.app[PLATFORM].outbox
    for _ in range(100):
        if all(outbox.get(r).status != "waiting" for r in refs.values()):
            break
        await asyncio.sleep(0.1)
    assert {k: outbox.get(r).status for k, r in refs.items()} == dict.fromkeys(refs, "delivered")


async def _booking_confirmed_when_down(aiohttp_client, tmp_path, sim):
    """王秀英's booking confirmation page taken while the platform was up; then it goes down.
    The client, its TV, the slot's URL and the page."""
    url, knobs, path = sim
    client = await aiohttp_client(create_app(portal_settings(tmp_path, url, central_retries=0)))
    tv = FlowClient(client, lambda n, p: sms_code(path, n, p))
    await tv.sign_in(PEOPLE["wang"])
    _day, slot = await first_day_slot(tv, "LA-02")
    confirm = await tv.get(slot)
    knobs.down = True
    return client, tv, slot, confirm


async def test_a_constraint_error_while_queueing_is_a_kind_page(aiohttp_client, tmp_path, sim, monkeypatch):  # noqa: F811
    """Should keeping a write fail on a database constraint, the TV gets the kind 稍后再试 page, not a 500."""
    client, tv, slot, confirm = await _booking_confirmed_when_down(aiohttp_client, tmp_path, sim)

    def clash(*args, **kwargs):
        raise IntegrityError("INSERT INTO outbox", {}, Exception("UNIQUE constraint failed: outbox.reference"))

    monkeypatch.setattr(Outbox, "add", clash)
    form = re.search(r'name="key" value="([0-9a-f]+)"', confirm).group(1)
    resp = await client.post(slot, data={"key": form, "move": ""})
    text = await resp.text()
    assert resp.status == 503 and "Traceback" not in text and "IntegrityError" not in text
    assert "没有丢失" in text and 'id="retry"' in text


async def test_queued_receipt_only_for_its_tv_and_person(aiohttp_client, tmp_path, sim):  # noqa: F811
    """Another person, the same person on another TV, and a signed-out TV learn nothing about a reference:
    the first two get the very not-found page an unknown reference gets; the third is asked to sign in, as
    for any reference."""
    _url, knobs, path = sim
    owner, tv, _slot, confirm = await _booking_confirmed_when_down(aiohttp_client, tmp_path, sim)
    where, _page = await tv.post_button(confirm, "ok")
    reference = where.rsplit("/", 1)[1]
    assert (await owner.get(where)).status == 200
    knobs.down = False
    unknown = "DT" + str(int(reference[2:]) + 7).zfill(12)

    async def stranger(person: str | None) -> tuple[tuple[int, str], tuple[int, str]]:
        """(status, page) of the real and of an unknown reference, seen from a new TV."""
        other = aiohttp.ClientSession(base_url=str(owner.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True))
        try:
            if person:
                await FlowClient(other, lambda n, p: sms_code(path, n, p)).sign_in(PEOPLE[person])
            seen = []
            for ref in (reference, unknown):
                resp = await other.get(f"/flow/queued/{ref}", allow_redirects=False)
                seen.append((resp.status, await resp.text()))
            return seen[0], seen[1]
        finally:
            await other.close()

    for person in ("li", "wang"):  # another person; the same person on another TV
        real, fake = await stranger(person)
        assert real[0] == fake[0] == 404, (person, real[0], fake[0])
        assert _main(real[1]) == _main(fake[1]) and reference not in real[1]
    real, fake = await stranger(None)
    assert real[0] == fake[0] == 303


def _main(page: str) -> str:
    """A page without what differs by request (the nonce of its script, the path in its speech data)."""
    page = re.sub(r'nonce="[^"]*"', "", page)
    return re.sub(r"DT\d+", "DT", page)


def test_breaker_lets_exactly_one_probe_through_after_its_cooldown(monkeypatch):
    """Open after 5 failures; after the cooldown one caller probes, the other 99 fail fast until it answers."""
    clock = [100.0]
    monkeypatch.setattr("tvportal.platform.http_client.time.monotonic", lambda: clock[0])
    breaker = Breaker(threshold=5, cooldown=10.0)
    for _ in range(5):
        breaker.failure()
    assert not breaker.allow()
    clock[0] += 10.5
    assert sum(breaker.allow() for _ in range(100)) == 1
    breaker.failure()  # the probe failed: closed to everyone for another cooldown
    assert sum(breaker.allow() for _ in range(100)) == 0
    clock[0] += 10.5
    assert breaker.allow()
    breaker.success()  # the probe got through: everyone again
    assert sum(breaker.allow() for _ in range(100)) == 100


async def test_one_probe_reaches_the_platform_after_the_cooldown(tmp_path, sim):  # noqa: F811
    """100 TVs waiting when the cooldown ends send the platform one request, not 100."""
    url, knobs, _path = sim
    knobs.down = True
    async with aiohttp.ClientSession() as session:
        client = HttpPlatform(session, url, "tvportal", SECRET, Outbox(migrated(tmp_path / "o.sqlite3")), retries=0)
        client.breaker.cooldown = 0.3
        for _ in range(5):
            try:
                await client.slots("LA-01", "b1", "2026-12-02")
            except Unavailable:
                pass
        await asyncio.sleep(0.35)
        before = knobs.calls
        answers = await asyncio.gather(*(client.slots("LA-01", "b1", "2026-12-02") for _ in range(100)),
                                       return_exceptions=True)
        assert all(isinstance(a, Unavailable) for a in answers)
        assert knobs.calls - before == 1


async def test_fifty_thousand_boxes_do_not_evict_the_stale_catalog(tmp_path, sim):  # noqa: F811
    """The devices' cache is bounded on its own: after 50,001 boxes the halls are still served while down."""
    url, knobs, _path = sim
    async with aiohttp.ClientSession() as session:
        client = HttpPlatform(session, url, "tvportal", SECRET, Outbox(migrated(tmp_path / "o.sqlite3")), retries=0)
        halls = await client.halls()
        link = DeviceLink("d", None, [])
        for i in range(50_001):
            client.last_known.devices.put(f"box-{i}", link)
        assert len(client.last_known.devices) <= 50_000
        knobs.down = True
        client.last_known.db = None  # only the memory is asked: the database copy is tested above
        assert await client.halls() == halls


async def test_healthz_says_how_fresh_its_platform_knowledge_is(aiohttp_client, tmp_path, sim):  # noqa: F811
    """/healthz learns of the platform only from the TVs' calls: before any it says so instead of a bare ok;
    after an answer it says when; once the breaker is open it is degraded."""
    url, _knobs, _path = sim
    client = await aiohttp_client(create_app(portal_settings(tmp_path, url, central_retries=0)))
    platform = (await (await client.get("/healthz")).json())["parts"]["platform"]
    assert platform == {"ok": True, "detail": "not called since start"}, platform
    assert (await client.get("/booking/halls")).status == 200
    platform = (await (await client.get("/healthz")).json())["parts"]["platform"]
    assert platform["ok"] and platform["detail"].startswith("last answer "), platform
    breaker = client.server.app[PLATFORM].breaker
    for _ in range(breaker.threshold):
        breaker.failure()
    health = await (await client.get("/healthz")).json()
    assert health["parts"]["platform"] == {"ok": False, "detail": "not answering"} and "platform" in health["degraded"]
