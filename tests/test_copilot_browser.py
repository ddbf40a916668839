"""远程帮办 in Chromium with two pages at once: the TV (1280x720, keys only) and the helper's phone (390x844,
taps). Together they book a visit for the elder; she refuses; she ends it; the number expires; a second
phone is refused while one helps; the TV's screens at SD (640x530) and their speech."""

from __future__ import annotations

import sqlite3
import time

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, portal
from tests.copilot_browser import Tv, book_together, helped, phone_do, phone_opens, phone_signs_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A portal of its own (the helper signs in once a test: no wait between codes): (base URL, data dir)."""
    data = tmp_path_factory.mktemp("copilot")
    with portal(data, ("TVPORTAL_SMS_RESEND_SECONDS", "0"), ("TVPORTAL_SMS_PER_ID_HOUR", "30"),
                ("TVPORTAL_SMS_PER_TV_HOUR", "30")) as base:
        yield base, data


@pytest.fixture
def devices():
    """A factory of fresh browser contexts: new(kind) gives a TV (1280x720) or a phone (390x844) page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

        def new(kind: str = "tv", width: int = 1280, height: int = 720):
            size = {"width": 390, "height": 844} if kind == "phone" else {"width": width, "height": height}
            return browser.new_context(viewport=size, has_touch=kind == "phone").new_page()

        yield new
        browser.close()


def test_booking_together(site, devices):
    """The son books a visit for his mother from his phone; she presses only OK on the TV (4 presses)."""
    base, data = site
    tv, phone = Tv(devices("tv")), devices("phone")
    book_together(tv, phone, base, data)
    assert "预约号" in tv.page.inner_text("body")
    assert tv.presses <= 5, tv.presses
    phone_opens(phone, base + "/m/help/go")
    assert phone.inner_text("#title") == "预约成功" or "预约" in phone.inner_text("#title")
    tv.page.context.close()
    phone.context.close()


def test_elder_refuses(site, devices):
    """Back on 允许…帮您操作吗: no help; the phone says so; the TV asks nothing more."""
    base, data = site
    tv, phone = Tv(devices("tv")), devices("phone")
    tv.page.goto(base + "/guides")
    tv.press("F8")
    tv.at("/family")
    phone_signs_in(phone, base, data, tv.code())
    tv.at("/family/ask")
    assert tv.page.evaluate("document.activeElement.id") == "yes"
    tv.press("Backspace")
    tv.at("/family/refuse")
    phone_opens(phone, base + "/m/help/go")
    assert "不让" in phone.inner_text("#ended")
    assert "tvhelp" not in tv.page.evaluate("document.cookie")


def test_elder_ends_with_back(site, devices):
    """While helped, Back on the TV ends the help at once; the phone can do nothing more."""
    base, data = site
    tv, phone = Tv(devices("tv")), devices("phone")
    helped(tv, phone, base, data, start="/policies")
    tv.at("/policies")
    tv.press("Backspace")
    tv.at("/family/end")
    assert "已结束" in tv.page.inner_text("h1")
    phone_opens(phone, base + "/m/help/go")
    assert phone.is_visible("#ended")
    tv.press("Enter")  # 回到刚才的页面
    tv.at("/policies")
    requests = []
    tv.page.on("request", lambda r: requests.append(r.url) if "/family/poll" in r.url else None)
    tv.page.wait_for_timeout(2500)
    assert requests == []  # not helped: the TV asks nothing


def test_code_expires(site, devices):
    """A number not used in time: the TV says so and offers a new one; the phone is told it expired."""
    base, data = site
    tv, phone = Tv(devices("tv")), devices("phone")
    tv.page.goto(base + "/halls")
    tv.press("F8")
    tv.at("/family")
    code = tv.code()
    conn = sqlite3.connect(data / "tvportal.sqlite3")  # the clock moves on: the code's end is in the past
    with conn:
        conn.execute("UPDATE copilot_sessions SET expires = ? WHERE status = 'open'", (time.time() - 1,))
    conn.close()
    tv.at("/family/expired", 15)
    assert "过期" in tv.page.inner_text("h1")
    phone.goto(base + "/m/help")
    phone.fill("#code", code)
    phone_do(phone, "#go")
    assert "过期" in phone.inner_text("#err")


def test_second_phone_refused(site, devices):
    """While one phone helps, another typing the same number is told only one family member can help."""
    base, data = site
    tv, phone, other = Tv(devices("tv")), devices("phone"), devices("phone")
    tv.page.goto(base + "/")
    tv.press("F8")
    tv.at("/family")
    code = tv.code()
    phone_signs_in(phone, base, data, code)
    tv.at("/family/ask")
    tv.press("Enter")
    other.goto(base + "/m/help")
    other.fill("#code", code)
    phone_do(other, "#go")
    assert "一次只能一位家人" in other.inner_text("#err")


@pytest.mark.parametrize("path", ["/family", "/family/ask"])
def test_sd_screens_fit_and_speak(site, devices, path):
    """At SD (640x530) the code screen and the question fit the canvas; their speech says what they show."""
    base, data = site
    tv, phone = Tv(devices("tv", 640, 530)), devices("phone")
    tv.page.goto(base + "/?size=sd")
    tv.press("F8")
    tv.at("/family")
    if path == "/family/ask":
        phone_signs_in(phone, base, data, tv.code())
        tv.at("/family/ask")
    boxes = tv.page.evaluate("""() => Array.from(document.querySelectorAll('#canvas .f, #canvas .fl, .fl-qr'))
        .map(e => { const r = e.getBoundingClientRect(); return [e.id || e.className, r.right, r.bottom]; })""")
    assert boxes and all(right <= 641 and bottom <= 531 for _n, right, bottom in boxes), boxes
    words = "扫码" if path == "/family" else "允许"
    assert words in tv.page.inner_text("#canvas")
    said = tv.page.evaluate("JSON.stringify(window.TVSPEECH || null)")
    assert said != "null" and words in said  # espeak-ng is installed: the screen is read aloud
