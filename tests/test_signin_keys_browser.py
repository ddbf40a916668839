"""The sign-in keypads with keys only in headless Chromium, at an elder's pace and with a slow CPU: keys
pressed while a PIN or code is being checked are typed into the next keypad (never lost, no attempt
swallowed), Back deletes a digit before it leaves, a full box says so, and what one person typed is gone
for the next (after Back, or a closed browser)."""

from __future__ import annotations

import pytest

from tests.browser import focused_id, portal, wait_for
from tests.platform_helpers import PEOPLE
from tests.test_signin_browser import browser, code, digit_of, main_text, message, ok, press, typed  # noqa: F401

pytestmark = pytest.mark.browser
PIN = "1357"


@pytest.fixture(scope="module")
def tv(tmp_path_factory):
    """A portal with the default limits: (base, data dir)."""
    data = tmp_path_factory.mktemp("signin-keys")
    with portal(data) as base:
        yield base, data


def throttle(page) -> None:
    """The CPU 4x slower (DevTools), like a set-top box."""
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})


def remember(page, base: str, data, who: str) -> None:
    """Sign ``who`` in by SMS and remember them with PIN, then sign out (through the browser's own cookies)."""
    page.request.post(base + "/id/enter/id", form={"k": "ok", "v": PEOPLE[who]})
    page.request.post(base + "/id/enter/code", form={"k": "ok", "v": code(data, PEOPLE[who])})
    page.request.post(base + "/id/newpin", form={"k": "ok", "v": PIN})
    page.request.post(base + "/id/newpin/again", form={"k": "ok", "v": PIN})
    page.request.post(base + "/id/logout")


def back(page) -> None:
    """返回 (Backspace on a PC keyboard)."""
    page.keyboard.press("Backspace")
    page.wait_for_timeout(100)


def eventually(page, check, seconds: float = 15) -> bool:
    """True once ``check()`` holds (pages may still be loading; reading one then may fail)."""
    for _tick in range(int(seconds * 4)):
        try:
            if check():
                return True
        except Exception:  # the page navigated while it was read
            pass
        page.wait_for_timeout(250)
    return False


def pin_pad(page, base: str) -> None:
    """您是谁 → the first remembered name → the PIN keypad."""
    page.goto(base + "/id")
    press(page, "1")
    page.wait_for_url("**/id/pin/*")


def test_digits_typed_while_a_wrong_pin_is_checked_are_kept(tv, browser):
    """A wrong PIN and OK, then 0.3 s later the right PIN at 0.1 s per key with the CPU 4x slower: the digits
    land in the cleared box under 密码不对, and OK signs in."""
    base, data = tv
    page, _reopen = browser
    remember(page, base, data, "zhao")
    pin_pad(page, base)
    throttle(page)
    press(page, "9999")
    page.keyboard.press("Enter")  # no waiting for the page: the elder goes on typing
    page.wait_for_timeout(300)
    press(page, PIN)
    # the check takes its time (argon2); then the kept digits are in the cleared box under the message
    assert eventually(page, lambda: typed(page) == PIN and "还可以再试4次" in message(page)), (typed(page),
                                                                                          message(page))
    assert focused_id(page) == "kok"
    ok(page)
    assert page.url.endswith("/me") and "赵" in main_text(page)


def test_wrong_pin_message_stays_while_she_types_on(tv, browser):
    """Typing on after the wrong-PIN answer has arrived (by hand, not kept keys) leaves 密码不对 on screen:
    it used to vanish with the first digit, so a quick typist used up tries without ever seeing why."""
    base, data = tv
    page, _reopen = browser
    remember(page, base, data, "zhao")
    pin_pad(page, base)
    press(page, "9999")
    page.keyboard.press("Enter")
    assert eventually(page, lambda: "还可以再试4次" in message(page)), message(page)
    press(page, "13")
    assert typed(page) == "13" and "还可以再试4次" in message(page), (typed(page), message(page))


def test_five_quick_wrong_pins_are_five_attempts(tv, browser):
    """Five wrong PINs typed at 0.35 s per key without waiting for any page: all five count (none is
    swallowed by a reload), so the PIN is locked."""
    base, data = tv
    page, _reopen = browser
    remember(page, base, data, "wang")
    pin_pad(page, base)
    throttle(page)
    for _attempt in range(5):
        press(page, "9 9 9 9 Enter", 350)
    assert eventually(page, lambda: "输错了5次" in main_text(page)), main_text(page)


