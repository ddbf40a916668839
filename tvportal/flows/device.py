"""Which box this is: a device id the portal issued itself, or the box's operator account (docs/operator.md).

The ``tvdev`` cookie holds a random token; the table ``tv_devices`` maps its sha256 to a stable device
key, which keys everything a TV keeps (flow state, remembered people, sign-ins, SMS counts, receipts).
A token the portal did not issue (a value chosen by someone else on the LAN) is never taken: the box gets
a fresh device.  Signing in and signing out issue a new token for the same key (the old one stops
working), so a planted cookie cannot follow the person who signs in (session fixation); the state is
carried over because the key does not change.

A box launched from the operator's EPG with a signed URL (``GET /launch``) is known by its account: the
key is derived from the account (UserID and STBID), so after a cookie wipe the next launch finds the
same key again, and its display preferences are restored from ``tv_device_prefs``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Mapping

from aiohttp import web
from sqlalchemy import Connection, delete, exists, select
from sqlalchemy.dialects import postgresql, sqlite

from tvportal.keys import DB, SETTINGS
from tvportal.storage import upsert
from tvportal.storage.tables import tv_device_prefs, tv_devices, tv_launches, tv_remembered

DEVICE_COOKIE = "tvdev"
BOX_COOKIE = "tvbox"  # box model and area for the statistics only (docs/operator.md: not trusted)
DEVICE = web.RequestKey("flow_device", str)
_ACCOUNT = web.RequestKey("device_account", str)
_NEW_TOKEN = web.RequestKey("device_new_token", str)
LAUNCH_FIELDS = ("UserID", "STBID", "area", "model", "size", "ts")  # signed when present
TEN_YEARS = 10 * 365 * 24 * 3600


def token_hash(token: str) -> str:
    """What the table keeps of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def account_of(user_id: str, stb_id: str) -> str:
    """The stored form of a box account: its hash (the account itself is kept nowhere)."""
    return hashlib.sha256(f"{user_id}\n{stb_id}".encode("utf-8")).hexdigest()


def account_device(account: str) -> str:
    """The stable device key of an account (the same after every cookie wipe)."""
    return "a" + account[:31]


# ---------------------------------------------------------------------------------------------- storage

def lookup(conn: Connection, hashed: str, adopt: str) -> tuple[str, str] | None:
    """(device, account) of an issued token; a cookie from before issued ids (``adopt``: its raw value)
    that remembered people on this TV is taken once, so an upgrade loses nobody."""
    row = conn.execute(select(tv_devices.c.device, tv_devices.c.account)
                       .where(tv_devices.c.token_hash == hashed)).first()
    if row is not None:
        return row.device, row.account
    if adopt and conn.execute(select(exists().where(tv_remembered.c.device_id == adopt))).scalar() \
            and not conn.execute(select(exists().where(tv_devices.c.device == adopt))).scalar():
        issue(conn, hashed, adopt, "", time.time())
        return adopt, ""
    return None


def issue(conn: Connection, hashed: str, device: str, account: str, now: float) -> None:
    """Record a token the portal hands out."""
    upsert(conn, tv_devices, {"token_hash": hashed, "device": device, "account": account, "issued": now},
           ["token_hash"], ["device", "account", "issued"])


def replace_token(conn: Connection, old: str, new: str, device: str, account: str, now: float) -> None:
    """The old token stops working; the new one names the same device."""
    conn.execute(delete(tv_devices).where(tv_devices.c.token_hash == old))
    issue(conn, new, device, account, now)


def save_prefs(conn: Connection, device: str, prefs: str, now: float) -> None:
    """Keep an account's display preferences."""
    upsert(conn, tv_device_prefs, {"device": device, "prefs": prefs, "updated": now}, ["device"], ["prefs", "updated"])


def load_prefs(conn: Connection, device: str) -> str | None:
    """An account's stored display preferences (None when it never chose any)."""
    return conn.execute(select(tv_device_prefs.c.prefs).where(tv_device_prefs.c.device == device)).scalar()


def first_use(conn: Connection, sig: str, now: float, window: float) -> bool:
    """True the first time a launch signature is seen (then it is remembered for its window)."""
    conn.execute(delete(tv_launches).where(tv_launches.c.at < now - 2 * window))
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    # RETURNING, not rowcount: the one answer both dialects give alike for a skipped insert
    stmt = dialect.insert(tv_launches).values(sig=sig, at=now).on_conflict_do_nothing().returning(tv_launches.c.sig)
    return conn.execute(stmt).first() is not None


def prune_devices(conn: Connection, before: float) -> int:
    """Forget anonymous tokens issued before ``before`` that no longer key anything."""
    return conn.execute(delete(tv_devices).where(tv_devices.c.issued < before, tv_devices.c.account == "",
                                                 ~exists().where(tv_remembered.c.device_id == tv_devices.c.device))
                        ).rowcount


