"""What the portal keeps about sign-in on a TV (tables tv_sessions, tv_remembered, tv_sms_sends in
tvportal/storage/tables.py): sessions, people remembered behind a TV PIN, and the SMS codes asked for
(to limit them). Functions take a Connection and run through ``db.read``/``db.write``; times are epoch
seconds so the limits are plain arithmetic."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from tvportal.platform.models import Person
from tvportal.storage.tables import tv_remembered, tv_sessions, tv_sms_sends

PIN_TRIES = 5
HOUR = 3600.0
_hasher = PasswordHasher()


def digest(text: str) -> str:
    """sha256 hex of a token or an ID number (never stored in the clear)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def person_json(person: Person) -> str:
    """A Person as stored."""
    return json.dumps(asdict(person), ensure_ascii=False)


def person_of(text: str) -> Person:
    """A stored Person."""
    return Person(**json.loads(text))


# sessions
def start_session(conn: sa.Connection, token: str, device_id: str, platform_device: str, person: Person,
                  now: float, idle_s: float) -> None:
    """A new sign-in; sessions idle for longer than ``idle_s`` (browsers closed long ago) go on the way."""
    conn.execute(tv_sessions.delete().where(tv_sessions.c.last_seen < now - idle_s))
    conn.execute(tv_sessions.insert().values(token_hash=digest(token), device_id=device_id,
                                             platform_device=platform_device, person_id=person.id,
                                             person=person_json(person), acting_for="", started=now, last_seen=now))


def session(conn: sa.Connection, token: str, device_id: str, idle_s: float, now: float) -> dict[str, Any] | None:
    """The live session of a token on this TV (touched now), or None; an idle one is ended."""
    row = conn.execute(tv_sessions.select().where(tv_sessions.c.token_hash == digest(token))).mappings().first()
    if row is None or row["device_id"] != device_id:
        return None
    if now - row["last_seen"] > idle_s:
        conn.execute(tv_sessions.delete().where(tv_sessions.c.token_hash == row["token_hash"]))
        return None
    conn.execute(tv_sessions.update().where(tv_sessions.c.token_hash == row["token_hash"]).values(last_seen=now))
    return dict(row)


def set_acting_for(conn: sa.Connection, token: str, person_id: str) -> None:
    """For whom this session acts now (帮家人办); "" is oneself."""
    conn.execute(tv_sessions.update().where(tv_sessions.c.token_hash == digest(token)).values(acting_for=person_id))


def end_session(conn: sa.Connection, token: str) -> dict[str, Any] | None:
    """Sign out: the session is deleted; its row is returned (None when there was none)."""
    row = conn.execute(tv_sessions.select().where(tv_sessions.c.token_hash == digest(token))).mappings().first()
    conn.execute(tv_sessions.delete().where(tv_sessions.c.token_hash == digest(token)))
    return dict(row) if row else None


# remembered people
def forget_stale(conn: sa.Connection, device_id: str, max_age_s: float, now: float) -> list[str]:
    """Forget people not used for ``max_age_s`` on this TV; their platform links, to be unlinked."""
    stale = tv_remembered.c.last_used < now - max_age_s
    rows = conn.execute(sa.select(tv_remembered.c.platform_device).where(
        tv_remembered.c.device_id == device_id, stale)).scalars().all()
    conn.execute(tv_remembered.delete().where(tv_remembered.c.device_id == device_id, stale))
    return list(rows)


def remembered(conn: sa.Connection, device_id: str) -> list[dict[str, Any]]:
    """The people remembered on this TV, longest-remembered first (their number keys stay put)."""
    rows = conn.execute(tv_remembered.select().where(tv_remembered.c.device_id == device_id)
                        .order_by(tv_remembered.c.created, tv_remembered.c.person_id)).mappings().all()
    return [dict(r) for r in rows]


def one_remembered(conn: sa.Connection, device_id: str, person_id: str) -> dict[str, Any] | None:
    """One remembered person of this TV."""
    row = conn.execute(tv_remembered.select().where(tv_remembered.c.device_id == device_id,
                                                    tv_remembered.c.person_id == person_id)).mappings().first()
    return dict(row) if row else None


