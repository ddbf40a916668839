"""``GET /launch``: the operator's EPG opens the portal with a signed URL naming the box's account
(flows/device.py, docs/operator.md).  Whatever happens the viewer lands on home: a launch that cannot be
trusted only means the box is not known by its account this time (the log says why)."""

from __future__ import annotations

import logging
import secrets
import time
from urllib.parse import quote

from aiohttp import web

from tvportal.flows import device as dev
from tvportal.keys import DB, SETTINGS
from tvportal.prefs import Prefs, remember
from tvportal.stats.collector import count

log = logging.getLogger(__name__)


async def launch(request: web.Request) -> web.StreamResponse:
    """Verify the launch, give the box its account's device token and preferences, and go home."""
    settings = request.app[SETTINGS]
    now = time.time()
    params = {k: v for k, v in request.query.items() if k in (*dev.LAUNCH_FIELDS, "sig")}
    result = dev.verify(params, settings.operator_secret, now, settings.launch_max_age_seconds)
    home = web.HTTPSeeOther("/")
    home.headers["Cache-Control"] = "no-store"
    if isinstance(result, str):
        log.warning("launch URL not taken as an account: %s", result)
        count(request, "launch_refused")
        raise home
    device = dev.account_device(result.account)
    mine = await dev.account_token(request)
    db = request.app[DB]
    if not await db.write(dev.first_use, result.sig, now, settings.launch_max_age_seconds) and \
            (mine is None or mine[0] != device):
        log.warning("launch URL used a second time by another browser: not taken as the account")
        count(request, "launch_refused")
        raise home
    if mine is None or mine[0] != device:
        await db.write(dev.issue, dev.token_hash(token := secrets.token_urlsafe(24)), device, result.account, now)
        home.set_cookie(dev.DEVICE_COOKIE, token, max_age=dev.TEN_YEARS, path="/", httponly=True, samesite="Lax",
                        secure=settings.cookie_secure)
    stored = await db.read(dev.load_prefs, device)
    if stored:
        remember(home, Prefs.decode(stored, settings.default_locale), settings.cookie_secure)
    home.set_cookie(dev.BOX_COOKIE, quote(f"{result.model}|{result.area}", safe=""), max_age=dev.TEN_YEARS,
                    path="/", httponly=True, samesite="Lax", secure=settings.cookie_secure)
    count(request, "launch", model=result.model, area=result.area, household=result.account)
    raise home
