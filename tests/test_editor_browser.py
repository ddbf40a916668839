"""The editor in the real headless Chromium: the TV preview follows typing, and the session cookie is HttpOnly."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser import portal

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-password"
NAME = "浏览器里改的事项名称"


def test_live_preview_follows_typing(browser_page, tmp_path):
    """Typing in the form updates the scaled TV preview and the plain-language warnings; the TV stays as it was."""
    data = tmp_path / "portal"
    data.mkdir()
    subprocess.run([sys.executable, "-m", "tvportal", "user", "--data-dir", str(data), "add", "pub", "--role",
                    "publisher", "--password-stdin"], input=(PASSWORD + "\n").encode(), check=True,
                   capture_output=True)
    with portal(data) as base:
        page = browser_page
        page.set_viewport_size({"width": 1600, "height": 1000})
        page.goto(base + "/editor/guide/b1")
        page.fill("#name", "pub")
        page.fill("#password", PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url("**/editor/guide/b1")
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(page, options={"resultTypes": ["violations"]})
        assert results.violations_count == 0, results.generate_report()
        page.fill("#f-name", NAME)
        expect(page.frame_locator("#tvpreview").locator("h1.title")).to_contain_text(NAME[:8])
        box = page.locator(".frame-wrap").bounding_box()
        assert (round(box["width"]), round(box["height"])) in ((644, 364), (640, 360))  # 1280x720 at half size
        page.click("a[href='#sec-6']")  # the form shows one section at a time: F 电视端 holds the summary
        page.fill("#f-summary", "行政相对人到窗口受理。")
        expect(page.locator("#plain-results")).to_contain_text("行政相对人")
        with urllib.request.urlopen(base + "/guides/b1") as response:
            assert NAME not in response.read().decode()
        cookies = {c["name"]: c for c in page.context.cookies()}
        session = cookies["tvportal_editor"]
        assert session["httpOnly"] and session["sameSite"] == "Lax" and session["path"] == "/editor"
