"""Reading aloud: cached speech served (p50 <= 5 ms), first synthesis of a 20-character sentence,
compressed size (<= 4 KB per second of speech), and the memory of the speech worker process.

Baseline in the same run: GET /healthz on the same portal, same connection pattern.
Run from the repository root: ``python benchmarks/voice_tts.py [--requests 300]``.
"""

from __future__ import annotations

import argparse
import http.client
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _portal import HOST, Row, all_ok, median, percentile, print_table, running_portal  # noqa: E402

# 20-character sentences, each new to the cache of a fresh portal
SENTENCES = ["请按确认键打开养老金领取资格认证的办事指南", "您可以在电视上预约社保医保综合窗口的办理时间",
             "六安市金寨县政务服务中心周一到周五上午办公", "高龄津贴由村里初审后再交给乡镇和县里审核",
             "按红键可以打开或者关闭朗读功能按零键重听"]


def rss_kb(pid: int) -> int:
    """Resident memory of a process in KB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[tuple[int, str]]:
    """Direct child processes (pid, command line) of ``pid``."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                out.append((int(proc.name), (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
        except (OSError, IndexError, ValueError):
            continue
    return out


def timed_get(conn: http.client.HTTPConnection, path: str) -> tuple[float, int, bytes]:
    """One GET on a kept-alive connection: milliseconds, status, body."""
    start = time.perf_counter()
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    return (time.perf_counter() - start) * 1000, resp.status, body


def signer_of(data_dir: Path):
    """The portal's speech signer, from the key its database keeps (as a page's script signs sentences)."""
    from tvportal.storage import Database
    from tvportal.storage.shared_secrets import shared_secret
    from voice.signing import Signer

    db = Database(f"sqlite:///{data_dir / 'tvportal.sqlite3'}")
    try:
        return Signer(db.write_sync(shared_secret, "speech"))
    finally:
        db.close()


def tts_path(signer, text: str, rate: str = "slow") -> str:
    """The speech URL of a sentence, signed like every sentence of a page."""
    return "/voice/tts?" + urllib.parse.urlencode({"t": text, "s": signer.sign(text, "zh_CN"), "l": "zh_CN",
                                                   "r": rate})


def seconds_of(mp3: bytes) -> float:
    """Duration of MP3 bytes according to soxi."""
    with tempfile.NamedTemporaryFile(suffix=".mp3") as fh:
        fh.write(mp3)
        fh.flush()
        return float(subprocess.run(["soxi", "-D", fh.name], capture_output=True, text=True, check=True).stdout)


def run(requests: int) -> list[Row]:
    """All figures of this benchmark."""
    rows: list[Row] = []
    with running_portal() as portal:
        conn = http.client.HTTPConnection(HOST, portal.port, timeout=30)
        time.sleep(1.0)  # the speech worker starts in the background
        signer = signer_of(portal.data_dir)
        first, sizes = [], []
        for text in SENTENCES:
            ms, status, body = timed_get(conn, tts_path(signer, text))
            assert status == 200, status
            first.append(ms)
            sizes.append(len(body) / seconds_of(body))
        cached_path = tts_path(signer, SENTENCES[0])
        timed_get(conn, "/healthz")
        base, cached = [], []
        for _ in range(requests):
            base.append(timed_get(conn, "/healthz")[0])
            cached.append(timed_get(conn, cached_path)[0])
        workers = [pid for pid, cmd in children(portal.pid) if "voice.tts_worker" in cmd]
        worker_kb = rss_kb(workers[0]) if workers else 0
        portal_kb = rss_kb(portal.pid)
        conn.close()
    rows.append(Row("baseline GET /healthz p50", f"{median(base):.2f} ms"))
    rows.append(Row("cached speech GET /voice/tts p50", f"{median(cached):.2f} ms", "<= 5 ms", median(cached) <= 5))
    rows.append(Row("cached speech p95", f"{percentile(cached, 95):.2f} ms"))
    rows.append(Row("first synthesis, 20-char sentence, median of 5",
                    f"{median(first):.0f} ms (min {min(first):.0f}, max {max(first):.0f})"))
    rows.append(Row("MP3 bytes per second of speech (max of 5)", f"{max(sizes):.0f} B/s", "<= 4096 B/s",
                    max(sizes) <= 4096))
    rows.append(Row("speech worker process RSS", f"{worker_kb / 1024:.1f} MB", "worker running", worker_kb > 0))
    rows.append(Row("portal process RSS (no speech model)", f"{portal_kb / 1024:.1f} MB"))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run and print; exit 1 when a target is missed."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=300, help="cached-speech requests (default 300)")
    args = p.parse_args(argv)
    rows = run(args.requests)
    print_table("voice: reading aloud", rows)
    return 0 if all_ok(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
