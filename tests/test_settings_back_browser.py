"""设置 with the remote in Chromium: every switch reloads the screen, and Back still leaves it at once, to the
screen it was opened from (不是 an earlier copy of 设置 showing the old values)."""

from __future__ import annotations

import pytest

from tests.browser import focused_id, wait_for

pytestmark = pytest.mark.browser


def html_classes(page) -> list[str]:
    return page.evaluate("document.documentElement.className").split()


def test_back_leaves_settings_after_switches(live_portal, browser_page):
    """我的 → 字号和语言; large text on, high contrast on, large text off (three reloads); one Back: 我的,
    with the choices kept; Back again: home."""
    page = browser_page
    page.goto(live_portal + "/me")
    link = page.get_attribute("a[href^='/settings']", "href")
    assert link == "/settings?from=me"
    link_id = page.get_attribute("a[href^='/settings']", "id")
    page.evaluate(f"tvnav.focus({link_id!r})")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/settings" in page.url and focused_id(page) == "s-text"
    for row in ("s-text", "s-contrast", "s-text"):
        page.evaluate(f"tvnav.focus({row!r})")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        wait_for(page, f"window.tvnav && tvnav.current() == {row!r}")
    assert "hc" in html_classes(page) and "lt" not in html_classes(page)
    with page.expect_navigation():
        page.keyboard.press("Backspace")
    assert page.url == live_portal + "/me"
    assert "hc" in html_classes(page)
    with page.expect_navigation():
        page.keyboard.press("Backspace")
    assert page.url == live_portal + "/"


def test_back_from_settings_opened_by_address_goes_home(live_portal, browser_page):
    """Opened without a way in (an address, 帮助): Back goes home, also after a switch."""
    page = browser_page
    page.goto(live_portal + "/")
    page.goto(live_portal + "/settings")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # large text on
    wait_for(page, "document.documentElement.className.indexOf('lt') >= 0")
    with page.expect_navigation():
        page.keyboard.press("Backspace")
    assert page.url == live_portal + "/"
