"""Two real ``tvportal serve`` instances behind Debian's nginx, configured from what deploy/ ships.

The instances run the systemd unit's command line with deploy/tvportal.toml (base_path /tv, nginx as
the trusted proxy) on one data dir; nginx runs the rendered deploy/nginx/tvportal.conf.template.
Clients connect from distinct loopback addresses (127.0.0.2, 127.0.0.3 ...), so nginx sees them as
different machines, as it would on a real network.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import aiohttp
import pytest
from cryptography.fernet import Fernet

from tests.browser import free_port
from tests.deploy_support import DEPLOY, running_nginx, start_instance, stop_all, tvportal_cli, wait_healthy
from tests.storage_support import scalar

NGINX_PORT, PORT_A, PORT_B = 18300, 18301, 18302
ADMIN_PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, pg_server):
    """nginx on NGINX_PORT in front of instances on PORT_A and PORT_B (editor on, access log on).

    Both use one PostgreSQL database, each its own data dir (as on two machines), and both are
    started at the same moment on the empty database.
    """
    work = tmp_path_factory.mktemp("cluster")
    database_url = pg_server.new_database()
    env = {"TVPORTAL_CONFIG": str(DEPLOY / "tvportal.toml"), "TVPORTAL_DATABASE_URL": database_url,
           "TVPORTAL_COOKIE_SECURE": "false", "TVPORTAL_EDITOR_ENABLED": "true", "TVPORTAL_ACCESS_LOG": "true",
           "TVPORTAL_LOG_LEVEL": "INFO", "TVPORTAL_SESSION_SECRET": Fernet.generate_key().decode(),
           "TVPORTAL_PUBLIC_URL": "http://phones.example.invalid/tv"}
    instances = []

    def start(port: int):
        return start_instance(port, work, {**env, "TVPORTAL_DATA_DIR": str(work / f"data-{port}")})

    try:
        instances += [start(PORT_A), start(PORT_B)]
        for inst in instances:
            wait_healthy(f"http://127.0.0.1:{inst.port}/tv/healthz", inst.proc, inst.log)
        tvportal_cli("user", "--data-dir", str(work / "data-cli"), "add", "admin", "--role", "admin",
                     "--password-stdin", stdin=ADMIN_PASSWORD + "\n", **{k: v for k, v in env.items()
                                                                        if k == "TVPORTAL_DATABASE_URL"})
        with running_nginx(work / "nginx", NGINX_PORT, [PORT_A, PORT_B], base_path="/tv") as base:
            yield SimpleNamespace(base=base, root=f"http://127.0.0.1:{NGINX_PORT}", work=work, env=env,
                                  database_url=database_url, instances=instances, start=start)
    finally:
        stop_all(instances)


def client_from(address: str) -> aiohttp.ClientSession:
    """An HTTP client whose connections come from ``address`` (a distinct loopback address)."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0), force_close=True),
                                 cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 timeout=aiohttp.ClientTimeout(total=30))


async def test_requests_alternate_across_both_instances(cluster):
    """nginx spreads requests over both instances (counted in each instance's access log)."""
    marker = f"probe{time.monotonic_ns()}"
    async with client_from("127.0.0.2") as http:
        for i in range(20):
            async with http.get(f"{cluster.base}/help?{marker}={i}") as resp:
                assert resp.status == 200
    deadline = time.monotonic() + 5  # an access-log line is written just after its response is sent
    while True:
        seen = [inst.log.read_text(errors="replace").count(marker) for inst in cluster.instances]
        if sum(seen) == 20 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert sum(seen) == 20 and min(seen) >= 8, seen


def _urls(html: str) -> list[str]:
    return re.findall(r'(?<![-\w])(?:href|src|action|formaction)="([^"]*)"', html)


