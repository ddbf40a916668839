"""The embedded platform's operations on one open connection (called inside its transactions)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Callable

from tvportal.platform import idnumber
from tvportal.platform.eligibility import birth_date
from tvportal.platform.models import (
    Conflict, DeviceLink, HallInfo, LoginTicket, NotFound, Person, PlatformError, Service, SmsSent)

log = logging.getLogger("tvportal.platform")
SMS_TTL = dt.timedelta(minutes=10)
SMS_TRIES = 5
TICKET_TTL = dt.timedelta(minutes=30)


def _phone_mask(phone: str) -> str:
    """138****1234."""
    return phone[:3] + "****" + phone[-4:]


class Ops:
    """Queries and changes of the embedded platform's tables."""

    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], dt.datetime], confirm_base: str) -> None:
        """Work on ``conn``; ``clock`` gives the city's current time."""
        self.conn = conn
        self.clock = clock
        self.confirm_base = confirm_base

    def _stamp(self) -> str:
        """Now as YYYY-MM-DD HH:MM:SS."""
        return self.clock().strftime("%Y-%m-%d %H:%M:%S")

    def _audit(self, actor: str, person: str, action: str, ref: str) -> None:
        """Record who acted for whom."""
        self.conn.execute("INSERT INTO audit (at, actor_id, person_id, action, ref) VALUES (?, ?, ?, ?, ?)",
                          (self._stamp(), actor, person, action, ref))
        log.info("%s by %s for %s: %s", action, actor, person, ref)

    def _next(self, name: str) -> int:
        """The next number of a counter."""
        self.conn.execute("INSERT INTO counters VALUES (?, 0) ON CONFLICT (name) DO NOTHING", (name,))
        self.conn.execute("UPDATE counters SET value = value + 1 WHERE name = ?", (name,))
        return self.conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0]

    # catalog
    def catalog(self) -> list[Service]:
        """The TV services in id order (b1, h1.., q1..)."""
        rows = self.conn.execute("SELECT data FROM catalog WHERE kind = 'service' ORDER BY id").fetchall()
        return [Service(**json.loads(r["data"])) for r in rows]

    def service(self, service_id: str) -> Service:
        """One service."""
        row = self.conn.execute("SELECT data FROM catalog WHERE kind = 'service' AND id = ?", (service_id,)).fetchone()
        if row is None:
            raise NotFound("no_service", "没有这个服务事项")
        return Service(**json.loads(row["data"]))

    def halls(self) -> list[HallInfo]:
        """Every hall in id order."""
        rows = self.conn.execute("SELECT data FROM catalog WHERE kind = 'hall' ORDER BY id").fetchall()
        return [HallInfo(**json.loads(r["data"])) for r in rows]

    def hall(self, hall_id: str) -> HallInfo:
        """One hall."""
        row = self.conn.execute("SELECT data FROM catalog WHERE kind = 'hall' AND id = ?", (hall_id,)).fetchone()
        if row is None:
            raise NotFound("no_hall", "没有这个大厅")
        return HallInfo(**json.loads(row["data"]))

    # people and identity
    def person(self, person_id: str) -> Person:
        """A person, ID number masked."""
        row = self.conn.execute("SELECT * FROM people WHERE id = ?", (person_id,)).fetchone()
        if row is None:
            raise NotFound("no_person", "没有找到这个人")
        return Person(row["id"], row["name"], idnumber.mask(row["id_number"]), row["county_code"],
                      _phone_mask(row["phone"]), row["birth_year"], str(birth_date(row["id_number"]) or ""))

    def _by_number(self, id_number: str) -> sqlite3.Row:
        """The person row of an ID number (checked first)."""
        problem = idnumber.problem(id_number)
        if problem:
            raise PlatformError("bad_id", problem, "id_number")
        row = self.conn.execute("SELECT * FROM people WHERE id_number = ?", (id_number.strip().upper(),)).fetchone()
        if row is None:
            raise NotFound("no_person", "平台上没有这个身份证号码的登记信息，请到大厅办理", "id_number")
        return row

    def send_sms(self, id_number: str, purpose: str, code: str) -> SmsSent:
        """Store a fresh code for the person's phone (the demo 'sends' it into the log, masked)."""
        row = self._by_number(id_number)
        expires = (self.clock() + SMS_TTL).isoformat(timespec="seconds")
        self.conn.execute("INSERT OR REPLACE INTO sms_codes VALUES (?, ?, ?, ?, 0)",
                          (row["id_number"], purpose, code, expires))
        # the demo SMS gateway: the code goes to the log (no real phone behind the demo people)
        log.info("demo SMS to %s for %s (%s): code %s", _phone_mask(row["phone"]), idnumber.mask(row["id_number"]),
                 purpose, code)
        return SmsSent(_phone_mask(row["phone"]))

    def _check_code(self, id_number: str, purpose: str, code: str) -> None:
        """Accept a matching, unexpired code once; count wrong tries."""
        row = self.conn.execute("SELECT * FROM sms_codes WHERE id_number = ? AND purpose = ?",
                                (id_number, purpose)).fetchone()
        if row is None or row["expires"] < self.clock().isoformat(timespec="seconds"):
            raise PlatformError("code_expired", "验证码已过期，请重新获取", "code")
        if row["tries"] >= SMS_TRIES:
            raise PlatformError("code_locked", "验证码输错次数太多，请重新获取", "code")
        if code.strip() != row["code"]:
            # the wrong try must count even though the caller's transaction will roll back: commit it apart
            self.conn.execute("UPDATE sms_codes SET tries = tries + 1 WHERE id_number = ? AND purpose = ?",
                              (id_number, purpose))
            self.conn.execute("COMMIT")
            self.conn.execute("BEGIN IMMEDIATE")
            raise PlatformError("code_wrong", "验证码不对，请核对短信后重新输入", "code")
        self.conn.execute("DELETE FROM sms_codes WHERE id_number = ? AND purpose = ?", (id_number, purpose))

    def login_sms(self, device_id: str, id_number: str, code: str) -> DeviceLink:
        """Link a device to the person proven by the code."""
        row = self._by_number(id_number)
        self._check_code(row["id_number"], "login", code)
        self._link(device_id, row["id"])
        return self.device(device_id)

    def _link(self, device_id: str, person_id: str) -> None:
        """Make ``person_id`` the device's person; proxies of a previous person end."""
        old = self.conn.execute("SELECT person_id FROM devices WHERE device_id = ?", (device_id,)).fetchone()
        if old is None or old["person_id"] != person_id:
            self.conn.execute("DELETE FROM proxies WHERE device_id = ?", (device_id,))
        self.conn.execute("INSERT OR REPLACE INTO devices VALUES (?, ?, ?)", (device_id, person_id, self._stamp()))
        self._audit(person_id, person_id, "link_device", device_id[:8])

    def device(self, device_id: str) -> DeviceLink:
        """The device's person and the people they act for."""
        row = self.conn.execute("SELECT person_id FROM devices WHERE device_id = ?", (device_id,)).fetchone()
        if row is None:
            return DeviceLink(device_id, None, [])
        elders = self.conn.execute("SELECT person_id FROM proxies WHERE device_id = ? ORDER BY consented",
                                   (device_id,)).fetchall()
        return DeviceLink(device_id, self.person(row["person_id"]), [self.person(e["person_id"]) for e in elders])

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
        self.conn.execute("INSERT OR REPLACE INTO proxies VALUES (?, ?, ?, ?, ?)",
                          (device_id, link.person.id, elder["id"], consent, self._stamp()))
        self._audit(link.person.id, elder["id"], "proxy_consent", consent)
        return self.device(device_id)

    def unlink(self, device_id: str) -> None:
        """Forget the device's people."""
        self.conn.execute("DELETE FROM proxies WHERE device_id = ?", (device_id,))
        self.conn.execute("DELETE FROM devices WHERE device_id = ?", (device_id,))

    def start_qr(self, device_id: str, ticket: str) -> LoginTicket:
        """A new QR login ticket."""
        self.conn.execute("INSERT INTO tickets VALUES (?, ?, 'waiting', '', ?)", (ticket, device_id, self._stamp()))
        return self.ticket(ticket)

    def ticket(self, ticket: str) -> LoginTicket:
        """A ticket's state ('expired' after half an hour)."""
        row = self.conn.execute("SELECT * FROM tickets WHERE ticket = ?", (ticket,)).fetchone()
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
        device_id = self.conn.execute("SELECT device_id FROM tickets WHERE ticket = ?", (ticket,)).fetchone()[0]
        self.conn.execute("UPDATE tickets SET status = 'confirmed', person_id = ? WHERE ticket = ?", (row["id"], ticket))
        self._link(device_id, row["id"])
        return self.ticket(ticket)

    # bookings, applications, records and ratings live in their own modules to keep each one small
    from tvportal.platform.embedded_booking import (  # noqa: E402
        _booking, _slot_of, _take_place, book, bookings, cancel, reschedule, slots)
    from tvportal.platform.embedded_apply import apply, application, applications, records, rate, _check_actor  # noqa: E402
