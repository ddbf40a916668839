"""The EPG journey in headless Chromium (issue 12 item 2): launched with a signed URL, the viewer turns on
large text and is remembered with a TV PIN; the box wipes every cookie (as many do at power-off); the EPG
launches the portal again: large text and the remembered person are still there, and her PIN signs her in."""

from __future__ import annotations

import pytest

from tests.browser import portal
from tests.test_operator_identity import SECRET, launch_url
from tests.test_signin_browser import digit_of, main_text, ok, press, sign_in_by_sms

pytestmark = pytest.mark.browser


def test_launch_wipe_relaunch_keeps_large_text_and_the_remembered_person(tmp_path, browser_page):
    """Launch -> large text -> sign in and remember -> cookies wiped -> launch again -> all still there."""
    data = tmp_path / "data"
    with portal(data, ("TVPORTAL_OPERATOR_SECRET", SECRET)) as base:
        page = browser_page
        page.goto(base + launch_url(model="B860A", area="341502"))
        assert page.url == base + "/"
        page.goto(base + "/settings")
        with page.expect_navigation():
            press(page, digit_of(page, "s-text"))
        assert "lt" in page.get_attribute("html", "class").split()
        sign_in_by_sms(page, base, data, "li")
        press(page, "1")  # 在这台电视上记住我
        page.wait_for_url("**/id/newpin")
        press(page, "2468")
        ok(page)
        press(page, "2468")
        ok(page)
        assert page.url.endswith("/me")
        with page.expect_navigation():
            press(page, digit_of(page, "logout"))
        page.context.clear_cookies()  # the box powered off
        page.goto(base + "/id")
        assert "李*兰" not in main_text(page) and "lt" not in page.get_attribute("html", "class").split()
        page.goto(base + launch_url(model="B860A", area="341502"))
        assert "lt" in page.get_attribute("html", "class").split()
        page.goto(base + "/id")
        assert "李*兰" in main_text(page)
        press(page, "1")
        page.wait_for_url("**/id/pin/*")
        press(page, "2468")
        ok(page)
        assert page.url.endswith("/me") and "李桂兰" in main_text(page)
