"""Shared helpers of the benchmarks: run one ``tvportal serve`` process, fetch from it, print tables.

The portal runs in a child process on a free loopback port with a throw-away data directory (SQLite and
the demo content are created on first start).  Its output goes to a log file, never to a pipe, so a
chatty server can never block on a full pipe while a benchmark hammers it.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_TIMEOUT = 30.0  # seconds to wait for /healthz
STOP_TIMEOUT = 10.0  # seconds to wait after terminate before kill


@dataclass(frozen=True)
class Portal:
    """A running portal: where it listens and where it logs."""

    host: str
    port: int
    data_dir: Path
    log_path: Path
    pid: int

    @property
    def base(self) -> str:
        """Base URL, e.g. http://127.0.0.1:41234."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        """Absolute URL of a path on this portal."""
        return self.base + path


@dataclass(frozen=True)
class Reply:
    """One HTTP response, body as sent on the wire (not decompressed)."""

    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes


@dataclass(frozen=True)
class Row:
    """One figure of a benchmark: what, how much, the target and whether it is met (None: info only)."""

    metric: str
    value: str
    target: str = ""
    ok: bool | None = None


def free_port() -> int:
    """A TCP port that is free on the loopback interface right now: in BENCH_PORTS ("lo-hi") when set, so
    benchmarks run beside other servers on a shared machine stay in the range they were given."""
    lo, _, hi = os.environ.get("BENCH_PORTS", "0-0").partition("-")
    for port in range(int(lo), int(hi or lo) + 1):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError(f"no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


def fetch(portal: Portal, path: str, headers: dict[str, str] | None = None, timeout: float = 10.0) -> Reply:
    """GET ``path`` with exactly the given headers; no redirects, no decompression, 3xx/4xx returned as-is."""
    conn = http.client.HTTPConnection(portal.host, portal.port, timeout=timeout)
    try:
        # skip_accept_encoding: http.client adds "Accept-Encoding: identity" otherwise.
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


def asset_urls(html: str) -> tuple[str, str]:
    """The hashed CSS and JS URLs a page references, e.g. (/static/tv.<hash>.css, /static/nav.<hash>.js)."""
    css = re.search(r'href="(/static/tv\.[0-9a-f]+\.css)"', html)
    js = re.search(r'src="(/static/nav\.[0-9a-f]+\.js)"', html)
    if not css or not js:
        raise RuntimeError("home page references no hashed tv.*.css / nav.*.js")
    return css.group(1), js.group(1)


def _child_env(tree: Path = REPO) -> dict[str, str]:
    """The environment of the portal: ours without TVPORTAL_* settings, so every run uses the defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TVPORTAL_")}
    env["PYTHONPATH"] = str(tree) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _wait_healthy(portal: Portal, proc: subprocess.Popen) -> None:
    """Poll /healthz until it answers 200; raise if the process dies or START_TIMEOUT passes."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if fetch(portal, "/healthz", timeout=1.0).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"portal did not become healthy (exit code {proc.poll()}); log:\n"
                       + portal.log_path.read_text(errors="replace")[-4000:])


@contextmanager
def running_portal(keep_log: Path | None = None, tree: Path = REPO) -> Iterator[Portal]:
    """Start ``python -m tvportal serve`` on a free port with a temporary data dir; stop it on exit.

    ``keep_log``: copy the server log there when done (the temporary directory is deleted).  ``tree``: the
    source tree to run (another checkout, to compare with in the same run).
    """
    with tempfile.TemporaryDirectory(prefix="tvportal-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        log_path = Path(tmp) / "serve.log"
        port = free_port()
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tvportal", "serve", "--host", HOST, "--port", str(port),
                 "--data-dir", str(data_dir)],
                cwd=tree, env=_child_env(tree), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        portal = Portal(HOST, port, data_dir, log_path, proc.pid)
        try:
            _wait_healthy(portal, proc)
            yield portal
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(STOP_TIMEOUT)
            if keep_log is not None:
                keep_log.write_bytes(log_path.read_bytes())


def median(values: list[float]) -> float:
    """Median of a non-empty list."""
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def print_table(title: str, rows: list[Row]) -> None:
    """Print rows as an aligned table: metric, value, target, PASS/FAIL (blank for info rows)."""
    verdict = {True: "PASS", False: "FAIL", None: ""}
    cells = [("metric", "value", "target", "result")] + [(r.metric, r.value, r.target, verdict[r.ok]) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    print(f"\n== {title}")
    for i, c in enumerate(cells):
        print("  ".join(x.ljust(w) for x, w in zip(c, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    sys.stdout.flush()


def all_ok(rows: list[Row]) -> bool:
    """True when no row with a target failed."""
    return all(r.ok is not False for r in rows)
