"""The embedded platform: the central platform's functions on the portal's database (platform_* tables).

Every call runs in a worker thread of the storage layer; every write runs in one transaction
together with its idempotency record, so capacity checks, the booking and the remembered answer
commit or fail together (no overbooking, no double booking, a retried write gives the first
answer again).  The tables and demo data are made by the portal's start-up (tvportal/database.py).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from tvportal.platform import services
from tvportal.platform.embedded_ops import Ops, WrongCode, count_wrong_try
from tvportal.platform.models import (
    Application, Booking, DeviceLink, HallInfo, LoginTicket, Person, PlatformError, Rating, RecordTable, Service, Slot,
    SmsSent, from_json, to_json)
from tvportal.storage import Database
from tvportal.storage.tables import platform_idempotency, platform_sms_codes

log = logging.getLogger(__name__)
T = TypeVar("T")


class EmbeddedPlatform:
    """Platform implementation on the portal's database (see tvportal/platform/interface.py for the contract)."""

    def __init__(self, db: Database, confirm_base: str = "",
                 clock: Callable[[], dt.datetime] = services.now) -> None:
        """Work on ``db``, whose platform tables exist (storage/migrate.py) and hold the demo data."""
        self.db = db
        self.confirm_base = confirm_base  # where phones open the QR confirmation page
        self.clock = clock
        self._catalog: dict[str, list[Any]] = {}  # kind -> entries, filled on first use (embedded_ops.py)

    def _ops(self, conn: Connection) -> Ops:
        """The operations on one connection."""
        return Ops(conn, self.clock, self.confirm_base, self._catalog)

    def _write_in(self, conn: Connection, op: str, key: str, cls: type[T], fn: Callable[[Ops], Any]) -> T:
        """Inside a transaction: the remembered answer of ``key``, or run ``fn`` and remember its answer."""
        if key:
            row = conn.execute(select(platform_idempotency.c.op, platform_idempotency.c.result)
                               .where(platform_idempotency.c.key == key)).first()
            if row is not None:
                if row.op != op:
                    raise PlatformError("key_reused", "这个请求编号已用于别的操作")
                return from_json(cls, json.loads(row.result)) if cls is not type(None) else None
        result = fn(self._ops(conn))
        if key:
            conn.execute(insert(platform_idempotency).values(
                key=key, op=op, result=json.dumps(to_json(result), ensure_ascii=False),
                created=self.clock().isoformat(timespec="seconds")))
        return result

    async def _read(self, fn: Callable[[Ops], T]) -> T:
        """A read, off the event loop."""
        return await self.db.read(lambda conn: fn(self._ops(conn)))

    async def _write(self, op: str, key: str, cls: type[T], fn: Callable[[Ops], Any], scope: str = "") -> T:
        """A write in one transaction, off the event loop; ``key`` counts within ``scope`` (who writes), so
        the same key from another person is another write, never a way to read the first one's answer.

        A wrong SMS code rolls the write back but must still count against the code's tries, so the
        count is written in a transaction of its own.  Two writes with the same new key racing each
        other: the loser's idempotency insert fails, and run again it finds the winner's answer.
        """
        if key and len(key) > 128:
            raise PlatformError("bad_key", "请求编号太长")
        key = f"{scope}|{key}" if key else ""
        for attempt in range(2):
            try:
                return await self.db.write(self._write_in, op, key, cls, fn)
            except WrongCode as wrong:
                await self.db.write(count_wrong_try, wrong.id_number, wrong.purpose)
                raise
            except IntegrityError:
                if not key or attempt:
                    raise
        raise AssertionError("unreachable")

    # catalog
    async def catalog(self) -> list[Service]:
        """The TV services."""
        return await self._read(lambda o: o.catalog())

    async def halls(self) -> list[HallInfo]:
        """Every hall."""
        return await self._read(lambda o: o.halls())

    # identity
    async def start_qr_login(self, device_id: str) -> LoginTicket:
        """Open a QR login for a TV."""
        ticket = secrets.token_urlsafe(12)
        return await self._write("qr", "", LoginTicket, lambda o: o.start_qr(device_id, ticket))

    async def qr_login_status(self, ticket: str) -> LoginTicket:
        """Where a QR login stands."""
        return await self._read(lambda o: o.ticket(ticket))

    async def confirm_qr_login(self, ticket: str, id_number: str, sms_code: str) -> LoginTicket:
        """The phone confirms a QR login."""
        return await self._write("qr_confirm", "", LoginTicket, lambda o: o.confirm_qr(ticket, id_number, sms_code))

    async def send_sms_code(self, id_number: str, purpose: str) -> SmsSent:
        """Send (here: store and log masked) a one-time code."""
        code = f"{secrets.randbelow(1000000):06d}"
        return await self._write("sms", "", SmsSent, lambda o: o.send_sms(id_number, purpose, code))

    async def login_with_sms(self, device_id: str, id_number: str, sms_code: str) -> DeviceLink:
        """Link a TV to a person proven by an SMS code."""
        return await self._write("login", "", DeviceLink, lambda o: o.login_sms(device_id, id_number, sms_code))

    async def device(self, device_id: str) -> DeviceLink:
        """Who uses a TV."""
        return await self._read(lambda o: o.device(device_id))

    async def add_proxy(self, device_id: str, elder_id_number: str, consent_code: str, key: str) -> DeviceLink:
        """帮家人办 with the elder's consent code."""
        return await self._write("proxy", key, DeviceLink,
                                 lambda o: o.add_proxy(device_id, elder_id_number, consent_code), device_id)

    async def unlink_device(self, device_id: str) -> None:
        """Forget a TV's people."""
        await self._write("unlink", "", type(None), lambda o: o.unlink(device_id))

    async def helpers(self, person_id: str) -> list[Person]:
        """Who may act for a person."""
        return await self._read(lambda o: o.helpers(person_id))

    async def revoke_proxy(self, actor_id: str, person_id: str, key: str) -> None:
        """Withdraw a consent."""
        await self._write("revoke_proxy", key, type(None), lambda o: o.revoke_proxy(actor_id, person_id),
                          f"{actor_id}/{person_id}")

    # bookings
    async def slots(self, hall_id: str, service_id: str, day: str) -> list[Slot]:
        """A day's slots with places left."""
        return await self._read(lambda o: o.slots(hall_id, service_id, day))

    async def create_booking(self, actor_id: str, person_id: str, slot_id: str, key: str) -> Booking:
        """Book one place."""
        return await self._write("book", key, Booking, lambda o: o.book(actor_id, person_id, slot_id),
                                 f"{actor_id}/{person_id}")

    async def cancel_booking(self, actor_id: str, person_id: str, number: str, key: str) -> Booking:
        """Cancel before the cut-off."""
        return await self._write("cancel", key, Booking, lambda o: o.cancel(actor_id, person_id, number),
                                 f"{actor_id}/{person_id}")

    async def reschedule_booking(self, actor_id: str, person_id: str, number: str, slot_id: str,
                                 key: str) -> Booking:
        """Move a booking to another slot."""
        return await self._write("reschedule", key, Booking,
                                 lambda o: o.reschedule(actor_id, person_id, number, slot_id), f"{actor_id}/{person_id}")

    async def bookings(self, person_id: str) -> list[Booking]:
        """A person's bookings."""
        return await self._read(lambda o: o.bookings(person_id))

    # applications and records
    async def submit_application(self, actor_id: str, person_id: str, service_id: str,
                                 fields: dict[str, str], key: str) -> Application:
        """Submit an application."""
        return await self._write("apply", key, Application,
                                 lambda o: o.apply(actor_id, person_id, service_id, fields), f"{actor_id}/{person_id}")

    async def applications(self, person_id: str) -> list[Application]:
        """A person's applications."""
        return await self._read(lambda o: o.applications(person_id))

    async def application(self, number: str) -> Application:
        """One application."""
        return await self._read(lambda o: o.application(number))

    async def records(self, person_id: str, kind: str) -> RecordTable:
        """A personal record."""
        return await self._read(lambda o: o.records(person_id, kind))

    async def rate(self, actor_id: str, person_id: str, target_type: str, target_number: str, level: int,
                   reason: str, key: str) -> Rating:
        """好差评."""
        return await self._write("rate", key, Rating,
                                 lambda o: o.rate(actor_id, person_id, target_type, target_number, level, reason),
                                 f"{actor_id}/{person_id}")

    def sms_code_for_demo(self, id_number: str, purpose: str) -> str | None:
        """The code last 'sent' to a demo phone: what the phone would show (for the simulator's log and tests)."""
        return self.db.read_sync(lambda conn: conn.execute(
            select(platform_sms_codes.c.code).where(platform_sms_codes.c.id_number == id_number,
                                                    platform_sms_codes.c.purpose == purpose)).scalar())
