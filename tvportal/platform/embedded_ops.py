"""The embedded platform's operations on one open connection (called inside its transactions)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, func, insert, select, update

from tvportal.platform import idnumber
from tvportal.platform.eligibility import birth_date
from tvportal.platform.models import (
    Conflict, DeviceLink, HallInfo, LoginTicket, NotFound, Person, PlatformError, Service, SmsSent)
from tvportal.storage import upsert
from tvportal.storage.tables import (
    platform_audit as audit_t, platform_catalog as catalog_t, platform_counters as counters_t,
    platform_devices as devices_t, platform_people as people_t, platform_proxies as proxies_t,
    platform_sms_codes as codes_t, platform_tickets as tickets_t)

log = logging.getLogger("tvportal.platform")
SMS_TTL = dt.timedelta(minutes=10)
SMS_TRIES = 5
TICKET_TTL = dt.timedelta(minutes=30)


def _phone_mask(phone: str) -> str:
    """138****1234."""
    return phone[:3] + "****" + phone[-4:]


class WrongCode(PlatformError):
    """A wrong SMS code: the caller rolls its write back, then counts the try (``count_wrong_try``)."""

    def __init__(self, id_number: str, purpose: str, last: bool = False) -> None:
        """Remember whose code it was."""
        if last:
            super().__init__("code_locked", "验证码输错次数太多，请重新获取", "code")
        else:
            super().__init__("code_wrong", "验证码不对，请核对短信后重新输入", "code")
        self.id_number, self.purpose = id_number, purpose


def count_wrong_try(conn: Connection, id_number: str, purpose: str) -> None:
    """One more wrong try of a code (in a transaction of its own, so it stays when the write rolls back)."""
    conn.execute(update(codes_t).where(codes_t.c.id_number == id_number, codes_t.c.purpose == purpose)
                 .values(tries=codes_t.c.tries + 1))


class Ops:
    """Queries and changes of the embedded platform's tables."""

    def __init__(self, conn: Connection, clock: Callable[[], dt.datetime], confirm_base: str,
                 catalog_cache: dict[str, list[Any]] | None = None) -> None:
        """Work on ``conn``; ``clock`` gives the city's current time."""
        self.conn = conn
        self.catalog_cache = {} if catalog_cache is None else catalog_cache
        self.clock = clock
        self.confirm_base = confirm_base

    def one(self, stmt) -> RowMapping | None:
        """The first row of a query, by column name, or None."""
        return self.conn.execute(stmt).mappings().first()

    def all(self, stmt) -> list[RowMapping]:
        """Every row of a query, by column name."""
        return list(self.conn.execute(stmt).mappings())

    def _stamp(self) -> str:
        """Now as YYYY-MM-DD HH:MM:SS."""
        return self.clock().strftime("%Y-%m-%d %H:%M:%S")

    def _audit(self, actor: str, person: str, action: str, ref: str) -> None:
        """Record who acted for whom."""
        self.conn.execute(insert(audit_t).values(at=self._stamp(), actor_id=actor, person_id=person, action=action,
                                                 ref=ref))
        log.info("%s by %s for %s: %s", action, actor, person, ref)

    def _next(self, name: str) -> int:
        """The next number of a counter (the row stays locked until the transaction ends)."""
        upsert(self.conn, counters_t, {"name": name, "value": 0}, ["name"])
        self.conn.execute(update(counters_t).where(counters_t.c.name == name).values(value=counters_t.c.value + 1))
        return self.conn.execute(select(counters_t.c.value).where(counters_t.c.name == name)).scalar_one()

    # catalog
    def _catalog(self, kind: str, item_id: str | None = None) -> list[Any]:
        """Catalog entries of a kind in id order (one id, or all).

        The catalog is written once, with the demo data, and never changed: it is read once per
        process (``catalog_cache``, shared by the platform's Ops) instead of several times per booking."""
        if kind not in self.catalog_cache:
            stmt = select(catalog_t.c.data).where(catalog_t.c.kind == kind).order_by(catalog_t.c.id)
            self.catalog_cache[kind] = [json.loads(data) for data in self.conn.execute(stmt).scalars()]
        entries = self.catalog_cache[kind]
        return entries if item_id is None else [e for e in entries if e["id"] == item_id]

    def catalog(self) -> list[Service]:
        """The TV services in id order (b1, h1.., q1..)."""
        return [Service(**data) for data in self._catalog("service")]

    def service(self, service_id: str) -> Service:
        """One service."""
        found = self._catalog("service", service_id)
        if not found:
            raise NotFound("no_service", "没有这个服务事项")
        return Service(**found[0])

    def halls(self) -> list[HallInfo]:
        """Every hall in id order."""
        return [HallInfo(**data) for data in self._catalog("hall")]

    def hall(self, hall_id: str) -> HallInfo:
        """One hall."""
        found = self._catalog("hall", hall_id)
        if not found:
            raise NotFound("no_hall", "没有这个大厅")
        return HallInfo(**found[0])

    # people and identity
    def person(self, person_id: str) -> Person:
        """A person, ID number masked."""
        row = self.one(select(people_t).where(people_t.c.id == person_id))
        if row is None:
            raise NotFound("no_person", "没有找到这个人")
        return Person(row["id"], row["name"], idnumber.mask(row["id_number"]), row["county_code"],
                      _phone_mask(row["phone"]), row["birth_year"], str(birth_date(row["id_number"]) or ""))

    def _by_number(self, id_number: str) -> RowMapping:
        """The person row of an ID number (checked first)."""
        problem = idnumber.problem(id_number)
        if problem:
            raise PlatformError("bad_id", problem, "id_number")
        row = self.one(select(people_t).where(people_t.c.id_number == id_number.strip().upper()))
        if row is None:
            raise NotFound("no_person", "平台上没有这个身份证号码的登记信息，请到大厅办理", "id_number")
        return row

    def send_sms(self, id_number: str, purpose: str, code: str) -> SmsSent:
        """Store a fresh code for the person's phone (the demo 'sends' it into the log, masked)."""
        row = self._by_number(id_number)
        expires = (self.clock() + SMS_TTL).isoformat(timespec="seconds")
        upsert(self.conn, codes_t, {"id_number": row["id_number"], "purpose": purpose, "code": code,
                                    "expires": expires, "tries": 0}, ["id_number", "purpose"],
               ["code", "expires", "tries"])
        # the demo SMS gateway: the code goes to the log (no real phone behind the demo people)
        log.info("demo SMS to %s for %s (%s): code %s", _phone_mask(row["phone"]), idnumber.mask(row["id_number"]),
                 purpose, code)
        return SmsSent(_phone_mask(row["phone"]))

    def _check_code(self, id_number: str, purpose: str, code: str) -> None:
        """Accept a matching, unexpired code once; count wrong tries."""
        row = self.one(select(codes_t).where(codes_t.c.id_number == id_number, codes_t.c.purpose == purpose))
        if row is None or row["expires"] < self.clock().isoformat(timespec="seconds"):
            raise PlatformError("code_expired", "验证码已过期，请重新获取", "code")
        if row["tries"] >= SMS_TRIES:
            raise PlatformError("code_locked", "验证码输错次数太多，请重新获取", "code")
        if code.strip() != row["code"]:
            # counted by the caller after the rollback; the last allowed try says at once that only a new code helps
            raise WrongCode(id_number, purpose, last=row["tries"] + 1 >= SMS_TRIES)
        self.conn.execute(delete(codes_t).where(codes_t.c.id_number == id_number, codes_t.c.purpose == purpose))

    def login_sms(self, device_id: str, id_number: str, code: str) -> DeviceLink:
        """Link a device to the person proven by the code."""
        row = self._by_number(id_number)
        self._check_code(row["id_number"], "login", code)
        self._link(device_id, row["id"])
        return self.device(device_id)

    def _link(self, device_id: str, person_id: str) -> None:
        """Make ``person_id`` the device's person; proxies of a previous person end."""
        old = self.conn.execute(select(devices_t.c.person_id).where(devices_t.c.device_id == device_id)).scalar()
        if old != person_id:
            self.conn.execute(delete(proxies_t).where(proxies_t.c.device_id == device_id))
        upsert(self.conn, devices_t, {"device_id": device_id, "person_id": person_id, "linked": self._stamp()},
               ["device_id"], ["person_id", "linked"])
        self._audit(person_id, person_id, "link_device", device_id[:8])

    def device(self, device_id: str) -> DeviceLink:
        """The device's person and the people they act for."""
        person_id = self.conn.execute(select(devices_t.c.person_id).where(devices_t.c.device_id == device_id)).scalar()
        if person_id is None:
            return DeviceLink(device_id, None, [])
        elders = self.conn.execute(select(proxies_t.c.person_id).where(proxies_t.c.device_id == device_id)
                                   .order_by(proxies_t.c.consented)).scalars().all()
        return DeviceLink(device_id, self.person(person_id), [self.person(e) for e in elders])

    def add_proxy(self, device_id: str, elder_number: str, code: str) -> DeviceLink:
        """Record the elder's consent (their SMS code) to let the device's person act for them."""
        link = self.device(device_id)
        if link.person is None:
            raise PlatformError("not_linked", "请先登录本人身份")
        elder = self._by_number(elder_number)
        if elder["id"] == link.person.id:
            raise PlatformError("self_proxy", "这是您本人的身份证号码", "id_number")
        self._check_code(elder["id_number"], "consent", code)
        consent = f"短信验证码同意 {_phone_mask(elder['phone'])}"
        upsert(self.conn, proxies_t, {"device_id": device_id, "actor_id": link.person.id, "person_id": elder["id"],
                                      "consent": consent, "consented": self._stamp()},
               ["device_id", "person_id"], ["actor_id", "consent", "consented"])
        self._audit(link.person.id, elder["id"], "proxy_consent", consent)
        return self.device(device_id)

    def unlink(self, device_id: str) -> None:
        """Forget the device's people."""
        self.conn.execute(delete(proxies_t).where(proxies_t.c.device_id == device_id))
        self.conn.execute(delete(devices_t).where(devices_t.c.device_id == device_id))

    def helpers(self, person_id: str) -> list[Person]:
        """The people whose consent-backed proxy for ``person_id`` is on record, first consent first."""
        first = func.min(proxies_t.c.consented)
        rows = self.conn.execute(select(proxies_t.c.actor_id).where(proxies_t.c.person_id == person_id)
                                 .group_by(proxies_t.c.actor_id).order_by(first)).scalars().all()
        return [self.person(actor) for actor in rows]

    def revoke_proxy(self, actor_id: str, person_id: str) -> None:
        """The person withdraws consent: every proxy of ``actor_id`` for them ends."""
        self.conn.execute(delete(proxies_t).where(proxies_t.c.actor_id == actor_id, proxies_t.c.person_id == person_id))
        self._audit(person_id, person_id, "proxy_revoked", actor_id)

    def start_qr(self, device_id: str, ticket: str) -> LoginTicket:
        """A new QR login ticket."""
        self.conn.execute(insert(tickets_t).values(ticket=ticket, device_id=device_id, status="waiting", person_id="",
                                                   created=self._stamp()))
        return self.ticket(ticket)

    def ticket(self, ticket: str) -> LoginTicket:
        """A ticket's state ('expired' after half an hour)."""
        row = self.one(select(tickets_t).where(tickets_t.c.ticket == ticket))
        if row is None:
            raise NotFound("no_ticket", "二维码已失效，请重新扫码")
        status = row["status"]
        created = dt.datetime.fromisoformat(row["created"]).replace(tzinfo=self.clock().tzinfo)
        if status == "waiting" and self.clock() - created > TICKET_TTL:
            status = "expired"
        return LoginTicket(ticket, f"{self.confirm_base}/m/confirm/{ticket}", status, row["person_id"])

    def confirm_qr(self, ticket: str, id_number: str, code: str) -> LoginTicket:
        """The phone confirmed: link the TV of the ticket."""
        state = self.ticket(ticket)
        if state.status != "waiting":
            raise Conflict("ticket_used", "这个二维码已经用过或已过期，请在电视上重新打开二维码")
        row = self._by_number(id_number)
        self._check_code(row["id_number"], "login", code)
        device_id = self.conn.execute(select(tickets_t.c.device_id).where(tickets_t.c.ticket == ticket)).scalar_one()
        self.conn.execute(update(tickets_t).where(tickets_t.c.ticket == ticket)
                          .values(status="confirmed", person_id=row["id"]))
        self._link(device_id, row["id"])
        return self.ticket(ticket)

    # bookings, applications, records and ratings live in their own modules to keep each one small
    from tvportal.platform.embedded_booking import (  # noqa: E402
        _booking, _lock_person, _slot_of, _take_place, book, bookings, cancel, reschedule, slots)
    from tvportal.platform.embedded_apply import apply, application, applications, records, rate, _check_actor  # noqa: E402
