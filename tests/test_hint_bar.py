"""The key-hint bar stays on one line inside the overscan-safe area (bottom <= 684 on the 1280x720
canvas, docs/design.md) on every TV page type, in normal and large text, in the real Chromium.

The portal runs with a voice model, so every page carries the most hints it can (green and red too).
"""

from __future__ import annotations

import pytest

from tests.browser import portal
from tests.test_pages import tv_urls
from tests.voice_audio import TINY_MODEL

pytestmark = pytest.mark.browser

# the keypad, 我的, sign-in and booking flow screens come on top of the content pages
FLOW_URLS = ["/id/enter/id", "/me", "/id", "/booking/halls", "/booking/h/LA-01", "/no-such-page",
             "/guides/h1?page=2", "/guides/h1/more", "/area", "/area/341524"]

BAR = """() => {
  const items = [...document.querySelectorAll('.hints li')];
  return items.map(li => {
    const r = li.getBoundingClientRect(), chip = li.querySelector('.key');
    return {action: li.dataset.action, top: li.offsetTop, bottom: r.bottom, left: r.left, right: r.right,
            size: parseFloat(getComputedStyle(li).fontSize), chip: chip ? chip.textContent.trim() : '',
            word: li.textContent.replace(chip ? chip.textContent : '', '').trim()};
  });
}"""


@pytest.fixture(scope="module")
def voice_portal(tmp_path_factory):
    """A portal whose pages offer every key (reading aloud and a voice model)."""
    with portal(tmp_path_factory.mktemp("hints"), ("TVPORTAL_VOICE_MODEL_PATH", str(TINY_MODEL))) as base:
        yield base


def bar_problems(items: list[dict]) -> list[str]:
    """What is wrong with one page's hint bar."""
    problems = []
    if len({i["top"] for i in items}) != 1:
        problems.append("wraps: " + " ".join(f"{i['action']}@{i['top']}" for i in items))
    for i in items:
        if i["bottom"] > 684 or i["left"] < 64 or i["right"] > 1216:
            problems.append(f"{i['action']} outside the safe area: {i}")
        if i["size"] < 24:
            problems.append(f"{i['action']} under 24px")
        if not i["chip"] or not i["word"]:
            problems.append(f"{i['action']} lacks its key or its meaning: {i}")
    return problems


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("mode", ["normal", "large"])
def test_hint_bar_is_one_line_inside_the_safe_area(voice_portal, browser_page, mode, locale):
    page = browser_page
    page.goto(voice_portal + "/settings")
    for field, value, wanted in (("text", "1", mode == "large"), ("lang", "en", locale == "en")):
        if wanted:
            page.evaluate("""async ([field, value]) => {
                await fetch('/settings', {method: 'POST', body: new URLSearchParams({field: field, value: value})});
            }""", [field, value])
    failures, most = {}, 0
    for url in tv_urls() + FLOW_URLS:
        page.goto(voice_portal + url)
        assert ("lt" in (page.get_attribute("html", "class") or "")) == (mode == "large"), url
        assert page.get_attribute("html", "lang") == ("en" if locale == "en" else "zh-CN"), url
        items = page.evaluate(BAR)
        most = max(most, len(items))
        assert {"arrows", "ok", "green"} <= {i["action"] for i in items}, url
        problems = bar_problems(items)
        if problems:
            failures[url] = problems
    assert failures == {}
    assert most >= 9  # the crowded case (numbers, pages, back, yellow, blue, red, green) was measured