def remember(conn: sa.Connection, device_id: str, platform_device: str, person: Person, pin: str,
             now: float) -> None:
    """Remember a person on this TV behind a PIN (a new PIN also clears a lock of 5 wrong ones)."""
    conn.execute(tv_remembered.delete().where(tv_remembered.c.device_id == device_id,
                                              tv_remembered.c.person_id == person.id))
    conn.execute(tv_remembered.insert().values(device_id=device_id, person_id=person.id,
                                               platform_device=platform_device, person=person_json(person),
                                               pin_hash=_hasher.hash(pin), failed_pins=0, created=now,
                                               last_used=now))


def forget(conn: sa.Connection, device_id: str, person_id: str) -> str | None:
    """Forget a person on this TV; their platform link (to unlink), or None when not remembered."""
    row = one_remembered(conn, device_id, person_id)
    conn.execute(tv_remembered.delete().where(tv_remembered.c.device_id == device_id,
                                              tv_remembered.c.person_id == person_id))
    return row["platform_device"] if row else None


def check_pin(conn: sa.Connection, device_id: str, person_id: str, pin: str, now: float) -> tuple[str, int]:
    """("ok" | "wrong" | "locked" | "unknown", tries left). Wrong tries count; the 5th locks the PIN."""
    row = one_remembered(conn, device_id, person_id)
    if row is None:
        return "unknown", 0
    if row["failed_pins"] >= PIN_TRIES:
        return "locked", 0
    where = (tv_remembered.c.device_id == device_id, tv_remembered.c.person_id == person_id)
    try:
        _hasher.verify(row["pin_hash"], pin)
    except (VerifyMismatchError, InvalidHashError):
        failed = row["failed_pins"] + 1
        conn.execute(tv_remembered.update().where(*where).values(failed_pins=failed))
        return ("locked" if failed >= PIN_TRIES else "wrong"), PIN_TRIES - failed
    conn.execute(tv_remembered.update().where(*where).values(failed_pins=0, last_used=now))
    return "ok", PIN_TRIES


# SMS limits
def sms_allowed(conn: sa.Connection, id_number: str, purpose: str, device_id: str, per_id: int, per_tv: int,
                resend_s: float, now: float) -> float:
    """0 when a code may be sent now, else the epoch second from which it may (the hourly caps count every
    purpose; the wait before 重新获取 only codes of this one)."""
    since = now - HOUR

    def times(cond) -> list[float]:
        return sorted(conn.execute(sa.select(tv_sms_sends.c.sent_at).where(cond, tv_sms_sends.c.sent_at > since))
                      .scalars().all())

    by_id = times(tv_sms_sends.c.id_hash == digest(id_number))
    by_tv = times(tv_sms_sends.c.device_id == device_id)
    waits = [0.0]
    if len(by_id) >= per_id:
        waits.append(by_id[len(by_id) - per_id] + HOUR)
    if len(by_tv) >= per_tv:
        waits.append(by_tv[len(by_tv) - per_tv] + HOUR)
    last = last_sms(conn, id_number, purpose) if resend_s else 0
    if last:
        waits.append(last + resend_s)
    at = max(waits)
    return at if at > now else 0.0


def sms_sent(conn: sa.Connection, id_number: str, purpose: str, device_id: str, now: float) -> None:
    """Count one code sent (rows older than a day are dropped on the way)."""
    conn.execute(tv_sms_sends.delete().where(tv_sms_sends.c.sent_at < now - 24 * HOUR))
    conn.execute(tv_sms_sends.insert().values(id_hash=digest(id_number), device_id=device_id, purpose=purpose,
                                              sent_at=now))


def last_sms(conn: sa.Connection, id_number: str, purpose: str) -> float:
    """When the last code of this purpose for this ID number was sent (0 if never in the last day)."""
    value = conn.execute(sa.select(sa.func.max(tv_sms_sends.c.sent_at))
                         .where(tv_sms_sends.c.id_hash == digest(id_number),
                                tv_sms_sends.c.purpose == purpose)).scalar()
    return float(value or 0)


def clock() -> float:
    """Now, in epoch seconds."""
    return time.time()
