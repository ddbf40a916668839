"""The canvas on a 1080p screen, pages without JavaScript, and Back on home with an operator exit URL."""

from __future__ import annotations

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, portal

pytestmark = pytest.mark.browser


def test_canvas_fills_a_1080p_screen(live_portal, tmp_path):
    """At 1920x1080 the 1280x720 canvas is scaled 1.5x to fill the screen, with nothing scrolling."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(live_portal + "/guides/h1")
        box = page.evaluate("(() => { const r = document.getElementById('canvas').getBoundingClientRect();"
                            " return [r.width, r.height, document.scrollingElement.scrollHeight]; })()")
        browser.close()
    assert box[0] == pytest.approx(1920, abs=1) and box[1] == pytest.approx(1080, abs=1)
    assert box[2] <= 1081


def test_pages_work_without_javascript(live_portal, tmp_path):
    """With JavaScript off, Tab and Enter still reach a guide and its second page through plain links."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720}, java_script_enabled=False)
        page.goto(live_portal + "/")
        page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/guides")
        page.goto(live_portal + "/guides/h1")
        page.focus("#pg-next")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/guides/h1?page=2")
        page.goto(live_portal + "/settings")
        page.focus("#s-contrast")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "hc" in page.get_attribute("html", "class")
        browser.close()


def test_back_on_home_goes_to_the_operator(tmp_path, browser_page):
    """With an exit URL configured, Back on home leaves for the operator's portal, and the hint says so."""
    with portal(tmp_path / "data", ("TVPORTAL_EXIT_URL", "/healthz")) as base:
        page = browser_page
        page.goto(base + "/")
        assert "回到电视首页" in page.inner_text(".hints")
        with page.expect_navigation():
            page.keyboard.press("Backspace")
        assert page.url == base + "/healthz"
