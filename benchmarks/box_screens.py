"""The operator's boxes: page weight per screen size, home load on a slow link and slow CPU, key → focus there.

1. Page weight at SD (640x530), HD (1280x720) and FHD (1920x1080): home HTML, CSS and runtime, and the
   largest screen of one guide, uncompressed and gzip (each size is chosen with the launch parameter
   ``?size=`` and kept by its cookie).
2. Home load in headless Chromium with an empty cache over 2 Mbit/s down, 1 Mbit/s up and 100 ms RTT
   (DevTools ``Network.emulateNetworkConditions``) with the CPU slowed 6x (``Emulation.setCPUThrottlingRate``):
   time to the load event, against the same load unthrottled in the same run (the baseline).
3. Key press → focus under the same throttle: real keydowns (DevTools ``Input.dispatchKeyEvent``), from the
   event's time stamp to the focus mark moving (the highlight the viewer sees; the runtime's real
   ``el.focus()`` follows after the frame that paints it and is reported too), arrows on home; p95 judged
   against one frame (16 ms).  Baseline:
   keys the runtime ignores, from time stamp to the end of the keydown listeners.

Run from the repository root: ``python benchmarks/box_screens.py [--presses 60] [--gap 60] [--keys-only] [--before DIR]``
(``--before``: a checkout of an earlier commit, e.g. ``git worktree add /tmp/before main``; its key → focus
is measured in the same browser just before this tree's).  ``BENCH_PORTS=lo-hi`` keeps the portals there.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _portal import Portal, Row, all_ok, fetch, median, percentile, print_table, running_portal  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
VIEW = {"sd": (640, 530), "hd": (1280, 720), "fhd": (1920, 1080)}
FRAME_MS = 16.0
CPU = 6.0
NETWORK = {"offline": False, "latency": 100, "downloadThroughput": 2_000_000 / 8, "uploadThroughput": 1_000_000 / 8}
GUIDE = "/guides/h1"
ARROWS = [39, 40, 37, 38]
IGNORED = [200, 201]

# keydown time stamp → the focus mark (class is-focused) on a new item, seen by a MutationObserver (its
# callback runs as the runtime's listener returns), → the real focus event, and → end of the listeners
# (bubble on window runs last)
KEY_LOG = r"""
(function () {
  var log = [];
  window.addEventListener('keydown', function (e) {
    log.push({ts: e.timeStamp, start: performance.now(), end: null, mark: null, focus: null, frame: null});
  }, true);
  new MutationObserver(function (records) {
    var e = log[log.length - 1], i;
    for (i = 0; e && e.mark === null && i < records.length; i++) {
      if (/(^|\s)is-focused(\s|$)/.test(records[i].target.className)) e.mark = performance.now();
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['class']});
  window.addEventListener('keydown', function () {
    var e = log[log.length - 1];
    if (!e) return;
    e.end = performance.now();
    requestAnimationFrame(function () { e.frame = performance.now(); });
  });
  document.addEventListener('focus', function () {
    var e = log[log.length - 1]; if (e && e.focus === null) e.focus = performance.now();
  }, true);
  window.__keys = log;
})();
"""


def page_weight(portal: Portal, path: str, cookie: dict[str, str]) -> tuple[int, int]:
    """Bytes of a page with its CSS and scripts, uncompressed and gzip."""
    html = fetch(portal, path, cookie).body
    assets = [fetch(portal, a.decode()).body for a in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)]
    return (len(html) + sum(map(len, assets)),
            len(gzip.compress(html, 6)) + sum(len(gzip.compress(a, 6)) for a in assets))


def weights(portal: Portal) -> list[Row]:
    """Bytes of home, the search keypad page and 选择县区 (HTML + CSS + scripts) and of a guide's largest
    screen at each size."""
    rows = []
    for size in VIEW:
        cookie = {"Cookie": f"tvsize={size}"}
        raw, packed = page_weight(portal, "/", cookie)
        rows.append(Row(f"{size}: home HTML + CSS + JS", f"{raw} B ({packed} B gzip)", "<= 30720 B", raw <= 30720))
        for name, path in (("search keypad", "/search?d=72"), ("county chooser", "/area")):  # figures only
            raw, packed = page_weight(portal, path, cookie)
            rows.append(Row(f"{size}: {name} HTML + CSS + JS", f"{raw} B ({packed} B gzip)"))
        largest, page, screens = 0, 1, 0
        while page < 30:
            reply = fetch(portal, f"{GUIDE}?page={page}" if page > 1 else GUIDE, cookie)
            if reply.status != 200:
                break
            largest, screens = max(largest, len(reply.body)), page
            page += 1
        rows.append(Row(f"{size}: {GUIDE} largest of its {screens} screens", f"{largest} B", "<= 20480 B",
                        largest <= 20480))
    return rows


def load_time(context, base: str, size: str, throttled: bool) -> float:
    """ms from navigation start to the load event of home, empty cache, with or without the throttle."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttled:
        cdp.send("Network.emulateNetworkConditions", NETWORK)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU})
    page.goto(f"{base}/?size={size}", wait_until="load", timeout=60000)
    took = page.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0]; "
                         "return n.loadEventEnd - n.startTime; })()")
    page.close()
    return took


