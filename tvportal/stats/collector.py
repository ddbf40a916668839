"""Counting without slowing a TV page: ``count`` adds to a dict in memory (no I/O); a background task
writes the sums every ``stats_flush_seconds`` with one upsert per row (``count = count + new``, so
instances sharing a database add up), and once more when the portal stops.

What is counted (docs/operator.md): ``view`` (a TV page shown; screen = its route), ``start``, ``done``
and ``abandon`` of a service (flows.py), ``error`` (a 4xx/5xx TV page; screen = the status), ``launch``
and ``launch_refused`` (views/launch.py).  Every row is per day, box model and area; no row holds an
account, only ``stats_households`` keeps the account hashed with ``stats_salt``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import logging
import re
import time
from collections.abc import AsyncIterator
from urllib.parse import unquote

from aiohttp import web
from sqlalchemy import Connection, delete
from sqlalchemy.dialects import postgresql, sqlite

from tvportal.keys import CLOCK, DB, PREFS, SETTINGS
from tvportal.storage.faults import Rounds
from tvportal.storage.tables import stats_daily, stats_households

log = logging.getLogger(__name__)
_flushes = Rounds("writing statistics (kept in memory for the next try)", log)  # per process, like the log
BOX_COOKIE = "tvbox"
Key = tuple[str, str, str, str, str]  # day, event, model, area, screen


class Collector:
    """Sums kept in memory until the next flush."""

    def __init__(self, salt: str) -> None:
        self.salt = salt.encode("utf-8")
        self.counts: dict[Key, list[int]] = {}
        self.households: set[tuple[str, str, str, str]] = set()
        self._day, self._day_until = "", 0.0

    def day(self, app: web.Application) -> str:
        """Today in the city, looked up at most once a second (it is asked on every page)."""
        now = time.monotonic()
        if now >= self._day_until:
            self._day, self._day_until = app[CLOCK].today().isoformat(), now + 1.0
        return self._day

    def add(self, key: Key, presses: int = 0, household: str = "") -> None:
        """Count one event (and the presses it took)."""
        sums = self.counts.get(key)
        if sums is None:
            self.counts[key] = [1, presses]
        else:
            sums[0] += 1
            sums[1] += presses
        if household and self.salt:
            hashed = hmac.new(self.salt, household.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
            self.households.add((key[0], key[2], key[3], hashed))

    def take(self) -> tuple[dict[Key, list[int]], set[tuple[str, str, str, str]]]:
        """What was counted since the last call (and start afresh)."""
        counts, households = self.counts, self.households
        self.counts, self.households = {}, set()
        return counts, households


STATS = web.AppKey("stats", Collector)


@functools.lru_cache(maxsize=256)
def _box(raw: str) -> tuple[str, str]:
    """(model, area) of a ``tvbox`` cookie value (a box sends the same one on every page)."""
    model, _sep, area = unquote(raw).partition("|")
    return model[:40], area[:12]


# Android boxes name their model in the User-Agent: "...; zh-cn; EC6108V9 Build/KOT49H)"
_UA_MODEL = re.compile(r";\s*([A-Za-z0-9][A-Za-z0-9 ._-]{1,38}?)\s+Build/")


@functools.lru_cache(maxsize=256)
def model_of_agent(agent: str) -> str:
    """The box model an Android User-Agent names ("" for other browsers)."""
    found = _UA_MODEL.search(agent)
    return found.group(1) if found else ""


def box_of(request: web.Request) -> tuple[str, str]:
    """(model, area) of this box: from its launch (cookie ``tvbox``), else the model its User-Agent names and
    the county the TV chose."""
    model, area = _box(request.cookies.get(BOX_COOKIE, ""))
    if not model:  # an unknown box, or one known by its token without an STBType
        model = model_of_agent(request.headers.get("User-Agent", ""))
    if not area and PREFS in request:
        area = request[PREFS].county
    return model, area[:12]


def count(request: web.Request, event: str, *, screen: str = "", presses: int = 0, model: str | None = None,
          area: str | None = None, household: str = "") -> None:
    """Count one event of this request's box today."""
    collector = request.app.get(STATS)
    if collector is None:
        return
    known_model, known_area = box_of(request)
    collector.add((collector.day(request.app), event, known_model if model is None else model, known_area if area is None else area,
                   screen[:80]), presses, household)


def write(conn: Connection, counts: dict[Key, list[int]], households: set[tuple[str, str, str, str]]) -> None:
    """Add the sums to the day's rows (both dialects)."""
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    if counts:
        stmt = dialect.insert(stats_daily)
        stmt = stmt.on_conflict_do_update(
            index_elements=["day", "event", "model", "area", "screen"],
            set_={"count": stats_daily.c.count + stmt.excluded.count,
                  "presses": stats_daily.c.presses + stmt.excluded.presses})
        conn.execute(stmt, [dict(zip(("day", "event", "model", "area", "screen"), key), count=c, presses=p)
                            for key, (c, p) in sorted(counts.items())])  # sorted: no deadlock between instances
    if households:
        stmt = dialect.insert(stats_households).on_conflict_do_nothing()
        conn.execute(stmt, [dict(zip(("day", "model", "area", "household"), row)) for row in sorted(households)])


def prune(conn: Connection, before: str) -> int:
    """Remove the days before ``before`` (ISO date); how many rows went."""
    gone = conn.execute(delete(stats_daily).where(stats_daily.c.day < before)).rowcount
    return gone + conn.execute(delete(stats_households).where(stats_households.c.day < before)).rowcount


async def flush(app: web.Application) -> None:
    """Write what was counted; on failure the sums go back, to be tried at the next flush."""
    counts, households = app[STATS].take()
    if not counts and not households:
        return
    try:
        await app[DB].write(write, counts, households)
    except Exception as exc:  # noqa: BLE001 - the database is down or full: keep counting in memory, try again later
        _flushes.failed(exc)
        for key, (c, p) in counts.items():
            sums = app[STATS].counts.setdefault(key, [0, 0])
            sums[0] += c
            sums[1] += p
        app[STATS].households |= households
    else:
        _flushes.worked()


async def stats_ctx(app: web.Application) -> AsyncIterator[None]:
    """Count from start; flush every ``stats_flush_seconds`` and at stop; prune old days once a day."""
    settings = app[SETTINGS]
    app[STATS] = Collector(settings.stats_salt)

    async def forever() -> None:
        """Flush, prune when the day changed, sleep."""
        pruned = ""
        while True:
            await asyncio.sleep(settings.stats_flush_seconds)
            await flush(app)
            today = app[CLOCK].today()
            if pruned != today.isoformat():
                with contextlib.suppress(Exception):
                    before = (today - dt.timedelta(days=settings.stats_retention_days)).isoformat()
                    await app[DB].write(prune, before)
                    pruned = today.isoformat()

    task = asyncio.create_task(forever())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await flush(app)
