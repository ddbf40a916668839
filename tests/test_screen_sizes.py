"""The three screen sizes in the real Chromium: axe-core, and geometry the way a box shows the page.

SD (640x530) pages laid out for SD: every focusable item and the hint bar inside the screen, nothing
scrolled or overflowing, no text under 24 px, in normal and large-text + high-contrast modes.  HD and
FHD: the same page on the 1280x720 canvas, at 1.5x for FHD.  Also: the ES5 library functions taken away
(as on ES3-era boxes) and scripts switched off, home still leads to a guide.
"""

from __future__ import annotations

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, wait_for
from tests.test_accessibility import AXE_OPTIONS

pytestmark = pytest.mark.browser

VIEW = {"sd": (640, 530), "hd": (1280, 720), "fhd": (1920, 1080)}
# pages laid out for SD (docs/operator-boxes.md lists the ones that are not yet)
SD_PAGES = ["/", "/?page=2", "/guides", "/guides/c/yanglao", "/guides/h1", "/guides/h1?page=2",
            "/guides/h1/more", "/policies", "/halls", "/services/handling", "/no-such-page", "/search",
            "/search?d=72", "/area"]

GEOMETRY = """(minText) => {
  const problems = [], W = innerWidth, H = innerHeight;
  const doc = document.scrollingElement;
  if (doc.scrollHeight > H + 1 || doc.scrollWidth > W + 1) problems.push('page scrolls');
  for (const el of document.querySelectorAll('.text, .facts, .f .lbl, .f .note, .fl, .kp-m, .title')) {
    if (el.scrollHeight > el.clientHeight + 2) problems.push('overflows: ' + (el.id || el.className));
  }
  for (const el of document.querySelectorAll('.f')) {  // rows squeezed until a label's lower half is hidden
    if (el.offsetParent && el.scrollHeight > el.clientHeight + 8) problems.push('squeezed: ' + el.textContent);
  }
  // a choice cut with an ellipsis ("12月3日 星期四 上…") overflows sideways (list rows of long titles are
  // cut on purpose: the whole title heads the page they open)
  for (const el of document.querySelectorAll('.fb .lbl, .fb .note, .fl, .tile .t')) {
    if (el.offsetParent && el.scrollWidth > el.clientWidth + 1) problems.push('cut: ' + el.textContent);
  }
  const bar = document.querySelector('.hints').getBoundingClientRect();
  for (const el of document.querySelectorAll('.hints li')) {
    const r = el.getBoundingClientRect();
    if (r.bottom > bar.bottom + 1 || r.right > bar.right + 1) problems.push('hint cut: ' + el.textContent);
  }
  for (const el of document.querySelectorAll('.f, .hints')) {
    const r = el.getBoundingClientRect();
    if (r.left < 0 || r.top < 0 || r.right > W || r.bottom > H || r.width < 1)
      problems.push('outside the screen: ' + (el.id || el.className) + ' ' + JSON.stringify(r));
  }
  const zoom = parseFloat(getComputedStyle(document.documentElement).zoom) || 1;
  for (const el of document.querySelectorAll('body *')) {
    if (!el.childNodes.length || !el.offsetParent) continue;
    const hasText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const px = parseFloat(getComputedStyle(el).fontSize) * zoom;
    if (hasText && px < minText) problems.push('text ' + px + 'px: ' + el.textContent.slice(0, 20));
  }
  return problems;
}"""


def _browser(p, size: str, **options):
    """A Chromium context at the size's screen."""
    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    width, height = VIEW[size]
    return browser, browser.new_context(viewport={"width": width, "height": height}, **options)


@pytest.mark.parametrize("size,mode", [("sd", "normal"), ("sd", "large+contrast"), ("hd", "normal"),
                                       ("fhd", "normal")])
