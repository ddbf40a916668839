"""The city's clock: the one definition of "now" and "today" for every page, the page cache and the flows.

The server may run on UTC (most do) while the city lives on Beijing time: between 16:00 and 24:00 UTC the
server's own date is yesterday's in the city.  Everything that says "today" asks a CityClock instead of
``datetime.date.today()``.  Each app holds one (``app[CLOCK]``, from the ``timezone`` setting); code that
has no app at hand (the embedded platform's services) uses the process default, which ``create_app`` sets
to the same zone.  Tests inject ``utc_now`` to stand anywhere in time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"


def system_utc_now() -> dt.datetime:
    """The machine's time, as an aware UTC datetime."""
    return dt.datetime.now(dt.timezone.utc)


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name`` (ValueError with a readable message when it does not exist)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (expected a name like Asia/Shanghai)") from None


class CityClock:
    """Now and today in the city's time zone."""

    def __init__(self, timezone: str = DEFAULT_TIMEZONE, utc_now: Callable[[], dt.datetime] = system_utc_now) -> None:
        """A clock of ``timezone`` reading the time from ``utc_now`` (the machine's clock by default)."""
        self.tz = zone(timezone)
        self._utc_now = utc_now

    def now(self) -> dt.datetime:
        """The current time in the city (aware)."""
        return self._utc_now().astimezone(self.tz)

    def today(self) -> dt.date:
        """The city's date."""
        return self.now().date()


_default = CityClock()


def use_timezone(name: str) -> None:
    """Make ``name`` the process default (one process serves one city)."""
    global _default
    _default = CityClock(name)


def city_now() -> dt.datetime:
    """Now in the city, from the process default clock."""
    return _default.now()


def city_tz() -> ZoneInfo:
    """The city's time zone (process default)."""
    return _default.tz
