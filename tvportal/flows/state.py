"""Per-device state of unfinished TV flows (half-typed ID digits, answers, where to go after signing in),
kept in the database (table flow_state) so that any portal instance can serve the next key press of a
box and a restart loses nothing.

Flow handlers use ``state(request)`` (tvportal/flows/ui.py) as a plain dict.  The ``friendly``
decorator every flow handler wears (flows/guard.py) wraps it in ``flow_state(request)``: the
device's row is read once before the handler and written back once after it, only when the dict
changed, redirects included.  Rows older than the setting ``flow_state_hours`` are ignored and pruned.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from sqlalchemy import Connection, delete, select

from tvportal.flows.device import prune_devices
from tvportal.keys import DB, SETTINGS
from tvportal.storage import upsert
from tvportal.storage.faults import Rounds
from tvportal.storage.tables import flow_state as flow_t

log = logging.getLogger(__name__)
STATE = web.RequestKey("flow_state", dict)
_LOADED = web.RequestKey("flow_state_loaded", str)  # the JSON as read, to tell whether it changed
_DEPTH = web.RequestKey("flow_state_depth", int)
_DEVICE = web.RequestKey("flow_state_device", str)
PRUNE_EVERY = 3600.0


def _dump(state: dict[str, Any]) -> str:
    """Canonical JSON of a state, so equal states compare equal."""
    return json.dumps(state, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def load(conn: Connection, device: str, since: float) -> str:
    """The device's stored state as JSON ("{}" when there is none or it is older than ``since``)."""
    row = conn.execute(select(flow_t.c.data, flow_t.c.updated_at).where(flow_t.c.device_id == device)).first()
    return row.data if row is not None and row.updated_at >= since else "{}"


def save(conn: Connection, device: str, data: str) -> None:
    """Store the device's state (an empty one removes the row)."""
    if data == "{}":
        conn.execute(delete(flow_t).where(flow_t.c.device_id == device))
        return
    upsert(conn, flow_t, {"device_id": device, "data": data, "updated_at": time.time()}, ["device_id"],
           ["data", "updated_at"])


def prune(conn: Connection, before: float) -> int:
    """Forget states not touched since ``before``; how many went."""
    return conn.execute(delete(flow_t).where(flow_t.c.updated_at < before)).rowcount


def _max_age(app: web.Application) -> float:
    """Seconds a state is kept."""
    return app[SETTINGS].flow_state_hours * 3600.0


@contextlib.asynccontextmanager
async def flow_state(request: web.Request, device: str) -> AsyncIterator[dict[str, Any]]:
    """Load the device's state into the request, and save it afterwards when it changed (nested uses share it)."""
    if STATE in request:
        request[_DEPTH] += 1
        try:
            yield request[STATE]
        finally:
            request[_DEPTH] -= 1
        return
    db = request.app[DB]
    loaded = await db.read(load, device, time.time() - _max_age(request.app))
    request[STATE], request[_LOADED], request[_DEPTH], request[_DEVICE] = json.loads(loaded), loaded, 0, device
    try:
        yield request[STATE]
    finally:
        await commit(request)


async def commit(request: web.Request) -> None:
    """Save the request's state now if it changed (the end of the handler does too): before a slow step, so
    that a second request for the same thing meanwhile finds it taken (a TV PIN checked once, not twice)."""
    now = _dump(request[STATE])
    if now != request[_LOADED]:
        await request.app[DB].write(save, request[_DEVICE], now)
        request[_LOADED] = now


async def pruning_ctx(app: web.Application) -> AsyncIterator[None]:
    """Prune old states now and every hour (every instance does; deleting twice is harmless)."""

    async def forever() -> None:
        """Prune, then sleep."""
        rounds = Rounds("pruning flow state", log)
        while True:
            try:
                gone = await app[DB].write(prune, time.time() - _max_age(app))
                if gone:
                    log.info("forgot the unfinished flows of %d devices idle for %d hours", gone,
                             app[SETTINGS].flow_state_hours)
                # anonymous device tokens older than a remembered person would be kept, keying nothing left
                await app[DB].write(prune_devices, time.time() - app[SETTINGS].tv_remember_days * 86400.0)
            except Exception as exc:  # noqa: BLE001 - a database hiccup must not end pruning for good
                rounds.failed(exc)
            else:
                rounds.worked()
            await asyncio.sleep(PRUNE_EVERY)

    task = asyncio.create_task(forever())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