async def test_base_path_through_nginx(cluster):
    """Under /tv every link, asset, form, runtime URL, redirect and cookie path carries the prefix."""
    async with client_from("127.0.0.2") as http:
        async with http.get(cluster.root + "/", allow_redirects=False) as resp:
            assert resp.status == 302 and resp.headers["Location"] == "/tv/"
        pages, seen = ["/tv/", "/tv/guides", "/tv/search", "/tv/settings", "/tv/booking", "/tv/id"], set()
        while pages and len(seen) < 25:
            path = pages.pop(0)
            if path in seen:
                continue
            seen.add(path)
            async with http.get(cluster.root + path) as resp:
                assert resp.status == 200, path
                html = await resp.text()
            for u in _urls(html):
                if u.startswith(("data:", "#", "http://epg.example.invalid")):
                    continue
                assert u.startswith("/tv/"), (path, u)
                if not u.startswith("/tv/static/"):
                    pages.append(u.split("?")[0])
            nav = re.search(r"TVNAV=(\{.*?\});?</script>", html) or re.search(r'"keys":\{.*?\}\}', html)
            assert nav is not None, path
            for href in re.findall(r'"(?:h|href|back)":"([^"]+)"', nav.group(0)):
                assert href.startswith("/tv/") or href.startswith("http"), (path, href)
        async with http.post(cluster.base + "/settings", data={"field": "text", "value": "1"},
                             allow_redirects=False) as resp:
            assert resp.status == 303 and resp.headers["Location"].startswith("/tv/settings")
            assert "Path=/tv/" in resp.headers["Set-Cookie"]
        async with http.get(cluster.base + "/editor", allow_redirects=False) as resp:
            assert resp.headers["Location"].startswith("/tv/editor/")
        async with http.get(cluster.base + "/editor/signin") as resp:
            assert 'action="/tv/editor/signin"' in await resp.text()
            assert "Path=/tv/editor" in resp.headers.get("Set-Cookie", "")


async def test_qr_code_points_at_public_url(cluster):
    """The sign-in QR code encodes public_url, not the address the box used; the phone page works there."""
    import segno
    from sqlalchemy import select

    from tvportal.storage.tables import platform_tickets

    async with client_from("127.0.0.2") as http:
        async with http.get(cluster.base + "/id/qr") as resp:
            assert resp.status == 200
            html = await resp.text()
        newest = select(platform_tickets.c.ticket).order_by(platform_tickets.c.created.desc()).limit(1)
        ticket = scalar(cluster.database_url, newest)
        phone_url = f"http://phones.example.invalid/tv/m/confirm/{ticket}"
        assert segno.make(phone_url, error="m").svg_inline(scale=4, border=2, omitsize=True) in html
        # the phone reaches the same path through nginx; its form posts back to where it was opened
        async with http.get(f"{cluster.base}/m/confirm/{ticket}") as resp:
            assert resp.status == 200 and '<form method="post">' in await resp.text()


async def test_static_assets_and_speech_are_cached_by_nginx(cluster):
    """Hashed assets and speech MP3s are answered from nginx's cache after the first request."""
    async with client_from("127.0.0.2") as http:
        async with http.get(cluster.base + "/") as resp:
            home = await resp.text()
            css = re.search(r'href="(/tv/static/tv\.[0-9a-f]+\.css)"', home).group(1)
        statuses = []
        for _ in range(3):
            async with http.get(cluster.root + css, headers={"Accept-Encoding": "gzip"}) as resp:
                assert resp.status == 200 and "immutable" in resp.headers["Cache-Control"]
                statuses.append(resp.headers["X-Cache-Status"])
                body = await resp.read()
        assert statuses[0] in ("MISS", "HIT") and statuses[1:] == ["HIT", "HIT"] and b"{" in body
        # a sentence of the page, signed by whichever instance served it: both instances share the key
        text, signature = json.loads(home.split("var TVSPEECH=", 1)[1].split(";</script>", 1)[0])["page"][0]
        speech = cluster.base + "/voice/tts?" + urlencode({"l": "zh_CN", "r": "slow", "t": text, "s": signature})
        statuses = []
        for _ in range(2):
            async with http.get(speech, timeout=aiohttp.ClientTimeout(total=60)) as resp:
                assert resp.status == 200 and resp.content_type == "audio/mpeg"
                statuses.append(resp.headers["X-Cache-Status"])
        assert statuses == ["MISS", "HIT"]


