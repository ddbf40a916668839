"""Every script the TV pages send runs on ES3-era engines (tests/es3.py), and the check can fail."""

from __future__ import annotations

import re

import pytest

from tests.es3 import problems
from tests.test_pages import tv_urls

INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)
EXTERNAL = re.compile(r"<script[^>]*\bsrc=\"([^\"]+)\"")


async def test_every_page_script_is_es3(client):
    """The inline scripts of every TV page (keypads included) and every script file they load."""
    scripts: dict[str, str] = {}
    for url in tv_urls() + ["/signin", "/voice", "/me"]:
        resp = await client.get(url, allow_redirects=True)
        html = await resp.text()
        for number, body in enumerate(INLINE.findall(html)):
            scripts.setdefault(body, f"{url} inline #{number + 1}")
        for src in EXTERNAL.findall(html):
            if src not in scripts.values():
                resp = await client.get(src)
                scripts[await resp.text()] = src
    assert any("TVKQ" in s for s in scripts), "no keypad page was checked"
    assert any(name.startswith("/static/") or "nav" in name for name in scripts.values())
    found = {name: problems(source) for source, name in scripts.items()}
    assert {name: p for name, p in found.items() if p} == {}


async def test_the_box_account_script_is_es3(aiohttp_client, tmp_path):
    """Home's script that reads Authentication.CTCGetConfig, where a Huawei box gets it (the operator checks
    tokens): it and every other script of that home page."""
    from tests.browser import free_port
    from tests.test_operator_box_token import HUAWEI
    from tvportal.app import create_app
    from tvportal.settings import load_settings

    settings = load_settings({"data_dir": str(tmp_path / "data"), "box_token_url": f"http://127.0.0.1:{free_port()}/check"},
                             environ={})  # never asked: only home is read
    client = await aiohttp_client(create_app(settings), headers={"User-Agent": HUAWEI})
    html = await (await client.get("/")).text()
    sources = {src: await (await client.get(src)).text() for src in EXTERNAL.findall(html)}
    sources.update({f"inline #{n}": body for n, body in enumerate(INLINE.findall(html))})
    assert any(src.startswith("inline") and "CTCGetConfig" in body for src, body in sources.items())
    assert {name: problems(body) for name, body in sources.items() if problems(body)} == {}


@pytest.mark.parametrize("snippet,problem", [
    ("var top = 1;", "reserved-word global: top"),
    ("a.class = 1;", "reserved word after a dot: .class"),
    ("var o = {default: 1};", "reserved word as a property name: default"),
    ("var o = {get x() { return 1; }};", "getter/setter in an object literal"),
    ("[1].forEach(function (x) {});", "ES5 library function: .forEach"),
    ("var k = Object.keys(o);", "ES5 library function: .keys"),
    ("var f = g.bind(this);", "ES5 library function: .bind"),
    ("var s = ' a '.trim();", "ES5 library function: .trim"),
    ("var o = JSON.parse(t);", "JSON without a fallback"),
    ("document.addEventListener('keydown', f);", "addEventListener without a fallback"),
])
def test_check_refuses_es5(snippet, problem):
    """Each rule can fail."""
    assert problem in problems(snippet)


def test_check_accepts_fallbacks():
    """A guarded addEventListener, JSON behind a test or in try, and `top` only inside strings are fine."""
    source = """
    if (d.addEventListener) d.addEventListener('focus', f, true); else d.onfocus = f;
    function parse(t) { try { return w.JSON.parse(t); } catch (e) { return null; } }
    function look(t) { if (!w.JSON) { return; } return JSON.parse(t); }
    el.style.cssText = 'top:2px';
    """
    assert problems(source) == []
