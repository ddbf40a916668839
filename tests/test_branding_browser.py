"""A branded portal in the real Chromium: with the operator's colours every text keeps 7:1 (axe's AAA
contrast rule), the built-in yellow accents included, and at SD the logo leaves the title and the
当前位置 line alone."""

from __future__ import annotations

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, portal
from tests.test_accessibility import AXE_OPTIONS
from tests.test_operator_branding import PNG

pytestmark = pytest.mark.browser

OVERLAPS = """() => {
  const box = s => document.querySelector(s).getBoundingClientRect();
  const logo = box('.logo'), out = [];
  for (const s of ['.title', '.crumbs', '.pageno']) {
    const el = document.querySelector(s);
    if (!el) continue;
    const r = el.getBoundingClientRect();
    if (r.width && logo.left < r.right && r.left < logo.right && logo.top < r.bottom && r.top < logo.bottom)
      out.push(s);
  }
  const title = document.querySelector('.title');
  if (title.getBoundingClientRect().right > innerWidth) out.push('title leaves the screen');
  return out;
}"""


def test_brand_colours_keep_every_text_readable_and_the_sd_logo_in_its_place(tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    env = (("TVPORTAL_BRAND_TEXT_COLOUR", "#000000"), ("TVPORTAL_BRAND_BACKGROUND_COLOUR", "#f5f5dc"),
           ("TVPORTAL_BRAND_LOGO", str(logo)), ("TVPORTAL_BRAND_TITLE", "安徽电信政务服务"))
    axe, failures = Axe(), []
    with portal(tmp_path / "data", *env) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for size, view in (("hd", (1280, 720)), ("sd", (640, 530))):
                page = browser.new_context(viewport={"width": view[0], "height": view[1]}).new_page()
                for url in ("/", "/guides/h1", "/guides/h1?page=2"):
                    page.goto(f"{base}{url}{'&' if '?' in url else '?'}size={size}")
                    results = axe.run(page, options=AXE_OPTIONS)
                    if results.violations_count:
                        failures.append((size, url, results.generate_report()))
                    overlaps = page.evaluate(OVERLAPS)
                    if overlaps:
                        failures.append((size, url, overlaps))
        finally:
            browser.close()
    assert failures == []
