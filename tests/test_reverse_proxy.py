"""Behind a reverse proxy, in-process: trusted_proxies, base_path, public_url, editor_enabled, bad settings."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import segno
from sqlalchemy import select

from tests.editor_support import PASSWORD, csrf_of, make_users
from tests.storage_support import scalar, transaction
from tvportal.app import create_app, server_app
from tvportal.keys import PAGE_CACHE
from tvportal.settings import SettingsError, load_settings
from tvportal.storage.tables import platform_tickets
from tvportal.urls import prefixed


async def _signin(client, name: str, password: str, address: str):
    """A sign-in attempt as if nginx forwarded it for ``address``."""
    client.session.headers["X-Forwarded-For"] = address
    page = await client.get("/editor/signin")
    return await client.post("/editor/signin", allow_redirects=False,
                             data={"_csrf": csrf_of(await page.text()), "name": name, "password": password})


@pytest.mark.parametrize("trusted,other_client_status", [("127.0.0.1", 303), ("10.0.0.0/8", 429)])
async def test_signin_limit_is_per_forwarded_client_only_from_trusted_proxies(aiohttp_client, tmp_path, trusted,
                                                                              other_client_status):
    """5 failures for 203.0.113.1 lock out that client; 203.0.113.2 signs in, unless the proxy is not trusted
    (then both are the proxy's one address, and X-Forwarded-For cannot be used to dodge the limit)."""
    settings = load_settings({"data_dir": str(tmp_path / "data"), "trusted_proxies": trusted}, environ={})
    make_users(settings)
    client = await aiohttp_client(create_app(settings))
    for i in range(5):
        assert (await _signin(client, f"guess{i}", "wrong", "203.0.113.1")).status == 401
    assert (await _signin(client, "adm", PASSWORD, "203.0.113.1")).status == 429
    assert (await _signin(client, "adm", PASSWORD, "203.0.113.2")).status == other_client_status


async def test_forwarded_proto_and_host_make_the_qr_address_when_no_public_url(aiohttp_client, tmp_path):
    """Without public_url the QR code uses the scheme and host the proxy forwarded (and the base path)."""
    settings = load_settings({"data_dir": str(tmp_path / "data"), "trusted_proxies": "127.0.0.1",
                              "base_path": "/tv"}, environ={})
    client = await aiohttp_client(server_app(settings))
    resp = await client.get("/tv/id/qr", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "tv.example.cn",
                                                 "X-Forwarded-For": "203.0.113.7"})
    assert resp.status == 200
    ticket = scalar(settings, select(platform_tickets.c.ticket).limit(1))
    url = f"https://tv.example.cn/tv/m/confirm/{ticket}"
    assert segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True) in await resp.text()


async def test_pages_under_base_path_come_from_the_page_cache(aiohttp_client, tmp_path):
    """Under base_path (a sub-application, whose routes aiohttp prefixes) content pages are cached as at the root:
    the second request for a guide page, home and a hall is a hit."""
    settings = load_settings({"data_dir": str(tmp_path / "data"), "base_path": "/tv"}, environ={})
    app = server_app(settings)
    client = await aiohttp_client(app)
    portal = app._subapps[0]
    cache = portal[PAGE_CACHE]
    for path in ("/tv/guides/h3", "/tv/", "/tv/halls"):
        first = await client.get(path)
        hits = cache.hits
        again = await client.get(path)
        assert (first.status, again.status) == (200, 200)
        assert await again.text() == await first.text()
        assert cache.hits == hits + 1, path


async def test_statistics_under_base_path_name_app_routes(aiohttp_client, tmp_path):
    """The operator's statistics name screens by the app's routes (docs/operator.md), the same under base_path."""
    from tvportal.stats import collector
    from tvportal.storage.tables import stats_daily

    settings = load_settings({"data_dir": str(tmp_path / "data"), "base_path": "/tv", "stats_flush_seconds": 3600},
                             environ={})
    app = server_app(settings)
    client = await aiohttp_client(app)
    for path in ("/tv/guides/h3", "/tv/booking/halls"):
        assert (await client.get(path)).status == 200
    await collector.flush(app._subapps[0])
    with transaction(settings) as conn:
        screens = {(row.event, row.screen) for row in conn.execute(select(stats_daily))}
    assert {("view", "/guides/{guide}"), ("start", "booking"), ("view", "/booking/halls")} <= screens, screens
    assert not any(screen.startswith("/tv") for _event, screen in screens), screens


