"""Booking write throughput of the embedded platform on SQLite and on PostgreSQL, in the same run.

Each booking is one write transaction of the storage layer (idempotency record, slot row upsert,
conditional capacity UPDATE, person row lock, counter, booking, audit) called through
``EmbeddedPlatform.create_booking`` exactly as the TV flow calls it.  Every person books a different
slot, so nothing is refused; concurrency is the number of bookings in flight at once (the
Database's pool is as large).  PostgreSQL runs on a throw-away server from Debian's binaries
(tests/postgres.py: initdb, Unix socket, fsync on for a fair comparison with SQLite's WAL).

Figures are bookings per second; the PostgreSQL/SQLite ratio at each concurrency is the comparison.
No target: this is for sizing (docs/deployment.md), printed as information.

Run from the repository root: ``python benchmarks/storage_bench.py [--bookings 600]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _portal import Row, print_table  # noqa: E402

CONCURRENCY = (1, 8, 32)


async def bookings_per_second(url: str, count: int, concurrency: int) -> float:
    """Book ``count`` different slots, ``concurrency`` at a time, on a fresh database at ``url``."""
    from tests.storage_support import add_people, platform_db
    from tvportal.platform import services
    from tvportal.platform.embedded import EmbeddedPlatform
    from tvportal.storage import Database

    platform_db(url).close()
    db = Database(url, pool_size=concurrency)
    people = add_people(db, count)
    platform = EmbeddedPlatform(db)
    halls = next(s.hall_ids for s in await platform.catalog() if s.id == "b1")
    days = services.working_days(services.now().date())
    slots = [f"{hall}.b1.{day:%Y%m%d}.{start.replace(':', '')}"
             for day in days for hall in halls for start, _end in services.SLOT_TIMES]
    # one person per day: person i books on day i % len(days), slots spread so no slot is ever full
    plan = [(pid, slots[(i % len(days)) * len(halls) * 6 + (i // len(days)) % (len(halls) * 6)])
            for i, pid in enumerate(people)]
    gate = asyncio.Semaphore(concurrency)

    async def one(pid: str, slot: str) -> None:
        """One booking."""
        async with gate:
            await platform.create_booking(pid, pid, slot, f"bench-{pid}")

    start = time.perf_counter()
    await asyncio.gather(*(one(pid, slot) for pid, slot in plan))
    elapsed = time.perf_counter() - start
    db.close()
    return count / elapsed


async def main_async(count: int) -> list[Row]:
    """Every backend at every concurrency, alternating, with fresh databases."""
    from tests import postgres

    server = postgres.start(durable=True)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n, concurrency in enumerate(CONCURRENCY):
                sqlite_rate = await bookings_per_second(f"sqlite:///{Path(tmp) / f'b{n}.sqlite3'}", count,
                                                        concurrency)
                pg_rate = await bookings_per_second(server.new_database(), count, concurrency)
                rows += [Row(f"SQLite, {concurrency} at once", f"{sqlite_rate:.0f} bookings/s"),
                         Row(f"PostgreSQL, {concurrency} at once", f"{pg_rate:.0f} bookings/s"),
                         Row(f"PostgreSQL / SQLite, {concurrency} at once", f"{pg_rate / sqlite_rate:.2f}x")]
    finally:
        server.stop()
    return rows


def main() -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=600, help="bookings per measurement (default 600)")
    args = parser.parse_args()
    print_table("Booking writes: SQLite against PostgreSQL (same run)", asyncio.run(main_async(args.bookings)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
