"""axe-core (bundled with axe-playwright-python) over every TV page in the real Chromium: 0 violations.

Also checks, in the browser, what axe cannot: nothing scrolls or overflows its box, nothing
is set below 24 px, and the pages hold in large-text and high-contrast modes.
"""

from __future__ import annotations

import pytest

from tests.test_pages import tv_urls

pytestmark = pytest.mark.browser

# axe's default rules plus the AAA contrast rule: the TV's target is 7:1, not 4.5:1
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"color-contrast-enhanced": {"enabled": True}}}

LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const doc = document.scrollingElement;
  if (doc.scrollHeight > innerHeight + 1 || doc.scrollWidth > innerWidth + 1) problems.push('page scrolls');
  for (const el of document.querySelectorAll('.text, .facts, .f .lbl, .title')) {
    if (el.scrollHeight > el.clientHeight + 2) problems.push('overflows: ' + (el.id || el.className) + ' ' + el.textContent.slice(0, 30));
  }
  for (const el of document.querySelectorAll('body *')) {
    if (!el.childNodes.length || !el.offsetParent) continue;
    const hasText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (hasText && parseFloat(getComputedStyle(el).fontSize) < 24) problems.push('small text: ' + el.textContent.slice(0, 30));
  }
  for (const el of document.querySelectorAll('.f, .hdr, .hints, .text, .facts')) {
    const r = el.getBoundingClientRect();
    if (r.left < 64 || r.top < 36 || r.right > 1216 || r.bottom > 684) problems.push('outside safe area: ' + (el.id || el.className));
  }
  const focused = document.activeElement;
  if (focused && focused.classList.contains('f')) {
    const style = getComputedStyle(focused);
    if (parseFloat(style.outlineWidth) < 4 || style.outlineStyle === 'none') problems.push('focus ring under 4px');
  }
  return problems;
}"""


def every_page(page, base: str, url: str):
    """Yield after loading ``url`` and each following page (via the 下一页 link)."""
    page.goto(base + url)
    for _ in range(30):
        yield page.url
        nxt = page.query_selector("#pg-next")
        if nxt is None:
            return
        page.goto(base + nxt.get_attribute("href"))


@pytest.mark.parametrize("mode", ["normal", "large+contrast"])
def test_axe_and_layout_on_every_page(live_portal, browser_page, mode):
    """Every page of the demo content, in both display modes."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser_page
    if mode != "normal":
        page.goto(live_portal + "/settings")
        page.evaluate("""async () => {
            for (const [f, v] of [['text', '1'], ['contrast', '1']])
                await fetch('/settings', {method: 'POST', body: new URLSearchParams({field: f, value: v})});
        }""")
    failures = []
    for url in tv_urls() + ["/no-such-guide", "/guides/c/yanglao?page=abc"]:
        for number, shown in enumerate(every_page(page, live_portal, url), 1):
            # later pages of a text share the first page's markup: in the second mode axe sees first pages only
            results = axe.run(page, options=AXE_OPTIONS) if mode == "normal" or number == 1 else None
            if results and results.violations_count:
                failures.append((shown, results.generate_report()))
            problems = page.evaluate(LAYOUT_PROBLEMS)
            if problems:
                failures.append((shown, problems))
    assert failures == []
