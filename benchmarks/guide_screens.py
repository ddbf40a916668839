"""Screens per guide and how full they are, for every demo guide, in normal and large text, in Chromium.

For each guide the script opens screen 1 and reads 第 1 页，共 N 页, then visits every screen and measures
how much of its text box the text really fills in the browser: on text screens the bottom of the last line
below the box's top, over the box's height (376 px on guide screens); on screen 1 the bottom of the facts
table over the room above the 更新日期 line.  The emptiest screen of each guide is reported, and separately
the emptiest screen that is not a guide's last (a last screen holds what is left over).

Targets (issue 10): at most 4 screens per guide in normal text and 6 in large text.  ``--baseline URL``
measures a portal already running other code (e.g. the commit before this layout) the same way, for
before/after figures; otherwise only this code is measured.  Run from the repository root:
``python benchmarks/guide_screens.py [--baseline http://127.0.0.1:PORT]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _portal import Row, all_ok, print_table, running_portal  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
LIMITS = {"normal": 4, "large": 6}

FILL = """() => {
  const c = document.getElementById('canvas').getBoundingClientRect();
  const text = document.querySelector('.text'), facts = document.querySelector('.facts');
  if (text) {
    const box = text.getBoundingClientRect(), kids = text.children;
    if (!kids.length) return 0;
    return (kids[kids.length - 1].getBoundingClientRect().bottom - box.top) / box.height;
  }
  if (facts) {
    const upd = document.querySelector('.updated'), box = facts.getBoundingClientRect();
    const room = (upd ? upd.getBoundingClientRect().top : box.top + 340) - box.top;
    return box.height / room;
  }
  return 0;
}"""


def guide_ids() -> list[str]:
    """Every guide of the demo content."""
    path = Path(__file__).resolve().parent.parent / "content" / "demo" / "lu_an" / "guides.json"
    return [g["id"] for g in json.loads(path.read_text(encoding="utf-8"))["guides"]]


def measure(base: str, mode: str) -> dict[str, tuple[int, list[float]]]:
    """guide id -> (screens, fill ratio of each screen) in one display mode."""
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                       args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 720})
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(base + "/settings")
        if mode == "large":
            page.evaluate("""async () => { await fetch('/settings', {method: 'POST',
                             body: new URLSearchParams({field: 'text', value: '1'})}); }""")
        for gid in guide_ids():
            page.goto(f"{base}/guides/{gid}")
            found = page.locator(".pageno")
            count = int(re.search(r"(\d+)\D*$", found.inner_text()).group(1)) if found.count() else 1
            fills = [page.evaluate(FILL)]
            for number in range(2, count + 1):
                page.goto(f"{base}/guides/{gid}?page={number}")
                fills.append(page.evaluate(FILL))
            out[gid] = (count, fills)
        context.close()
    return out


def rows_for(mode: str, figures: dict[str, tuple[int, list[float]]]) -> list[Row]:
    """One row per guide plus the summary rows of one mode."""
    rows = []
    for gid, (count, fills) in figures.items():
        rows.append(Row(f"{mode} {gid}: screens (fill of each)", f"{count} ({' '.join(f'{f:.2f}' for f in fills)})",
                        f"<= {LIMITS[mode]}", count <= LIMITS[mode]))
    counts = [c for c, _f in figures.values()]
    inner = [f for _c, fills in figures.values() for f in fills[:-1]]
    rows.append(Row(f"{mode}: screens per guide, mean / max", f"{sum(counts) / len(counts):.2f} / {max(counts)}",
                    f"max <= {LIMITS[mode]}", max(counts) <= LIMITS[mode]))
    rows.append(Row(f"{mode}: emptiest screen that is not a guide's last", f"{min(inner):.2f}" if inner else "-"))
    rows.append(Row(f"{mode}: emptiest screen of all", f"{min(f for _c, fl in figures.values() for f in fl):.2f}"))
    return rows


def run(argv: list[str] | None = None) -> list[Row]:
    """Measure both modes (and a baseline portal when ``--baseline`` names one); the rows of this code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="base URL of a portal running other code, measured the same way")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    with running_portal() as portal:
        for mode in ("normal", "large"):
            rows += rows_for(mode, measure(portal.base, mode))
    print_table("guide screens (this code)", rows)
    if args.baseline:
        base_rows = [r for mode in ("normal", "large") for r in rows_for(mode, measure(args.baseline, mode))]
        print_table("guide screens (baseline)", [Row(r.metric, r.value) for r in base_rows])
    return rows


if __name__ == "__main__":
    sys.exit(0 if all_ok(run()) else 1)
