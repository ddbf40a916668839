"""The central platform's last answers that the portal may use while the platform is unreachable: the
catalog and halls (so a TV can still find its way to a form), and which people a TV's sign-in stands for
(so that what a citizen confirms can still be queued in the outbox).

Two memories of their own, so that no number of set-top boxes can push the catalog out, and behind them
the ``central_last_known`` table, so that a restart during an outage keeps them too.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, delete, select

from tvportal.platform.models import DeviceLink, from_json, to_json
from tvportal.storage import Database, upsert
from tvportal.storage.tables import central_last_known as known_t

V = TypeVar("V")
MAX_DEVICES = 50_000


@dataclass
class Cached(Generic[V]):
    """A remembered answer with the time it was fetched (monotonic, for freshness in this process)."""

    value: V
    fetched: float = field(default_factory=time.monotonic)


class Bounded(Generic[V]):
    """A least-recently-used map of at most ``limit`` entries."""

    def __init__(self, limit: int) -> None:
        """Hold up to ``limit`` entries."""
        self.limit = limit
        self._items: OrderedDict[str, Cached[V]] = OrderedDict()

    def __len__(self) -> int:
        """How many entries are held."""
        return len(self._items)

    def get(self, key: str) -> Cached[V] | None:
        """An entry (now the most recently used), or None."""
        hit = self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
        return hit

    def put(self, key: str, value: V) -> None:
        """Remember a value; the least recently used goes when full."""
        self._items[key] = Cached(value)
        self._items.move_to_end(key)
        while len(self._items) > self.limit:
            self._items.popitem(last=False)

    def pop(self, key: str) -> None:
        """Forget one entry."""
        self._items.pop(key, None)

    def clear(self) -> None:
        """Forget every entry."""
        self._items.clear()


class LastKnown:
    """The catalog's and the devices' last answers, in memory and in the database."""

    def __init__(self, db: Database | None) -> None:
        """Keep copies in ``db`` (None: memory only)."""
        self.db = db
        self.catalog: dict[str, Cached[Any]] = {}  # a handful of paths: never evicted
        self.devices: Bounded[DeviceLink] = Bounded(MAX_DEVICES)
        self._stored: dict[str, str] = {}  # device -> the JSON last written, to write only changes

    async def _store(self, kind: str, key: str, data: str) -> None:
        """Write one answer through to the database."""
        if self.db is not None:
            row = {"kind": kind, "key": key, "data": data, "fetched_at": time.time()}
            await self.db.write(lambda conn: upsert(conn, known_t, row, ["kind", "key"], ["data", "fetched_at"]))

    async def _load(self, kind: str, key: str) -> Any | None:
        """One stored answer as JSON values, or None."""
        if self.db is None:
            return None

        def read(conn: Connection) -> str | None:
            """The row's data."""
            return conn.execute(select(known_t.c.data).where(known_t.c.kind == kind, known_t.c.key == key)).scalar()

        data = await self.db.read(read)
        return json.loads(data) if data else None

    # the catalog: lists of one type per path
    def fresh_list(self, path: str, ttl: float) -> list | None:
        """The list of ``path`` when fetched less than ``ttl`` seconds ago."""
        hit = self.catalog.get(path)
        return hit.value if hit is not None and time.monotonic() - hit.fetched < ttl else None

    async def remember_list(self, path: str, value: list) -> None:
        """A list just fetched."""
        self.catalog[path] = Cached(value)
        await self._store("catalog", path, json.dumps(to_json(value), ensure_ascii=False))

    async def stale_list(self, cls: type, path: str) -> list | None:
        """The last list of ``path`` however old (from the database after a restart), or None."""
        hit = self.catalog.get(path)
        if hit is not None:
            return hit.value
        data = await self._load("catalog", path)
        if data is None:
            return None
        value = [from_json(cls, v) for v in data]
        self.catalog[path] = Cached(value, fetched=float("-inf"))  # stale: the next call asks again
        return value

    # devices: who a TV's sign-in stands for
    async def remember_device(self, device_id: str, link: DeviceLink) -> None:
        """A device's link just fetched (written through only when it changed)."""
        self.devices.put(device_id, link)
        data = json.dumps(to_json(link), ensure_ascii=False, sort_keys=True)
        if self._stored.get(device_id) != data:
            await self._store("device", device_id, data)
            self._stored[device_id] = data
            if len(self._stored) > MAX_DEVICES:
                self._stored.pop(next(iter(self._stored)))

    async def device(self, device_id: str) -> DeviceLink | None:
        """A device's last link (from the database after a restart), or None."""
        hit = self.devices.get(device_id)
        if hit is not None:
            return hit.value
        data = await self._load("device", device_id)
        return from_json(DeviceLink, data) if data is not None else None

    async def forget_device(self, device_id: str) -> None:
        """A device unlinked: its last link must not be used any more."""
        self.devices.pop(device_id)
        self._stored.pop(device_id, None)
        await self._delete(known_t.c.key == device_id)

    async def forget_devices(self) -> None:
        """A consent withdrawn: no device's last link may keep it."""
        self.devices.clear()
        self._stored.clear()
        await self._delete(None)

    async def _delete(self, where) -> None:
        """Delete stored device links (all, or those ``where`` picks)."""
        if self.db is None:
            return
        stmt = delete(known_t).where(known_t.c.kind == "device")
        stmt = stmt.where(where) if where is not None else stmt
        await self.db.write(lambda conn: conn.execute(stmt))
