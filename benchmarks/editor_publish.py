"""An editor publish at the demo's size, 1,000 and 10,000 guides: until the editor gets its answer, until the
TV shows it, and TV page latency on the same instance meanwhile (against the same page idle, same run).

For each size a database holds the 六安 demo plus N generated guides (content/generate.py) and a publisher;
the real app runs in this process (aiohttp's test server).  A publisher saves a new name for a generated
guide, then publishes it, while a TV loop keeps fetching uncached guide pages (a unique query each, so
every one is rendered).  Targets (issue 8): the TV shows the publish within 1 s, TV p99 <= 100 ms during
it, and the publish's time does not grow with the number of guides (10,000 against the demo).

Run from the repository root: ``python benchmarks/editor_publish.py [--sizes 0,1000,10000] [--publishes 3]``.
Set PYTHONPATH to measure another checkout's code with this script.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parent.parent))

from _portal import Row, percentile, print_table  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from content import store  # noqa: E402
from content.generate import generated_guides  # noqa: E402
from tests.editor_support import csrf_of, form_of, make_users, replace, revision_of, sign_in  # noqa: E402
from tvportal.app import create_app  # noqa: E402
from tvportal.database import open_database, prepare  # noqa: E402
from tvportal.settings import load_settings  # noqa: E402

TARGETS = {"visible_s": 1.0, "p99_ms": 100.0, "growth": 2.0}


def seeded(data_dir: Path, n: int):
    """Settings of a database with the demo, ``n`` generated guides and the test publisher ``pub``."""
    # the publish is measured, not the review before it (review_required off)
    settings = load_settings({"data_dir": str(data_dir), "tts_enabled": False, "review_required": False}, environ={})
    db = open_database(settings)
    try:
        prepare(db, settings)
        if n:
            db.write_sync(store.put_many, generated_guides(n))
    finally:
        db.close()
    make_users(settings)
    return settings


async def tv_loop(client: TestClient, stop: asyncio.Event, latencies: list[tuple[float, float]]) -> None:
    """Fetch uncached TV guide pages one after another, recording (start, seconds) of each."""
    for i in itertools.count():
        if stop.is_set():
            return
        start = time.perf_counter()
        response = await client.get(f"/guides/h{1 + i % 5}?focus={i}", headers={"User-Agent": "EC6108V9"})
        await response.read()
        latencies.append((start, time.perf_counter() - start))


async def one_publish(client: TestClient, path: str, name: str) -> tuple[float, float, float]:
    """Save ``name`` for the guide at ``path`` and publish it: (when the publish began, seconds to the editor's
    answer, seconds until the TV page shows the name)."""
    text = await (await client.get(path)).text()
    await client.post(path, data=[*replace(form_of(text), name=name), ("_action", "save")], allow_redirects=False)
    text = await (await client.get(path)).text()
    start = time.perf_counter()
    response = await client.post(f"{path}/publish", data={"_csrf": csrf_of(text), "_revision": str(revision_of(text))},
                                 allow_redirects=False)
    answered = time.perf_counter() - start
    assert response.status == 303, response.status
    tv_path = path.replace("/editor/guide/", "/guides/")
    while name not in await (await client.get(f"{tv_path}?t={time.perf_counter()}")).text():
        await asyncio.sleep(0.01)
    return start, answered, time.perf_counter() - start


async def measure(n: int, publishes: int) -> dict[str, float]:
    """Idle TV p99, then ``publishes`` publishes with the TV loop running; the figures of one size."""
    settings = seeded(Path(tempfile.mkdtemp(prefix=f"publish{n}-")), n)
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        assert (await sign_in(client, "pub")).status == 303
        stop, latencies = asyncio.Event(), []
        tv = asyncio.create_task(tv_loop(client, stop, latencies))
        await asyncio.sleep(3)
        idle = [s for _t, s in latencies]
        path = f"/editor/guide/{'gen00002' if n else 'h1'}"
        answers, visible, windows = [], [], []
        for k in range(publishes):
            begin, answered, shown = await one_publish(client, path, f"发布测试第{k}次")
            answers.append(answered)
            visible.append(shown)
            windows.append((begin, time.perf_counter()))
            await asyncio.sleep(0.5)
        stop.set()
        await tv
        during = [s for t, s in latencies if any(a <= t <= b for a, b in windows)]
        return {"answer_s": max(answers), "visible_s": max(visible), "idle_p99_ms": percentile(idle, 99) * 1000,
                "p99_ms": percentile(during, 99) * 1000 if during else 0.0, "tv_requests": len(during)}
    finally:
        await client.close()


def main() -> None:
    """Measure every size and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,1000,10000")
    parser.add_argument("--publishes", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {n: asyncio.run(measure(n, args.publishes)) for n in sizes}
    rows, base = [], results[sizes[0]]
    for n, r in results.items():
        rows += [Row(f"{n} guides: publish answered (max of {args.publishes})", f"{r['answer_s']:.3f} s"),
                 Row(f"{n} guides: TV shows it", f"{r['visible_s']:.3f} s", f"<= {TARGETS['visible_s']} s",
                     r["visible_s"] <= TARGETS["visible_s"]),
                 Row(f"{n} guides: TV p99 idle", f"{r['idle_p99_ms']:.1f} ms"),
                 Row(f"{n} guides: TV p99 during publishes ({r['tv_requests']} pages)", f"{r['p99_ms']:.1f} ms",
                     f"<= {TARGETS['p99_ms']:.0f} ms", r["p99_ms"] <= TARGETS["p99_ms"])]
    top = results[sizes[-1]]
    growth = top["answer_s"] / base["answer_s"]
    rows.append(Row(f"publish time {sizes[-1]} / {sizes[0]} guides", f"{growth:.2f}x", f"<= {TARGETS['growth']}x",
                    growth <= TARGETS["growth"]))
    print_table("editor publish", rows)


if __name__ == "__main__":
    main()
