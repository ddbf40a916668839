"""Booking operations of the embedded platform (methods of ``Ops``; ``self`` is an Ops)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from tvportal.platform import services
from tvportal.platform.models import Booking, Conflict, NotFound, PlatformError, Slot
from tvportal.storage import upsert
from tvportal.storage.tables import platform_bookings as bookings_t, platform_people, platform_slots as slots_t

_SLOT_ID = re.compile(r"^(?P<hall>[A-Za-z0-9-]+)\.(?P<service>[a-z][0-9]+)\.(?P<day>[0-9]{8})\.(?P<hhmm>[0-9]{4})$")


def _slot_of(self, slot_id: str, for_booking: bool = True) -> Slot:
    """The slot an id names, checked: the hall offers the service, the day is bookable, the time exists."""
    m = _SLOT_ID.match(slot_id)
    if m is None:
        raise NotFound("no_slot", "没有这个时段")
    service = self.service(m["service"])
    if service.kind != "booking" or m["hall"] not in service.hall_ids:
        raise NotFound("no_slot", "这个大厅不能预约这项服务")
    day = dt.datetime.strptime(m["day"], "%Y%m%d").date()
    start = f"{m['hhmm'][:2]}:{m['hhmm'][2:]}"
    times = dict(services.SLOT_TIMES)
    if start not in times:
        raise NotFound("no_slot", "没有这个时段")
    if for_booking and day not in services.working_days(self.clock().date()):
        raise PlatformError("day_closed", "这一天不能预约，请选择列出的日期", "day")
    row = self.one(select(slots_t.c.capacity, slots_t.c.booked).where(slots_t.c.id == slot_id))
    capacity, booked = (row["capacity"], row["booked"]) if row else (services.SLOT_CAPACITY, 0)
    return Slot(slot_id, m["hall"], m["service"], day.isoformat(), start, times[start], capacity, capacity - booked)


def slots(self, hall_id: str, service_id: str, day: str) -> list[Slot]:
    """The six slots of a day with places left (slot rows exist only once someone books)."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise PlatformError("bad_day", "日期格式不对", "day") from None
    return [self._slot_of(f"{hall_id}.{service_id}.{date:%Y%m%d}.{start.replace(':', '')}", for_booking=False)
            for start, _end in services.SLOT_TIMES]


def _lock_person(self, person_id: str) -> None:
    """Make one person's booking changes wait for each other (PostgreSQL: a row lock until the transaction
    ends; SQLite's write transactions are one at a time anyway), so two bookings of one person for the
    same day cannot both pass the check below."""
    self.conn.execute(select(platform_people.c.id).where(platform_people.c.id == person_id).with_for_update())


def _take_place(self, slot: Slot, person_id: str) -> None:
    """Take one place of a slot, or raise Conflict when it is full or the person already holds one.

    The conditional UPDATE is the capacity check: under concurrent bookings PostgreSQL makes each
    UPDATE of the row wait for the one before and re-checks ``booked < capacity`` on the new value.
    """
    upsert(self.conn, slots_t, {"id": slot.id, "hall_id": slot.hall_id, "service_id": slot.service_id,
                                "day": slot.day, "start": slot.start, "end": slot.end, "capacity": slot.capacity,
                                "booked": 0}, ["id"])
    taken = self.conn.execute(update(slots_t).where(slots_t.c.id == slot.id, slots_t.c.booked < slots_t.c.capacity)
                              .values(booked=slots_t.c.booked + 1)).rowcount
    if not taken:
        raise Conflict("slot_full", "这个时段已经约满了，请选别的时段", "slot")
    same_day = self.conn.execute(
        select(bookings_t.c.number).join(slots_t, slots_t.c.id == bookings_t.c.slot_id)
        .where(bookings_t.c.person_id == person_id, bookings_t.c.status == "booked",
               slots_t.c.service_id == slot.service_id, slots_t.c.day == slot.day)).scalar()
    if same_day:
        raise Conflict("already_booked", f"这一天已经有预约了（预约号 {same_day}），不用重复预约", "slot")


