"""Checking a TV PIN takes seconds (argon2): in headless Chromium with the CPU 4x slower, 确认 says at once
正在核对，请稍候 on screen and aloud, and a second OK during the check is neither another attempt nor loses
what was typed — with the remote runtime, and with the plain form when scripts are off."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, portal, settled
from tests.test_signin_browser import main_text, message, press, typed
from tests.test_signin_keys_browser import PIN, eventually, pin_pad, remember, throttle

pytestmark = pytest.mark.browser
WAITING = "正在核对，请稍候"
# what starts to play (voice.js), recorded
SPY = """
window.__played = [];
(function (play) {
  HTMLMediaElement.prototype.play = function () { window.__played.push(this.src); return play.call(this); };
})(HTMLMediaElement.prototype.play);
"""


@pytest.fixture(scope="module")
def tv(tmp_path_factory):
    """A portal with the default limits: (base, data dir)."""
    data = tmp_path_factory.mktemp("signin-wait")
    with portal(data) as base:
        yield base, data


@pytest.fixture
def chromium(tmp_path):
    """``open(scripts=True)``: a fresh Chromium page (audio may start without a gesture, as on a box)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        opened = []

        def open_page(scripts: bool = True):
            ctx = p.chromium.launch_persistent_context(
                str(tmp_path / f"profile{len(opened)}"), executable_path=CHROMIUM, headless=True,
                args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
                viewport={"width": 1280, "height": 720}, java_script_enabled=scripts)
            opened.append(ctx)
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.add_init_script(SPY)
            return page

        yield open_page
        for ctx in opened:
            ctx.close()


def failed_pins(data: Path) -> int:
    """The wrong tries the portal counted for the person this test remembered (the newest)."""
    conn = sqlite3.connect(data / "tvportal.sqlite3")
    try:
        return conn.execute("SELECT failed_pins FROM tv_remembered ORDER BY created DESC LIMIT 1").fetchone()[0]
    finally:
        conn.close()


class HeldChecks:
    """Holds each PIN sent by 确认 at the browser until ``answer()``: the check is still running while the
    test presses on (a fast server could otherwise answer between two presses, and OK on the focused 1 of
    the answered pad then types a 1, as it should)."""

    def __init__(self, page):
        self.page, self.held = page, []
        page.route("**/id/pin/*", self._route)

    def _route(self, route) -> None:
        if route.request.method == "POST":
            self.held.append(route)
        else:
            route.continue_()

    def answer(self) -> None:
        """Let the checks sent so far reach the portal (exactly one is expected)."""
        assert eventually(self.page, lambda: self.held), "no PIN was sent"
        assert len(self.held) == 1, len(self.held)
        self.held.pop().continue_()


def test_ok_says_at_once_that_the_pin_is_checked(tv, chromium):
    """A wrong PIN and OK: the waiting line is on screen (and said) at once, while the check runs; OK again
    meanwhile counts nothing (one try used, 还可以再试4次). The right PIN with two OKs signs in."""
    base, data = tv
    page = chromium()
    remember(page, base, data, "li")
    pin_pad(page, base)
    checks = HeldChecks(page)
    throttle(page)
    press(page, "9999")
    page.keyboard.press("Enter")
    # the key handler wrote it: the check (argon2, 0.7 s and more) has not answered yet
    shown, busy = page.evaluate("[document.getElementById('pm').textContent, tvnav.busy()]")
    assert shown == WAITING and busy, shown
    assert page.get_attribute("#pm", "role") in ("alert", "status")
    page.keyboard.press("Enter")  # the elder sees nothing happen quickly enough and presses again
    checks.answer()
    settled(page)
    assert "还可以再试4次" in message(page) and typed(page) == "", message(page)
    assert failed_pins(data) == 1
    # said aloud too, in its place among the sentences (signed by the server like every other)
    said = page.evaluate("window.__played.map(u => decodeURIComponent(new URL(u).searchParams.get('t')))")
    assert WAITING in said, said
    press(page, PIN)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    checks.answer()
    assert eventually(page, lambda: page.url.endswith("/me") and "李桂兰" in main_text(page)), page.url
    assert failed_pins(data) == 0


def test_ok_before_four_digits_is_no_attempt(tv, chromium):
    """确认 with three digits says the PIN has 4 digits, keeps them, and counts no try."""
    base, data = tv
    page = chromium()
    remember(page, base, data, "zhao")
    pin_pad(page, base)
    press(page, "135")
    page.evaluate("tvnav.focus('kok')")
    page.keyboard.press("Enter")
    settled(page)
    assert "4位" in message(page) and typed(page) == "135", (message(page), typed(page))
    assert failed_pins(data) == 0


def test_plain_form_waits_and_counts_one_try(tv, chromium):
    """Scripts off: 确认 answers at once with the waiting line, whose screen then fetches the answer; OK pressed
    twice counts one try, and the right PIN pressed twice signs in."""
    base, data = tv
    page = chromium(scripts=False)
    remember(page, base, data, "wang")
    page.goto(base + "/id")
    page.goto(base + page.get_attribute("a[href^='/id/pin/']", "href"))
    pad = page.url
    for digit in "9999":
        with page.expect_navigation():
            page.click(f"#k{digit}")
    # OK twice: the browser sends the form again and shows only the second answer (the first POST, whose
    # answer it drops, is sent here through the same cookies)
    first = page.request.post(pad, form={"k": "ok", "v": "9999"}).text()
    assert WAITING in first and 'http-equiv="refresh"' in first
    page.click("#kok", no_wait_after=True)
    assert eventually(page, lambda: "还可以再试4次" in page.inner_text("#pm")), page.url
    assert failed_pins(data) == 1
    # the waiting screen asked for again (a reload) does not check the PIN once more
    page.goto(page.url)
    assert page.url == pad and failed_pins(data) == 1
    for digit in PIN:
        with page.expect_navigation():
            page.click(f"#k{digit}")
    page.request.post(pad, form={"k": "ok", "v": PIN})
    page.click("#kok", no_wait_after=True)
    assert eventually(page, lambda: page.url.endswith("/me") and "王" in main_text(page)), page.url
    assert failed_pins(data) == 0
