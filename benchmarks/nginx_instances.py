"""Two instances behind nginx against one: requests/s and latency of a TV page, with a static file baseline.

Everything runs in one go on the loopback interface, as deploy/ ships it: ``tvportal serve`` instances
started from the systemd unit's command line with deploy/tvportal.toml on one PostgreSQL database
(tests/postgres.py starts a throw-away server), nginx from deploy/nginx/tvportal.conf.template.  Per
round, alternating:

- ``static``: a file of the page's size served by the same nginx from disk (the ceiling of this machine);
- ``one direct``: the guide page from one instance, no proxy;
- ``one via nginx``: the same through nginx with both upstream lines naming that one instance;
- ``two via nginx``: through nginx with two instances;
- ``db page one direct`` / ``db page two via nginx``: the sign-in page, never cached, which reads the
  device's state from PostgreSQL on every request;
- ``asset via nginx cache``: a hashed CSS file answered from nginx's cache.

Besides requests/s, the CPU time per request of the instances and of nginx (from /proc) is reported:
on a machine shared with other work, CPU per request is the steadier figure to size cores from.
(The test PostgreSQL runs with fsync off: its figures are for reads, not for durable writes.)

All with ``Accept-Encoding: gzip`` (set-top boxes send it).  The figures are information for sizing
(docs/deployment.md); the one target is that nothing fails.  Run from the repository root:
``python benchmarks/nginx_instances.py [--duration 5] [--rounds 2]``.
"""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
import sys
import tempfile
import urllib.request
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _portal import Row, all_ok, median, print_table  # noqa: E402
from server_throughput import CLK_TCK, WRK, cpu_ticks, parse_wrk  # noqa: E402

from tests import postgres  # noqa: E402
from tests.deploy_support import DEPLOY, running_nginx, start_instance, stop_all, wait_healthy  # noqa: E402

# ports of this benchmark (the deploy helper's range 18300-18399; the tests use 18300-18302)
NGINX_ONE, NGINX_TWO, STATIC, PORT_A, PORT_B = 18310, 18311, 18312, 18315, 18316
PAGE = "/tv/guides/h2"
DB_PAGE = "/tv/id"  # the sign-in page: never cached, reads the device's state from the database
SCENARIOS = ("static", "one direct", "one via nginx", "two via nginx", "db page one direct", "db page two via nginx",
             "asset via nginx cache")


def wrk(url: str, args: argparse.Namespace, duration: float) -> dict[str, float]:
    """One bounded wrk run."""
    cmd = [WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{duration:g}s", "--latency", "--timeout", "10s",
           "-H", "Accept-Encoding: gzip", url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr}")
    return parse_wrk(done.stdout)


def family(pid: int) -> list[int]:
    """A process and its children (nginx's master and its workers)."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return [pid, *kids]


def nginx_pid(prefix: Path) -> int:
    """The master process of a running nginx."""
    return int((prefix / "nginx.pid").read_text())


def fetch(url: str) -> bytes:
    """A body as sent with gzip (not decompressed)."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.read()


