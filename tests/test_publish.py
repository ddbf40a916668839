"""Publishing rebuilds the snapshot off the event loop, one rebuild at a time, newest state last."""

from __future__ import annotations

import asyncio
import threading
import time

from content import snapshot as snapshot_module
from content.snapshot import Published


async def test_rebuild_runs_in_a_thread_and_the_loop_keeps_serving(monkeypatch, tmp_path):
    """While a slow rebuild runs, other coroutines keep running; the result is swapped in at the end."""
    built_in = []

    def slow_build(database):
        """Stand in for a rebuild of very large content."""
        built_in.append(threading.current_thread() is threading.main_thread())
        time.sleep(0.3)
        return ("snapshot of", database)

    monkeypatch.setattr(snapshot_module, "snapshot_from", slow_build)
    published = Published("old")
    ticks = 0

    async def ticker():
        """Count event-loop turns during the rebuild."""
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    await published.republish(tmp_path / "db")
    task.cancel()
    assert built_in == [False]
    assert published.snapshot == ("snapshot of", tmp_path / "db")
    assert ticks >= 5


async def test_rebuilds_do_not_overlap(monkeypatch, tmp_path):
    """Two publishes at once rebuild one after the other, so the later one's state is what stays."""
    running, overlaps, order = [0], [], []

    def build(database):
        """Record overlap and order."""
        running[0] += 1
        overlaps.append(running[0])
        time.sleep(0.05)
        order.append(database)
        running[0] -= 1
        return database

    monkeypatch.setattr(snapshot_module, "snapshot_from", build)
    published = Published("old")
    await asyncio.gather(published.republish(tmp_path / "first"), published.republish(tmp_path / "second"))
    assert max(overlaps) == 1
    assert published.snapshot == order[-1]