# ---------------------------------------------------------------------------------------------- requests

async def resolve_device(request: web.Request) -> str:
    """This box's device key (from an issued token, or a fresh device with a new token); once per request."""
    if DEVICE in request:
        return request[DEVICE]
    raw = request.cookies.get(DEVICE_COOKIE, "")
    found = None
    if 16 <= len(raw) <= 64:
        adopt = raw if raw.replace("-", "").replace("_", "").isalnum() else ""
        found = await request.app[DB].write(lookup, token_hash(raw), adopt)
    if found is None:
        found = (secrets.token_urlsafe(18), "")
        await _give_token(request, *found)
    request[DEVICE], request[_ACCOUNT] = found
    return found[0]


async def _give_token(request: web.Request, device: str, account: str, old: str = "") -> None:
    """A new token for ``device`` (replacing the hash ``old``), sent with the response (``keep_token``)."""
    token = secrets.token_urlsafe(24)
    if old:
        await request.app[DB].write(replace_token, old, token_hash(token), device, account, time.time())
    else:
        await request.app[DB].write(issue, token_hash(token), device, account, time.time())
    request[_NEW_TOKEN] = token


async def rotate_device(request: web.Request) -> None:
    """Sign-in and sign-out: the same device under a new token; the one the browser had stops working."""
    device = await resolve_device(request)
    old = request.get(_NEW_TOKEN) or request.cookies.get(DEVICE_COOKIE, "")
    await _give_token(request, device, request.get(_ACCOUNT, ""), token_hash(old))


def keep_token(request: web.Request, response: web.StreamResponse) -> None:
    """Send the box a token issued during this request."""
    token = request.get(_NEW_TOKEN)
    if token and request.cookies.get(DEVICE_COOKIE) != token:
        response.set_cookie(DEVICE_COOKIE, token, max_age=TEN_YEARS, path="/", httponly=True, samesite="Lax",
                            secure=request.app[SETTINGS].cookie_secure)


async def account_token(request: web.Request, raw: str | None = None) -> tuple[str, str] | None:
    """(device, account) of the box's cookie (or of the token ``raw``) when it names an operator account,
    else None (no lookup for boxes without one: the cookie is absent or the account column says so)."""
    raw = request.cookies.get(DEVICE_COOKIE, "") if raw is None else raw
    if not 16 <= len(raw) <= 64:
        return None
    found = await request.app[DB].read(lambda conn: conn.execute(
        select(tv_devices.c.device, tv_devices.c.account).where(tv_devices.c.token_hash == token_hash(raw))).first())
    return (found.device, found.account) if found is not None and found.account else None


async def keep_account_prefs(request: web.Request, encoded: str, token: str | None = None) -> None:
    """Store preferences just chosen when the box is known by its operator account; ``token``: the device
    token this answer gives the box (a launch as another account), whose account they are then."""
    mine = await account_token(request, token)
    if mine is not None:
        await request.app[DB].write(save_prefs, mine[0], encoded, time.time())


# ---------------------------------------------------------------------------------------------- launch URL

@dataclass(frozen=True)
class Launch:
    """A verified launch: whose box, where and which model."""

    account: str
    area: str
    model: str
    sig: str


def signed_text(params: Mapping[str, str]) -> str:
    """What the EPG signs: every launch field present, sorted by name, as ``name=value`` joined by ``&``
    (the values as they are, not URL-encoded)."""
    return "&".join(f"{k}={params[k]}" for k in sorted(LAUNCH_FIELDS) if k in params)


def sign(params: Mapping[str, str], secret: str) -> str:
    """The signature of a launch (hex HMAC-SHA256 with the operator secret)."""
    return hmac.new(secret.encode("utf-8"), signed_text(params).encode("utf-8"), hashlib.sha256).hexdigest()


def verify(params: Mapping[str, str], secret: str, now: float, max_age: int) -> Launch | str:
    """The launch, or why it is refused (a short English reason for the log)."""
    if not secret:
        return "no operator_secret set"
    if not params.get("UserID") or not params.get("STBID") or "sig" not in params:
        return "UserID, STBID or sig missing"
    if any("&" in v or "=" in v for v in params.values()):  # the signed text could be read two ways
        return "a value holds & or ="
    if not hmac.compare_digest(sign(params, secret), params["sig"].lower()):
        return "bad signature"
    try:
        age = now - int(params.get("ts", ""))
    except ValueError:
        return "ts is not a number"
    if age < -60:  # a minute of clock difference between the EPG and the portal is forgiven
        return f"ts is {-age:.0f} s in the future (the EPG's clock or the URL is wrong)"
    if age > max_age:
        return f"expired (made {age:.0f} s ago, valid for {max_age} s)"
    return Launch(account_of(params["UserID"], params["STBID"]), params.get("area", "")[:12],
                  params.get("model", "")[:40], params["sig"].lower())