def key_presses(context, base: str, size: str, presses: int, gap: int = 60) -> list[Row]:
    """Key → focus on home with the CPU slowed, a key every ``gap`` ms; ignored keys as the baseline."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    page.goto(f"{base}/?size={size}")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU})
    rows = []
    for label, codes in (("arrows", ARROWS), ("ignored keys (baseline)", IGNORED)):
        page.evaluate("window.__keys.length = 0")
        for i in range(presses):
            code = codes[i % len(codes)]
            for kind in ("rawKeyDown", "keyUp"):
                cdp.send("Input.dispatchKeyEvent", {"type": kind, "windowsVirtualKeyCode": code,
                                                    "nativeVirtualKeyCode": code})
            page.wait_for_timeout(gap)  # 60: faster than a remote's repeat (NEC: 108 ms); each press is its own
        log = page.evaluate("window.__keys.slice()")
        tag = f"{size} [CPU {CPU:g}x]"

        def span(until: str, since: str = "ts") -> list[float]:
            """ms from one mark of each press to another, for the presses that reached both."""
            return [e[until] - e[since] for e in log if e[until] is not None]

        def info(metric: str, times: list[float]) -> Row:
            if not times:  # e.g. no real focus while the keys came faster than the runtime's pause
                return Row(f"{tag} {metric}, {label}", "none")
            return Row(f"{tag} {metric}, {label}", f"med {median(times):.1f} / p95 {percentile(times, 95):.1f} ms")

        if label == "arrows":
            # the focus the viewer sees is the mark; el.focus() (for assistive technology) follows after
            # the frame that paints it, so the focus event is information here
            times = span("mark")
            p95 = percentile(times, 95)
            rows.append(Row(f"{tag} key → focus mark moved, {label}", f"med {median(times):.1f} / p95 "
                            f"{p95:.1f} / max {max(times):.1f} ms ({len(times)}/{presses} moved)",
                            f"p95 < {FRAME_MS:g} ms", p95 < FRAME_MS and len(times) == presses))
            rows.append(info("runtime's share: 1st listener → mark moved", span("mark", "start")))
            rows.append(info("key → listeners done", span("end")))
            rows.append(info("key → real focus event (once the keys pause)", span("focus")))
        else:
            rows.append(info("key → listeners done", span("end")))
        rows.append(info("key → next animation frame", span("frame")))
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    page.close()
    return rows


def browser_rows(portal: Portal, presses: int, loads: int, before: Portal | None = None, gap: int = 60) -> list[Row]:
    """Home load and key presses at each size in headless Chromium; ``before``: another tree's portal whose
    key presses are measured just before this one's, in the same browser (a before/after comparison)."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for size, (width, height) in VIEW.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                context.add_init_script(KEY_LOG)
                if loads:
                    fast = median([load_time(context, portal.base, size, False) for _ in range(loads)])
                    slow = median([load_time(context, portal.base, size, True) for _ in range(loads)])
                    rows.append(Row(f"{size}: home load, 2 Mbit/s + 100 ms RTT + CPU {CPU:g}x (median of "
                                    f"{loads})", f"{slow:.0f} ms (unthrottled baseline {fast:.0f} ms)"))
                if before is not None:
                    rows += [Row("before: " + r.metric, r.value) for r in
                             key_presses(context, before.base, size, presses, gap)]
                rows += key_presses(context, portal.base, size, presses, gap)
                context.close()
        finally:
            browser.close()
    return rows


def run(argv: list[str] | None = None) -> list[Row]:
    """Start a portal, measure, print the table; return the rows."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--presses", type=int, default=60, help="key presses per loop (default 60)")
    p.add_argument("--gap", type=int, default=60, help="ms between key presses (default 60, faster than a "
                   "remote's repeat; 110 is a held key on an NEC remote)")
    p.add_argument("--loads", type=int, default=3, help="home loads per condition (default 3)")
    p.add_argument("--keys-only", action="store_true", help="only key → focus (no weights, no loads)")
    p.add_argument("--before", type=Path, help="another checkout whose key → focus is measured first, for a "
                   "before/after comparison in the same run")
    args = p.parse_args(argv)
    with running_portal() as portal, \
            (running_portal(tree=args.before) if args.before else contextlib.nullcontext()) as before:
        if args.keys_only:
            rows = browser_rows(portal, args.presses, 0, before, args.gap)
        else:
            rows = weights(portal) + browser_rows(portal, args.presses, args.loads, before, args.gap)
    print_table("operator boxes: screen sizes, slow link and CPU", rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: exit 1 when a target is missed."""
    return 0 if all_ok(run(argv)) else 1


if __name__ == "__main__":
    sys.exit(main())
