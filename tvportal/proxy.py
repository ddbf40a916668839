"""Behind a reverse proxy: the real client's address, scheme and host, believed only from trusted proxies.

This is the first middleware, so that everything after it (per-client limits, the audit log, the
address a QR code points to) sees the client and not the proxy.  A request that does not come from a
trusted proxy keeps its own address whatever headers it sends: anyone can write X-Forwarded-For.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp_remotes import XForwardedFiltered

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def proxy_middleware(trusted: tuple[str, ...]) -> Callable:
    """A middleware honouring X-Forwarded-For/Proto/Host when the peer is one of ``trusted``."""
    networks = [ipaddress.ip_network(t, strict=False) for t in trusted]
    # aiohttp-remotes takes the right-most address not in the trusted list, i.e. the one the
    # outermost trusted proxy saw; entries further left were written by the client and are not believed
    filtered = XForwardedFiltered(networks)

    def from_trusted(peer: str | None) -> bool:
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:  # no address (a test transport): nobody to trust
            return False
        return any(address in n for n in networks)

    @web.middleware
    async def forwarded(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not from_trusted(request.remote):
            return await handler(request)
        return await filtered.middleware(request, handler)

    return forwarded