def test_back_from_mine_after_signing_in_focuses_its_tile(tv, browser):
    """The elder's way in: home → 我的 → 登录 → her name → PIN → 我的, signed in → Back: home with 我的 focused
    (the history holds the sign-in screens, so 我的 goes home by address; the tile stays the one she opened)."""
    base, data = tv
    page, _reopen = browser
    remember(page, base, data, "chen")
    page.goto(base + "/")
    with page.expect_navigation():
        press(page, digit_of(page, "t-me"))
    with page.expect_navigation():
        press(page, digit_of(page, "signin"))
    press(page, "1")
    page.wait_for_url("**/id/pin/*")
    press(page, PIN)
    ok(page)
    assert page.url.endswith("/me") and "陈" in main_text(page)
    with page.expect_navigation():
        page.keyboard.press("Backspace")
    assert page.url == base + "/"
    wait_for(page, "document.activeElement && document.activeElement.id == 't-me'")


def test_code_digits_typed_while_the_id_is_sent_are_kept(tv, browser):
    """OK on the ID number, then the code at once (0.1 s per key, CPU 4x slower): no digit of the code is
    lost while the code screen loads, and its OK signs in."""
    base, data = tv
    page, _reopen = browser
    page.request.post(base + "/id/enter/id", form={"k": "ok", "v": PEOPLE["liu"]})  # the code is on the phone
    sms = code(data, PEOPLE["liu"])
    page.goto(base + "/id")
    press(page, digit_of(page, "idnum"))
    page.wait_for_url("**/id/enter/id")
    throttle(page)
    press(page, PEOPLE["liu"])
    page.keyboard.press("Enter")
    press(page, sms)
    page.keyboard.press("Enter")
    assert eventually(page, lambda: page.url.endswith("/id/remember")), (page.url, typed(page))


def test_back_deletes_a_digit_then_leaves(tv, browser):
    """On a keypad 返回 deletes the last digit while there is one (the hint bar says so); on an empty pad it
    leaves."""
    base, _data = tv
    page, _reopen = browser
    page.goto(base + "/id")
    press(page, digit_of(page, "idnum"))
    page.wait_for_url("**/id/enter/id")
    assert "上一屏" in page.inner_text(".hints .k-back")  # empty: Back leaves
    press(page, "34")
    assert "删一位" in page.inner_text(".hints .k-back")
    back(page)
    assert typed(page) == "3" and page.url.endswith("/id/enter/id")
    back(page)
    assert typed(page) == "" and "上一屏" in page.inner_text(".hints .k-back")
    with page.expect_navigation():
        page.keyboard.press("Backspace")
    assert page.url.endswith("/id")


def test_typed_id_is_gone_for_the_next_person(tv, browser):
    """An ID number sent (the code went out), then 返回 and the browser closed: the next person's ID keypad is
    empty with the focus on 1 — after 返回, and after a closed browser even when nobody pressed 返回. A digit
    more than a full box holds says so and offers 删除."""
    base, _data = tv
    page, reopen = browser
    page.goto(base + "/id")
    press(page, digit_of(page, "idnum"))
    page.wait_for_url("**/id/enter/id")
    press(page, PEOPLE["chen"])
    ok(page)
    assert page.url.endswith("/id/enter/code")
    with page.expect_navigation():
        page.keyboard.press("Backspace")  # 返回 on the empty code keypad
    page = reopen()
    page.goto(base + "/id")
    press(page, digit_of(page, "idnum"))
    page.wait_for_url("**/id/enter/id")
    assert typed(page) == "" and page.inner_text("#c0") == "" and focused_id(page) == "k1"
    # the same without 返回: the ID number sent, the browser closed, the keypad opened directly
    press(page, PEOPLE["chen"])
    ok(page)
    page = reopen()
    page.goto(base + "/id/enter/id")
    assert typed(page) == "" and PEOPLE["chen"][:6] not in main_text(page) and focused_id(page) == "k1"
    # a full box never silently ignores a digit
    press(page, PEOPLE["chen"] + "5")
    assert typed(page) == PEOPLE["chen"] and "已输满" in message(page) and focused_id(page) == "kdel"
