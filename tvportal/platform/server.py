"""The central platform's HTTP API (docs/central-platform.openapi.yaml), served from any Platform.

``tvportal central-sim`` runs this on the embedded implementation with knobs for latency,
errors and outages; every /v1 request must carry a valid signature (tvportal/platform/signing.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from content import safe_json
from tvportal.platform.models import PlatformError, to_json
from tvportal.platform.phone_page import add_phone_routes
from tvportal.platform.signing import Verifier

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Knobs:
    """Fault injection of the simulator (changeable while it runs, e.g. by tests)."""

    latency_ms: int = 0
    error_rate: float = 0.0
    down: bool = False
    calls: int = 0  # API calls received, for tests and operators


PLATFORM_KEY = web.AppKey("central_platform", object)
VERIFIER_KEY = web.AppKey("central_verifier", Verifier)
KNOBS_KEY = web.AppKey("central_knobs", Knobs)
NONCES_KEY = web.AppKey("central_nonces", object)  # a NonceLog (nonces.py), or None: memory only


def _error(status: int, code: str, message: str, field: str = "") -> web.Response:
    """A JSON error body."""
    return web.json_response({"code": code, "message": message, "field": field}, status=status)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Outages, latency, injected errors, signature checks, and platform errors as JSON."""
    if not request.path.startswith("/v1/"):
        return await handler(request)
    knobs = request.app[KNOBS_KEY]
    knobs.calls += 1
    if knobs.down:
        return _error(503, "down", "平台维护中")
    if knobs.latency_ms:
        await asyncio.sleep(knobs.latency_ms / 1000)
    if knobs.error_rate and random.random() < knobs.error_rate:
        return _error(503, "injected", "平台繁忙，请稍后再试")
    body = await request.read()
    refused = request.app[VERIFIER_KEY].check(request.method, request.path_qs, request.headers, body)
    nonces = request.app[NONCES_KEY]
    if not refused and nonces is not None and not await nonces.first_seen(
            f"{request.headers.get('X-App-Id', '')}:{request.headers.get('X-Nonce', '')}"):
        refused = "replayed request"
    if refused:
        log.warning("refused %s %s: %s", request.method, request.path, refused)
        return _error(401, "signature", refused)
    try:
        return await handler(request)
    except PlatformError as exc:
        return _error(exc.status, exc.code, exc.message, exc.field)


def _json(value: object) -> web.Response:
    """A result as JSON."""
    return web.json_response(to_json(value), dumps=lambda v: json.dumps(v, ensure_ascii=False))


async def _body(request: web.Request) -> dict:
    """The JSON body, or a 400 platform error."""
    try:
        data = safe_json.loads(await request.read() or b"{}")
    except ValueError:
        raise PlatformError("bad_json", "请求格式不对") from None
    if not isinstance(data, dict):
        raise PlatformError("bad_json", "请求格式不对")
    return data


def _s(data: dict, name: str) -> str:
    """A required string field of a body."""
    value = data.get(name)
    if not isinstance(value, str):
        raise PlatformError("missing", f"缺少 {name}", name)
    return value


def _key(request: web.Request) -> str:
    """The write's idempotency key (required)."""
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        raise PlatformError("need_key", "写操作必须带 Idempotency-Key")
    return key