async def test_base_path_is_served_and_everything_else_is_not(aiohttp_client, tmp_path):
    """/ leads to /tv/, /tv to /tv/; pages answer under /tv only; the portal sees app paths."""
    settings = load_settings({"data_dir": str(tmp_path / "data"), "base_path": "/tv/"}, environ={})
    client = await aiohttp_client(server_app(settings))
    for path, target in (("/", "/tv/"), ("/tv", "/tv/"), ("/tv?f=x", "/tv/?f=x")):
        resp = await client.get(path, allow_redirects=False)
        assert (resp.status, resp.headers["Location"]) == (302, target)
    assert (await client.get("/guides")).status == 404
    # the keypad's forms once posted to /id/enter/id outside the prefix: no one could sign in under /tv
    for path in ("/tv/guides", "/tv/id", "/tv/id/enter/id"):
        page = await client.get(path)
        assert page.status == 200, path
        urls = re.findall(r'(?<![-\w])(?:href|src|action)="([^"]*)"', await page.text())
        assert urls and all(u.startswith(("/tv/", "data:", "#")) for u in urls), (path, urls)
    search = await client.get("/tv/search?q=%E5%85%BB%E8%80%81")  # the query survives the prefix being stripped
    assert search.status == 200 and "养老" in await search.text()


async def test_editor_can_be_turned_off(aiohttp_client, tmp_path):
    """A TV instance without the editor: /editor is not there, the TV pages are."""
    settings = load_settings({"data_dir": str(tmp_path / "data"), "editor_enabled": "false"}, environ={})
    client = await aiohttp_client(create_app(settings))
    assert (await client.get("/editor/signin")).status == 404
    assert (await client.get("/")).status == 200


def test_prefixed_leaves_urls_alone():
    """Only app paths get the prefix: absolute URLs, anchors and URLs already under it stay as they are."""
    assert prefixed("/tv", "/guides") == "/tv/guides"
    assert [prefixed("/tv", u) for u in ("http://x/y", "//cdn/x", "#", "/tv/guides", "/tv")] == \
        ["http://x/y", "//cdn/x", "#", "/tv/guides", "/tv"]
    assert prefixed("", "/guides") == "/guides"


@pytest.mark.parametrize("env,message", [
    ({"TVPORTAL_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.300"}, "'10.0.0.300' 不是 IP 地址或网段"),
    ({"TVPORTAL_BASE_PATH": "tv"}, "base_path 有误：应为 /tv 这样的路径"),
    ({"TVPORTAL_PUBLIC_URL": "tv.example.cn"}, "public_url 有误：应为 https://tv.example.cn/tv 这样的地址"),
    ({"TVPORTAL_EDITOR_ENABLED": "perhaps"}, "editor_enabled 有误：应为 true 或 false"),
])
def test_bad_deployment_settings_are_refused_clearly(env, message):
    """The setting and the bad value are named; no traceback reaches the operator's terminal."""
    with pytest.raises(SettingsError, match=re.escape(message)):
        load_settings(environ=env)
    done = subprocess.run([sys.executable, "-m", "tvportal", "serve", "--port", "18390"], capture_output=True,
                          text=True, env={**env, "PYTHONPATH": ".", "PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_trusted_proxies_from_toml_list(tmp_path):
    """In TOML the proxies are a list; networks and IPv6 are accepted."""
    cfg = tmp_path / "t.toml"
    cfg.write_text('[tvportal]\ntrusted_proxies = ["127.0.0.1", "10.0.0.0/8", "::1"]\n')
    assert load_settings(config_file=cfg, environ={}).trusted_proxies == ("127.0.0.1", "10.0.0.0/8", "::1")
