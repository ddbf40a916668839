"""Chromium presses number keys on the search page like a remote: results update per key, OK opens one."""

from __future__ import annotations

import pytest

from tests.browser import focused_id

pytestmark = pytest.mark.browser


def press(page, keys: str) -> None:
    """Press digit keys like a person (0.08 s per key)."""
    for key in keys:
        page.keyboard.press(key)
        page.wait_for_timeout(80)


def test_keypad_search_with_key_presses_then_ok(live_portal, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(live_portal + "/")
    page.goto(live_portal + "/search")
    assert focused_id(page) == "kp"
    expect(page.locator("#r1")).to_have_attribute("href", "/guides/h1")  # popular services before any digit
    press(page, "729")
    expect(page.locator("#kp-d")).to_have_text("729")
    press(page, "0")  # 0 deletes the last digit
    expect(page.locator("#kp-d")).to_have_text("72")
    expect(page.locator("#kp-l")).to_contain_text("pqrs abc")
    expect(page.locator("a.row[data-hidden='false'][href='/guides/q2']")).to_have_count(1)
    expect(page.locator("a.row[data-hidden='false'][href='/guides/h5']")).to_have_count(1)
    press(page, "1")  # 1 clears: the slots show the most popular services again
    expect(page.locator("#kp-d")).to_have_text("\u2013")
    expect(page.locator("#r1")).to_have_attribute("href", "/guides/h1")
    press(page, "4558")
    expect(page.locator("#r1")).to_have_attribute("href", "/guides/h2")
    expect(page.locator("#r1")).to_contain_text("高龄津贴")
    assert page.url.endswith("/search?d=4558")  # no navigation happened: the digits typed
    assert focused_id(page) == "r1"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/guides/h2")
    with page.expect_navigation():
        page.keyboard.press("Backspace")
    assert page.url.endswith("/search?d=4558")
    assert page.locator("#r1").get_attribute("href") == "/guides/h2"
