"""Leaving for the operator's EPG: what the hint bar, 按键说明 and the help page say, the EXIT key on every
page (iPanel 339), and HbbTV's application manager object allowed by the page's policy only for that exit."""

from __future__ import annotations

import pytest
from lxml import html

from tests.browser import CHROMIUM, CHROMIUM_ARGS, portal
from tvportal.app import create_app
from tvportal.settings import load_settings

IPANEL = "Mozilla/4.0 (compatible; iPanel 3.0; Linux 2.6.12; MIPS) NGB/3.0"
HUAWEI = "Mozilla/5.0 (Linux; Android 4.4.2; EC6108V9 Build/KOT49H) AppleWebKit/537.36 Chrome/30.0.0.0"
EPG = "http://epg.example.invalid/portal/home"


async def client_for(aiohttp_client, tmp_path, **extra):
    """The real app with the given operator settings."""
    settings = load_settings({"data_dir": str(tmp_path / "data"), **extra}, environ={})
    return await aiohttp_client(create_app(settings))


async def hints(client, url: str, agent: str) -> dict[str, str]:
    """{action: text} of the page's hint bar."""
    page = html.fromstring(await (await client.get(url, headers={"User-Agent": agent})).text())
    return {li.get("data-action"): li.text_content() for li in page.xpath('//*[contains(concat(" ", @class, " "), " hints ")]//li')}


async def test_hints_say_how_to_leave(aiohttp_client, tmp_path):
    """Back on home says 回到电视首页; a remote with an EXIT key (iPanel) sees it on every page, one without
    (Huawei) does not; the help page explains both."""
    client = await client_for(aiohttp_client, tmp_path, exit_method="utility")
    home = await hints(client, "/", IPANEL)
    assert "回到电视首页" in home["back"] and "回到电视首页" in home["exit"] and "退出" in home["exit"]
    for url in ("/guides", "/guides/h1", "/search", "/settings", "/id/enter/id"):
        assert "回到电视首页" in (await hints(client, url, IPANEL)).get("exit", ""), url
    assert "exit" not in await hints(client, "/guides", HUAWEI)
    assert "回到电视首页" in (await hints(client, "/", HUAWEI))["back"]
    ipanel_help = await (await client.get("/help", headers={"User-Agent": IPANEL})).text()
    huawei_help = await (await client.get("/help", headers={"User-Agent": HUAWEI})).text()
    assert "回到电视首页" in ipanel_help and "退出键" in ipanel_help
    assert "回到电视首页" in huawei_help and "退出键" not in huawei_help


async def test_no_way_out_no_promise(aiohttp_client, tmp_path):
    """Without exit_method or exit_url nothing promises a way back to the TV home."""
    client = await client_for(aiohttp_client, tmp_path)
    home = await hints(client, "/", IPANEL)
    assert "back" not in home and "exit" not in home
    assert "回到电视首页" not in await (await client.get("/help", headers={"User-Agent": IPANEL})).text()


def _object_src(policy: str) -> str:
    """The object-src directive's sources."""
    return next(d for d in policy.split("; ") if d.startswith("object-src ")).split(" ", 1)[1]


@pytest.mark.parametrize("method,objects", [("hbbtv", "'self'"), ("utility", "'none'"), ("", "'none'")])
async def test_object_src_only_for_hbbtv(aiohttp_client, tmp_path, method, objects):
    """exit_method=hbbtv: TV pages carry the application manager object and allow it (object-src 'self');
    other methods keep object-src 'none' and no object; answers that are not pages keep 'none' always."""
    client = await client_for(aiohttp_client, tmp_path, exit_method=method)
    for url in ("/", "/guides/h1", "/id/enter/id", "/no-such-page"):
        resp = await client.get(url)
        page = await resp.text()
        assert _object_src(resp.headers["Content-Security-Policy"]) == objects, url
        assert ('type="application/oipfApplicationManager"' in page) == (method == "hbbtv"), url
    answer = await client.get("/search/keypad?d=7")  # JSON for keypad.js: no page, no object
    assert _object_src(answer.headers["Content-Security-Policy"]) == "'none'"


VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective);
});
HTMLObjectElement.prototype.getOwnerApplication = function () {
  return {destroyApplication: function () { window.__exit = 'hbbtv'; }};
};
"""


@pytest.mark.browser
def test_hbbtv_object_is_not_refused(tmp_path):
    """In Chromium the application manager object raises no CSP violation under the portal's policy, where
    the same page with object-src 'none' does; Back on home then calls destroyApplication()."""
    from playwright.sync_api import sync_playwright

    with portal(tmp_path / "data", ("TVPORTAL_EXIT_METHOD", "hbbtv")) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        context.add_init_script(VIOLATIONS)
        page = context.new_page()
        for url in ("/guides", "/"):
            page.goto(base + url)
            assert page.query_selector("object#appmgr") is not None, url
            assert page.evaluate("window.__violations") == [], url

        def strict(route):
            """The same page under object-src 'none': the check above can fail."""
            reply = route.fetch()
            headers = dict(reply.headers)
            headers["content-security-policy"] = headers["content-security-policy"].replace(
                "object-src 'self'", "object-src 'none'")
            route.fulfill(response=reply, headers=headers)

        page.route(base + "/?strict", strict)
        page.goto(base + "/?strict")
        page.wait_for_timeout(300)
        assert "object-src" in page.evaluate("window.__violations")
        page.unroute(base + "/?strict")
        page.goto(base + "/")
        page.keyboard.press("Backspace")  # Back on home leaves through the application manager
        for _ in range(50):
            if page.evaluate("window.__exit || ''"):
                break
            page.wait_for_timeout(100)
        assert page.evaluate("window.__exit || ''") == "hbbtv"
        browser.close()


@pytest.mark.browser
def test_ipanel_exit_key_on_every_page(tmp_path):
    """iPanel's EXIT (339) leaves for the EPG from every kind of page: content, list, keypad, settings, the
    search page with its words field focused (where other keys type)."""
    from playwright.sync_api import sync_playwright

    with portal(tmp_path / "data", ("TVPORTAL_EXIT_METHOD", EPG)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(user_agent=IPANEL, viewport={"width": 1280, "height": 720})
        context.route(EPG, lambda route: route.fulfill(body="<title>EPG</title>", content_type="text/html"))
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        for url in ("/", "/guides/h1", "/policies", "/id/enter/id", "/settings", "/search"):
            page.goto(base + url + ("?size=hd" if url == "/" else ""))
            if url == "/search":
                page.focus("#q")
            with page.expect_navigation(wait_until="load", timeout=10000):
                for kind in ("rawKeyDown", "keyUp"):
                    cdp.send("Input.dispatchKeyEvent", {"type": kind, "windowsVirtualKeyCode": 339,
                                                        "nativeVirtualKeyCode": 339})
            assert page.url == EPG, url
        browser.close()