async def _signin(http: aiohttp.ClientSession, base: str, name: str, password: str) -> tuple[int, str]:
    async with http.get(base + "/editor/signin") as resp:
        csrf = re.search(r'name="_csrf" value="([^"]+)"', await resp.text()).group(1)
    async with http.post(base + "/editor/signin", allow_redirects=False,
                         data={"_csrf": csrf, "name": name, "password": password, "next": "/editor"}) as resp:
        return resp.status, await resp.text()


async def test_failed_signins_lock_out_only_that_client(cluster):
    """5 failed sign-ins from one machine block it, through nginx, but not another machine."""
    async with client_from("127.0.0.5") as attacker, client_from("127.0.0.6") as editor:
        for i in range(5):
            status, _ = await _signin(attacker, cluster.base, f"guess{i}", "wrong password")
            assert status == 401
        # a forged X-Forwarded-For does not make the attacker someone else
        attacker.headers["X-Forwarded-For"] = "198.51.100.9"
        status, _ = await _signin(attacker, cluster.base, "admin", ADMIN_PASSWORD)
        assert status == 429
        status, _ = await _signin(editor, cluster.base, "admin", ADMIN_PASSWORD)
        assert status == 303


def policy_form(csrf: str, item_id: str) -> dict[str, str]:
    """The editor's form for a new policy article, saved as a draft (a write to the database)."""
    return {"_csrf": csrf, "id": item_id, "title": "负载测试", "issuer": "六安市", "date": "2026-12-01",
            "summary": "测试", "paragraphs": "正文", "_action": "save"}


async def test_kill_one_instance_under_load(cluster):
    """kill -9 of one instance while editors write and TVs read: nginx fails over and every acknowledged
    write is in the database; the only failed requests are the ones in flight at the kill."""
    async with client_from("127.0.0.7") as admin:
        assert (await _signin(admin, cluster.base, "admin", ADMIN_PASSWORD))[0] == 303
        async with admin.get(cluster.base + "/editor/policy/new") as resp:
            csrf = re.search(r'name="_csrf" value="([^"]+)"', await resp.text()).group(1)
        acknowledged, failed_writes, reads, failed_reads = [], [], [], []
        stop_at = time.monotonic() + 6
        killed_at: list[float] = []

        async def writer(w: int) -> None:
            n = 0
            while time.monotonic() < stop_at:
                name = f"load-{w}-{n}"
                n += 1
                try:
                    # the redirect is followed, as a browser would (the edit page takes the flash message)
                    async with admin.post(cluster.base + "/editor/policy/new",
                                          data=policy_form(csrf, name)) as resp:
                        ok = resp.history and resp.history[0].status == 303
                        (acknowledged if ok else failed_writes).append((name, resp.status))
                except aiohttp.ClientError as exc:
                    failed_writes.append((name, repr(exc)))

        async def reader() -> None:
            async with client_from("127.0.0.8") as tv:
                while time.monotonic() < stop_at:
                    try:
                        async with tv.get(cluster.base + "/guides") as resp:
                            (reads if resp.status == 200 else failed_reads).append((time.monotonic(), resp.status))
                    except aiohttp.ClientError as exc:
                        failed_reads.append((time.monotonic(), repr(exc)))

        async def killer() -> None:
            await asyncio.sleep(2)
            await asyncio.to_thread(cluster.instances[0].kill)
            killed_at.append(time.monotonic())

        await asyncio.gather(*(writer(w) for w in range(3)), reader(), reader(), killer())
        # systemd starts it again (Restart=on-failure); it joins without any step of its own
        cluster.instances[0] = cluster.start(PORT_A)
        wait_healthy(f"http://127.0.0.1:{PORT_A}/tv/healthz", cluster.instances[0].proc, cluster.instances[0].log)
        # a write that failed in flight is submitted again, as the viewer would; it was kept or is kept now
        for name, _ in failed_writes:
            async with admin.post(cluster.base + "/editor/policy/new", allow_redirects=False,
                                  data=policy_form(csrf, name)) as resp:
                assert resp.status in (303, 409), (name, resp.status)  # 409: the first try was kept
        missing = []
        for name, _ in acknowledged + failed_writes:  # asked of the surviving instance, through nginx
            async with admin.get(f"{cluster.base}/editor/policy/{name}") as resp:
                if resp.status != 200:
                    missing.append((name, resp.status, str(resp.url)))
    print(f"kill -9 under load: {len(acknowledged)} writes acknowledged, {len(failed_writes)} failed "
          f"{failed_writes}; {len(reads)} reads answered, {len(failed_reads)} failed")
    assert missing == []
    assert failed_reads == []  # a GET that met the dead instance was retried on the other by nginx
    assert len(failed_writes) <= 3, failed_writes  # at most the writes in flight at the kill
    assert len([t for t, _ in reads if t > killed_at[0] + 0.5]) > 10  # reads go on after the kill
    assert len([name for name, _ in acknowledged if int(name.split("-")[2]) > 3]) > 5, acknowledged


