"""In headless Chromium: moving the focus requests the focused item's speech and cancels what was
playing; the red key switches reading; the green key listens through a (fake) microphone, and the
spoken command (espeak-ng audio played as the microphone) is performed."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, focused_id, portal
from tests.voice_audio import TINY_MODEL, spoken

pytestmark = pytest.mark.browser

# records what audio elements play and pause (served from the browser cache, a sentence makes no request)
MEDIA_SPY = """
window.__played = []; window.__paused = [];
(function (play, pause) {
  HTMLMediaElement.prototype.play = function () { window.__played.push(this.src); return play.call(this); };
  HTMLMediaElement.prototype.pause = function () { window.__paused.push(this.src); return pause.call(this); };
})(HTMLMediaElement.prototype.play, HTMLMediaElement.prototype.pause);
"""


def until(check, seconds: float = 5.0) -> None:
    """Poll ``check`` until it is true (the page's CSP forbids the eval that wait_for_function uses)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def played(page) -> list[str]:
    """The sentences played so far on this page."""
    return [spoken_text(u) for u in page.evaluate("window.__played")]


def spoken_text(url: str) -> str:
    """The sentence a /voice/tts URL asks for."""
    return parse_qs(urlparse(url).query)["t"][0]


def test_focus_move_speaks_item_and_cancels(live_portal, browser_page):
    """Each arrow move requests the newly focused item's name; the sentence still playing is paused."""
    page = browser_page
    page.add_init_script(MEDIA_SPY)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(spoken_text(r.url)) if "/voice/tts" in r.url else None)
    page.goto(live_portal + "/")
    until(lambda: page.evaluate("document.body.dataset.reading === '1' && window.__played.length > 0"))
    assert played(page)[0] == page.evaluate("TVSPEECH.page[0][0]")
    for _ in range(2):
        before = focused_id(page)
        page.wait_for_timeout(60)
        page.keyboard.press("ArrowRight")
        now = focused_id(page)
        label = page.evaluate(f"TVSPEECH.items['{now}'].s[0]")
        assert now != before
        until(lambda: played(page)[-1] == label)
        assert label in asked  # the first time, the sentence is fetched from the portal
    # the title was still playing when the focus moved: it was paused, as was the first item's name
    paused = [spoken_text(u) for u in page.evaluate("window.__paused")]
    assert page.evaluate("TVSPEECH.page[0][0]") in paused


def test_red_key_switches_reading(live_portal, browser_page):
    """Red turns reading off (confirmed aloud, remembered by the device): then moves speak nothing;
    key 0 still says every key on request."""
    page = browser_page
    page.add_init_script(MEDIA_SPY)
    page.goto(live_portal + "/")
    until(lambda: page.evaluate("document.body.dataset.reading") == "1")
    page.keyboard.press("F1")
    until(lambda: page.evaluate("document.body.dataset.reading") == "0")
    off = page.evaluate("TVSPEECH.said.off[0]")
    until(lambda: played(page)[-1:] == [off])
    count = len(played(page))
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert len(played(page)) == count
    page.reload()
    assert page.evaluate("TVSPEECH.on") == 0 and played(page) == []
    page.keyboard.press("0")
    until(lambda: page.evaluate("window.__played.length") > 0)
    assert played(page)[0] == page.evaluate("TVSPEECH.all[0][0]")


@pytest.fixture(scope="module")
def model_portal(tmp_path_factory):
    """A portal with the tiny speech model."""
    with portal(tmp_path_factory.mktemp("voice"), ("TVPORTAL_VOICE_MODEL_PATH", str(TINY_MODEL))) as base:
        yield base


def test_green_key_voice_command(model_portal, tmp_path):
    """Green key on a guide page, the microphone says 首页: the panel shows, then the TV goes home."""
    from playwright.sync_api import sync_playwright

    wav = tmp_path / "home.wav"
    # the fake microphone loops the file: the silence after the word lets vosk end the utterance
    wav.write_bytes(spoken("首页", rate=48000, trailing=2.0))
    args = [*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}", "--autoplay-policy=no-user-gesture-required"]
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM,
                                                   headless=True, args=args, viewport={"width": 1280, "height": 720})
        try:
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.goto(model_portal + "/guides")
            assert page.is_visible(".hints .k-green")
            page.keyboard.press("F2")
            page.wait_for_selector("#tv-listen", state="visible", timeout=3000)
            page.wait_for_url(model_portal + "/", timeout=15000)
        finally:
            ctx.close()


def test_voice_page_and_listening_panel_accessible(model_portal, browser_page):
    """axe finds nothing on the 语音助手 page, nor with the listening panel open; no layout problems."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.test_accessibility import AXE_OPTIONS, LAYOUT_PROBLEMS

    page = browser_page
    page.goto(model_portal + "/voice")
    assert focused_id(page) == "v-listen"
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    page.keyboard.press("Enter")  # no microphone in this browser: the panel says so
    page.wait_for_selector("#tv-listen", state="visible", timeout=3000)
    until(lambda: page.inner_text("#tv-listen") != page.evaluate("TVSPEECH.said.listening"))
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
