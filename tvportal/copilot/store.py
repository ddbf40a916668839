"""Help sessions in the database: codes (kept as sha256), the one helper, consent, what the TV shows, the next
command for the TV, and the audit of who did what for whom.  Pure functions of a connection, like
flows/signin_store.py, so they run in one transaction each on SQLite and PostgreSQL alike."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

import sqlalchemy as sa

from tvportal.i18n import gettext as _

from tvportal.storage.tables import copilot_attempts, copilot_audit, copilot_sessions as cs

LIVE = ("open", "claimed", "signed", "active")
GUESS_WINDOW = 600  # seconds over which wrong codes of one address are counted


def digest(text: str) -> str:
    """What the table keeps of a code or token."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def audit(conn: sa.Connection, row: dict[str, Any], action: str, detail: str, now: float) -> None:
    """One line of who did what for whom (never changed afterwards)."""
    conn.execute(copilot_audit.insert().values(at=now, session=row["id"], helper_id=row["helper_id"],
                                               elder_id=row["elder_id"], device=row["device"], action=action,
                                               detail=detail[:500]))


def _row(conn: sa.Connection, cond) -> dict[str, Any] | None:
    found = conn.execute(sa.select(cs).where(cond)).mappings().first()
    return dict(found) if found else None


def _end(conn: sa.Connection, row: dict[str, Any], why: str, now: float) -> None:
    conn.execute(sa.update(cs).where(cs.c.id == row["id"]).values(
        status="ended", ended=why, command="", version=cs.c.version + 1))
    audit(conn, row, "end", why, now)
    row.update(status="ended", ended=why)


def expire(conn: sa.Connection, row: dict[str, Any] | None, idle_s: float, now: float) -> dict[str, Any] | None:
    """The row with its time limits applied: an unused code past its end, or a help idle too long, ends."""
    if row is None or row["status"] not in LIVE:
        return row
    if row["status"] in ("open", "claimed", "signed") and now > row["expires"]:
        _end(conn, row, "expired", now)
    elif row["status"] == "active" and now - row["last_activity"] > idle_s:
        _end(conn, row, "idle", now)
    return row


def open_session(conn: sa.Connection, device: str, return_to: str, minutes: int, now: float) -> tuple[str, str, str]:
    """A new code for a TV (any earlier unfinished one of the TV ends): (session id, code, token).
    The code is unique among the codes still valid, so a code typed names one TV."""
    for old in conn.execute(sa.select(cs).where(cs.c.device == device, cs.c.status.in_(LIVE))).mappings():
        _end(conn, dict(old), "replaced", now)
    while True:
        code = f"{secrets.randbelow(10 ** 6):06d}"
        taken = conn.execute(sa.select(sa.func.count()).select_from(cs).where(
            cs.c.code_hash == digest(code), cs.c.expires > now)).scalar()
        if not taken:
            break
    sid, token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    row = {"id": sid, "device": device, "code_hash": digest(code), "token_hash": digest(token), "phone_hash": "",
           "status": "open", "helper_id": "", "helper_name": "", "elder_id": "", "share": 0, "created": now,
           "expires": now + minutes * 60, "last_activity": now, "return_to": return_to, "screen": "",
           "version": 1, "command": "", "command_seq": 0, "ended": ""}
    conn.execute(cs.insert().values(**row))
    audit(conn, row, "code", "", now)
    return sid, code, token


def of_device(conn: sa.Connection, device: str, sid: str, idle_s: float, now: float) -> dict[str, Any] | None:
    """The TV's session ``sid`` (time limits applied), or None when it is not this TV's."""
    return expire(conn, _row(conn, (cs.c.id == sid) & (cs.c.device == device)), idle_s, now)


def of_phone(conn: sa.Connection, phone: str, idle_s: float, now: float) -> dict[str, Any] | None:
    """The session the phone's cookie belongs to (time limits applied)."""
    if not phone:
        return None
    found = conn.execute(sa.select(cs).where(cs.c.phone_hash == digest(phone)).order_by(cs.c.created.desc())
                         ).mappings().first()
    return expire(conn, dict(found) if found else None, idle_s, now)


def guesses_left(conn: sa.Connection, address: str, tries: int, now: float) -> int:
    """How many more wrong codes this address may type now."""
    conn.execute(sa.delete(copilot_attempts).where(copilot_attempts.c.at < now - GUESS_WINDOW))
    used = conn.execute(sa.select(sa.func.count()).select_from(copilot_attempts).where(
        copilot_attempts.c.address == address)).scalar()
    return max(0, tries - used)


def claim(conn: sa.Connection, *, code: str = "", token: str = "", phone: str, address: str, idle_s: float,
          now: float) -> tuple[str, dict[str, Any] | None]:
    """A phone takes a code (typed) or token (scanned): ("ok", row), or why not: "wrong" (counted against
    the address), "expired", "busy" (another phone helps this TV: one at a time), "used"."""
    cond = cs.c.code_hash == digest(code) if code else cs.c.token_hash == digest(token)
    rows = [dict(r) for r in conn.execute(sa.select(cs).where(cond).order_by(cs.c.created.desc())).mappings()]
    if not rows:
        if code:
            conn.execute(copilot_attempts.insert().values(address=address, at=now))
        return "wrong", None
    row = expire(conn, rows[0], idle_s, now)
    if row["phone_hash"] == digest(phone) and row["status"] in LIVE:
        return "ok", row  # the same phone again (a reload)
    if row["status"] == "open":
        conn.execute(sa.update(cs).where(cs.c.id == row["id"], cs.c.status == "open").values(
            status="claimed", phone_hash=digest(phone), last_activity=now, version=cs.c.version + 1))
        audit(conn, row, "claim", address, now)
        row.update(status="claimed", phone_hash=digest(phone))
        return "ok", row
    if row["status"] in LIVE:
        return "busy", row
    return ("expired" if row["ended"] == "expired" else "used"), row


