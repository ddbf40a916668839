"""The key-hint bar says exactly what the keys do: each hinted key is pressed and its effect checked,
and keys the bar does not mention do nothing."""

from __future__ import annotations

import pytest

from urllib.parse import unquote

from tests.browser import focused_id

pytestmark = pytest.mark.browser

# keyboard keys of the "browser" key profile (remote_nav/key_profiles.json)
KEY = {"red": "F1", "green": "F2", "yellow": "F3", "blue": "F4", "back": "Backspace", "page_down": "PageDown",
       "page_up": "PageUp"}
PAGES = ["/", "/guides", "/guides/c/yanglao", "/guides/h6", "/guides/h6?page=2", "/policies", "/halls",
         "/halls/LA-01", "/search", "/search?q=养老", "/settings", "/help", "/no-such-page"]


def hinted_actions(page) -> list[str]:
    """The actions the page's key-hint bar names."""
    return page.eval_on_selector_all(".hints li", "els => els.map(e => e.dataset.action)")


def fresh(page, base: str, url: str) -> None:
    """Open ``url`` coming from home, so that Back has somewhere to go."""
    page.goto(base + "/")
    page.goto(base + url)


def reading_switched(page) -> bool:
    """Press red; True when reading aloud switched (data-reading flipped) and the page stayed."""
    before, url = page.get_attribute("body", "data-reading"), page.url
    page.keyboard.press(KEY["red"])
    for _ in range(60):
        if page.get_attribute("body", "data-reading") != before:
            return page.url == url
        page.wait_for_timeout(50)
    return False


def inert(page, key: str) -> bool:
    """Press a colour key the page does not offer: nothing happens (no navigation, no listening panel)."""
    before = page.url
    page.keyboard.press(key)
    page.wait_for_timeout(300)  # the voice runtime reacts at once; navigation would have started
    return page.url == before and not page.is_visible("#tv-listen")


def changed_url(page, key: str) -> str | None:
    """Press ``key``; the URL it led to, or None when nothing happened."""
    before = page.url
    page.keyboard.press(key)
    try:
        page.wait_for_url(lambda u: u != before, timeout=1500)
    except Exception:
        return None
    page.wait_for_load_state("load")
    return unquote(page.url)


@pytest.mark.parametrize("url", PAGES)
def test_hints_match_keys(live_portal, browser_page, url):
    """Each hinted key does what the hint says; unhinted keys do nothing."""
    page, base = browser_page, live_portal
    fresh(page, base, url)
    actions = hinted_actions(page)
    assert "ok" in actions and "arrows" in actions
    nav = page.evaluate("TVNAV")

    if "red" in actions:
        assert reading_switched(page)
        page.wait_for_timeout(60)
        assert reading_switched(page)  # and back: the device's cookie is shared by the whole run
    else:
        assert inert(page, KEY["red"])
    if "green" in actions:
        page.keyboard.press(KEY["green"])
        page.wait_for_selector("#tv-listen", state="visible", timeout=2000)
        fresh(page, base, url)
    else:
        assert inert(page, KEY["green"])
    if "yellow" in actions:
        assert changed_url(page, KEY["yellow"]) == base + "/"
        fresh(page, base, url)
    else:
        assert changed_url(page, KEY["yellow"]) is None
    if "blue" in actions:
        assert changed_url(page, KEY["blue"]) == base + "/search"
        fresh(page, base, url)
    else:
        assert changed_url(page, KEY["blue"]) is None
    if "page" in actions:
        target = nav["keys"].get("page_down") or nav["keys"]["page_up"]
        key = KEY["page_down"] if "page_down" in nav["keys"] else KEY["page_up"]
        assert changed_url(page, key) == unquote(base + target["href"])
        fresh(page, base, url)
    else:
        assert changed_url(page, KEY["page_down"]) is None
    if "digits" in actions:
        first = next(i for i, it in nav["items"].items() if it.get("n") == 1)
        href = nav["items"][first].get("h")
        result = changed_url(page, "1")
        if href:
            assert result == unquote(base + href)
        fresh(page, base, url)
    if "back" in actions:
        assert changed_url(page, KEY["back"]) == base + "/"
    else:
        assert changed_url(page, KEY["back"]) is None


@pytest.mark.parametrize("url", PAGES)
def test_arrows_reach_every_item(live_portal, browser_page, url):
    """Walking the arrows from the start focus reaches every focusable item of the page (no traps)."""
    page = browser_page
    page.goto(live_portal + url)
    items = set(page.evaluate("Object.keys(TVNAV.items)"))
    seen = {focused_id(page)}
    frontier = [focused_id(page)]
    while frontier:
        start = frontier.pop()
        for key in ("ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"):
            page.evaluate(f"tvnav.focus('{start}')")
            page.keyboard.press(key)
            now = focused_id(page)
            if now not in seen:
                seen.add(now)
                frontier.append(now)
    assert seen == items