async def _press(http: aiohttp.ClientSession, base: str, what: str, keys: str) -> str:
    """Press keypad keys on the sign-in screen ``what``; the last redirect's target."""
    location = ""
    for key in keys:
        async with http.post(f"{base}/id/enter/{what}", data={"k": key}, allow_redirects=False) as resp:
            assert resp.status == 303, await resp.text()
            location = resp.headers["Location"]
    return location


async def _sign_in(http: aiohttp.ClientSession, base: str, database_url: str, id_number: str) -> None:
    """Sign a TV in with ID number and SMS code, keys only (the code read from the platform's table)."""
    from tests.storage_support import sms_code

    await _press(http, base, "id", id_number)
    assert (await _press(http, base, "id", ["ok"])).endswith("/tv/id/enter/code")
    code = sms_code(database_url, id_number, "login")
    await _press(http, base, "code", code)
    assert not (await _press(http, base, "code", ["ok"])).endswith("/id/enter/code")


async def test_id_digits_half_typed_on_one_instance_go_on_on_the_other(cluster):
    """The first 9 digits typed on A, the rest on B: B has all 18 and asks for the SMS code."""
    from tests.platform_helpers import PEOPLE

    number = PEOPLE["wang"]
    a, b = (f"http://127.0.0.1:{port}/tv" for port in (PORT_A, PORT_B))
    async with client_from("127.0.0.9") as tv:  # one TV: its cookie goes to both (cookies ignore the port)
        await _press(tv, a, "id", number[:9])
        await _press(tv, b, "id", number[9:])
        assert (await _press(tv, b, "id", ["ok"])).endswith("/tv/id/enter/code")
        async with tv.get(f"{a}/id/enter/code") as resp:  # and A knows where the flow is too
            # the code keypad, not sent back to the ID keypad (no phone number: that would tell who is registered)
            page = await resp.text()
            assert resp.status == 200 and "短信里的6位验证码" in page, page


async def test_fifty_bookings_for_three_places_across_both_instances(cluster):
    """50 TVs, signed in through nginx, press OK on the last 3 places of a slot at once: exactly 3 bookings."""
    from sqlalchemy import func, select

    from tests.storage_support import add_people, migrated
    from tvportal.storage.tables import platform_bookings, platform_people, platform_slots

    db = migrated(cluster.database_url)
    try:
        people = add_people(db, 60)
        numbers = dict(db.read_sync(lambda conn: conn.execute(
            select(platform_people.c.id, platform_people.c.id_number).where(platform_people.c.id.in_(people)))
            .all()))
    finally:
        db.close()
    tvs = [client_from("127.0.0.10") for _ in people]
    try:
        limit = asyncio.Semaphore(10)

        async def sign_in(tv, pid):
            async with limit:
                await _sign_in(tv, cluster.base, cluster.database_url, numbers[pid])

        await asyncio.gather(*(sign_in(tv, pid) for tv, pid in zip(tvs, people)))
        async with tvs[0].get(cluster.base + "/booking/h/LA-01") as resp:
            day = re.findall(r'href="/tv/booking/h/LA-01/(\d{4}-\d\d-\d\d)"', await resp.text())[0]
        async with tvs[0].get(f"{cluster.base}/booking/h/LA-01/{day}") as resp:
            slot = re.findall(r'href="/tv/booking/s/([^"?]+)"', await resp.text())[0]

        async def book(tv) -> tuple[int, str]:
            async with tv.get(f"{cluster.base}/booking/s/{slot}") as resp:
                key = re.search(r'name="key" value="([^"]+)"', await resp.text()).group(1)
            async with tv.post(f"{cluster.base}/booking/s/{slot}", data={"key": key, "move": ""},
                               allow_redirects=False) as resp:
                return resp.status, resp.headers.get("Location", "")

        def remaining() -> int:
            row = scalar(cluster.database_url, select(platform_slots.c.capacity - platform_slots.c.booked)
                         .where(platform_slots.c.id == slot))
            return 99 if row is None else row

        spare = iter(tvs[50:])
        while remaining() > 3:  # book the slot down to its last 3 places
            assert (await book(next(spare)))[0] == 303
        assert remaining() == 3
        results = await asyncio.gather(*(book(tv) for tv in tvs[:50]))
    finally:
        for tv in tvs:
            await tv.close()
    booked = [r for r in results if r[0] == 303 and "/tv/booking/r/" in r[1]]
    assert len(booked) == 3, results
    assert sorted(status for status, _ in results).count(409) == 47, results
    count = select(func.count()).select_from(platform_bookings).where(platform_bookings.c.slot_id == slot,
                                                                      platform_bookings.c.status == "booked")
    assert scalar(cluster.database_url, count) == scalar(cluster.database_url, select(
        platform_slots.c.capacity).where(platform_slots.c.id == slot))


