"""The box's own account in headless Chromium (issue 12 item 2): a Huawei EC6108V9 whose IPTV login gives its
pages ``Authentication.CTCGetConfig`` opens the portal; home's real script sends the account and token, the
operator's stand-in confirms them; with the remote the viewer turns on large text; the box wipes every
cookie (power-off) and opens the portal again: home's script finds the account again and large text is back."""

from __future__ import annotations

import json
import time

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, portal, wait_for
from tests.operator_auth import BOX_CONFIG, USER_ID, operator_in_thread
from tests.test_operator_box_token import HUAWEI
from tests.test_signin_browser import digit_of, press

pytestmark = pytest.mark.browser

# what the box's browser gives every page after the IPTV login
AUTHENTICATION = "window.Authentication = {CTCGetConfig: function (name) { return (%s)[name] || ''; }};" \
    % json.dumps(BOX_CONFIG)
LARGE = "(' ' + document.documentElement.className + ' ').indexOf(' lt ') >= 0"
# each page's classes when it loaded (lt: large text, as the server rendered it), kept across reloads
LOADS = """document.addEventListener('DOMContentLoaded', function () {
  sessionStorage.setItem('loaded', (sessionStorage.getItem('loaded') || '') + '|' + document.documentElement.className);
});"""


def asked_once(context, seconds: float = 20) -> None:
    """Wait until the portal answered this power-on's account check (its session cookie tvbt is set)."""
    deadline = time.monotonic() + seconds
    while not any(c["name"] == "tvbt" for c in context.cookies()):
        assert time.monotonic() < deadline, "home's script did not ask"
        time.sleep(0.05)


def test_home_script_finds_the_account_again_after_a_cookie_wipe(tmp_path):
    """Power-on → account confirmed → large text with the remote → cookies wiped → power-on → large text."""
    from playwright.sync_api import sync_playwright

    with operator_in_thread() as (check_url, asked), \
            portal(tmp_path / "data", ("TVPORTAL_BOX_TOKEN_URL", check_url)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(user_agent=HUAWEI, viewport={"width": 1280, "height": 720})
        context.add_init_script(AUTHENTICATION)
        context.add_init_script(LOADS)
        page = context.new_page()
        page.goto(base + "/")  # the EPG opens the portal
        asked_once(context)
        assert [a["UserID"] for a in asked] == [USER_ID]
        assert any(c["name"] == "tvdev" for c in context.cookies())
        for item in ("t-me", "settings", "s-text"):  # 我的 → 字体大小和语言 → 大字
            with page.expect_navigation():
                press(page, digit_of(page, item))
        wait_for(page, LARGE)
        context.clear_cookies()  # the box powered off
        page.evaluate("sessionStorage.clear()")
        page.goto(base + "/")
        wait_for(page, LARGE)  # the script's answer was "reload": the account's large text
        loaded = page.evaluate("sessionStorage.getItem('loaded')").split("|")[1:]
        assert [" lt " in f" {c} " for c in loaded] == [False, True]  # as the server sent each page of home
        assert page.url == base + "/" and len(asked) == 1  # the operator's yes was kept: not asked again
        browser.close()
