"""Cost of the operator's statistics and metrics per TV page request, against a baseline in the same run.

Two copies of the real app in this process, on the same demo data: the portal as built (the ``measure``
middleware: Prometheus counters and histogram, the in-memory statistics count) and a baseline built the
same way without that middleware and without the statistics task.  Each serves GET /guides (a page-cache
hit: the cheapest TV page, so the overhead shows most) and GET /halls/LA-02 in alternating rounds through
aiohttp's test client; the table gives the median time per request of each and the difference.  Also: one
``count()`` call alone, and one flush of a day's worth of distinct rows (off the request path).

Target: the statistics add at most 5 % or 0.1 ms (whichever is larger) to a cached page.

Run from the repository root: ``python benchmarks/stats_overhead.py [--requests 400 --rounds 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from tvportal import app as app_module, middlewares  # noqa: E402
from tvportal.keys import DB  # noqa: E402
from tvportal.settings import load_settings  # noqa: E402
from tvportal.stats import collector  # noqa: E402

PATHS = ("/guides", "/halls/LA-02")


def build(data_dir: str, with_stats: bool):
    """The real app, or the baseline without the measuring middleware and the statistics task."""
    settings = load_settings({"data_dir": data_dir}, environ={})
    if with_stats:
        return app_module.create_app(settings)
    order, ctx, setup = middlewares.ORDER, collector.stats_ctx, app_module.setup_metrics
    app_module.ORDER = tuple(m for m in order if m is not middlewares.measure)
    app_module.stats_ctx = _nothing
    app_module.setup_metrics = lambda app: None
    try:
        return app_module.create_app(settings)
    finally:
        app_module.ORDER, app_module.stats_ctx, app_module.setup_metrics = order, ctx, setup


async def _nothing(app):
    """The baseline's stand-in for the statistics task."""
    yield


async def per_request(client: TestClient, n: int) -> float:
    """Mean seconds per GET over ``n`` requests (alternating the paths)."""
    started = time.perf_counter()
    for i in range(n):
        resp = await client.get(PATHS[i % len(PATHS)])
        await resp.read()
        assert resp.status == 200
    return (time.perf_counter() - started) / n


async def main(requests: int, rounds: int) -> int:
    """Measure and print the table; exit 1 when the target is missed."""
    with tempfile.TemporaryDirectory() as real_dir, tempfile.TemporaryDirectory() as base_dir:
        real = TestClient(TestServer(build(real_dir, True)))
        base = TestClient(TestServer(build(base_dir, False)))
        await real.start_server()
        await base.start_server()
        try:
            for client in (real, base):  # warm the page caches and the connections
                await per_request(client, 20)
            real_t, base_t = [], []
            for _ in range(rounds):
                real_t.append(await per_request(real, requests))
                base_t.append(await per_request(base, requests))
            app = real.server.app
            calls = 100_000
            request = _Request(app)
            started = time.perf_counter()
            for _ in range(calls):
                collector.count(request, "view", screen="/guides")
            count_us = (time.perf_counter() - started) / calls * 1e6
            day = {(f"2026-12-{d:02d}", "view", f"m{m}", "341500", f"/s{s}"): [3, 0]
                   for d in range(1, 2) for m in range(20) for s in range(50)}
            started = time.perf_counter()
            await app[DB].write(collector.write, day, set())
            flush_ms = (time.perf_counter() - started) * 1000
        finally:
            await real.close()
            await base.close()
    r, b = statistics.median(real_t) * 1000, statistics.median(base_t) * 1000
    extra = r - b
    allowed = max(0.05 * b, 0.1)
    rows = [("baseline (no statistics) ms/request", f"{b:.3f}", "", ""),
            ("with statistics and metrics ms/request", f"{r:.3f}", "", ""),
            ("added per request ms", f"{extra:.3f}", f"<= {allowed:.3f}", "PASS" if extra <= allowed else "FAIL"),
            ("one count() call µs", f"{count_us:.2f}", "", ""),
            (f"flush of {len(day)} distinct rows ms (off the request path)", f"{flush_ms:.1f}", "", "")]
    width = max(len(row[0]) for row in rows)
    for name, value, target, verdict in rows:
        print(f"{name:<{width}}  {value:>9}  {target:>9}  {verdict}")
    return 0 if extra <= allowed else 1


class _Request(dict):
    """What ``count`` reads of a request (its app, cookies and preferences), for timing the call alone."""

    def __init__(self, app) -> None:
        from tvportal.keys import PREFS
        from tvportal.prefs import Prefs

        super().__init__({PREFS: Prefs()})
        self.app, self.cookies = app, {"tvbox": "EC6108V9%7C341500"}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.requests, args.rounds)))
