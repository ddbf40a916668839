"""Headless Chromium, remote keys only: sign in with the digit keys and book a slot."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.browser import focused_id, portal
from tests.platform_helpers import PEOPLE
from tests.storage_support import sms_code
from tvportal.flows.ui import grouped

pytestmark = pytest.mark.browser


def key(page, name: str) -> None:
    """Press a key that loads another page, and wait for it."""
    with page.expect_navigation():
        page.keyboard.press(name)


def test_book_a_slot_with_the_remote(tmp_path, browser_page):
    """预约办理 → hall → day → time → sign in (ID digits + SMS code) → confirm → receipt, keys only."""
    data = tmp_path / "portal"
    with portal(data) as base:
        page = browser_page
        page.goto(base + "/")
        page.keyboard.press("ArrowRight")
        key(page, "Enter")  # 预约办理: the halls straight away
        assert page.url.endswith("/booking/halls")
        key(page, "Enter")  # the first hall: its earliest free times
        assert page.url.endswith("/soon")
        key(page, "Enter")  # the earliest time with places
        assert page.url.endswith("/id")
        page.keyboard.press("ArrowDown")
        key(page, "Enter")  # 输入身份证号码
        for digit in PEOPLE["wang"]:  # the keypad types in place: no page load per digit
            page.keyboard.press(digit)
            page.wait_for_timeout(100)  # a quick elder
        assert page.input_value("#pv") == PEOPLE["wang"]
        assert focused_id(page) == "kok"
        key(page, "Enter")
        assert page.url.endswith("/id/enter/code")
        for digit in sms_code(data / "tvportal.sqlite3", PEOPLE["wang"], "login"):
            page.keyboard.press(digit)
            page.wait_for_timeout(100)
        key(page, "Enter")  # 确认: signed in; remembering on this TV is offered
        assert page.url.endswith("/id/remember")
        key(page, "2")  # 这次不用: back to the confirmation of the chosen time
        assert "/booking/s/" in page.url
        assert "3415**********0027" in page.inner_text("main")
        assert focused_id(page) == "ok"
        key(page, "Enter")  # 确认预约
        assert "/booking/r/YY" in page.url
        number = page.url.rsplit("/", 1)[1]
        assert grouped(number) in page.inner_text("#big") and "预约号" in page.inner_text("#big")
        assert float(page.evaluate("parseFloat(getComputedStyle(document.getElementById('bignum')).fontSize)")) >= 60
        key(page, "Backspace")  # Back from a receipt goes home, never into the finished booking flow
        assert page.url == base + "/"
    # the page script's count (static/presses.js, written after each key's frame): the presses after the one
    # that opened 预约办理, up to 确认预约: hall, time, Down, Enter, 18 digits, Enter, 6 digits, Enter, 2, Enter
    exported = subprocess.run([sys.executable, "-m", "tvportal", "stats", "export", "--format", "json",
                               "--data-dir", str(data)], capture_output=True, text=True, check=True).stdout
    done = [row for row in json.loads(exported) if row["event"] == "done" and row["screen"] == "booking"]
    assert [(row["count"], row["presses"]) for row in done] == [(1, 2 + 1 + 1 + 18 + 1 + 6 + 1 + 1 + 1)], done


def _sign_in_fast(page, base: str, data, id_number: str) -> None:
    """Sign the browser's device in through the keypad form (HTTP requests sharing the browser's cookies)."""
    page.goto(base + "/id")
    for what, digits in (("id", id_number), ("code", None)):
        if digits is None:
            digits = sms_code(data / "tvportal.sqlite3", id_number, "login")
        for d in digits:
            page.request.post(f"{base}/id/enter/{what}", form={"k": d})
        page.request.post(f"{base}/id/enter/{what}", form={"k": "ok"})


def test_flow_pages_pass_axe_and_layout_checks(tmp_path, browser_page):
    """The flow screens (booking, keypad, handling, progress, query, rating) in both display modes."""
    import re

    from axe_playwright_python.sync_playwright import Axe

    from tests.test_accessibility import AXE_OPTIONS, LAYOUT_PROBLEMS

    data = tmp_path / "portal"
    axe = Axe()
    with portal(data) as base:
        page = browser_page
        page.goto(base + "/id/enter/id")
        _sign_in_fast(page, base, data, PEOPLE["chen"])
        page.goto(base + "/booking/h/LA-01")
        day = re.search(r"/booking/h/LA-01/(\d{4}-\d\d-\d\d)", page.content()).group(1)
        slot = re.search(r'href="(/booking/s/[^"]+)"', page.content() if page.goto(base + f"/booking/h/LA-01/{day}")
                         else "").group(1)
        urls = ["/booking", "/booking/halls", "/booking/h/LA-01", f"/booking/h/LA-01/{day}", slot, "/booking/mine",
                "/id", "/id/qr", "/id/enter/id", "/apply", "/apply/h3", "/apply/h3/q/1", "/apply/mine", "/lookup",
                "/lookup/q1", "/lookup/q1/result", "/lookup/q4/result"]
        page.goto(base + "/apply/mine")
        app_url = re.search(r'href="(/apply/a/BJ\w+)"', page.content()).group(1)
        page.goto(base + "/booking/mine")
        booking_url = re.search(r'href="(/booking/b/YY\w+)"', page.content()).group(1)
        urls += [app_url, booking_url, "/rate/application/" + app_url.rsplit("/", 1)[1]]
        failures = []
        for mode in ("normal", "large+contrast"):
            if mode != "normal":
                for field in ("text", "contrast"):
                    page.request.post(base + "/settings", form={"field": field, "value": "1"})
            for url in urls:
                page.goto(base + url)
                results = axe.run(page, options=AXE_OPTIONS)
                if results.violations_count:
                    failures.append((mode, url, results.generate_report()))
                problems = page.evaluate(LAYOUT_PROBLEMS)
                if problems:
                    failures.append((mode, url, problems))
        assert failures == []
