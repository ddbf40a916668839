"""The embedded platform on its own: ID numbers, capacity under concurrency, idempotency, cut-off, ratings."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from sqlalchemy import func, select

from tests.storage_support import add_people, platform_db, scalar
from tvportal.platform import idnumber, services
from tvportal.platform.embedded import EmbeddedPlatform
from tvportal.platform.models import Conflict, PlatformError
from tvportal.storage.tables import platform_bookings, platform_people, platform_slots


def test_gb11643_check_digit_and_masking():
    """Check digits (incl. X), messages in Chinese, masking of numbers inside text and logs."""
    assert idnumber.is_valid("11010519491231002X")
    assert idnumber.is_valid("341524194503120027")
    assert not idnumber.is_valid("341524194503120028")
    assert idnumber.problem("3415") == "身份证号码是18位，您输入了4位"
    assert idnumber.problem("34152419450312002A") == "身份证号码只能是数字，最后一位可以是X"
    assert idnumber.mask("341524194503120027") == "3415**********0027"
    assert idnumber.mask_text("id=341524194503120027.") == "id=3415**********0027."
    record = logging.LogRecord("x", logging.INFO, "", 0, "person %s", ("11010519491231002X",), None)
    idnumber.MaskingFilter().filter(record)
    assert record.getMessage() == "person 1101**********002X"


@pytest.fixture
def platform(db_url):
    """A fresh embedded platform, on SQLite and on PostgreSQL."""
    db = platform_db(db_url)
    yield EmbeddedPlatform(db)
    db.close()


def _slot_id(hall: str = "LA-01", index: int = 0, day_index: int = 0) -> str:
    """The id of a bookable slot."""
    day = services.working_days(services.now().date())[day_index]
    return f"{hall}.b1.{day:%Y%m%d}.{services.SLOT_TIMES[index][0].replace(':', '')}"


async def _consent_all(p: EmbeddedPlatform, count: int) -> list[str]:
    """``count`` demo-like people (added to the database) who may book."""
    return add_people(p.db, count)


async def test_fifty_clients_for_the_last_three_places(platform):
    """50 people book the last 3 places of a slot at once: exactly 3 bookings, the rest told it is full."""
    people = await _consent_all(platform, 52)
    slot = _slot_id()
    await platform.create_booking(people[50], people[50], slot, "pre-1")
    await platform.create_booking(people[51], people[51], slot, "pre-2")
    assert (await platform.slots("LA-01", "b1", slot.split(".")[2][:4] + "-" + slot.split(".")[2][4:6] + "-"
                                 + slot.split(".")[2][6:]))[0].remaining == 3

    async def one(pid: str):
        """One client's attempt."""
        try:
            return await platform.create_booking(pid, pid, slot, f"k-{pid}")
        except Conflict as exc:
            return exc

    results = await asyncio.gather(*(one(pid) for pid in people[:50]))
    booked = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(booked) == 3 and len(refused) == 47
    assert all(r.code == "slot_full" for r in refused)
    assert len({b.number for b in booked}) == 3
    row = platform.db.read_sync(lambda conn: conn.execute(
        select(platform_slots.c.booked, platform_slots.c.capacity).where(platform_slots.c.id == slot)).one())
    assert tuple(row) == (5, 5)
    count = select(func.count()).select_from(platform_bookings).where(platform_bookings.c.slot_id == slot,
                                                                      platform_bookings.c.status == "booked")
    assert platform.db.read_sync(lambda conn: conn.execute(count).scalar()) == 5


async def test_idempotency_and_no_double_booking(platform):
    """The same key gives the same booking; a second booking the same day is refused; a reused key for another op too."""
    first = await platform.create_booking("P1", "P1", _slot_id(index=0), "same-key")
    again = await platform.create_booking("P1", "P1", _slot_id(index=0), "same-key")
    assert first == again
    with pytest.raises(Conflict) as exc:
        await platform.create_booking("P1", "P1", _slot_id(index=1), "other-key")
    assert exc.value.code == "already_booked"
    with pytest.raises(PlatformError):
        await platform.submit_application("P1", "P1", "h5", {"reason": "lost", "kind": "temporary"}, "same-key")


