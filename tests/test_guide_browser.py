"""A guide in the real Chromium, keys only, at 1280x720, 1920x1080 and on a 640x530 box: opened from a topic
and from search, paged with PageDown, 更多信息, Back to the list with the same item focused, the county
chosen on the TV, every screen of every demo guide inside the safe area and within 4 (large text: 6) screens."""

from __future__ import annotations

import re

import pytest

from content.demo_loader import load_demo
from tests.browser import focused_id, wait_for

pytestmark = pytest.mark.browser

SIZES = [(1280, 720), (1920, 1080), (640, 530)]

# every box of a guide screen inside the 5 % safe area of the canvas (whatever the CSS zoom), no text box
# overflowing, and no page scrolling
PROBLEMS = """() => {
  const c = document.getElementById('canvas').getBoundingClientRect(), s = c.width / 1280, out = [];
  const doc = document.scrollingElement;
  if (doc.scrollHeight > innerHeight + 1 || doc.scrollWidth > innerWidth + 1) out.push('page scrolls');
  for (const el of document.querySelectorAll('.f, .hdr, .hints li, .text, .facts, .updated, .pageno')) {
    const r = el.getBoundingClientRect();
    const x1 = (r.left - c.left) / s, x2 = (r.right - c.left) / s, y1 = (r.top - c.top) / s, y2 = (r.bottom - c.top) / s;
    if (x1 < 63.5 || y1 < 35.5 || x2 > 1216.5 || y2 > 684.5) out.push('outside: ' + (el.id || el.className) + ' ' + [x1, y1, x2, y2]);
  }
  for (const el of document.querySelectorAll('.text, .facts, .f')) {
    if (el.scrollHeight > el.clientHeight + 2) out.push('overflows: ' + (el.id || el.className));
  }
  const facts = document.querySelector('.facts'), upd = document.querySelector('.updated');
  if (facts && upd && facts.getBoundingClientRect().bottom > upd.getBoundingClientRect().top + 1) out.push('facts hide 更新日期');
  return out;
}"""


def press(page, key: str) -> None:
    """One remote key that opens another page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def screens(page) -> int:
    """N of 第 1 页，共 N 页 (1 when the page has no page number)."""
    found = page.locator(".pageno")
    return int(re.search(r"共 (\d+) 页", found.inner_text()).group(1)) if found.count() else 1


def set_large(page, base: str) -> None:
    """Large text on this browser (the settings form, as OK on its row sends it)."""
    page.goto(base + "/settings")
    page.evaluate("""async () => {
        await fetch('/settings', {method: 'POST', body: new URLSearchParams({field: 'text', value: '1'})});
    }""")


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_topic_guide_pages_more_and_back(live_portal, browser_page, size):
    page = browser_page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(live_portal + "/guides/c/yanglao")
    page.keyboard.press("ArrowDown")
    chosen = focused_id(page)
    press(page, "Enter")
    assert page.url.endswith("/guides/" + chosen[2:])
    assert page.evaluate(PROBLEMS) == []
    total, seen = screens(page), 1
    assert total <= 4
    while focused_id(page) == "pg-next":
        press(page, "PageDown")
        seen += 1
        assert page.url.endswith(f"?page={seen}")
        assert page.evaluate(PROBLEMS) == [], page.url
    assert seen == total
    last = page.url
    while focused_id(page) != "more":
        page.keyboard.press("ArrowLeft")
    press(page, "Enter")
    assert page.url.endswith(f"/guides/{chosen[2:]}/more")
    assert "更多信息" in page.inner_text(".crumbs") and page.evaluate(PROBLEMS) == []
    press(page, "Backspace")
    assert page.url == last
    press(page, "Backspace")  # the guide's screens replaced each other: one Back leaves it
    assert page.url.endswith("/guides/c/yanglao")
    wait_for(page, f"document.activeElement && document.activeElement.id == '{chosen}'")


def test_search_guide_and_back_to_the_same_result(live_portal, browser_page):
    page = browser_page
    page.goto(live_portal + "/search?q=养老")
    start = page.url
    page.keyboard.press("ArrowDown")
    chosen = focused_id(page)
    href = page.get_attribute(f"#{chosen}", "href")
    assert href.startswith("/guides/")
    press(page, "Enter")
    press(page, "PageDown")
    press(page, "PageDown")
    assert page.url.endswith("?page=3")
    press(page, "PageUp")
    assert page.url.endswith("?page=2")
    press(page, "Backspace")
    assert page.url == start
    wait_for(page, f"document.activeElement && document.activeElement.id == '{chosen}'")


def test_county_chosen_on_the_tv_names_the_nearest_hall(live_portal, browser_page):
    page = browser_page
    page.goto(live_portal + "/guides/c/yanglao")
    assert focused_id(page).endswith("h1")  # 养老资格认证, the most used
    press(page, "Enter")
    assert page.locator(".facts tr").nth(3).inner_text().split()[-1].startswith("金寨县政务服务中心")
    while focused_id(page) != "area":
        page.keyboard.press("ArrowLeft")
    press(page, "Enter")
    assert "/area?next=" in page.url
    press(page, page.locator("#a-341524 .num").inner_text())  # 金寨县 by its number key
    press(page, page.locator(".tile", has_text="天堂寨镇").locator(".num").inner_text())
    assert page.url.endswith("/guides/h1")
    where = page.locator(".facts tr").nth(3).inner_text()
    assert "金寨县天堂寨镇便民服务中心" in where
    assert page.evaluate(PROBLEMS) == []
    press(page, "Backspace")  # the chooser left no trace: Back goes where the guide was opened
    assert page.url.endswith("/guides/c/yanglao")


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_every_guide_screen_fits_in_chromium(live_portal, browser_page, large):
    page = browser_page
    if large:
        set_large(page, live_portal)
    counts, failures = {}, {}
    for guide in load_demo("lu_an")["guide"]:
        page.goto(f"{live_portal}/guides/{guide.id}")
        counts[guide.id] = screens(page)
        for number in range(1, counts[guide.id] + 1):
            if number > 1:
                page.goto(f"{live_portal}/guides/{guide.id}?page={number}")
            problems = page.evaluate(PROBLEMS)
            if problems:
                failures[page.url] = problems
    assert failures == {}
    assert max(counts.values()) <= (6 if large else 4), counts


def test_county_chosen_from_settings(live_portal, browser_page):
    page = browser_page
    page.goto(live_portal + "/")
    page.goto(live_portal + "/settings")
    press(page, page.locator("#s-area .num").inner_text())
    press(page, page.locator("#a-341525 .num").inner_text())  # 霍山县
    press(page, page.locator("#t-all .num").inner_text())  # the whole county
    assert page.url.endswith("/settings?f=s-area") or page.url.endswith("/settings")
    assert "霍山县" in page.inner_text("#s-area")
    press(page, "Backspace")  # no chooser page left in the history
    assert page.url == live_portal + "/"
