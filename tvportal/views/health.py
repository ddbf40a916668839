"""Health check for operators' monitoring."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from tvportal import __version__
from tvportal.keys import DB, PUBLISHED


async def healthz(request: web.Request) -> web.Response:
    """200 with JSON when the database answers and content is published."""
    await request.app[DB].read(lambda conn: conn.execute(select(1)).scalar_one())
    snapshot = request.app[PUBLISHED].snapshot
    return web.json_response({
        "status": "ok",
        "version": __version__,
        "city": snapshot.city.name,
        "content": {"guides": len(snapshot.guides), "halls": len(snapshot.halls),
                    "policies": len(snapshot.policies)},
    })