def build_api(platform: object, secrets_by_app: dict[str, str], knobs: Knobs | None = None,
              nonces: object | None = None) -> web.Application:
    """The API application around a Platform; ``nonces`` (a NonceLog) keeps seen nonces across restarts."""
    app = web.Application(middlewares=[guard], client_max_size=64 * 1024)
    app[NONCES_KEY] = nonces
    app[PLATFORM_KEY] = platform
    app[VERIFIER_KEY] = Verifier(secrets_by_app)
    app[KNOBS_KEY] = knobs or Knobs()
    p = platform
    r = app.router

    async def catalog(request: web.Request) -> web.Response:
        """GET the service catalog."""
        return _json(await p.catalog())

    async def halls(request: web.Request) -> web.Response:
        """GET the halls."""
        return _json(await p.halls())

    async def qr_start(request: web.Request) -> web.Response:
        """POST a QR login ticket."""
        return _json(await p.start_qr_login(_s(await _body(request), "device_id")))

    async def qr_status(request: web.Request) -> web.Response:
        """GET a ticket's state."""
        return _json(await p.qr_login_status(request.match_info["ticket"]))

    async def qr_confirm(request: web.Request) -> web.Response:
        """POST the phone's confirmation."""
        d = await _body(request)
        return _json(await p.confirm_qr_login(request.match_info["ticket"], _s(d, "id_number"), _s(d, "sms_code")))

    async def sms(request: web.Request) -> web.Response:
        """POST: send an SMS code."""
        d = await _body(request)
        return _json(await p.send_sms_code(_s(d, "id_number"), _s(d, "purpose")))

    async def sms_login(request: web.Request) -> web.Response:
        """POST: link a device by ID number and SMS code."""
        d = await _body(request)
        return _json(await p.login_with_sms(_s(d, "device_id"), _s(d, "id_number"), _s(d, "sms_code")))

    async def device(request: web.Request) -> web.Response:
        """GET who uses a device."""
        return _json(await p.device(request.match_info["device"]))

    async def unlink(request: web.Request) -> web.Response:
        """DELETE a device's links."""
        await p.unlink_device(request.match_info["device"])
        return web.json_response({})

    async def proxy(request: web.Request) -> web.Response:
        """POST 帮家人办 consent."""
        d = await _body(request)
        return _json(await p.add_proxy(request.match_info["device"], _s(d, "elder_id_number"),
                                       _s(d, "consent_code"), _key(request)))

    async def helpers(request: web.Request) -> web.Response:
        """GET who may act for a person."""
        return _json(await p.helpers(request.match_info["person"]))

    async def revoke(request: web.Request) -> web.Response:
        """DELETE a consent."""
        await p.revoke_proxy(request.match_info["actor"], request.match_info["person"], _key(request))
        return web.json_response({})

    async def slots(request: web.Request) -> web.Response:
        """GET a day's slots."""
        q = request.query
        return _json(await p.slots(q.get("hall_id", ""), q.get("service_id", ""), q.get("day", "")))

    async def book(request: web.Request) -> web.Response:
        """POST a booking."""
        d = await _body(request)
        return _json(await p.create_booking(_s(d, "actor_id"), _s(d, "person_id"), _s(d, "slot_id"), _key(request)))

    async def cancel(request: web.Request) -> web.Response:
        """POST a cancellation."""
        d = await _body(request)
        return _json(await p.cancel_booking(_s(d, "actor_id"), _s(d, "person_id"), request.match_info["number"],
                                            _key(request)))

    async def reschedule(request: web.Request) -> web.Response:
        """POST a move to another slot."""
        d = await _body(request)
        return _json(await p.reschedule_booking(_s(d, "actor_id"), _s(d, "person_id"), request.match_info["number"],
                                                _s(d, "slot_id"), _key(request)))

    async def person_bookings(request: web.Request) -> web.Response:
        """GET a person's bookings."""
        return _json(await p.bookings(request.match_info["person"]))

    async def apply(request: web.Request) -> web.Response:
        """POST an application."""
        d = await _body(request)
        fields = d.get("fields")
        if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
            raise PlatformError("missing", "缺少 fields", "fields")
        return _json(await p.submit_application(_s(d, "actor_id"), _s(d, "person_id"), _s(d, "service_id"),
                                                fields, _key(request)))

    async def person_applications(request: web.Request) -> web.Response:
        """GET a person's applications."""
        return _json(await p.applications(request.match_info["person"]))

    async def application(request: web.Request) -> web.Response:
        """GET one application's progress."""
        return _json(await p.application(request.match_info["number"]))

    async def records(request: web.Request) -> web.Response:
        """GET a personal record."""
        return _json(await p.records(request.match_info["person"], request.match_info["kind"]))

    async def rate(request: web.Request) -> web.Response:
        """POST a rating."""
        d = await _body(request)
        level = d.get("level")
        if not isinstance(level, int):
            raise PlatformError("missing", "缺少 level", "level")
        return _json(await p.rate(_s(d, "actor_id"), _s(d, "person_id"), _s(d, "target_type"),
                                  _s(d, "target_number"), level, str(d.get("reason", "")), _key(request)))

    r.add_get("/v1/catalog/services", catalog)
    r.add_get("/v1/catalog/halls", halls)
    r.add_post("/v1/identity/qr-tickets", qr_start)
    r.add_get("/v1/identity/qr-tickets/{ticket}", qr_status)
    r.add_post("/v1/identity/qr-tickets/{ticket}/confirm", qr_confirm)
    r.add_post("/v1/identity/sms-codes", sms)
    r.add_post("/v1/identity/sms-login", sms_login)
    r.add_get("/v1/devices/{device}", device)
    r.add_delete("/v1/devices/{device}", unlink)
    r.add_post("/v1/devices/{device}/proxies", proxy)
    r.add_get("/v1/people/{person}/helpers", helpers)
    r.add_delete("/v1/people/{person}/helpers/{actor}", revoke)
    r.add_get("/v1/slots", slots)
    r.add_post("/v1/bookings", book)
    r.add_post("/v1/bookings/{number}/cancel", cancel)
    r.add_post("/v1/bookings/{number}/reschedule", reschedule)
    r.add_get("/v1/people/{person}/bookings", person_bookings)
    r.add_post("/v1/applications", apply)
    r.add_get("/v1/people/{person}/applications", person_applications)
    r.add_get("/v1/applications/{number}", application)
    r.add_get("/v1/people/{person}/records/{kind}", records)
    r.add_post("/v1/ratings", rate)
    add_phone_routes(app, lambda _app: platform)
    return app
