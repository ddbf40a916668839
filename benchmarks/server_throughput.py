"""Server throughput: requests/s and latency of the guide detail page against a static file, with wrk.

The baseline is a small hashed static asset (tv.<hash>.css, served from memory), measured in the same run
against the same portal process, alternating static, page, static, page ...  Targets (with
``Accept-Encoding: gzip``, as set-top boxes send): page requests/s >= 0.5 x static requests/s, and the
page's p99 latency <= 50 ms at 64 connections.  Uncompressed figures are reported too (info).

The page is measured twice: as the page cache serves it (every view after the first of a content version)
and with the cache bypassed (``PAGE_UNCACHED``: a query value longer than a remote can type is rendered,
never cached, tvportal/page_cache.py), which is what the first view of each page after a publish costs.
Both are reported; the targets are judged on the cached page, the rendering figures are information.

Run from the repository root: ``python benchmarks/server_throughput.py [--duration 10] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _portal import Portal, Row, all_ok, asset_urls, fetch, median, print_table, running_portal  # noqa: E402

WRK = shutil.which("wrk") or "/usr/bin/wrk"
PAGE = "/guides/h2"
# the same page rendered on every request: the guide page does not read ``q``, and a value over
# page_cache.MAX_PARAM_CHARS keeps the request out of the cache
PAGE_UNCACHED = PAGE + "?q=" + "x" * 65
RATIO_TARGET = 0.5
P99_TARGET_MS = 50.0
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
MODES = {"gzip": ["-H", "Accept-Encoding: gzip"], "plain": []}
CLK_TCK = os.sysconf("SC_CLK_TCK")  # units of utime/stime in /proc/<pid>/stat


@dataclass(frozen=True)
class WrkResult:
    """The figures of one wrk run."""

    rps: float
    p50: float  # milliseconds
    p75: float
    p90: float
    p99: float
    requests: int
    errors: int  # socket errors (connect/read/write/timeout) plus non-2xx/3xx responses
    cpu_us_per_req: float  # server CPU time (user+system) per request, microseconds


def duration_ms(text: str) -> float:
    """A wrk duration such as 850.00us, 5.31ms or 1.05s in milliseconds."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * UNITS_MS[m.group(2)]


def parse_wrk(out: str) -> dict[str, float]:
    """Requests/s, p50/p75/p90/p99 (ms), request count and error count from wrk --latency output."""
    fields: dict[str, float] = {}
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s*{pct}%\s+(\S+)\s*$", out, re.M)
        if not m:
            raise RuntimeError(f"no {pct}% line in wrk output:\n{out}")
        fields["p" + pct] = duration_ms(m.group(1))
    m = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    if not m:
        raise RuntimeError(f"no Requests/sec in wrk output:\n{out}")
    fields["rps"] = float(m.group(1))
    m = re.search(r"^\s*(\d+) requests in", out, re.M)
    fields["requests"] = float(m.group(1)) if m else 0.0
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    fields["errors"] = float(errors)
    return fields


def cpu_ticks(pid: int) -> int:
    """User+system CPU ticks consumed so far by process ``pid`` (from /proc; 0 when unavailable)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    parts = stat.rsplit(")", 1)[1].split()
    return int(parts[11]) + int(parts[12])  # utime, stime (fields 14 and 15)


def settle(portal: Portal, limit: float = 15.0) -> None:
    """Wait until the portal is idle: when wrk stops, the server still works off the requests it accepted
    (slow renders especially), and the next run must not be measured against that backlog."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = cpu_ticks(portal.pid)
        time.sleep(0.2)
        if cpu_ticks(portal.pid) - before <= 1:
            return


def run_wrk(portal: Portal, path: str, mode: str, args: argparse.Namespace, duration: float) -> WrkResult:
    """One wrk run against ``path`` once the portal is idle; bounded by its duration plus a grace period."""
    settle(portal)
    cmd = [WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{duration:g}s", "--latency",
           "--timeout", "10s", *MODES[mode], portal.url(path)]
    before = cpu_ticks(portal.pid)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, check=False)
    used = cpu_ticks(portal.pid) - before
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr}")
    f = parse_wrk(proc.stdout)
    per_req = used / CLK_TCK * 1e6 / f["requests"] if f["requests"] else 0.0
    return WrkResult(f["rps"], f["p50"], f["p75"], f["p90"], f["p99"], int(f["requests"]), int(f["errors"]), per_req)


