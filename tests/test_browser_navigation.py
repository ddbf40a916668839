"""Real headless Chromium, keys only: the remote runtime, focus memory across Back, key hints."""

from __future__ import annotations

import pytest

from tests.browser import focused_id, wait_for

pytestmark = pytest.mark.browser


def press(page, key: str) -> None:
    """Press a key and wait for any navigation it starts to settle."""
    page.keyboard.press(key)
    page.wait_for_load_state("load")


def test_home_to_guide_second_page_and_back_twice(live_portal, browser_page):
    """Home → 预约办理 → 6 (its 办事指南) → page 2; Back leaves the guide at once (预约办理), Back lands on home,
    same tile."""
    page = browser_page
    page.goto(live_portal + "/")
    assert focused_id(page) == "t-guides"
    press(page, "ArrowRight")
    assert focused_id(page) == "t-booking"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/booking/halls")
    with page.expect_navigation():
        page.keyboard.press("6")  # 办事指南 of the booking service, after the five halls
    assert page.url.endswith("/booking/guide/b1")
    assert page.locator("th").first.inner_text() == "办什么"
    with page.expect_navigation():
        page.keyboard.press("PageDown")
    assert page.url.endswith("/booking/guide/b1?page=2")
    with page.expect_navigation():
        page.keyboard.press("Backspace")
    assert page.url.endswith("/booking/halls")
    with page.expect_navigation():
        page.keyboard.press("Backspace")
    assert page.url == live_portal + "/"
    wait_for(page, "document.activeElement && document.activeElement.id == 't-booking'")
    assert page.locator("#t-booking").get_attribute("class").split()[-1] == "is-focused"


def test_long_way_through_topics_and_back(live_portal, browser_page):
    """办事指南 → 养老 → a guide via arrows and OK, 下一页 button, then Back to the topic list with focus kept."""
    page = browser_page
    page.goto(live_portal + "/")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # 办事指南
    assert page.url.endswith("/guides")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # 养老 is the first topic
    assert "/guides/c/yanglao" in page.url
    press(page, "ArrowDown")
    second = focused_id(page)
    assert second.startswith("g-")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/guides/" + second[2:])
    assert focused_id(page) == "pg-next"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("?page=2")
    with page.expect_navigation():
        page.keyboard.press("Backspace")  # the guide's screens replace each other: Back leaves it at once
    assert "/guides/c/yanglao" in page.url
    wait_for(page, f"document.activeElement && document.activeElement.id == '{second}'")


def test_digit_opens_the_numbered_item(live_portal, browser_page):
    """On home, 6 opens 附近大厅 at once."""
    page = browser_page
    page.goto(live_portal + "/")
    with page.expect_navigation():
        page.keyboard.press("6")
    assert page.url.endswith("/halls")


def test_vendor_key_codes(live_portal, browser_page):
    """A Huawei/ZTE box's Back (640) and yellow (277) work like the keyboard's."""
    page = browser_page
    page.goto(live_portal + "/guides")
    page.goto(live_portal + "/guides/c/shebao")
    # Dispatched from a timer so that evaluate() has returned before the key navigates: a key dispatched
    # inside evaluate() can destroy the context the call is waiting on.
    send = ("setTimeout(function () { document.dispatchEvent("
            "new KeyboardEvent('keydown', {keyCode: %d, which: %d, bubbles: true})); }, 0)")
    with page.expect_navigation():
        page.evaluate(send % (640, 640))
    assert page.url.endswith("/guides")
    with page.expect_navigation():
        page.evaluate(send % (277, 277))
    assert page.url == live_portal + "/"


def test_digits_type_in_the_search_field(live_portal, browser_page):
    """In the search field digits and letters are typed, not taken as shortcuts."""
    page = browser_page
    page.goto(live_portal + "/search")
    press(page, "ArrowUp")
    assert focused_id(page) == "q"
    page.keyboard.type("12")
    assert page.url.endswith("/search")
    assert page.input_value("#q") == "12"


@pytest.mark.parametrize("size", ["hd", "sd"])
def test_back_from_mine_focuses_its_tile(live_portal, browser_page, size):
    """Home → 我的 → Back: home with 我的 focused, not 办事指南 — at SD too, where 我的 is on the second screen of
    tiles (我的 goes home by address, not through the history: its own Back must land on that screen)."""
    page = browser_page
    page.goto(live_portal + f"/?size={size}")  # remembered by a cookie
    page.goto(live_portal + "/")
    if page.query_selector("#t-me") is None:
        with page.expect_navigation():
            page.keyboard.press("PageDown")
    with page.expect_navigation():
        page.keyboard.press(page.eval_on_selector("#t-me .num", "e => e.textContent"))
    assert page.url.endswith("/me")
    with page.expect_navigation():
        page.keyboard.press("Backspace")
    wait_for(page, "document.activeElement && document.activeElement.id == 't-me'")
    assert page.locator("#t-me").get_attribute("class").split()[-1] == "is-focused"
