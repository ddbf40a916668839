"""Who gets the one speech worker next: new sentences queued fairly per device, warm-up work last.

Cached sentences never come here.  A new sentence becomes a Job in its device's queue; the worker takes
the devices in turn (round robin), so a TV asking for many sentences delays another TV by at most one
sentence per device ahead of it, never by its whole backlog.  Limits answered with ``Busy``: a device may
have ``per_device`` sentences waiting or in synthesis and ``per_minute`` new sentences a minute (a token
bucket); all devices together at most ``max_jobs`` waiting.  Background work (the warm-up after a
publish) runs only when no device is waiting.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from pathlib import Path

BACKGROUND = ""  # the device name of warm-up work


class Busy(RuntimeError):
    """A new sentence refused for now: ``reason`` is "device" (this device's limit) or "full" (everyone's)."""

    def __init__(self, reason: str, retry_after: int) -> None:
        """Why, and after how many seconds asking again makes sense."""
        super().__init__(f"speech busy ({reason}), retry after {retry_after} s")
        self.reason = reason
        self.retry_after = retry_after


@dataclass(eq=False)
class Job:
    """One sentence to synthesise and everyone waiting for it."""

    key: str
    text: str
    voice: str
    wpm: int
    path: Path
    device: str
    future: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    waiters: int = 0
    started: bool = False


class Budget:
    """Token buckets of new sentences per device: ``per_minute`` a minute, as a burst at most."""

    def __init__(self, per_minute: int, limit: int = 20_000) -> None:
        """``limit``: devices remembered (idle, full buckets are forgotten first)."""
        self.per_minute = per_minute
        self.limit = limit
        self.buckets: dict[str, tuple[float, float]] = {}  # device -> (tokens, at)

    def take(self, device: str, now: float | None = None) -> float:
        """Take one token; 0 when taken, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        tokens, at = self.buckets.get(device, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - at) * self.per_minute / 60)
        if tokens < 1:
            self.buckets[device] = (tokens, now)
            return (1 - tokens) * 60 / self.per_minute
        self.buckets[device] = (tokens - 1, now)
        if len(self.buckets) > self.limit:
            self._forget(now)
        return 0.0

    def _forget(self, now: float) -> None:
        """Drop the devices whose bucket has refilled: they lose nothing."""
        for device, (tokens, at) in list(self.buckets.items()):
            if tokens + (now - at) * self.per_minute / 60 >= self.per_minute:
                del self.buckets[device]


class FairQueue:
    """Jobs per device, served round robin; background jobs when no device waits."""

    def __init__(self, max_jobs: int, per_device: int, per_minute: int) -> None:
        """The limits (see the module docstring)."""
        self.max_jobs = max_jobs
        self.per_device = per_device
        self.budget = Budget(per_minute)
        self.devices: OrderedDict[str, deque[Job]] = OrderedDict()
        self.background: deque[Job] = deque()
        self.waiting = 0  # jobs of devices in the queues
        self.running: Job | None = None
        self.seconds_per_job = 0.2  # running mean of synthesis time: the Retry-After estimate
        self._ready = asyncio.Event()

    def retry_after(self, ahead: int) -> int:
        """Seconds until ``ahead`` jobs are probably done (at least 1)."""
        return max(1, math.ceil(ahead * self.seconds_per_job))

    def put(self, job: Job) -> None:
        """Queue a job, or raise Busy."""
        if job.device == BACKGROUND:
            self.background.append(job)
        else:
            mine = len(self.devices.get(job.device, ())) + (self.running is not None and self.running.device == job.device)
            if mine >= self.per_device:
                raise Busy("device", self.retry_after(self.waiting + 1))
            if self.waiting >= self.max_jobs:
                raise Busy("full", self.retry_after(self.waiting + 1))
            wait = self.budget.take(job.device)
            if wait:
                raise Busy("device", math.ceil(wait))
            self.devices.setdefault(job.device, deque()).append(job)
            self.waiting += 1
        self._ready.set()

    def discard(self, job: Job) -> bool:
        """Take a job nobody waits for out of the queue, unless it has started."""
        if job.started:
            return False
        lane = self.background if job.device == BACKGROUND else self.devices.get(job.device)
        if lane is None or job not in lane:
            return False
        lane.remove(job)
        if job.device != BACKGROUND:
            self.waiting -= 1
            if not lane:
                del self.devices[job.device]
        return True

    def promote(self, job: Job, device: str) -> None:
        """A TV asks for a sentence the warm-up has queued: it joins that TV's lane (no longer last)."""
        if job.started or job.device != BACKGROUND or job not in self.background:
            return
        self.background.remove(job)
        job.device = device
        self.devices.setdefault(device, deque()).append(job)
        self.waiting += 1
        self._ready.set()

    async def get(self) -> Job:
        """The next job: the device whose turn it is, else background work; waits for one."""
        while not self.devices and not self.background:
            self._ready.clear()
            await self._ready.wait()
        if self.devices:
            device, lane = self.devices.popitem(last=False)
            job = lane.popleft()
            self.waiting -= 1
            if lane:
                self.devices[device] = lane  # back of the line: the other devices go first
        else:
            job = self.background.popleft()
        job.started = True
        self.running = job
        return job

    def done(self, job: Job, seconds: float) -> None:
        """A job finished (either way) after ``seconds``."""
        if self.running is job:
            self.running = None
        self.seconds_per_job = 0.8 * self.seconds_per_job + 0.2 * seconds

    def drain(self) -> list[Job]:
        """Every waiting job, removed (shutdown)."""
        jobs = [job for lane in self.devices.values() for job in lane] + list(self.background)
        self.devices.clear()
        self.background.clear()
        self.waiting = 0
        return jobs