def signed(conn: sa.Connection, sid: str, helper_id: str, helper_name: str, now: float) -> None:
    """The phone's person proved who they are: the TV asks the elder next."""
    conn.execute(sa.update(cs).where(cs.c.id == sid, cs.c.status == "claimed").values(
        status="signed", helper_id=helper_id, helper_name=helper_name, last_activity=now,
        version=cs.c.version + 1))
    row = _row(conn, cs.c.id == sid)
    audit(conn, row, "signin", helper_name, now)


def answer(conn: sa.Connection, row: dict[str, Any], yes: bool, elder_id: str, now: float) -> None:
    """The elder's answer to 允许…帮您操作吗: help starts, or the session ends refused."""
    row["elder_id"] = elder_id
    if yes:
        conn.execute(sa.update(cs).where(cs.c.id == row["id"]).values(
            status="active", elder_id=elder_id, last_activity=now, version=cs.c.version + 1))
        audit(conn, row, "consent", "yes", now)
    else:
        conn.execute(sa.update(cs).where(cs.c.id == row["id"]).values(elder_id=elder_id))
        _end(conn, row, "refused", now)


def set_share(conn: sa.Connection, row: dict[str, Any], yes: bool, now: float) -> None:
    """The elder's answer to showing her private screens on the phone (asked once a session)."""
    conn.execute(sa.update(cs).where(cs.c.id == row["id"]).values(
        share=1 if yes else -1, last_activity=now, version=cs.c.version + 1))
    audit(conn, row, "share", "yes" if yes else "no", now)


def end(conn: sa.Connection, row: dict[str, Any], why: str, now: float) -> None:
    """Either side ends the help."""
    if row["status"] in LIVE:
        _end(conn, row, why, now)


def save_screen(conn: sa.Connection, sid: str, device: str, screen: dict[str, Any], elder_id: str | None,
                now: float) -> None:
    """What the TV shows now (the TV loaded a page: that is activity).

    A private screen the elder has not agreed to share is stored as the phone may show it (title and the
    names of its items), never with her lines: what she refused is not kept for the helper anywhere."""
    if screen.get("private") and conn.execute(sa.select(cs.c.share).where(cs.c.id == sid)).scalar() != 1:
        screen = withheld(screen)
    values: dict[str, Any] = {"screen": json.dumps(screen, ensure_ascii=False), "last_activity": now,
                              "version": cs.c.version + 1}
    if elder_id is not None:
        values["elder_id"] = elder_id
    conn.execute(sa.update(cs).where(cs.c.id == sid, cs.c.device == device, cs.c.status.in_(LIVE)).values(**values))


def status_of(conn: sa.Connection, sid: str) -> str | None:
    """The state of a help session (open, claimed, signed, active, ended), None when there is none."""
    return conn.execute(sa.select(cs.c.status).where(cs.c.id == sid)).scalar()


def withheld(screen: dict[str, Any]) -> dict[str, Any]:
    """A private screen without the elder's own data: no lines, no item notes, and items or crumbs that carry
    a date, a time or a number (her bookings, applications, receipts) only as 第N项 (menu names stay, so the
    helper can still choose; a keypad's description, its length and whether it is a PIN stay: he types)."""
    items = [{**item, "note": "", "label": item["label"] if _plain(item["label"]) else _("Item %(n)d") % {"n": n}}
             for n, item in enumerate(screen.get("items", []), 1)]
    return {**screen, "lines": [], "items": items, "crumbs": [c for c in screen.get("crumbs", []) if _plain(c)]}


def _plain(text: str) -> bool:
    """Whether a label is a name of the portal's own (no digit: not a date, time, number or masked ID)."""
    return not any(ch.isdigit() for ch in text)


def focus(conn: sa.Connection, row: dict[str, Any], item: str) -> None:
    """The TV's focus moved (a key press the phone shows)."""
    screen = json.loads(row["screen"] or "{}")
    if screen and screen.get("focus") != item and item in {i["id"] for i in screen.get("items", [])}:
        screen["focus"] = item
        conn.execute(sa.update(cs).where(cs.c.id == row["id"]).values(
            screen=json.dumps(screen, ensure_ascii=False), version=cs.c.version + 1))


def command(conn: sa.Connection, row: dict[str, Any], cmd: dict[str, Any], detail: str, now: float) -> None:
    """The phone's next instruction for the TV (a newer one replaces one not yet taken)."""
    cmd = {**cmd, "seq": row["command_seq"] + 1}
    conn.execute(sa.update(cs).where(cs.c.id == row["id"]).values(
        command=json.dumps(cmd, ensure_ascii=False), command_seq=cmd["seq"], last_activity=now,
        version=cs.c.version + 1))
    audit(conn, row, cmd["do"], detail, now)


def take_command(conn: sa.Connection, sid: str) -> dict[str, Any] | None:
    """The instruction waiting for the TV, handed over once."""
    text = conn.execute(sa.select(cs.c.command).where(cs.c.id == sid)).scalar()
    if not text:
        return None
    conn.execute(sa.update(cs).where(cs.c.id == sid, cs.c.command == text).values(command=""))
    return json.loads(text)


def audit_of(conn: sa.Connection, sid: str) -> list[dict[str, Any]]:
    """The audit lines of one session, oldest first."""
    return [dict(r) for r in conn.execute(sa.select(copilot_audit).where(copilot_audit.c.session == sid)
                                          .order_by(copilot_audit.c.seq)).mappings()]
