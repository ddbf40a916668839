"""Typed requests and results of the central platform, shared by both implementations.

Every result is a frozen dataclass that turns into JSON (``to_json``) and back (``from_json``);
the HTTP API sends exactly these shapes (docs/central-platform.openapi.yaml).
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

RATING_LEVELS: tuple[tuple[int, str], ...] = (
    (5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"))
# the two lowest levels are 差评 and need a reason from this short list (GB/T 39734 差评分类, simplified)
BAD_RATING_REASONS: tuple[tuple[str, str], ...] = (
    ("slow", "办得太慢"), ("attitude", "服务态度不好"), ("unclear", "说明看不懂"),
    ("many_trips", "跑了好几趟"), ("other", "其他原因"))


class PlatformError(Exception):
    """The central platform refused a request; ``message`` is Chinese and fit for the screen."""

    status = 400

    def __init__(self, code: str, message: str, field_name: str = "") -> None:
        """Keep a machine code, a Chinese message and the form field it concerns."""
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field_name


class NotFound(PlatformError):
    """No such person, slot, booking or application."""

    status = 404


class Conflict(PlatformError):
    """The request clashes with the current state: slot full, already booked, too late to cancel."""

    status = 409


class Unavailable(Exception):
    """The central platform could not be reached or answered with a server error."""


class Queued(Exception):
    """A write was kept in the outbox for later delivery; ``reference`` is what the citizen is told."""

    def __init__(self, reference: str) -> None:
        """Carry the outbox reference."""
        super().__init__(reference)
        self.reference = reference


@dataclass(frozen=True)
class Service:
    """One TV service of the catalog (b1, h1-h7, q1-q5)."""

    id: str
    name: str
    short_name: str
    kind: str
    hall_ids: list[str]


@dataclass(frozen=True)
class HallInfo:
    """A hall as the platform knows it."""

    id: str
    name: str
    level: str
    county_code: str
    county: str
    town: str
    services: list[str]


@dataclass(frozen=True)
class Person:
    """A citizen, as far as the TV may show: the ID number only masked."""

    id: str
    name: str
    id_masked: str
    county_code: str
    phone_masked: str
    birth_year: int
    birth_date: str = ""  # YYYY-MM-DD from the ID number: eligibility by age (高龄津贴 80+) is judged on it


@dataclass(frozen=True)
class LoginTicket:
    """A QR login in progress: the TV shows ``confirm_url`` as a QR code."""

    ticket: str
    confirm_url: str
    status: str  # waiting | confirmed | expired
    person_id: str = ""


@dataclass(frozen=True)
class SmsSent:
    """An SMS code was sent; the TV says where to."""

    phone_masked: str


@dataclass(frozen=True)
class DeviceLink:
    """Who uses this TV: the device's own person and the people they may act for (帮家人办)."""

    device_id: str
    person: Person | None
    acts_for: list[Person] = field(default_factory=list)


@dataclass(frozen=True)
class Slot:
    """A time slot of one hall and service on one day, with the places left."""

    id: str
    hall_id: str
    service_id: str
    day: str  # YYYY-MM-DD, Asia/Shanghai
    start: str  # HH:MM
    end: str
    capacity: int
    remaining: int


@dataclass(frozen=True)
class Booking:
    """A booked visit; ``status`` is booked, cancelled or finished."""

    number: str
    slot: Slot
    hall_name: str
    service_name: str
    person_id: str
    person_name: str
    actor_id: str
    status: str
    created: str
    rated: bool = False


@dataclass(frozen=True)
class Step:
    """One step of an application's progress."""

    name: str
    date: str  # YYYY-MM-DD HH:MM, or "" when still to come
    note: str = ""


@dataclass(frozen=True)
class Application:
    """An application (办件) with its progress."""

    number: str
    service_id: str
    service_name: str
    person_id: str
    person_name: str
    actor_id: str
    status: str  # submitted | accepted | finished
    submitted: str
    promise_date: str
    fields: dict[str, str]
    steps: list[Step]
    rated: bool = False


@dataclass(frozen=True)
class RecordTable:
    """A personal record as a table the TV pages: title, column names, rows, summary lines."""

    kind: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    summary: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rating:
    """A 好差评 rating of one booking or application."""

    number: str
    target_type: str  # booking | application
    target_number: str
    level: int
    level_name: str
    reason: str
    person_id: str
    actor_id: str
    created: str


def to_json(value: Any) -> Any:
    """A dataclass (or list of them) as plain JSON values."""
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def from_json(cls: type[T], data: Any) -> T:
    """Build a dataclass (nested ones included) from JSON values."""
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        kwargs[f.name] = _convert(hints[f.name], data[f.name])
    return cls(**kwargs)


def _convert(hint: Any, value: Any) -> Any:
    """Convert one JSON value to the type a field declares."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is list and args and dataclasses.is_dataclass(args[0]):
        return [from_json(args[0], v) for v in value]
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        inner = [a for a in args if a is not type(None)]
        if inner and dataclasses.is_dataclass(inner[0]):
            return from_json(inner[0], value)
        return value
    if dataclasses.is_dataclass(hint):
        return from_json(hint, value)
    return value