async def test_the_portals_own_503s_leave_both_instances_in(cluster):
    """A 503 of the portal (here: voice commands without a speech model; also /healthz while the database is
    down) is about that request, or about what both instances share: nginx must not count it as the
    instance failing, or a few of them leave it no instance and every TV gets an error page."""
    async with client_from("127.0.0.11") as tv:
        for _ in range(4):
            async with tv.get(cluster.base + "/voice/listen") as resp:
                assert resp.status == 503 and "语音" in (await resp.json())["error"]
        statuses = []
        for _ in range(10):
            async with tv.get(cluster.base + "/guides") as resp:
                statuses.append(resp.status)
    assert statuses == [200] * 10


def test_no_instance_gets_nginx_page_in_chinese(tmp_path):
    """When no instance answers, nginx's own page is in Chinese and says what to do, not "502 Bad Gateway"."""
    import urllib.error
    import urllib.request

    listen, dead = free_port(), [free_port(), free_port()]  # nothing listens on the instances' ports
    with running_nginx(tmp_path / "nginx", listen, dead, base_path="/tv", healthy=False) as base:
        try:
            urllib.request.urlopen(base + "/guides", timeout=10)
            raise AssertionError("answered without an instance")
        except urllib.error.HTTPError as exc:
            status, page = exc.code, exc.read().decode()
    assert status == 503 and "电视政务服务暂时打不开" in page and "按返回键" in page
    assert "nginx" not in page and "Bad Gateway" not in page


async def test_rolling_restart_as_documented_loses_no_page(cluster):
    """docs/deployment.md: stop A (SIGTERM, as systemd does), start it, wait for its /tv/healthz and 5 s more
    (nginx's fail_timeout), then B: TVs reading meanwhile never see an error."""
    reads, failed = [], []
    done = asyncio.Event()

    async def reader(address: str) -> None:
        async with client_from(address) as tv:
            while not done.is_set():
                try:
                    async with tv.get(cluster.base + "/guides/h3") as resp:
                        (reads if resp.status == 200 else failed).append(resp.status)
                except aiohttp.ClientError as exc:
                    failed.append(repr(exc))
                await asyncio.sleep(0.02)

    async def restart_each() -> None:
        try:
            for i, port in enumerate((PORT_A, PORT_B)):
                await asyncio.to_thread(cluster.instances[i].stop)
                cluster.instances[i] = cluster.start(port)
                await asyncio.to_thread(wait_healthy, f"http://127.0.0.1:{port}/tv/healthz", cluster.instances[i].proc,
                                        cluster.instances[i].log, 120.0)
                await asyncio.sleep(6)
        finally:
            done.set()

    await asyncio.gather(reader("127.0.0.12"), reader("127.0.0.13"), restart_each())
    assert failed == [] and len(reads) > 50, (failed, len(reads))
