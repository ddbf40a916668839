"""A box lab: Chromium with the User-Agent, remote key codes and screen of six real boxes.

On each: home → 办事指南 → a topic → a guide with the box's own OK codes, Back three times to home, then
the operator's way out (docs/operator-boxes.md), observed as the box would see it: the ``Utility`` object,
the EPG's function or the HbbTV application manager that the box provides is stubbed and records the call,
and an exit address is answered by a stand-in EPG page.  Keys go in through DevTools
(Input.dispatchKeyEvent) with the box's keyCode, as the box's browser would deliver them.
"""

from __future__ import annotations

import pytest

from remote_nav import keymap, profile_for_user_agent
from tests.browser import CHROMIUM, CHROMIUM_ARGS, portal

pytestmark = pytest.mark.browser

EPG = "http://epg.example.invalid/portal/home"
# what the boxes provide to page scripts, recording the call instead of leaving the browser
STUBS = """
window.Utility = {setValueByName: function (k) { window.__exit = 'utility:' + k; }};
window.goBackEPG = function () { window.__exit = 'function'; };
HTMLObjectElement.prototype.getOwnerApplication = function () {
  return {destroyApplication: function () { window.__exit = 'hbbtv'; }};
};
"""

# name, User-Agent, profile expected from it, screen, exit_method, how the exit shows, exit key (or Back)
BOXES = [
    ("Huawei EC6108V9", "Mozilla/5.0 (Linux; Android 4.4.2; EC6108V9 Build/KOT49H) AppleWebKit/537.36 (KHTML, "
     "like Gecko) Version/4.0 Chrome/30.0.0.0 Mobile Safari/537.36", "huawei_zte", "hd", "utility",
     "utility:exitIptvApp", "back"),
    ("ZTE B860A", "Mozilla/5.0 (Linux; U; Android 4.4.2; zh-cn; B860A Build/KOT49H) AppleWebKit/534.30 (KHTML, "
     "like Gecko) Version/4.0 Mobile Safari/534.30", "huawei_zte", "hd", "utility", "utility:exitIptvApp", "back"),
    ("iPanel cable box", "Mozilla/4.0 (compatible; iPanel 3.0; Linux 2.6.12; MIPS) NGB/3.0", "ipanel", "sd",
     EPG, "url", "exit"),
    ("Hisense IP906H", "Mozilla/5.0 (X11; U; Linux mips; zh-CN; Hisense IP906H) AppleWebKit/533.3 (KHTML, like "
     "Gecko) Safari/533.3", "default", "sd", "function:goBackEPG", "function", "back"),
    ("HbbTV 2.0 set", "Mozilla/5.0 (Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) HbbTV/1.4.1 (+DRM; "
     "Samsung; SmartTV2019; T-KTMDEUC-1106.2;;) Chrome/56.0.2924.0 Safari/537.36", "hbbtv", "fhd", "hbbtv",
     "hbbtv", "back"),
    ("Android TV box", "Mozilla/5.0 (Linux; Android 9; SHIELD Android TV Build/PPR1.180610.011; wv) AppleWebKit/"
     "537.36 (KHTML, like Gecko) Version/4.0 Chrome/74.0.3729.157 Mobile Safari/537.36", "android", "fhd", EPG,
     "url", "back"),
]
VIEW = {"sd": (640, 530), "hd": (1280, 720), "fhd": (1920, 1080)}


def code_for(profile: str, action: str) -> int:
    """The box's keyCode for an action (the first its profile lists)."""
    return min(code for code, act in keymap(profile).items() if act == action)


def press(page, cdp, code: int) -> None:
    """One remote key: keydown/keyup with the box's keyCode, as its browser delivers it."""
    with page.expect_navigation(wait_until="load", timeout=10000):
        for kind in ("rawKeyDown", "keyUp"):
            cdp.send("Input.dispatchKeyEvent", {"type": kind, "windowsVirtualKeyCode": code,
                                                "nativeVirtualKeyCode": code})


@pytest.mark.parametrize("box", BOXES, ids=[b[0] for b in BOXES])
def test_home_guide_back_exit(tmp_path, box):
    """Home → guide with the box's keys, Back to home, then the operator's exit as the box provides it."""
    from playwright.sync_api import sync_playwright

    name, agent, profile, size, method, shows, exit_key = box
    assert profile_for_user_agent(agent) == profile, name
    with portal(tmp_path / "data", ("TVPORTAL_EXIT_METHOD", method)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        width, height = VIEW[size]
        context = browser.new_context(user_agent=agent, viewport={"width": width, "height": height})
        context.add_init_script(STUBS)
        context.route(EPG, lambda route: route.fulfill(body="<title>EPG</title>", content_type="text/html"))
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        page.goto(base + "/?size=" + size)
        assert page.evaluate("document.querySelector('meta[name=page-view-size]').content") == "%d*%d" % VIEW[size]
        ok, back = code_for(profile, "ok"), code_for(profile, "back")
        for expected in ("/guides", "/guides/c/", "/guides/"):
            press(page, cdp, ok)
            assert expected in page.url, (name, page.url)
        assert page.query_selector(".facts") is not None, (name, page.url)  # a guide's first screen
        if exit_key == "exit":  # the EXIT key leaves from any page
            press(page, cdp, code_for(profile, "exit"))
        else:
            for _ in range(3):
                press(page, cdp, back)
            assert page.query_selector("#t-guides") is not None, (name, page.url)
            if shows == "url":
                press(page, cdp, back)
            else:
                for kind in ("rawKeyDown", "keyUp"):
                    cdp.send("Input.dispatchKeyEvent", {"type": kind, "windowsVirtualKeyCode": back,
                                                        "nativeVirtualKeyCode": back})
        if shows == "url":
            assert page.url == EPG, (name, page.url)
        else:
            for _ in range(50):
                if page.evaluate("window.__exit || ''"):
                    break
                page.wait_for_timeout(100)
            assert page.evaluate("window.__exit || ''") == shows, name
        browser.close()


def test_exit_key_without_a_method_goes_home(tmp_path):
    """No exit_method nor exit_url: the EXIT key (iPanel 339) goes home, Back on home stays."""
    from playwright.sync_api import sync_playwright

    agent = BOXES[2][1]
    with portal(tmp_path / "data") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(user_agent=agent, viewport={"width": 640, "height": 530})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        page.goto(base + "/guides/c/yanglao?size=sd")
        press(page, cdp, code_for("ipanel", "exit"))
        assert page.query_selector("#t-guides") is not None, page.url
        for kind in ("rawKeyDown", "keyUp"):
            cdp.send("Input.dispatchKeyEvent", {"type": kind, "windowsVirtualKeyCode": 340,
                                                "nativeVirtualKeyCode": 340})
        page.wait_for_timeout(500)
        assert page.query_selector("#t-guides") is not None, page.url
        browser.close()
