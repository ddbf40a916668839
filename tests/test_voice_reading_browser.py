"""Reading the screen aloud in headless Chromium, keys only: signed in by SMS, the listener arrives on the
pension result and on a booking receipt; the speech requests the page makes (/voice/tts URLs) carry the
content in reading order, each with its signature, and a focus move cancels what plays and says the item."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, focused_id, portal
from tests.test_signin_browser import press, sign_in_by_sms

pytestmark = pytest.mark.browser

# Records what plays and pauses; plays the pension result 16 times as fast, so the whole page is heard
# in a few seconds (the receipt plays at normal speed, so a key can interrupt it).
SPY = """
window.__played = []; window.__paused = [];
(function (play, pause) {
  HTMLMediaElement.prototype.play = function () {
    window.__played.push(this.src);
    if (/\\/lookup\\//.test(location.pathname)) this.defaultPlaybackRate = this.playbackRate = 16;
    return play.call(this);
  };
  HTMLMediaElement.prototype.pause = function () { window.__paused.push(this.src); return pause.call(this); };
})(HTMLMediaElement.prototype.play, HTMLMediaElement.prototype.pause);
"""


@pytest.fixture(scope="module")
def tv(tmp_path_factory):
    """A portal of its own: (base URL, data dir)."""
    data = tmp_path_factory.mktemp("reading")
    with portal(data) as base:
        yield base, data


@pytest.fixture
def page(tmp_path):
    """Chromium that may start audio without a key press (as a set-top box's browser does)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True,
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"], viewport={"width": 1280, "height": 720})
        tab = ctx.pages[0] if ctx.pages else ctx.new_page()
        tab.add_init_script(SPY)
        yield tab
        ctx.close()


def until(tab, check, seconds: float = 10.0) -> None:
    """Poll ``check`` until it is true, letting Playwright deliver the page's events meanwhile (the page's
    CSP forbids the eval that wait_for_function uses)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        tab.wait_for_timeout(50)


def sentence(url: str) -> tuple[str, str]:
    """(text, signature) of a /voice/tts URL."""
    query = parse_qs(urlparse(url).query)
    return query["t"][0], query.get("s", [""])[0]


def played(tab) -> list[str]:
    return [sentence(u)[0] for u in tab.evaluate("window.__played")]


def in_order(said: list[str], *wanted: str) -> None:
    """Each wanted fragment is in a sentence after the previous fragment's sentence."""
    at = -1
    for fragment in wanted:
        hits = [i for i, s in enumerate(said) if fragment in s and i > at]
        assert hits, (fragment, said)
        at = hits[0]


def go(tab, keys: str) -> None:
    """Press keys that load a new page, waiting for it."""
    for key in keys.split(" "):
        with tab.expect_navigation():
            tab.keyboard.press(key)
        tab.wait_for_timeout(60)


def test_pension_result_is_read_in_order(tv, page):
    base, data = tv
    sign_in_by_sms(page, base, data, "wang")
    asked: list[tuple[str, str]] = []
    page.on("request", lambda r: asked.append(sentence(r.url)) if "/voice/tts" in r.url else None)
    page.goto(base + "/")
    go(page, "4 1 Enter")  # 便民查询, 养老金查询, 查询
    assert "/lookup/q1/result" in page.url
    keys = page.evaluate("TVSPEECH.keys[0][0]")
    until(page, lambda: keys in [t for t, _s in asked], 60)
    said = [t for t, _s in asked]
    in_order(said, "养老金发放记录", "王秀英 身份证尾号 零 零 二 七", "每月一百七十八元", "月 一百七十八元",
             "月 一百七十八元", "第一页，共三页", "下一页", keys)
    assert all(len(sig) == 32 for _t, sig in asked)
    assert not any(re.search(r"\d", t) for t in said)  # every number went through the normaliser


def test_booking_receipt_then_a_focus_move_cancels(tv, page):
    base, data = tv
    sign_in_by_sms(page, base, data, "zhang")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(sentence(r.url)[0]) if "/voice/tts" in r.url else None)
    page.goto(base + "/")
    go(page, "2 1 1")  # 预约办理, the first hall, its soonest free time
    assert "/booking/s/" in page.url
    asked.clear()  # the confirmation page said some of the same words
    go(page, "Enter")  # 确认预约
    assert "/booking/r/" in page.url
    number = page.url.rsplit("/", 1)[1]
    until(page, lambda: len(page.evaluate("window.__played")) >= 3, 30)  # 预约成功, 预约号, 时间 …
    page.keyboard.press("ArrowRight")
    now = focused_id(page)
    item = page.evaluate(f"TVSPEECH.items['{now}'].s[0]")
    until(page, lambda: played(page)[-1:] == [item], 30)
    paused = [sentence(u)[0] for u in page.evaluate("window.__paused")]
    assert played(page)[2] in paused  # the sentence still playing was stopped
    page_sentences = [t for t, _s in page.evaluate("TVSPEECH.page")]
    in_order(page_sentences, "预约成功", "预约号：" + " ".join(number[:2]) + "，", "时间：", "大厅：")
    assert any(re.fullmatch(r"时间：二零\S+年\S+月\S+日 星期. (上午|下午)\S+点\S*到\S+", t) for t in page_sentences)
    # what was requested before the move is the receipt in order (the one playing and the next, fetched
    # ahead); the rest of it was never fetched
    before = [page_sentences.index(t) for t in asked[:asked.index(item)] if t in page_sentences]
    assert before and before == sorted(before) and before[-1] <= 4 < len(page_sentences) - 1


def test_a_guide_chosen_by_its_name_starts_with_its_content(tv, page):
    """The name was just heard on the list (the focused item): the guide's screen 1 goes straight to its facts
    instead of reading the seven-second title again; a screen arrived at otherwise starts with its title."""
    base, _data = tv
    asked: list[str] = []
    page.on("request", lambda r: asked.append(sentence(r.url)[0]) if "/voice/tts" in r.url else None)
    page.goto(base + "/guides/c/yanglao")
    assert focused_id(page).endswith("h1")
    title = page.evaluate(f"TVSPEECH.items['{focused_id(page)}'].t")
    asked.clear()
    go(page, "Enter")
    assert page.url.endswith("/guides/h1") and page.evaluate("TVSPEECH.title") == title
    until(page, lambda: len(asked) >= 1, 30)
    assert asked[0].startswith("办什么"), asked
    page.evaluate("window.name = ''")  # a fresh arrival: nothing heard before
    asked.clear()
    page.reload()
    until(page, lambda: len(asked) >= 2, 30)
    assert asked[0] == page.evaluate("TVSPEECH.page[0][0]") and asked[1].startswith("办什么"), asked