def measure(args: argparse.Namespace, work: Path) -> list[Row]:
    """Start PostgreSQL, two instances and two nginx; run the scenarios; rows of medians."""
    with ExitStack() as stack:
        pg = postgres.start()
        stack.callback(pg.stop)
        env = {"TVPORTAL_CONFIG": str(DEPLOY / "tvportal.toml"), "TVPORTAL_DATABASE_URL": pg.new_database(),
               "TVPORTAL_COOKIE_SECURE": "false", "TVPORTAL_TTS_ENABLED": "false"}
        instances = [start_instance(port, work, {**env, "TVPORTAL_DATA_DIR": str(work / f"data-{port}")})
                     for port in (PORT_A, PORT_B)]
        stack.callback(stop_all, instances)
        for inst in instances:
            wait_healthy(f"http://127.0.0.1:{inst.port}/tv/healthz", inst.proc, inst.log)
        page = fetch(f"http://127.0.0.1:{PORT_A}{PAGE}")
        (work / "www").mkdir()
        (work / "www" / "page.html").write_bytes(page)
        static_server = (f"    server {{ listen 127.0.0.1:{STATIC}; access_log off; gzip off;\n"
                         f"             location / {{ root {work / 'www'}; }} }}\n")
        one = stack.enter_context(running_nginx(work / "nginx-one", NGINX_ONE, [PORT_A, PORT_A], "/tv",
                                                extra_http=static_server))
        two = stack.enter_context(running_nginx(work / "nginx-two", NGINX_TWO, [PORT_A, PORT_B], "/tv"))
        home = gzip.decompress(fetch(f"http://127.0.0.1:{PORT_A}/tv/"))
        css = re.search(rb'href="(/tv/static/tv\.[0-9a-f]+\.css)"', home).group(1)
        urls = {"static": f"http://127.0.0.1:{STATIC}/page.html", "one direct": f"http://127.0.0.1:{PORT_A}{PAGE}",
                "one via nginx": one.removesuffix("/tv") + PAGE, "two via nginx": two.removesuffix("/tv") + PAGE,
                "db page one direct": f"http://127.0.0.1:{PORT_A}{DB_PAGE}",
                "db page two via nginx": two.removesuffix("/tv") + DB_PAGE,
                "asset via nginx cache": two.removesuffix("/tv") + css.decode()}
        portal_pids = [inst.proc.pid for inst in instances]
        nginx_pids = family(nginx_pid(work / "nginx-one")) + family(nginx_pid(work / "nginx-two"))
        postmaster = int((pg.folder / "data" / "postmaster.pid").read_text().split()[0])
        rows = [Row("page size (gzip)", f"{len(page)} B")]
        for url in urls.values():  # warm-up (and nginx's cache), not counted
            wrk(url, args, args.warmup)
        results: dict[str, list[dict[str, float]]] = {name: [] for name in SCENARIOS}
        for rnd in range(args.rounds):
            for name in SCENARIOS:
                groups = (portal_pids, nginx_pids, family(postmaster))  # PostgreSQL: its backends are children
                before = [sum(map(cpu_ticks, pids)) for pids in groups]
                r = wrk(urls[name], args, args.duration)
                used = [sum(map(cpu_ticks, pids)) - b for pids, b in zip(groups, before)]
                per_request = [u / CLK_TCK * 1e6 / max(1.0, r["requests"]) for u in used]
                r["portal_us"], r["nginx_us"], r["pg_us"] = per_request
                results[name].append(r)
                print(f"  round {rnd + 1} {name:22} {r['rps']:8.0f} req/s  p50 {r['p50']:7.2f} ms  "
                      f"p99 {r['p99']:7.2f} ms  CPU/request: portal {per_request[0]:5.0f} us, nginx "
                      f"{per_request[1]:4.0f} us, PostgreSQL {per_request[2]:4.0f} us  errors {r['errors']:.0f}",
                      flush=True)
    for name in SCENARIOS:
        rs = results[name]
        rows.append(Row(f"{name} req/s (median of {len(rs)})", f"{median([r['rps'] for r in rs]):.0f}"))
        rows.append(Row(f"{name} p50/p99 ms", "/".join(f"{median([r[p] for r in rs]):.2f}" for p in ("p50", "p99"))))
        if name != "static":
            rows.append(Row(f"{name} CPU per request: portal/nginx/PostgreSQL", "/".join(
                f"{median([r[k] for r in rs]):.0f}" for k in ("portal_us", "nginx_us", "pg_us")) + " us"))
    base = median([r["rps"] for r in results["one direct"]])
    static = median([r["rps"] for r in results["static"]])
    for name in ("one via nginx", "two via nginx"):
        rows.append(Row(f"{name} / one direct", _ratio(median([r["rps"] for r in results[name]]), base)))
    rows.append(Row("one direct / static", _ratio(base, static)))
    errors = sum(r["errors"] for rs in results.values() for r in rs)
    rows.append(Row("wrk socket errors + non-2xx/3xx", f"{errors:.0f}", "0", errors == 0))
    return rows


def _ratio(part: float, whole: float) -> str:
    """A ratio of two rates; a run that completed no request (a short run on a busy machine) has none."""
    return f"{part / whole:.2f}" if whole else "none: the baseline run completed no request"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command line options (bounded: at most 20 rounds of 60 s)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run (default 5)")
    p.add_argument("--rounds", type=int, default=2, help="rounds over all scenarios (default 2)")
    p.add_argument("--warmup", type=float, default=1.0, help="seconds of uncounted warm-up per URL (default 1)")
    p.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    args = p.parse_args(argv)
    if not 1 <= args.rounds <= 20 or not 1 <= args.duration <= 60 or not 0 < args.warmup <= 30:
        p.error("--rounds 1-20, --duration 1-60 s, --warmup 0-30 s")
    return args


def run(argv: list[str] | None = None) -> list[Row]:
    """Run the series and print the table; return the rows."""
    args = parse_args(argv)
    print(f"nginx instances: wrk -t{args.threads} -c{args.connections}, {args.rounds} rounds of "
          f"{args.duration:g} s per scenario", flush=True)
    with tempfile.TemporaryDirectory(prefix="tvportal-nginx-bench-") as tmp:
        rows = measure(args, Path(tmp))
    print_table("nginx instances", rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: exit 1 when a request failed."""
    return 0 if all_ok(run(argv)) else 1


if __name__ == "__main__":
    sys.exit(main())
