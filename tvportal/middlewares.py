"""Cross-cutting request handling, installed in this order (outermost first):

1. ``security_headers``: every response, error pages included, gets the same headers.
2. ``device_prefs``: reads the device's cookie; sets the locale for translations; sends a device token
   issued meanwhile and keeps an operator account's preferences (flows/device.py).
   ``box_screen`` (tvportal/http/box_screen.py): the screen size and canvas the page is laid out for.
   ``help_middleware`` (tvportal/copilot/tv.py): while a family member's phone helps this TV, the screen
   rendered goes to the phone and every form sent is audited.
3. ``measure`` (tvportal/stats/metrics.py): request metrics, and the operator's page views and errors.
4. ``page_cache`` (tvportal/page_cache.py): rendered pages served from memory until the content changes;
   it sits outside compression so that it keeps the compressed bytes.
5. ``compression``: text bodies are gzip-compressed for clients that accept it (2-4 Mbit/s links).
6. ``error_pages``: any 4xx/5xx, or an exception, becomes a TV page with key hints; never a traceback.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from tvportal.http import csp
from tvportal.http.box_screen import box_screen, screen_size_of
from tvportal.http.headers import add_vary
from tvportal.i18n import current_locale
from tvportal.keys import ASR, CLOCK, PAGE_CACHE, PREFS, PUBLISHED, SETTINGS, TTS
from tvportal.page_cache import CachedPage, normal_query
from tvportal.prefs import COOKIE, Prefs
from tvportal.flows import box_token
from tvportal.flows.device import DEVICE_COOKIE, keep_account_prefs, keep_token
from tvportal.flows.session import SESSION_COOKIE
from tvportal.copilot.snapshot import helped
from tvportal.copilot.tv import help_middleware
from tvportal.screen import FLASH_COOKIE, key_profile_of
from tvportal.stats.metrics import measure
from tvportal.storage.faults import FailedRequests, cannot_write, unreachable
from tvportal.urls import app_route


log = logging.getLogger(__name__)
_unreachable = FailedRequests(log)  # per process: the log's lines are per process too
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CSP = csp.BASE + "; object-src 'none'; script-src 'self'"  # pages with inline scripts set their own (http/csp.py)
COMPRESSIBLE = ("text/html", "text/css", "application/javascript", "application/json", "text/plain")


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Add headers that stop sniffing, leaking referrers and loading foreign code."""
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    settings = request.app.get(SETTINGS)
    response.headers.setdefault("Content-Security-Policy",
                                csp.policy(settings.frame_ancestors if settings else ("'self'",)))
    return response


def cache_key(request: web.Request, query: list[tuple[str, str]]) -> tuple:
    """What a TV content page depends on besides the content version (tvportal/page_cache.py)."""
    return (request.path, tuple(query), request[PREFS].encode(), key_profile_of(request), screen_size_of(request),
            "gzip" in request.headers.get("Accept-Encoding", ""), request.app[CLOCK].today().toordinal(),
            voice_state(request.app), box_token.offered(request))


def voice_state(app: web.Application) -> tuple[bool, bool]:
    """Whether reading aloud and voice input work now: pages show the red and green keys and home its
    语音助手 tile by it, and the recognizer can fail or recover while the content stays the same."""
    tts, asr = app.get(TTS), app.get(ASR)
    return (tts is not None and tts.available, asr is not None and asr.available)


def _cacheable(request: web.Request) -> bool:
    """A GET of a route registered as a cacheable content page."""
    # a one-time notice, or a TV being helped (its screen goes to the phone: tvportal/copilot/): rendered
    if request.method != "GET" or FLASH_COOKIE in request.cookies or helped(request):
        return False
    route = app_route(request)
    if route is None or route not in request.app[PAGE_CACHE].routes:
        return False
    # a signed-in person may see their own county's hall (routes.VIEWER_PAGES) unless the TV chose a county
    return not (SESSION_COOKIE in request.cookies and not request[PREFS].county
                and route in request.app[PAGE_CACHE].viewer_routes)


