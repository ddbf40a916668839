"""Wiring the platform into the portal: the embedded one, or the HTTP client with its outbox task."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from tvportal.keys import DB, PLATFORM, SETTINGS
from tvportal.platform.idnumber import install_log_masking
from tvportal.storage.faults import Rounds

log = logging.getLogger(__name__)


async def platform_ctx(app: web.Application) -> AsyncIterator[None]:
    """Own the platform for the app's lifetime: embedded, or an HTTP session plus the outbox sender.

    Both keep their tables in the portal's database (after the database context opened it)."""
    settings = app[SETTINGS]
    install_log_masking()
    if not settings.central_url:
        from tvportal.platform.embedded import EmbeddedPlatform

        app[PLATFORM] = EmbeddedPlatform(app[DB])
        yield
        return
    from tvportal.platform.http_client import HttpPlatform
    from tvportal.platform.outbox import Outbox

    outbox = Outbox(app[DB])
    session = aiohttp.ClientSession()
    client = HttpPlatform(session, settings.central_url, settings.central_app_id, settings.central_secret, outbox,
                          settings.central_timeout_ms, settings.central_retries)
    app[PLATFORM] = client
    sender = asyncio.create_task(_deliver_forever(client, settings.central_outbox_interval))
    yield
    sender.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sender
    await session.close()


async def _deliver_forever(client, interval: int) -> None:
    """Deliver the outbox now (writes left from before a restart) and then every ``interval`` seconds."""
    rounds = Rounds("outbox delivery", log)
    while True:
        try:
            await client.deliver_outbox()
        except Exception as exc:  # noqa: BLE001 - the sender must outlive any one bad round
            rounds.failed(exc)
        else:
            rounds.worked()
        await asyncio.sleep(max(1, interval))


def setup_platform(app: web.Application) -> None:
    """Add the platform's resources and the TV flows' routes."""
    from tvportal.flows.routes import setup_flow_routes

    app.cleanup_ctx.append(platform_ctx)
    setup_flow_routes(app)
