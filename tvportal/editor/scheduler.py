"""The server's own editor work: scheduled publications (定时发布) and guides whose 计划取消日期 has come.

A task of the app checks every ``scheduler_seconds`` and once right at start-up, so what fell due while
the portal was stopped is done after a restart.  Several instances may run it on one database: each job
is claimed inside the write transaction that does it (workflow.run_scheduled / expire re-read the row under
the editor lock), so exactly one instance publishes it; the others' TVs get it through their snapshot watch,
as with any publish.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from content.tables import utc_stamp
from tvportal.editor import workflow
from tvportal.keys import CLOCK, DB, PUBLISHED, SETTINGS
from tvportal.storage.faults import Rounds

log = logging.getLogger(__name__)


def expired_guides(snapshot, today: dt.date) -> list[str]:
    """Ids of published guides whose 计划取消日期 is today or before (read from memory; the database decides)."""
    day = today.isoformat()
    return [g.id for g in snapshot.records("guide") if getattr(g, "effective_to", "") and str(g.effective_to) <= day]


async def run_once(app: web.Application) -> int:
    """Do what is due now; returns how many items changed on the TV."""
    db, settings = app[DB], app[SETTINGS]
    today = app[CLOCK].today()
    now = utc_stamp()
    changed = 0
    for kind, item_id, revision in await db.read(workflow.due, now):
        if await db.write(workflow.run_scheduled, kind, item_id, revision, now, today, settings.review_required):
            changed += 1
            log.info("scheduled publication of %s %s done", kind, item_id)
    for item_id in expired_guides(app[PUBLISHED].snapshot, today):
        if await db.write(workflow.expire, item_id, today):
            changed += 1
            log.info("guide %s taken off the TV: its 计划取消日期 has come", item_id)
    if changed:
        await app[PUBLISHED].republish(db)
    return changed


async def _loop(app: web.Application) -> None:
    """Check, then wait; a failure (the database restarting) is logged and tried again next time."""
    rounds = Rounds("the editor scheduler's check", log)
    while True:
        try:
            await run_once(app)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - tried again next time
            rounds.failed(exc)
        else:
            rounds.worked()
        await asyncio.sleep(app[SETTINGS].scheduler_seconds)


async def scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the checks for the app's lifetime (registered after the database context)."""
    task = asyncio.create_task(_loop(app))
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