@web.middleware
async def page_cache(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Serve content pages from the cache; remember successful HTML pages that set no cookie and allow storing.

    Pages that show one person's data must say ``Cache-Control: no-store`` (``Screen.private``).
    """
    if not _cacheable(request):
        return await handler(request)
    query = normal_query(request.query)
    if query is None:
        return await handler(request)
    cache = request.app[PAGE_CACHE]
    try:
        key, version = cache_key(request, query), request.app[PUBLISHED].snapshot.edition
    except Exception:  # noqa: BLE001 - the cache never turns a page into an unhandled error: the page reports it
        return await handler(request)
    hit = cache.get(key, version)
    if hit is not None:
        response = web.Response(body=hit.body, content_type=hit.content_type, charset=hit.charset)
        response.headers.extend(hit.headers)
        return response
    if list(request.query.items()) != query:  # the page sees exactly the query it is cached under
        request = request.clone(rel_url=request.rel_url.with_query(query))
    response = await handler(request)
    if (isinstance(response, web.Response) and response.status == 200 and response.content_type == "text/html"
            and not response.cookies and "Set-Cookie" not in response.headers and isinstance(response.body, bytes)
            and "no-store" not in response.headers.get("Cache-Control", "")):
        headers = tuple((k, v) for k, v in response.headers.items() if k not in ("Content-Type", "Content-Length"))
        cache.put(key, CachedPage(response.body, headers, response.content_type, response.charset), version)
    return response


@web.middleware
async def compression(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Gzip text responses when the client accepts it; static assets come pre-compressed."""
    response = await handler(request)
    if (isinstance(response, web.Response) and "Content-Encoding" not in response.headers
            and response.content_type in COMPRESSIBLE and isinstance(response.body, bytes)):
        # compressed here rather than while sending, so that the page cache keeps the compressed bytes
        add_vary(response.headers, "Accept-Encoding")
        if len(response.body) > 512 and "gzip" in request.headers.get("Accept-Encoding", ""):
            response.body = gzip.compress(response.body, 6, mtime=0)
            response.headers["Content-Encoding"] = "gzip"
    return response


@web.middleware
async def device_prefs(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the device's display preferences and use its language for this request."""
    prefs = Prefs.decode(request.cookies.get(COOKIE), request.app[SETTINGS].default_locale)
    request[PREFS] = prefs
    token = current_locale.set(prefs.locale)
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # a redirect carries cookies too
        await _device_cookies(request, exc)
        raise
    finally:
        current_locale.reset(token)
    await _device_cookies(request, response)
    return response


async def _device_cookies(request: web.Request, response: web.StreamResponse) -> None:
    """A device token issued during the request goes to the box; preferences a box known by its operator
    account chose are kept for it too, so that a cookie wipe loses nothing (flows/device.py)."""
    keep_token(request, response)
    if COOKIE in response.cookies and response.cookies[COOKIE].value:
        # a launch that moved the box to another account sends that account's preferences with its token:
        # they are stored under the new account, never under the one the box had
        given = response.cookies.get(DEVICE_COOKIE)
        await keep_account_prefs(request, response.cookies[COOKIE].value, given.value if given else None)


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn HTTP errors and unexpected exceptions into TV error pages."""
    from tvportal.views.errors import error_screen

    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_screen(request, exc.status, exc.reason)
    except Exception as exc:
        if cannot_write(exc):  # full or read-only storage: the transaction rolled back; say so (storage/faults.py)
            log.error("cannot save on %s %s: %s", request.method, request.path, getattr(exc, "orig", None) or exc)
            return error_screen(request, 507, "")
        if unreachable(exc):  # the database server is down or restarting: not a bug, no traceback
            _unreachable.failed(f"{request.method} {request.path}", exc)
            return error_screen(request, 503, "database")
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_screen(request, 500, "")
    if response.status >= 400 and not response.prepared and isinstance(response, web.Response) \
            and response.content_type != "text/html":
        return error_screen(request, response.status, response.reason)
    return response


ORDER = (security_headers, device_prefs, box_screen, help_middleware, measure, page_cache, compression, error_pages)