def check_responses(portal: Portal, static: str) -> list[Row]:
    """Make sure the URLs answer 200 and gzip when asked, so wrk measures what we think it measures."""
    rows = []
    cached, uncached = fetch(portal, PAGE).body, fetch(portal, PAGE_UNCACHED).body
    same = abs(len(cached) - len(uncached)) <= 64  # the same page (only its nonce and speech ids may differ)
    rows.append(Row("uncached URL renders the same page", f"{len(cached)} / {len(uncached)} B", "same", same))
    for path in (static, PAGE):
        plain = fetch(portal, path)
        gz = fetch(portal, path, {"Accept-Encoding": "gzip"})
        enc = gz.headers.get("content-encoding", "-")
        ok = plain.status == gz.status == 200 and enc == "gzip"
        rows.append(Row(f"{path} response", f"{plain.status}, {len(plain.body)} B; gzip: {len(gz.body)} B ({enc})",
                        "200, gzip", ok))
    return rows


def measure(portal: Portal, args: argparse.Namespace) -> list[Row]:
    """Alternate static and page runs for ``args.rounds`` rounds in both modes; medians as table rows."""
    home = fetch(portal, "/")
    static, _js = asset_urls(home.body.decode("utf-8"))
    rows = check_responses(portal, static)
    targets = {"static": static, "page": PAGE, "rendered": PAGE_UNCACHED}
    for mode in MODES:  # warm-up, not counted
        for path in targets.values():
            run_wrk(portal, path, mode, args, args.warmup)
    results: dict[tuple[str, str], list[WrkResult]] = {(m, k): [] for m in MODES for k in targets}
    for rnd in range(args.rounds):
        for mode in MODES:
            for kind, path in targets.items():
                r = run_wrk(portal, path, mode, args, args.duration)
                results[(mode, kind)].append(r)
                print(f"  round {rnd + 1} {mode:5} {kind:6} {r.rps:9.0f} req/s  p50 {r.p50:7.2f} ms  "
                      f"p99 {r.p99:7.2f} ms  cpu {r.cpu_us_per_req:7.0f} us/req  errors {r.errors}", flush=True)
    for mode in MODES:
        info = mode != "gzip"
        for kind in targets:
            rs = results[(mode, kind)]
            rows.append(Row(f"{mode} {kind} req/s (median of {len(rs)})", f"{median([r.rps for r in rs]):.0f}"))
            rows.append(Row(f"{mode} {kind} p50/p90/p99 ms",
                            "/".join(f"{median([getattr(r, p) for r in rs]):.2f}" for p in ("p50", "p90", "p99"))))
            rows.append(Row(f"{mode} {kind} server CPU per request",
                            f"{median([r.cpu_us_per_req for r in rs]):.0f} us"))
        for kind, label in (("page", "page (cache hit)"), ("rendered", "page rendered (cache bypassed)")):
            judged = not info and kind == "page"
            note = "" if judged else " (info)"
            ratios = [p.rps / s.rps for s, p in zip(results[(mode, "static")], results[(mode, kind)]) if s.rps]
            p99 = median([r.p99 for r in results[(mode, kind)]])
            if not ratios:  # a loaded machine can let a short static run finish no request: no ratio, no pass
                rows.append(Row(f"{mode} {label}/static req/s ratio{note}", "no static run completed a request",
                                f">= {RATIO_TARGET}", False if judged else None))
            else:
                ratio = median(ratios)
                rows.append(Row(f"{mode} {label}/static req/s ratio{note}", f"{ratio:.3f} (per round: "
                                + ", ".join(f"{x:.3f}" for x in ratios) + ")", f">= {RATIO_TARGET}",
                                ratio >= RATIO_TARGET if judged else None))
            rows.append(Row(f"{mode} {label} p99 at {args.connections} conns{note}", f"{p99:.2f} ms",
                            f"<= {P99_TARGET_MS:g} ms", p99 <= P99_TARGET_MS if judged else None))
    errors = sum(r.errors for rs in results.values() for r in rs)
    rows.append(Row("wrk socket errors + non-2xx/3xx", str(errors), "0", errors == 0))
    return rows


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run (default 10)")
    p.add_argument("--rounds", type=int, default=3, help="static/page pairs per mode (default 3)")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of uncounted warm-up per URL (default 2)")
    p.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    args = p.parse_args(argv)
    if not 1 <= args.rounds <= 20 or not 1 <= args.duration <= 120 or not 0 < args.warmup <= 30:
        p.error("--rounds 1-20, --duration 1-120 s, --warmup 0-30 s")
    return args


def run(argv: list[str] | None = None) -> list[Row]:
    """Start a portal, run the wrk series, print the table; return the rows."""
    args = parse_args(argv)
    if not Path(WRK).exists():
        raise SystemExit(f"wrk not found at {WRK}")
    print(f"server throughput: wrk -t{args.threads} -c{args.connections}, {args.rounds} rounds of "
          f"{args.duration:g} s per URL and mode", flush=True)
    with running_portal() as portal:
        rows = measure(portal, args)
    print_table("server throughput", rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: exit 1 when a target is missed."""
    return 0 if all_ok(run(argv)) else 1


if __name__ == "__main__":
    sys.exit(main())
