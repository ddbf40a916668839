"""The two devices of 远程帮办 in Chromium (tests/test_copilot_browser.py, benchmarks/copilot_follow.py): the TV,
keys only and counted, and the helper's phone, taps only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.browser import wait_for
from tests.platform_helpers import PEOPLE


def sms(data: Path, id_number: str) -> str:
    """The login code the person's own phone got (the demo SMS: the embedded platform's table)."""
    conn = sqlite3.connect(data / "tvportal.sqlite3")
    try:
        row = conn.execute("SELECT code FROM platform_sms_codes WHERE id_number = ? AND purpose = 'login'",
                           (id_number,)).fetchone()
    finally:
        conn.close()
    return row[0] if row else ""


class Tv:
    """The TV: only keys, counted."""

    def __init__(self, page) -> None:
        self.page, self.presses = page, 0

    def press(self, key: str) -> None:
        self.presses += 1
        self.page.keyboard.press(key)

    def at(self, path: str, seconds: float = 10) -> None:
        wait_for(self.page, f"location.pathname + location.search == {path!r} || location.pathname == {path!r}",
                 seconds)
        self.page.wait_for_load_state("load")

    def code(self) -> str:
        wait_for(self.page, "!!document.getElementById('bignum')")
        return self.page.inner_text("#bignum").replace(" ", "")


def phone_signs_in(phone, base: str, data: Path, code: str, who: str = "chen") -> None:
    """The relative opens the phone page, types the TV's number and signs in with their own SMS code."""
    phone.goto(base + "/m/help")
    phone.fill("#code", code)
    phone_do(phone, "#go")
    phone.fill("#id_number", PEOPLE[who])
    phone_do(phone, "#send")
    phone.fill("#sms_code", sms(data, PEOPLE[who]))
    phone_do(phone, "#login")
    phone.wait_for_selector("#waiting")


def helped(tv: Tv, phone, base: str, data: Path, start: str = "/") -> None:
    """Help key on the TV, the phone signs in, the TV asks and the elder presses OK."""
    tv.page.goto(base + start)
    tv.press("F8")
    tv.at("/family")
    phone_signs_in(phone, base, data, tv.code())
    tv.at("/family/ask")
    assert "陈建国" in tv.page.inner_text("h1")
    tv.press("Enter")
    wait_for(tv.page, "!!document.getElementById('tv-help')")
    assert "陈建国" in tv.page.inner_text("#tv-help") and "返回键" in tv.page.inner_text("#tv-help")
    phone.wait_for_selector("#tv")


def phone_do(phone, selector: str) -> None:
    """A tap on the phone page, waiting for the page it leads to. The help page is opened afresh first when
    nothing was typed on it: phone.js waits 2 s before it may reload, so the tap never meets a reload."""
    if phone.url.split("?")[0].endswith("/m/help/go") and not phone.evaluate(
            "Array.prototype.some.call(document.querySelectorAll('input:not([type=hidden])'), e => e.value)"):
        phone.goto(phone.url.split("?")[0])
    phone.wait_for_selector(selector)
    with phone.expect_navigation():
        phone.tap(selector)


def book_together(tv: Tv, phone, base: str, data: Path) -> None:
    """From the help key to the booking's receipt: the phone does everything but her OKs (signing her in
    on the way: she reads him the code of her text message)."""
    helped(tv, phone, base, data)
    phone_do(phone, "button[value='/booking/halls']")
    tv.at("/family/share")  # 服务大厅 for her county: private, so the second question first
    tv.press("Enter")
    tv.at("/booking/halls")
    phone.goto(base + "/m/help/go")
    phone_do(phone, "#c-h-LA-01")
    tv.at("/booking/h/LA-01/soon")
    phone.goto(base + "/m/help/go")
    slot = phone.get_attribute("ul li:first-child button[value='choose']", "id")
    phone_do(phone, f"#{slot}")
    tv.at("/id")  # nobody signed in on the TV yet: 您是谁
    phone.goto(base + "/m/help/go")
    phone_do(phone, "#c-idnum")
    tv.at("/id/enter/id")
    phone.goto(base + "/m/help/go")
    phone.fill("#value", PEOPLE["li"])
    phone_do(phone, "#type")
    tv.at("/id/enter/code")
    phone.goto(base + "/m/help/go")
    phone.fill("#value", sms(data, PEOPLE["li"]))  # she reads the code of her text message to him
    phone_do(phone, "#type")
    wait_for(tv.page, "location.pathname == '/id/remember'")
    phone.goto(base + "/m/help/go")
    phone_do(phone, "#c-no")  # 暂不记住
    wait_for(tv.page, "location.pathname.indexOf('/booking/s/') == 0")
    phone.goto(base + "/m/help/go")
    assert phone.is_visible("#p-ok") and not phone.is_visible("#c-ok")  # the booking itself: only her OK
    phone_do(phone, "#p-ok")
    wait_for(tv.page, "!!document.getElementById('tv-point') && document.activeElement.id == 'ok'")
    assert "确定" in tv.page.inner_text("#tv-point")
    tv.press("Enter")
    wait_for(tv.page, "location.pathname.indexOf('/booking/r/') == 0")


def phone_opens(phone, url: str) -> None:
    """Open ``url`` on the phone, which may be going there by itself at that moment (phone.js polls and loads
    the help page again when the TV's screen or the session changes): then its own navigation is awaited."""
    from playwright.sync_api import Error as PlaywrightError  # noqa: PLC0415 - only browser tests import this module

    try:
        phone.goto(url)
    except PlaywrightError as exc:
        if "interrupted by another navigation" not in str(exc):
            raise
        phone.wait_for_load_state()
