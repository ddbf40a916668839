"""Decorator for flow handlers: platform outages become a friendly page, never a stack trace."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from tvportal.flows.device import resolve_device
from tvportal.flows.state import flow_state
from tvportal.flows.ui import keep_device, this_browser, unavailable
from tvportal.i18n import gettext as _
from tvportal.platform.models import Unavailable
from tvportal.urls import url

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def typed_in_place(request: web.Request, exc: web.HTTPException) -> web.Response:
    """A keypad's 确认 sent by the runtime (X-Pad, no page load): the redirect's target in a header for it to
    open, with the cookies the redirect set (a 303 would be followed inside the request and lost)."""
    done = web.Response(status=204, headers={"X-Pad-Go": url(request.app, exc.headers["Location"])})
    for name, morsel in exc.cookies.items():
        done.cookies[name] = morsel
    return done


def friendly(handler: Handler) -> Handler:
    """Catch central-platform outages in a flow handler; every answer keeps the device cookie; the device's
    flow state is loaded before and saved after (flows/state.py)."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        """Run the handler; an outage shows what happens next."""
        async with flow_state(request, await resolve_device(request)) as st:
            this_browser(request, st)
            return await _run(request)

    async def _run(request: web.Request) -> web.StreamResponse:
        """The handler, with outages and redirects handled."""
        try:
            return await handler(request)
        except web.HTTPException as exc:
            keep_device(request, exc)
            if request.headers.get("X-Pad") and exc.status == 303:
                return typed_in_place(request, exc)
            raise exc from None
        except Unavailable as exc:
            log.warning("central platform unavailable on %s %s: %s", request.method, request.path, exc)
            retry = request.path_qs if request.method == "GET" else request.path
            return unavailable(request, _("Nothing you entered is lost. Please press OK to try again in a few "
                                          "minutes, or call the hall."), retry)

    return wrapped
