"""Durable outbox: writes that could not reach the central platform wait here and are delivered later.

Each entry keeps the write's idempotency key, so delivering it again after a crash or a lost
answer still creates the booking or application only once at the platform.  Its reference (``DT``,
the day, then a number from the ``outbox_numbers`` sequence) is short enough to read off a TV and can
never be drawn twice, by one instance or several.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, insert, select, update

from tvportal.platform import services
from tvportal.platform.models import PlatformError
from tvportal.storage import Database, upsert
from tvportal.storage.tables import outbox as outbox_t, outbox_numbers


@dataclass(frozen=True)
class Entry:
    """One waiting (or delivered, or refused) write."""

    reference: str
    op: str
    key: str
    person_id: str
    payload: dict
    status: str  # waiting | delivered | refused
    result: dict | None
    message: str
    created: str
    device_id: str = ""


class Outbox:
    """The outbox table of the portal's database; blocking calls, for worker threads (``asyncio.to_thread``)."""

    def __init__(self, db: Database) -> None:
        """Keep entries in ``db`` (its tables exist: storage/migrate.py)."""
        self.db = db

    def add(self, op: str, key: str, person_id: str, payload: dict) -> Entry:
        """Keep a write for later; the same key twice keeps it once (the first entry is returned)."""
        now = services.now()
        stamp = now.strftime("%Y-%m-%d %H:%M:%S")

        def keep(conn: Connection) -> str:
            """Insert unless the key is there; the reference of the key's entry."""
            known = conn.execute(select(outbox_t.c.reference, outbox_t.c.person_id).where(outbox_t.c.key == key)).first()
            if known is not None:
                if known.person_id != person_id:  # keys are scoped per person: never another person's entry
                    raise PlatformError("key_reused", "这个请求编号已用于别的操作")
                return known.reference
            number = conn.execute(insert(outbox_numbers).values(day=f"{now:%y%m%d}")).inserted_primary_key[0]
            reference = f"DT{now:%y%m%d}{number:06d}"
            upsert(conn, outbox_t, {"reference": reference, "op": op, "key": key, "person_id": person_id,
                                    "payload": json.dumps(payload, ensure_ascii=False), "status": "waiting",
                                    "result": "", "message": "", "tries": 0, "created": stamp, "updated": stamp},
                   ["key"])
            return conn.execute(select(outbox_t.c.reference).where(outbox_t.c.key == key)).scalar_one()

        return self.get(self.db.write_sync(keep))

    def claim(self, reference: str, device_id: str) -> None:
        """Record the TV that queued an entry (the first claim stays): its receipt is shown to that TV only."""
        stmt = update(outbox_t).where(outbox_t.c.reference == reference, outbox_t.c.device_id == "") \
            .values(device_id=device_id)
        self.db.write_sync(lambda conn: conn.execute(stmt))

    def _rows(self, stmt) -> list[Entry]:
        """The entries a query selects."""
        return [_entry(row) for row in self.db.read_sync(lambda conn: list(conn.execute(stmt).mappings()))]

    def get(self, reference: str) -> Entry | None:
        """One entry, or None."""
        found = self._rows(select(outbox_t).where(outbox_t.c.reference == reference))
        return found[0] if found else None

    def waiting(self) -> list[Entry]:
        """Entries still to deliver, oldest first."""
        return self._rows(select(outbox_t).where(outbox_t.c.status == "waiting")
                          .order_by(outbox_t.c.created, outbox_t.c.reference))

    def of_person(self, person_id: str) -> list[Entry]:
        """A person's entries that are not delivered yet or were refused (shown on the TV)."""
        return self._rows(select(outbox_t).where(outbox_t.c.person_id == person_id, outbox_t.c.status != "delivered")
                          .order_by(outbox_t.c.created.desc()))

    def _update(self, reference: str, **values) -> None:
        """Change one entry."""
        stmt = update(outbox_t).where(outbox_t.c.reference == reference).values(tries=outbox_t.c.tries + 1, **values)
        self.db.write_sync(lambda conn: conn.execute(stmt))

    def finish(self, reference: str, status: str, result: dict | None = None, message: str = "") -> None:
        """Mark an entry delivered (with the platform's answer) or refused (with its message)."""
        self._update(reference, status=status, result=json.dumps(result or {}, ensure_ascii=False), message=message,
                     updated=services.now().strftime("%Y-%m-%d %H:%M:%S"))

    def tried(self, reference: str) -> None:
        """Count a failed delivery attempt."""
        self._update(reference)


def _entry(row: RowMapping) -> Entry:
    """A row as an Entry."""
    return Entry(row["reference"], row["op"], row["key"], row["person_id"], json.loads(row["payload"]),
                 row["status"], json.loads(row["result"]) if row["result"] else None, row["message"], row["created"],
                 row["device_id"])