def test_axe_and_geometry_at_each_size(live_portal, size, mode):
    """axe-core finds nothing, everything focusable and the hint bar are on screen, text >= 24 px (SD) —
    at FHD >= 36 px, the HD canvas's 24 px at 1.5x."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe, failures = Axe(), []
    with sync_playwright() as p:
        browser, context = _browser(p, size)
        page = context.new_page()
        page.goto(live_portal + "/?size=" + size)
        if mode != "normal":
            page.evaluate("""async () => {
                for (const [f, v] of [['text', '1'], ['contrast', '1']])
                    await fetch('/settings', {method: 'POST', body: new URLSearchParams({field: f, value: v})});
            }""")
        for url in SD_PAGES:
            page.goto(live_portal + url)
            classes = page.evaluate("document.documentElement.className")
            assert ("sd" in classes.split()) == (size == "sd"), (url, classes)
            results = axe.run(page, options=AXE_OPTIONS)
            if results.violations_count:
                failures.append((size, url, results.generate_report()))
            problems = page.evaluate(GEOMETRY, {"sd": 24, "hd": 24, "fhd": 36}[size])
            if problems:
                failures.append((size, mode, url, problems))
        browser.close()
    assert failures == [], '\n'.join(map(str, failures))


def test_sd_pages_hold_more_screens(live_portal):
    """SD shows fewer items per screen: home has two screens of four tiles, a guide more screens than at HD."""
    from playwright.sync_api import sync_playwright

    counts = {}
    with sync_playwright() as p:
        for size in ("sd", "hd"):
            browser, context = _browser(p, size)
            page = context.new_page()
            page.goto(live_portal + "/?size=" + size)
            tiles = page.evaluate("document.querySelectorAll('.tile').length")
            page.goto(live_portal + "/guides/h1")
            pages = page.evaluate("document.querySelector('.pageno').textContent")
            counts[size] = (tiles, pages)
            browser.close()
    assert counts["sd"][0] == 4 and counts["hd"][0] == 8
    assert counts["sd"][1] != counts["hd"][1], counts


ES5_REMOVED = """
delete Array.prototype.forEach; delete Array.prototype.indexOf; delete Array.prototype.map;
delete Array.prototype.filter; delete Function.prototype.bind; delete String.prototype.trim;
delete Object.keys; delete Date.now; window.JSON = undefined;
"""


def test_es3_library_and_no_scripts(live_portal):
    """Without ES5's functions the remote still works home → guide; with scripts off, links reach a guide."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, context = _browser(p, "sd")
        context.add_init_script(ES5_REMOVED)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(live_portal + "/?size=sd")
        for expected in ("/guides", "/guides/c/", "/guides/"):
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert expected in page.url
        assert page.query_selector(".facts") is not None and errors == []
        browser.close()

        browser, context = _browser(p, "sd", java_script_enabled=False)
        page = context.new_page()
        page.goto(live_portal + "/?size=sd")
        page.click("#t-guides")
        page.click(".tile >> nth=0")
        page.click(".row >> nth=0")
        assert page.query_selector(".facts") is not None, page.url
        page.click("#pg-next")
        assert "page=2" in page.url and page.query_selector(".text") is not None
        browser.close()


def _keypad_error(page, base: str) -> None:
    """An ID number with a wrong check digit, confirmed with OK: the message shows on its two SD lines."""
    from tests.platform_helpers import PEOPLE

    page.goto(base + "/id/enter/id")
    for d in PEOPLE["chen"][:17] + "1":
        page.request.post(base + "/id/enter/id", form={"k": d})
    page.goto(base + "/id/enter/id")
    page.keyboard.press("Enter")
    wait_for(page, "document.getElementById('pm').textContent.length > 0")
    page.request.post(base + "/id/enter/id", form={"k": "clr"})


def test_sd_keypads_and_flow_screens(tmp_path):
    """The keypads (ID number with its error, SMS code with 重新获取), the flow screens of signing in,
    booking, applying, queries, receipts, rating and 我的, settings and a search without results, laid out
    for SD: geometry (now also flow lines, notes and keypad messages not overflowing) and axe-core as above,
    in normal and large-text + high-contrast modes."""
    import re

    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from tests.browser import portal
    from tests.platform_helpers import PEOPLE
    from tests.test_platform_browser import _sign_in_fast

    data, axe, failures, mode = tmp_path / "portal", Axe(), [], "normal"

    def check(page, what):
        classes = page.evaluate("document.documentElement.className").split()
        if "sd" not in classes:
            failures.append((mode, what, "not laid out for SD", classes))
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            failures.append((mode, what, results.generate_report()))
        problems = page.evaluate(GEOMETRY, 24)
        if problems:
            failures.append((mode, what, problems))

    with portal(data) as base, sync_playwright() as p:
        browser, context = _browser(p, "sd")
        page = context.new_page()
        page.goto(base + "/?size=sd")
        for mode in ("normal", "large+contrast"):
            if mode != "normal":
                for field in ("text", "contrast"):
                    page.request.post(base + "/settings", form={"field": field, "value": "1"})
            for url in ("/id", "/id/qr", "/id/enter/id"):
                page.goto(base + url)
                check(page, url)
            _keypad_error(page, base)
            check(page, "ID keypad with its error")
            for d in [*PEOPLE["chen"], "ok"]:
                page.request.post(base + "/id/enter/id", form={"k": d})
            page.goto(base + "/id/enter/code")
            assert page.query_selector("#kre") is not None
            check(page, "/id/enter/code")
            _sign_in_fast(page, base, data, PEOPLE["chen"])
            page.goto(base + "/booking/h/LA-01")
            day = re.search(r"/booking/h/LA-01/(\d{4}-\d\d-\d\d)", page.content()).group(1)
            page.goto(base + f"/booking/h/LA-01/{day}")
            slot = re.search(r'href="(/booking/s/[^"]+)"', page.content()).group(1)
            urls = ["/me", "/booking", "/booking/halls", "/booking/h/LA-01/soon", "/booking/h/LA-01",
                    f"/booking/h/LA-01/{day}", slot,
                    "/booking/mine", "/apply", "/apply/h3", "/apply/h3/q/1", "/apply/mine", "/lookup", "/lookup/q1",
                    "/lookup/q1/result", "/lookup/q4/result", "/settings", "/search?q=zzqqxx", "/voice"]
            page.goto(base + "/apply/mine")
            app_url = re.search(r'href="(/apply/a/BJ\w+)"', page.content()).group(1)
            urls += [app_url, "/rate/application/" + app_url.rsplit("/", 1)[1]]
            for url in urls:
                page.goto(base + url)
                check(page, url)
            page.request.post(base + "/id/logout")  # the keypads again, signed out, in the next mode
        browser.close()
    assert failures == [], "\n".join(map(str, failures))