def book(self, actor_id: str, person_id: str, slot_id: str) -> Booking:
    """Book one place (the caller's transaction makes the check and the insert one step)."""
    self._check_actor(actor_id, person_id)
    slot = self._slot_of(slot_id)
    self._lock_person(person_id)
    self._take_place(slot, person_id)
    number = f"YY{dt.date.fromisoformat(slot.day):%y%m%d}{self._next('booking'):04d}"
    stamp = self._stamp()
    try:
        self.conn.execute(insert(bookings_t).values(number=number, slot_id=slot_id, person_id=person_id,
                                                    actor_id=actor_id, status="booked", created=stamp, updated=stamp,
                                                    rated=0))
    except IntegrityError:
        raise Conflict("already_booked", "您已经预约了这个时段", "slot") from None
    self._audit(actor_id, person_id, "book", number)
    return self._booking(number)


def _own_booking(self, actor_id: str, person_id: str, number: str) -> Booking:
    """A booked (not cancelled, not past the cut-off) booking of the person."""
    self._check_actor(actor_id, person_id)
    booking = self._booking(number)
    if booking.person_id != person_id:
        raise NotFound("no_booking", "没有找到这个预约")
    if booking.status != "booked":
        raise Conflict("not_active", "这个预约已经取消或已经办完了")
    start = dt.datetime.fromisoformat(f"{booking.slot.day}T{booking.slot.start}").replace(tzinfo=self.clock().tzinfo)
    if self.clock() > start - services.CANCEL_CUTOFF:
        raise Conflict("too_late", "离预约时间不到2小时，不能再取消或改约。不能去的话请打大厅电话说明")
    return booking


def cancel(self, actor_id: str, person_id: str, number: str) -> Booking:
    """Cancel before the cut-off and free the place."""
    booking = _own_booking(self, actor_id, person_id, number)
    self.conn.execute(update(bookings_t).where(bookings_t.c.number == number)
                      .values(status="cancelled", updated=self._stamp()))
    self.conn.execute(update(slots_t).where(slots_t.c.id == booking.slot.id).values(booked=slots_t.c.booked - 1))
    self._audit(actor_id, person_id, "cancel", number)
    return self._booking(number)


def reschedule(self, actor_id: str, person_id: str, number: str, slot_id: str) -> Booking:
    """Move a booking: take the new place first, then free the old one (one transaction)."""
    self._lock_person(person_id)
    booking = _own_booking(self, actor_id, person_id, number)
    slot = self._slot_of(slot_id)
    if slot.id == booking.slot.id:
        raise Conflict("same_slot", "这就是您原来的时段", "slot")
    mine = bookings_t.c.number == number
    self.conn.execute(update(bookings_t).where(mine).values(status="moving"))
    self._take_place(slot, person_id)
    self.conn.execute(update(slots_t).where(slots_t.c.id == booking.slot.id).values(booked=slots_t.c.booked - 1))
    self.conn.execute(update(bookings_t).where(mine).values(status="booked", slot_id=slot.id, updated=self._stamp()))
    self._audit(actor_id, person_id, "reschedule", f"{number} -> {slot.id}")
    return self._booking(number)


def _booking(self, number: str) -> Booking:
    """One booking with its slot, hall and service names."""
    row = self.one(select(bookings_t).where(bookings_t.c.number == number))
    if row is None:
        raise NotFound("no_booking", "没有找到这个预约")
    slot = self._slot_of(row["slot_id"], for_booking=False)
    person = self.person(row["person_id"])
    return Booking(row["number"], slot, self.hall(slot.hall_id).name, self.service(slot.service_id).short_name,
                   row["person_id"], person.name, row["actor_id"], row["status"], row["created"], bool(row["rated"]))


def bookings(self, person_id: str) -> list[Booking]:
    """A person's bookings, soonest visit first for active ones, then the rest newest first."""
    numbers = self.conn.execute(select(bookings_t.c.number).where(bookings_t.c.person_id == person_id)).scalars()
    found = [self._booking(number) for number in numbers.all()]
    active = sorted((b for b in found if b.status == "booked"), key=lambda b: (b.slot.day, b.slot.start))
    rest = sorted((b for b in found if b.status != "booked"), key=lambda b: b.created, reverse=True)
    return active + rest
