"""Central platform: what the portal's HTTP client adds to a call, and TV pages while the platform is down.

1. Added latency of the proxy: ``HttpPlatform.slots()`` (signing, breaker, retry wrapper, JSON to dataclasses)
   against a direct signed GET of the same URL on the same simulator, alternating, in one process.
   Target: p50 added <= 2 ms.  The whole TV slots page through the portal is reported too (info).
2. TV guide and hall pages with ``central_url`` set, simulator up vs simulator ``--down``: sequential
   requests, alternating.  Target: p50 while down <= 1.5 x p50 while up + 1 ms (the pages do not wait for
   the central platform).

Run from the repository root: ``python benchmarks/platform_bench.py [--calls 400]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _portal import HOST, REPO, Portal, Row, all_ok, fetch, free_port, percentile, print_table  # noqa: E402

SECRET = "bench-secret"
PAGES = ("/guides/h2", "/halls/LA-01")


def _env(**settings: str) -> dict[str, str]:
    """Child environment: no inherited TVPORTAL_* settings, then ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TVPORTAL_")}
    env["PYTHONPATH"] = str(REPO)
    env.update({"TVPORTAL_" + k.upper(): v for k, v in settings.items()})
    return env


@contextmanager
def child(args: list[str], env: dict[str, str], probe: str, log: Path):
    """Run ``python -m tvportal <args>`` until ``probe`` answers; stop it on exit."""
    port = int(args[args.index("--port") + 1])
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "tvportal", *args], cwd=REPO, env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    target = Portal(HOST, port, log.parent, log, proc.pid)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if fetch(target, probe, timeout=1).status < 500:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("child did not start: " + log.read_text(errors="replace")[-3000:])
            time.sleep(0.1)
        yield target
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


async def added_latency(sim: Portal, calls: int) -> list[Row]:
    """p50/p90 of direct signed GETs and of the client's calls, alternating."""
    import aiohttp

    from tvportal.platform import services
    from tvportal.platform.http_client import HttpPlatform
    from tvportal.platform.outbox import Outbox
    from tvportal.platform.signing import sign
    from tvportal.storage import Database, migrate

    day = services.working_days(services.now().date())[0].isoformat()
    path = f"/v1/slots?hall_id=LA-01&service_id=b1&day={day}"
    direct, via = [], []
    with tempfile.TemporaryDirectory() as tmp:
        async with aiohttp.ClientSession() as session:
            outbox_db = Database(f"sqlite:///{Path(tmp) / 'o.sqlite3'}")
            migrate.upgrade(outbox_db)
            client = HttpPlatform(session, sim.base, "tvportal", SECRET, Outbox(outbox_db))
            for i in range(calls + 20):
                t0 = time.perf_counter()
                async with session.get(sim.base + path, headers=sign(SECRET, "GET", path, b"", "tvportal")) as r:
                    await r.json()
                    assert r.status == 200
                t1 = time.perf_counter()
                await client.slots("LA-01", "b1", day)
                t2 = time.perf_counter()
                if i >= 20:  # warm-up
                    direct.append((t1 - t0) * 1000)
                    via.append((t2 - t1) * 1000)
            outbox_db.close()
    added = percentile(via, 50) - percentile(direct, 50)
    return [Row("direct signed call p50", f"{percentile(direct, 50):.2f} ms"),
            Row("through the client p50", f"{percentile(via, 50):.2f} ms"),
            Row("client p90 / direct p90", f"{percentile(via, 90):.2f} / {percentile(direct, 90):.2f} ms"),
            Row("added latency p50", f"{added:.2f} ms", "<= 2 ms", added <= 2.0)]


def page_times(portal: Portal, paths: tuple[str, ...], rounds: int) -> dict[str, list[float]]:
    """Sequential GETs of each path (gzip, like a box), in ms."""
    out: dict[str, list[float]] = {p: [] for p in paths}
    for _ in range(rounds):
        for p in paths:
            t0 = time.perf_counter()
            reply = fetch(portal, p, {"Accept-Encoding": "gzip"})
            out[p].append((time.perf_counter() - t0) * 1000)
            if reply.status != 200:  # a figure of an error page would measure nothing: say which page failed
                raise PageFailed(f"GET {p} answered {reply.status}")
    return out


class PageFailed(RuntimeError):
    """A TV page the benchmark times did not answer 200."""


def main() -> int:
    """Run both measurements and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400)
    args = parser.parse_args()
    rows_a: list[Row] = []
    rows_b: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="tvportal-platform-bench-") as tmp:
        tmp_path = Path(tmp)
        sim_port, down_port, portal_port = free_port(), free_port(), free_port()
        sim_env = _env(central_secret=SECRET, data_dir=str(tmp_path / "sim"))
        with child(["central-sim", "--port", str(sim_port), "--database", str(tmp_path / "sim.sqlite3")], sim_env,
                   "/m/confirm/x", tmp_path / "sim.log") as sim:
            rows_a = asyncio.run(added_latency(sim, args.calls))
            portal_env = _env(central_secret=SECRET, central_url=sim.base, data_dir=str(tmp_path / "portal"))
            with child(["serve", "--port", str(portal_port)], portal_env, "/healthz", tmp_path / "p.log") as portal:
                day_page = "/booking/halls"
                try:
                    page_times(portal, (day_page,), 20)
                    t = page_times(portal, (day_page,), 200)[day_page]
                    rows_a.append(Row("TV hall list via portal p50 (info)", f"{percentile(t, 50):.2f} ms"))
                except PageFailed as exc:
                    rows_a.append(Row("TV hall list via portal", str(exc), "200", False))
        # the same pages from two portals, one whose central platform is up and one whose is down
        with child(["central-sim", "--port", str(sim_port), "--database", str(tmp_path / "sim.sqlite3")], sim_env,
                   "/m/confirm/x", tmp_path / "sim2.log") as sim, \
                child(["central-sim", "--port", str(down_port), "--database", str(tmp_path / "down.sqlite3"),
                       "--down"], sim_env, "/m/confirm/x", tmp_path / "down.log") as down, \
                child(["serve", "--port", str(portal_port)],
                      _env(central_secret=SECRET, central_url=sim.base, data_dir=str(tmp_path / "up")), "/healthz",
                      tmp_path / "up.log") as up_portal, \
                child(["serve", "--port", str(free_port())],
                      _env(central_secret=SECRET, central_url=down.base, data_dir=str(tmp_path / "dn")), "/healthz",
                      tmp_path / "dn.log") as down_portal:
            page_times(up_portal, PAGES, 20)
            page_times(down_portal, PAGES, 20)
            up: dict[str, list[float]] = {p: [] for p in PAGES}
            dn: dict[str, list[float]] = {p: [] for p in PAGES}
            for _ in range(10):
                for p, v in page_times(up_portal, PAGES, 30).items():
                    up[p] += v
                for p, v in page_times(down_portal, PAGES, 30).items():
                    dn[p] += v
            for p in PAGES:
                a, b = percentile(up[p], 50), percentile(dn[p], 50)
                rows_b.append(Row(f"{p} p50 platform up / down", f"{a:.2f} / {b:.2f} ms", "down <= 1.5 x up + 1 ms",
                                  b <= 1.5 * a + 1.0))
    print_table("Central platform client: added latency", rows_a)
    print_table("TV pages while the central platform is down", rows_b)
    return 0 if all_ok(rows_a + rows_b) else 1


if __name__ == "__main__":
    sys.exit(main())
