"""How the box becomes known by its operator account (flows/device.py, docs/operator.md section 2).

``GET /launch``: the operator's EPG opens the portal with a signed URL naming the box's account.  Whatever
happens the viewer lands on home: a launch that cannot be trusted only means the box is not known by its
account this time (the log says why).

``POST /launch/box``: home's script (static/boxtoken.js) sends what the box's ``Authentication.CTCGetConfig``
says, and the operator's token check (flows/box_token.py) must confirm it.  A confirmed box is bound
exactly as a signed launch binds it (``bind``).
"""

from __future__ import annotations

import logging
import secrets
import time
from urllib.parse import quote, urlsplit

from aiohttp import web

from tvportal.flows import device as dev
from tvportal.flows.box_token import BOX_CHECK, CHECKED_COOKIE, MAX_FIELD, plain
from tvportal.boxes import SIZES
from tvportal.http.forms import form_of
from tvportal.keys import DB, PREFS, SETTINGS
from tvportal.prefs import Prefs, remember
from tvportal.stats.collector import count

log = logging.getLogger(__name__)


async def launch(request: web.Request) -> web.StreamResponse:
    """Verify the launch, give the box its account's device token and preferences, and go home."""
    settings = request.app[SETTINGS]
    now = time.time()
    params = {k: v for k, v in request.query.items() if k in (*dev.LAUNCH_FIELDS, "sig")}
    result = dev.verify(params, settings.operator_secret, now, settings.launch_max_age_seconds)
    # the screen size goes on to home, which keeps it (http/box_screen.py): an SD box that wipes its cookies
    # gets it again at every launch, also when the launch is not taken as its account
    size = params.get("size", "")
    home = web.HTTPSeeOther("/?size=" + size if size in SIZES else "/")
    home.headers["Cache-Control"] = "no-store"
    if isinstance(result, str):
        log.warning("launch URL not taken as an account: %s", result)
        count(request, "launch_refused")
        raise home
    mine = await dev.account_token(request)
    if not await request.app[DB].write(dev.first_use, result.sig, now, settings.launch_max_age_seconds) and \
            (mine is None or mine[0] != dev.account_device(result.account)):
        log.warning("launch URL not taken as an account: used a second time by another browser")
        count(request, "launch_refused")
        raise home
    await bind(request, home, result.account, result.model, result.area, mine)
    raise home


async def bind(request: web.Request, response: web.StreamResponse, account: str, model: str, area: str,
               mine: tuple[str, str] | None) -> bool:
    """Make this box the account's: its device token (unless the box already has one), its stored display
    preferences, the model and area for the statistics.  True when the preferences differ from the ones
    the box showed (its page must be loaded again to show them)."""
    settings = request.app[SETTINGS]
    device = dev.account_device(account)
    if mine is None or mine[0] != device:
        token = secrets.token_urlsafe(24)
        await request.app[DB].write(dev.issue, dev.token_hash(token), device, account, time.time())
        response.set_cookie(dev.DEVICE_COOKIE, token, max_age=dev.TEN_YEARS, path="/", httponly=True,
                            samesite="Lax", secure=settings.cookie_secure)
    stored = await request.app[DB].read(dev.load_prefs, device)
    changed = False
    if stored:
        prefs = Prefs.decode(stored, settings.default_locale)
        remember(response, prefs, settings.cookie_secure)
        changed = prefs.encode() != request[PREFS].encode()
    response.set_cookie(dev.BOX_COOKIE, quote(f"{model}|{area}", safe=""), max_age=dev.TEN_YEARS,
                        path="/", httponly=True, samesite="Lax", secure=settings.cookie_secure)
    checked(request, response)
    count(request, "launch", model=model, area=area, household=account)
    return changed


def checked(request: web.Request, response: web.StreamResponse) -> None:
    """Home stops offering the account check until the box's browser ends (a power-off): once per power-on."""
    response.set_cookie(CHECKED_COOKIE, "1", path="/", httponly=True, samesite="Lax",
                        secure=request.app[SETTINGS].cookie_secure)


def _from_own_page(request: web.Request) -> bool:
    """A request of the portal's own script: a page elsewhere cannot add this header to a cross-site
    request without a CORS preflight the portal never allows, and an Origin, when the box sends one, is
    the portal's."""
    origin = request.headers.get("Origin")
    return request.headers.get("X-Requested-With") == "XMLHttpRequest" and \
        (origin is None or urlsplit(origin).netloc == request.host)


async def launch_box(request: web.Request) -> web.Response:
    """Take the box's account if the operator confirms its token.  The answer is one word for the script:
    ``reload`` (taken, and its preferences differ from the page's), ``taken``, ``known`` (the box already
    is this account) or ``refused``."""
    check = request.app.get(BOX_CHECK)
    if check is None:
        raise web.HTTPNotFound()
    if not _from_own_page(request):
        log.warning("box account check refused: not sent by the portal's own page")
        raise web.HTTPForbidden()
    if not check.allowed(request.remote or "?"):
        log.info("box account check refused: too many from %s", request.remote)
        raise web.HTTPTooManyRequests()  # the script asks once per power-on: nobody waits for a retry
    form = await form_of(request)
    user, token, stb = (form.get(k, "").strip() for k in ("UserID", "UserToken", "STBID"))
    answer = web.Response(text="refused", content_type="text/plain", headers={"Cache-Control": "no-store"})
    checked(request, answer)
    if not (user and token and stb) or max(len(user), len(token), len(stb)) > MAX_FIELD:
        log.warning("box account not taken: UserID, UserToken or STBID missing or too long")
        count(request, "launch_refused")
        return answer
    account = dev.account_of(user, stb)
    mine = await dev.account_token(request)
    if mine is not None and mine[1] == account:  # its own token cookie already says so: nothing to grant
        answer.text = "known"
        return answer
    result = await check.verify(user, token, stb)
    if isinstance(result, str):
        log.warning("box account not taken: %s", result)
        count(request, "launch_refused")
        return answer
    changed = await bind(request, answer, account, plain(form.get("model", ""), 40), result.area, mine)
    answer.text = "reload" if changed else "taken"
    return answer