async def test_cancel_cut_off_and_reschedule_frees_the_old_place(platform):
    """Cancel/move up to 2 hours before the start; moving frees the old place only once the new one is taken."""
    now = [services.now()]
    p = EmbeddedPlatform(platform.db, clock=lambda: now[0])
    old, new = _slot_id(index=0), _slot_id(index=3)
    booking = await p.create_booking("P3", "P3", old, "b")
    moved = await p.reschedule_booking("P3", "P3", booking.number, new, "m")
    assert moved.slot.id == new
    day = moved.slot.day
    remaining = {s.id: s.remaining for s in await p.slots("LA-01", "b1", day)}
    assert remaining[old] == 5 and remaining[new] == 4
    start = dt.datetime.fromisoformat(f"{day}T{moved.slot.start}").replace(tzinfo=services.now().tzinfo)
    now[0] = start - dt.timedelta(minutes=90)
    with pytest.raises(Conflict) as exc:
        await p.cancel_booking("P3", "P3", booking.number, "c1")
    assert exc.value.code == "too_late"
    now[0] = start - dt.timedelta(hours=3)
    cancelled = await p.cancel_booking("P3", "P3", booking.number, "c2")
    assert cancelled.status == "cancelled"
    assert {s.id: s.remaining for s in await p.slots("LA-01", "b1", day)}[new] == 5


async def test_proxy_needs_consent(platform):
    """Acting for someone without their recorded consent is refused."""
    with pytest.raises(PlatformError) as exc:
        await platform.create_booking("P4", "P2", _slot_id(), "k")
    assert exc.value.code == "no_consent"


async def test_ratings_levels_reasons_once(platform):
    """Five levels; the two lowest need a reason; a finished item is rated once; unfinished ones not at all."""
    apps = await platform.applications("P1")
    done = next(a for a in apps if a.status == "finished")
    with pytest.raises(PlatformError) as exc:
        await platform.rate("P1", "P1", "application", done.number, 2, "", "r1")
    assert exc.value.code == "need_reason"
    with pytest.raises(PlatformError):
        await platform.rate("P1", "P1", "application", done.number, 6, "", "r2")
    rating = await platform.rate("P1", "P1", "application", done.number, 5, "", "r3")
    assert rating.level_name == "非常满意"
    with pytest.raises(Conflict):
        await platform.rate("P1", "P1", "application", done.number, 4, "", "r4")
    pending = await platform.submit_application("P1", "P1", "h2", {"account": "social_card", "visit": "home"}, "a1")
    assert pending.status == "submitted" and pending.steps[0].date and not pending.steps[1].date
    with pytest.raises(Conflict):
        await platform.rate("P1", "P1", "application", pending.number, 5, "", "r5")


async def test_records_pension_twelve_months(platform):
    """q1: 12 payments with month, amount and bank."""
    table = await platform.records("P2", "pension")
    assert table.columns == ["月份", "金额", "发放银行"]
    assert len(table.rows) == 12 and all(r[1].endswith("元") and "银行" in r[2] for r in table.rows)


async def test_portal_keeps_the_platform_in_its_own_database(client, settings):
    """The embedded platform's tables live in the portal's database, no file of their own (documented)."""
    resp = await client.get("/booking")
    assert resp.status == 200
    assert sorted(p.name for p in settings.database_path.parent.glob("*.sqlite3")) == ["tvportal.sqlite3"]
    assert scalar(settings, select(func.count()).select_from(platform_people)) == 6  # the demo people


def test_openapi_file_describes_every_route(tmp_path):
    """docs/central-platform.openapi.yaml lists exactly the simulator's /v1 routes and methods."""
    from pathlib import Path

    import yaml

    from tvportal.platform.server import build_api

    spec = yaml.safe_load((Path(__file__).parents[1] / "docs" / "central-platform.openapi.yaml").read_text())
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops
                  if method in ("get", "post", "delete")}
    app = build_api(EmbeddedPlatform(platform_db(tmp_path / "p.sqlite3")), {"a": "s"})
    served = {(r.resource.canonical, r.method) for r in app.router.routes()
              if r.resource.canonical.startswith("/v1/") and r.method != "HEAD"}
    assert documented == served


def test_central_sim_needs_a_secret(tmp_path, capsys, monkeypatch):
    """Without a shared secret the simulator refuses to start, with a clear message."""
    from tvportal.cli import main

    monkeypatch.delenv("TVPORTAL_CENTRAL_SECRET", raising=False)
    assert main(["central-sim", "--database", str(tmp_path / "s.sqlite3")]) == 2
    assert "central_secret" in capsys.readouterr().err
