"""Page weight: bytes a set-top box downloads for the home screen and for every guide detail page.

Targets: home HTML + its CSS + its JS <= 30 KB uncompressed; the largest guide detail page (every page of
every demo guide, following ?page=N while a pg-next link is present) <= 20 KB uncompressed.  Also reports
gzip sizes and checks that the hashed static assets are cacheable for good (immutable, ETag, 304).

The home budget is also judged on everything a browser really loads for the page (headless Chromium with
an empty cache, until the network is quiet): voice.js, the spoken sentences' MP3s and anything else a
page or its scripts fetch, not only the files this script knows about.  That row counts the bytes on the
wire (what the rural link carries; the MP3s cannot be compressed further); uncompressed is reported too.  The largest guide page is loaded the
same way (information: its CSS and scripts are cached by the time a viewer opens a guide).

Run from the repository root: ``python benchmarks/page_weight.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _portal import REPO, Portal, Row, all_ok, asset_urls, fetch, print_table, running_portal  # noqa: E402

HOME_BUDGET = 30 * 1024  # 30720 bytes: home HTML + CSS + JS, uncompressed
GUIDE_BUDGET = 20 * 1024  # 20480 bytes: largest guide detail HTML, uncompressed
MAX_PAGES = 50  # bound on ?page=N per guide
GUIDES_JSON = REPO / "content" / "demo" / "lu_an" / "guides.json"
GZIP = {"Accept-Encoding": "gzip"}
# Preference cookies of the extra (info-only) variants: large text, English.
VARIANTS = {"default": None, "large text": "tvprefs=t1.c0.zh_CN", "English": "tvprefs=t0.c0.en"}


def guide_ids() -> list[str]:
    """Ids of the demo guides, read from content/demo/lu_an/guides.json."""
    return [g["id"] for g in json.loads(GUIDES_JSON.read_text(encoding="utf-8"))["guides"]]


def get_ok(portal: Portal, path: str, headers: dict[str, str] | None = None):
    """Fetch ``path`` and insist on 200."""
    reply = fetch(portal, path, headers)
    if reply.status != 200:
        raise RuntimeError(f"GET {path} answered {reply.status}")
    return reply


def sizes(portal: Portal, path: str, cookie: str | None = None) -> tuple[int, int, str, str]:
    """(uncompressed bytes, bytes on the wire with gzip, Content-Encoding with gzip, body text) of one URL."""
    extra = {"Cookie": cookie} if cookie else {}
    plain = get_ok(portal, path, extra)
    if "content-encoding" in plain.headers:
        raise RuntimeError(f"GET {path} without Accept-Encoding came back {plain.headers['content-encoding']}")
    gz = get_ok(portal, path, {**GZIP, **extra})
    return len(plain.body), len(gz.body), gz.headers.get("content-encoding", "-"), plain.body.decode("utf-8")


def guide_pages(portal: Portal, cookie: str | None = None) -> list[tuple[str, int, int, str]]:
    """(path, bytes, gzip bytes, encoding) of every page of every demo guide."""
    out = []
    for gid in guide_ids():
        for page in range(1, MAX_PAGES + 1):
            path = f"/guides/{gid}" + (f"?page={page}" if page > 1 else "")
            plain, gz, enc, html = sizes(portal, path, cookie)
            out.append((path, plain, gz, enc))
            if 'id="pg-next"' not in html:
                break
        else:
            raise RuntimeError(f"guide {gid} still has a pg-next link after {MAX_PAGES} pages")
    return out


def cache_checks(portal: Portal, path: str) -> list[Row]:
    """Rows checking that a hashed asset is immutable, has an ETag and answers 304 to If-None-Match."""
    reply = get_ok(portal, path)
    cache_control = reply.headers.get("cache-control", "")
    etag = reply.headers.get("etag", "")
    status = fetch(portal, path, {"If-None-Match": etag}).status if etag else 0
    status_gz = fetch(portal, path, {"If-None-Match": etag, **GZIP}).status if etag else 0
    name = path.rsplit("/", 1)[-1]
    return [
        Row(f"{name} Cache-Control", cache_control or "(none)", "contains immutable", "immutable" in cache_control),
        Row(f"{name} ETag", etag or "(none)", "present", bool(etag)),
        Row(f"{name} If-None-Match", f"{status} / {status_gz} with gzip", "304", status == status_gz == 304),
    ]


CHROMIUM = "/usr/bin/chromium"
SETTLE_MS = 1500  # after the network is idle: scripts that fetch later (the spoken title) have started


def browser_loads(portal: Portal, path: str) -> list[tuple[str, int, int]]:
    """(URL, body bytes, bytes on the wire) of every response a first view of ``path`` loads in Chromium."""
    from playwright.sync_api import sync_playwright

    seen = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"])
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=portal.base).new_page()
            page.on("requestfinished", lambda request: seen.append(request))
            page.goto(path, wait_until="networkidle")
            page.wait_for_timeout(SETTLE_MS)
            page.wait_for_load_state("networkidle")
            out = []
            for request in seen:
                response = request.response()
                if response is None:
                    continue
                out.append((request.url.replace(portal.base, ""), len(response.body()),
                            request.sizes()["responseBodySize"]))
        finally:
            browser.close()
    return out


def loaded_rows(portal: Portal, label: str, path: str, budget: int | None) -> list[Row]:
    """Rows of everything a browser loads for ``path``: the total (judged when ``budget``) and each file."""
    loads = browser_loads(portal, path)
    total, wire = sum(b for _u, b, _w in loads), sum(w for _u, _b, w in loads)
    rows = [Row(f"{label}: every resource the browser loads, on the wire", f"{wire} B in {len(loads)} files",
                f"<= {budget} B" if budget else "", wire <= budget if budget else None),
            Row(f"{label}: the same uncompressed (info)", f"{total} B")]
    rows += [Row(f"  {url.split('?')[0][:48]}", f"{body} B (wire {w} B)") for url, body, w in loads]
    return rows


def measure(portal: Portal, quick: bool = False) -> list[Row]:
    """All page-weight figures of one running portal, as table rows (``quick``: the judged ones only)."""
    home_plain, home_gz, home_enc, html = sizes(portal, "/")
    css, js = asset_urls(html)
    css_plain, css_gz, css_enc, _ = sizes(portal, css)
    js_plain, js_gz, js_enc, _ = sizes(portal, js)
    total = home_plain + css_plain + js_plain
    total_gz = home_gz + css_gz + js_gz
    rows = [
        Row("home HTML", f"{home_plain} B (gzip {home_gz} B, {home_enc})"),
        Row(f"CSS {css.rsplit('/', 1)[-1]}", f"{css_plain} B (gzip {css_gz} B, {css_enc})"),
        Row(f"JS {js.rsplit('/', 1)[-1]}", f"{js_plain} B (gzip {js_gz} B, {js_enc})"),
        Row("home HTML+CSS+JS uncompressed", f"{total} B", f"<= {HOME_BUDGET} B", total <= HOME_BUDGET),
        Row("home HTML+CSS+JS gzip", f"{total_gz} B"),
        Row("text responses gzip-encoded", f"{home_enc} / {css_enc} / {js_enc}", "gzip",
            home_enc == css_enc == js_enc == "gzip"),
    ]
    rows += loaded_rows(portal, "home", "/", HOME_BUDGET)
    for variant, cookie in VARIANTS.items():
        if quick and cookie is not None:
            continue
        pages = guide_pages(portal, cookie)
        path, plain, gz, enc = max(pages, key=lambda p: p[1])
        if cookie is None:
            rows.append(Row("guide pages fetched", f"{len(pages)} pages of {len(guide_ids())} guides"))
            rows.append(Row("largest guide page uncompressed", f"{plain} B ({path})", f"<= {GUIDE_BUDGET} B",
                            plain <= GUIDE_BUDGET))
            rows.append(Row("largest guide page gzip", f"{max(p[2] for p in pages)} B"))
            if not quick:
                rows += loaded_rows(portal, "largest guide page (info)", path, None)
            rows.append(Row("guide pages gzip-encoded", f"{sum(p[3] == 'gzip' for p in pages)}/{len(pages)}",
                            "all", all(p[3] == "gzip" for p in pages)))
        else:
            rows.append(Row(f"largest guide page, {variant} (info)", f"{plain} B ({path}), gzip {gz} B"))
    rows += cache_checks(portal, css) + cache_checks(portal, js)
    return rows


def run(argv: list[str] | None = None) -> list[Row]:
    """Start a portal, measure, print the table; return the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="judged figures only (no information variants)")
    args = parser.parse_args(argv)
    with running_portal() as portal:
        rows = measure(portal, args.quick)
    print_table("page weight", rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: exit 1 when a target is missed."""
    return 0 if all_ok(run(argv)) else 1


if __name__ == "__main__":
    sys.exit(main())
