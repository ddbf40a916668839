"""Headers for embedding in an EPG: CSP with hashes of the inline scripts (no 'unsafe-inline' for scripts),
frame-ancestors from the setting, the screen size remembered from the launch URL, and the exit in the map."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

from tvportal.app import create_app
from tvportal.settings import SettingsError, load_settings

INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)


def script_src(policy: str) -> list[str]:
    """The sources of the policy's script-src."""
    return next(d for d in policy.split("; ") if d.startswith("script-src ")).split()[1:]


@pytest.fixture
async def epg_client(aiohttp_client, tmp_path):
    """A portal embedded by an EPG origin, leaving through Utility."""
    settings = load_settings({"data_dir": str(tmp_path / "data"), "exit_method": "utility",
                              "frame_ancestors": "'self', http://epg.example.cn:8080"}, environ={})
    return await aiohttp_client(create_app(settings))


@pytest.mark.parametrize("url", ["/", "/guides/h1", "/search", "/id/enter/id", "/no-such-page"])
async def test_inline_scripts_allowed_by_hash_only(epg_client, url):
    """Every inline script of the page is in script-src by its hash; nothing allows inline scripts in bulk."""
    resp = await epg_client.get(url)
    html = await resp.text()
    policy = resp.headers["Content-Security-Policy"]
    sources = script_src(policy)
    assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    scripts = INLINE.findall(html)
    assert scripts
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in sources, body[:60]
    assert "frame-ancestors 'self' http://epg.example.cn:8080" in policy


async def test_cached_page_keeps_its_hashes(epg_client):
    """The page cache serves the policy that belongs to the page it stored."""
    first = await epg_client.get("/guides")
    second = await epg_client.get("/guides")
    assert first.headers["Content-Security-Policy"] == second.headers["Content-Security-Policy"]
    assert await first.text() == await second.text()


async def test_keypad_nonce_is_per_device(epg_client):
    """A keypad page allows the device's nonce, and its inline scripts carry it."""
    resp = await epg_client.get("/id/enter/id")
    html = await resp.text()
    nonce = re.search(r"'nonce-([A-Za-z0-9_-]{22})'", resp.headers["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in html
    again = await epg_client.get("/id/enter/id")
    assert f"'nonce-{nonce}'" in again.headers["Content-Security-Policy"]


async def test_exit_and_size_reach_the_page(epg_client):
    """?size=sd is remembered; home's map says Back leaves through Utility; other pages carry the exit."""
    resp = await epg_client.get("/?size=sd")
    html = await resp.text()
    assert 'content="640*530"' in html and resp.cookies["tvsize"].value == "sd"
    nav = json.loads(re.search(r"var TVNAV=(.*?);</script>", html).group(1))
    assert nav["ex"] == ["v", "exitIptvApp"] and nav["hx"] == 1 and "back" not in nav
    resp = await epg_client.get("/guides")  # the cookie jar carries tvsize
    html = await resp.text()
    assert 'content="640*530"' in html
    nav = json.loads(re.search(r"var TVNAV=(.*?);</script>", html).group(1))
    assert nav["ex"] == ["v", "exitIptvApp"] and "hx" not in nav


@pytest.mark.parametrize("name,value", [("exit_method", "javascript:alert(1)"), ("exit_method", "function:a.b"),
                                        ("frame_ancestors", "epg.example.cn"), ("screen_size", "4k")])
def test_bad_operator_settings_stop_the_start(tmp_path, name, value):
    """A setting the pages could not use is refused at start with its name."""
    with pytest.raises(SettingsError, match=name):
        load_settings({"data_dir": str(tmp_path), name: value}, environ={})
