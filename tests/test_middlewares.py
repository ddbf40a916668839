"""Each cross-cutting middleware on a bare app, then their order in the real one."""

from __future__ import annotations

import gzip

from aiohttp import web

from tvportal import middlewares
from tvportal.keys import PREFS, SETTINGS
from tvportal.settings import load_settings

BIG = "<p>" + "政务服务" * 300 + "</p>"


async def plain(request: web.Request) -> web.Response:
    """A small text response."""
    return web.Response(text="x")


async def big_html(request: web.Request) -> web.Response:
    """An HTML response worth compressing."""
    return web.Response(text=BIG, content_type="text/html")


async def test_security_headers_on_a_bare_app(aiohttp_client):
    """Every response gets nosniff, a referrer policy and a CSP."""
    app = web.Application(middlewares=[middlewares.security_headers])
    app.router.add_get("/", plain)
    resp = await (await aiohttp_client(app)).get("/")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]


async def test_compression_only_when_accepted(aiohttp_client):
    """HTML is gzip-compressed for clients that accept it, and sent plain otherwise."""
    app = web.Application(middlewares=[middlewares.compression])
    app.router.add_get("/", big_html)
    client = await aiohttp_client(app)
    resp = await client.get("/", headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    raw = await resp.read()
    assert resp.headers["Content-Encoding"] == "gzip" and gzip.decompress(raw).decode() == BIG
    assert len(raw) < len(BIG.encode()) / 10
    resp = await client.get("/", headers={"Accept-Encoding": "identity"}, auto_decompress=False)
    assert "Content-Encoding" not in resp.headers and await resp.text() == BIG


async def test_device_prefs_reads_the_cookie_and_ignores_garbage(aiohttp_client):
    """A valid cookie sets the preferences; a forged one falls back to the defaults."""
    async def show(request):
        """Echo the preferences."""
        return web.Response(text=request[PREFS].encode())

    app = web.Application(middlewares=[middlewares.device_prefs])
    app[SETTINGS] = load_settings(environ={})
    app.router.add_get("/", show)
    client = await aiohttp_client(app)
    # a 3-part cookie from before reading aloud existed keeps its choices and gets the voice defaults
    assert await (await client.get("/", cookies={"tvprefs": "t1.c1.en"})).text() == "t1.c1.en.r1.slow.v3"
    assert await (await client.get("/", cookies={"tvprefs": "t1.c1.en.r0.normal.v1"})).text() == "t1.c1.en.r0.normal.v1"
    assert await (await client.get("/", cookies={"tvprefs": "<script>"})).text() == "t0.c0.zh_CN.r1.slow.v3"


def test_documented_order():
    """Headers outermost, then prefs and the screen size (the cache key needs them), family help (it sees
    every rendered screen and status, error pages included), metrics (outside the cache, so cached pages are
    counted), cache, compression, error pages."""
    assert middlewares.ORDER == (middlewares.security_headers, middlewares.device_prefs, middlewares.box_screen,
                                 middlewares.help_middleware, middlewares.measure, middlewares.page_cache,
                                 middlewares.compression, middlewares.error_pages)


async def test_real_app_gzips_pages_and_caches_assets(client):
    """Pages come gzip-compressed; hashed assets are immutable, have an ETag and answer 304."""
    resp = await client.get("/guides/h1", headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    assert resp.headers["Content-Encoding"] == "gzip"
    home = await (await client.get("/")).text()
    css = home.split('href="/static/')[1].split('"')[0]
    resp = await client.get("/static/" + css)
    assert "immutable" in resp.headers["Cache-Control"]
    again = await client.get("/static/" + css, headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status == 304
    assert (await client.get("/static/tv.0000000000.css")).status == 404


async def test_vary_is_appended_not_overwritten(aiohttp_client):
    """A view that varies by a header keeps it when compression adds Accept-Encoding (caches key on both)."""
    async def varies(request: web.Request) -> web.Response:
        return web.Response(text=BIG, content_type="text/html", headers={"Vary": "Cookie, User-Agent"})

    app = web.Application(middlewares=[middlewares.compression])
    app.router.add_get("/", varies)
    resp = await (await aiohttp_client(app)).get("/", headers={"Accept-Encoding": "gzip"})
    assert [v.strip() for v in resp.headers["Vary"].split(",")] == ["Cookie", "User-Agent", "Accept-Encoding"]
