"""The HTTP client of the central platform: signed calls, time limits, retries, a circuit breaker,
a stale-tolerant catalog cache and, for writes that cannot get through, the outbox.

Writes that go to the outbox raise ``Queued`` with a reference number; ``deliver_outbox`` (run
by a background task) sends them later with their original idempotency keys.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from sqlalchemy.exc import IntegrityError

from tvportal.platform.models import (
    Application, Booking, Conflict, DeviceLink, HallInfo, LoginTicket, NotFound, Person, PlatformError, Rating,
    RecordTable,
    Queued, Service, Slot, SmsSent, from_json)
from tvportal.platform.last_known import LastKnown
from tvportal.platform.models import Unavailable as Unreachable
from tvportal.platform.outbox import Outbox
from tvportal.platform.signing import sign

log = logging.getLogger(__name__)
T = TypeVar("T")
CATALOG_TTL = 300.0


@dataclass
class Breaker:
    """Circuit breaker: after ``threshold`` failures in a row, fail fast for ``cooldown`` seconds, then let one
    call probe; the others keep failing fast until the probe has answered (or has been gone a cooldown long)."""

    threshold: int = 5
    cooldown: float = 10.0
    failures: int = 0
    opened_at: float = 0.0
    probe_at: float | None = None  # when the probe in flight went out
    answered_at: float | None = None  # the last answer (monotonic); None: none since start (for /healthz)

    def is_open(self) -> bool:
        """Whether calls fail fast now (asks nothing of the probe slot)."""
        return self.failures >= self.threshold

    def allow(self) -> bool:
        """Whether a call may go out now; after the cooldown only the first caller may (it is the probe)."""
        if not self.is_open():
            return True
        now = time.monotonic()
        if now - self.opened_at < self.cooldown:
            return False
        if self.probe_at is not None and now - self.probe_at < self.cooldown:
            return False
        self.probe_at = now
        return True

    def success(self) -> None:
        """Close the circuit."""
        self.failures = 0
        self.probe_at = None
        self.answered_at = time.monotonic()

    def failure(self) -> None:
        """Count a failure; open (again) when over the threshold."""
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = time.monotonic()
            self.probe_at = None


RESULT_TYPES: dict[str, type] = {"book": Booking, "apply": Application, "rate": Rating, "cancel": Booking,
                                 "reschedule": Booking}


class HttpPlatform:
    """Platform implementation over signed HTTP (see interface.py for the contract)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, app_id: str, secret: str, outbox: Outbox,
                 timeout_ms: int = 3000, retries: int = 2) -> None:
        """Talk to ``base_url`` through ``session``; keep undeliverable writes in ``outbox``."""
        self.session = session
        self.base = base_url.rstrip("/")
        self.app_id, self.secret = app_id, secret
        self.outbox = outbox
        self.timeout = aiohttp.ClientTimeout(total=timeout_ms / 1000)
        self.retries = retries
        self.breaker = Breaker()
        self.last_known = LastKnown(outbox.db)

    async def _once(self, method: str, path: str, body: bytes, key: str) -> Any:
        """One signed request; PlatformError for 4xx answers, Unreachable for everything else."""
        if not self.breaker.allow():
            raise Unreachable("circuit open")
        headers = sign(self.secret, method, path, body, self.app_id, key=key)
        headers["Content-Type"] = "application/json"
        try:
            async with self.session.request(method, self.base + path, data=body or None, headers=headers,
                                            timeout=self.timeout) as resp:
                text = await resp.text()
                status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            self.breaker.failure()
            raise Unreachable(type(exc).__name__) from None
        if status >= 500 or status in (401, 429):
            # 401 here means our clock or secret is wrong: an operator problem, not the citizen's
            self.breaker.failure()
            log.warning("central platform %s %s answered %s", method, path, status)
            raise Unreachable(f"HTTP {status}")
        self.breaker.success()
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            raise Unreachable("not JSON") from None
        if status >= 400:
            cls = {404: NotFound, 409: Conflict}.get(status, PlatformError)
            raise cls(str(data.get("code", "")), str(data.get("message", "请求没有成功")), str(data.get("field", "")))
        return data

    async def _call(self, method: str, path: str, payload: dict | None = None, key: str = "") -> Any:
        """A call with bounded, jittered retries when repeating it is safe (reads and keyed writes)."""
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        tries = 1 + (self.retries if method == "GET" or key else 0)
        for attempt in range(tries):
            try:
                return await self._once(method, path, body, key)
            except Unreachable:
                if attempt == tries - 1 or self.breaker.is_open():
                    raise
                await asyncio.sleep(random.uniform(0, 0.05 * 2 ** attempt))
        raise AssertionError("unreachable")

    async def _get(self, cls: type[T], path: str) -> T:
        """A read of one object."""
        return from_json(cls, await self._call("GET", path))

    async def _get_list(self, cls: type[T], path: str) -> list[T]:
        """A read of a list."""
        return [from_json(cls, v) for v in await self._call("GET", path)]

    async def _cached_list(self, cls: type[T], path: str) -> list[T]:
        """Catalog reads: fresh for CATALOG_TTL, and served stale while the platform is unreachable."""
        fresh = self.last_known.fresh_list(path, CATALOG_TTL)
        if fresh is not None:
            return fresh
        try:
            value = await self._get_list(cls, path)
        except Unreachable:
            stale = await self.last_known.stale_list(cls, path)
            if stale is None:
                raise
            return stale
        await self.last_known.remember_list(path, value)
        return value

    async def _write(self, op: str, path: str, payload: dict, key: str, person_id: str, queue: bool) -> Any:
        """A keyed write; when unreachable and ``queue``, keep it in the outbox and raise Queued."""
        try:
            data = await self._call("POST", path, payload, key)
        except Unreachable:
            if not queue:
                raise
            entry = await self._keep(op, key, person_id, {"path": path, "body": payload})
            log.info("central platform unreachable: %s kept in outbox as %s", op, entry.reference)
            raise Queued(entry.reference) from None
        return from_json(RESULT_TYPES[op], data)

    async def _keep(self, op: str, key: str, person_id: str, payload: dict):
        """Put a write in the outbox; a constraint error (a race no reference should lose) is tried once more,
        then reported as the platform being unreachable, which the TV answers with its kind retry page."""
        for attempt in range(2):
            try:
                return await asyncio.to_thread(self.outbox.add, op, key, person_id, payload)
            except IntegrityError as exc:
                log.warning("keeping %s in the outbox failed: %s", op, exc.orig)
                if attempt:
                    raise Unreachable("outbox constraint") from None
        raise AssertionError("unreachable")

    async def deliver_outbox(self) -> int:
        """Send waiting writes in order; stop at the first that cannot get through. Returns how many were settled."""
        settled = 0
        for entry in await asyncio.to_thread(self.outbox.waiting):
            try:
                data = await self._call("POST", entry.payload["path"], entry.payload["body"], entry.key)
            except Unreachable:
                await asyncio.to_thread(self.outbox.tried, entry.reference)
                break
            except PlatformError as exc:
                await asyncio.to_thread(self.outbox.finish, entry.reference, "refused", None, exc.message)
            else:
                await asyncio.to_thread(self.outbox.finish, entry.reference, "delivered", data)
            settled += 1
        return settled

    # the interface
    async def catalog(self) -> list[Service]:
        """The TV services (cached)."""
        return await self._cached_list(Service, "/v1/catalog/services")

    async def halls(self) -> list[HallInfo]:
        """Every hall (cached)."""
        return await self._cached_list(HallInfo, "/v1/catalog/halls")

    async def start_qr_login(self, device_id: str) -> LoginTicket:
        """Open a QR login."""
        return from_json(LoginTicket, await self._call("POST", "/v1/identity/qr-tickets", {"device_id": device_id}))

    async def qr_login_status(self, ticket: str) -> LoginTicket:
        """A QR login's state."""
        return await self._get(LoginTicket, f"/v1/identity/qr-tickets/{ticket}")

    async def confirm_qr_login(self, ticket: str, id_number: str, sms_code: str) -> LoginTicket:
        """The phone's confirmation."""
        return from_json(LoginTicket, await self._call("POST", f"/v1/identity/qr-tickets/{ticket}/confirm",
                                                       {"id_number": id_number, "sms_code": sms_code}))

    async def send_sms_code(self, id_number: str, purpose: str) -> SmsSent:
        """Send an SMS code."""
        return from_json(SmsSent, await self._call("POST", "/v1/identity/sms-codes",
                                                   {"id_number": id_number, "purpose": purpose}))

    async def login_with_sms(self, device_id: str, id_number: str, sms_code: str) -> DeviceLink:
        """Link a device by SMS code."""
        return from_json(DeviceLink, await self._call("POST", "/v1/identity/sms-login",
                                                      {"device_id": device_id, "id_number": id_number,
                                                       "sms_code": sms_code}))

    async def device(self, device_id: str) -> DeviceLink:
        """Who uses a device; the last answer is used while the platform is unreachable (so writes can queue),
        also after a restart."""
        try:
            link = await self._get(DeviceLink, f"/v1/devices/{device_id}")
        except Unreachable:
            known = await self.last_known.device(device_id)
            if known is None:
                raise
            return known
        await self.last_known.remember_device(device_id, link)
        return link

    async def add_proxy(self, device_id: str, elder_id_number: str, consent_code: str, key: str) -> DeviceLink:
        """帮家人办 consent."""
        return from_json(DeviceLink, await self._call("POST", f"/v1/devices/{device_id}/proxies",
                                                      {"elder_id_number": elder_id_number,
                                                       "consent_code": consent_code}, key))

    async def unlink_device(self, device_id: str) -> None:
        """Forget a device's people."""
        await self._call("DELETE", f"/v1/devices/{device_id}")
        await self.last_known.forget_device(device_id)

    async def helpers(self, person_id: str) -> list[Person]:
        """Who may act for a person."""
        return await self._get_list(Person, f"/v1/people/{person_id}/helpers")

    async def revoke_proxy(self, actor_id: str, person_id: str, key: str) -> None:
        """Withdraw a consent."""
        await self._call("DELETE", f"/v1/people/{person_id}/helpers/{actor_id}", None, key)
        await self.last_known.forget_devices()  # answers kept for outages must not keep the withdrawn consent

    async def slots(self, hall_id: str, service_id: str, day: str) -> list[Slot]:
        """A day's slots."""
        from urllib.parse import urlencode

        return await self._get_list(Slot, "/v1/slots?" + urlencode(
            {"hall_id": hall_id, "service_id": service_id, "day": day}))

    async def create_booking(self, actor_id: str, person_id: str, slot_id: str, key: str) -> Booking:
        """Book (queued in the outbox when the platform is unreachable)."""
        return await self._write("book", "/v1/bookings", {"actor_id": actor_id, "person_id": person_id,
                                                          "slot_id": slot_id}, key, person_id, queue=True)

    async def cancel_booking(self, actor_id: str, person_id: str, number: str, key: str) -> Booking:
        """Cancel (queued when unreachable)."""
        return await self._write("cancel", f"/v1/bookings/{number}/cancel",
                                 {"actor_id": actor_id, "person_id": person_id}, key, person_id, queue=True)

    async def reschedule_booking(self, actor_id: str, person_id: str, number: str, slot_id: str,
                                 key: str) -> Booking:
        """Move a booking (never queued: the citizen needs the answer now)."""
        return await self._write("reschedule", f"/v1/bookings/{number}/reschedule",
                                 {"actor_id": actor_id, "person_id": person_id, "slot_id": slot_id}, key,
                                 person_id, queue=False)

    async def bookings(self, person_id: str) -> list[Booking]:
        """A person's bookings."""
        return await self._get_list(Booking, f"/v1/people/{person_id}/bookings")

    async def submit_application(self, actor_id: str, person_id: str, service_id: str,
                                 fields: dict[str, str], key: str) -> Application:
        """Submit (queued when unreachable)."""
        return await self._write("apply", "/v1/applications", {"actor_id": actor_id, "person_id": person_id,
                                                               "service_id": service_id, "fields": fields},
                                 key, person_id, queue=True)

    async def applications(self, person_id: str) -> list[Application]:
        """A person's applications."""
        return await self._get_list(Application, f"/v1/people/{person_id}/applications")

    async def application(self, number: str) -> Application:
        """One application."""
        return await self._get(Application, f"/v1/applications/{number}")

    async def records(self, person_id: str, kind: str) -> RecordTable:
        """A personal record."""
        return await self._get(RecordTable, f"/v1/people/{person_id}/records/{kind}")

    async def rate(self, actor_id: str, person_id: str, target_type: str, target_number: str, level: int,
                   reason: str, key: str) -> Rating:
        """好差评 (queued when unreachable)."""
        return await self._write("rate", "/v1/ratings", {"actor_id": actor_id, "person_id": person_id,
                                                         "target_type": target_type, "target_number": target_number,
                                                         "level": level, "reason": reason}, key, person_id, queue=True)
