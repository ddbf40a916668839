"""Editor accounts in the portal's database: argon2 password hashes, roles, disabling, sign-in rate limiting."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from tvportal.i18n import N_, gettext as _
from tvportal.storage.database import serialize
from tvportal.storage.tables import editor_login_failures as failures_t, editor_sessions as sessions_t
from tvportal.storage.tables import editor_users as users_t

# each role may do what the ones before it may: a publisher can also review, an admin also publish
ROLES: tuple[str, ...] = ("editor", "reviewer", "publisher", "admin")
ROLE_NAMES = {"editor": N_("Editor"), "reviewer": N_("Reviewer"), "publisher": N_("Publisher"),
              "admin": N_("Administrator")}
MIN_PASSWORD = 10
MAX_FAILURES = 5  # failed sign-ins allowed per user and per address ...
FAILURE_WINDOW = 15 * 60  # ... within this many seconds
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash verified against when the user does not exist, so a wrong name costs as long as a wrong password."""
    return _hasher.hash("not a real password, only for timing")


class UserError(ValueError):
    """A user operation cannot be done; the message is translated for the person at the keyboard."""


@dataclass(frozen=True)
class User:
    """One editor account (never carries the password hash out of this module)."""

    id: int
    name: str
    role: str
    password_version: int
    disabled: bool
    created_at: str = ""

    def can(self, role: str) -> bool:
        """True when this user's role includes ``role`` (editor < reviewer < publisher < admin)."""
        return not self.disabled and ROLES.index(self.role) >= ROLES.index(role)

    @property
    def role_name(self) -> str:
        """The role in the current language."""
        return _(ROLE_NAMES[self.role])


def _row_user(row: tuple) -> User:
    """A User from a row of (id, name, role, password_version, disabled, created_at)."""
    return User(row[0], row[1], row[2], row[3], bool(row[4]), row[5])


_COLUMNS = (users_t.c.id, users_t.c.name, users_t.c.role, users_t.c.password_version, users_t.c.disabled,
            users_t.c.created_at)


def check_name(name: str) -> str:
    """Validate a user name: 2-32 lowercase letters, digits, dot, dash or underscore."""
    name = name.strip()
    if not 2 <= len(name) <= 32 or not set(name) <= _NAME_CHARS:
        raise UserError(_("A user name is 2 to 32 lowercase letters, digits, dots, dashes or underscores."))
    return name


def check_password(password: str) -> str:
    """Refuse passwords that are too short to resist guessing."""
    if len(password) < MIN_PASSWORD:
        raise UserError(_("A password needs at least {n} characters.").format(n=MIN_PASSWORD))
    if len(password) > 256:
        raise UserError(_("A password can have at most 256 characters."))
    return password


def check_role(role: str) -> str:
    """Refuse unknown roles."""
    if role not in ROLES:
        raise UserError(_("The role must be editor, reviewer, publisher or admin."))
    return role


def add_user(conn: Connection, name: str, role: str, password: str = "", digest: str = "") -> User:
    """Create an account from a password or an already made hash; the name must be new."""
    name, role = check_name(name), check_role(role)
    digest = digest or hash_password(password)
    try:
        with conn.begin_nested():  # a clash must not end the caller's transaction (PostgreSQL would)
            conn.execute(insert(users_t).values(name=name, role=role, password_hash=digest))
    except IntegrityError:
        raise UserError(_("User {name} already exists.").format(name=name)) from None
    return get_user(conn, name)


def get_user(conn: Connection, name: str) -> User:
    """The account called ``name``; UserError when there is none."""
    row = conn.execute(select(*_COLUMNS).where(users_t.c.name == name)).first()
    if row is None:
        raise UserError(_("There is no user {name}.").format(name=name))
    return _row_user(row)


def user_by_id(conn: Connection, user_id: int) -> User | None:
    """The account with this id, or None."""
    row = conn.execute(select(*_COLUMNS).where(users_t.c.id == user_id)).first()
    return _row_user(row) if row else None


def list_users(conn: Connection) -> list[User]:
    """All accounts, by name."""
    return [_row_user(r) for r in conn.execute(select(*_COLUMNS).order_by(users_t.c.name))]


def set_password(conn: Connection, name: str, password: str = "", digest: str = "") -> User:
    """Change a password (or set an already made hash); sessions signed in with the old one stop working."""
    user = get_user(conn, name)
    conn.execute(update(users_t).where(users_t.c.id == user.id).values(
        password_hash=digest or hash_password(password), password_version=users_t.c.password_version + 1))
    conn.execute(delete(sessions_t).where(sessions_t.c.user_id == user.id))
    unlock(conn, user.name)  # whoever forgot the password and was locked out can use the new one at once
    return get_user(conn, name)


def unlock(conn: Connection, name: str) -> int:
    """Lift the sign-in pause of a user name (``tvportal user unlock``): its failures in the window are
    forgotten, also as failures of the addresses they came from; how many there were."""
    return conn.execute(delete(failures_t).where(failures_t.c.name == name.strip().lower())).rowcount


def set_disabled(conn: Connection, name: str, disabled: bool = True) -> User:
    """Disable (or enable again) an account; a disabled account cannot sign in and its sessions end."""
    user = get_user(conn, name)
    conn.execute(update(users_t).where(users_t.c.id == user.id).values(
        disabled=int(disabled), password_version=users_t.c.password_version + int(disabled)))
    if disabled:
        conn.execute(delete(sessions_t).where(sessions_t.c.user_id == user.id))
    return get_user(conn, name)


def set_role(conn: Connection, name: str, role: str) -> User:
    """Change an account's role."""
    user = get_user(conn, name)
    conn.execute(update(users_t).where(users_t.c.id == user.id).values(role=check_role(role)))
    return get_user(conn, name)


def recent_failures(conn: Connection, name: str, address: str, now: float | None = None) -> tuple[int, int]:
    """Failed sign-ins in the window: (for this user name, from this address)."""
    since = (now or time.time()) - FAILURE_WINDOW
    count = select(func.count()).select_from(failures_t).where(failures_t.c.at > since)
    by_name = conn.execute(count.where(failures_t.c.name == name)).scalar_one()
    by_address = conn.execute(count.where(failures_t.c.address == address)).scalar_one()
    return by_name, by_address


def is_rate_limited(conn: Connection, name: str, address: str) -> bool:
    """True when this user name or this address has failed too often lately."""
    by_name, by_address = recent_failures(conn, name, address)
    return by_name >= MAX_FAILURES or by_address >= MAX_FAILURES


def claim_attempt(conn: Connection, name: str, address: str) -> bool:
    """Count a sign-in attempt as a failure *before* its password is checked; False when the limit is reached.

    Counting and checking in one write transaction (serialized: SQLite's write lock, PostgreSQL's advisory
    lock) is what makes the limit hold under parallel requests: 40 wrong passwords sent at once would all
    pass a check made before any of them was recorded.  A good password removes the row again
    (``clear_failures``)."""
    serialize(conn, "editor-signin")
    if is_rate_limited(conn, name, address):
        return False
    record_failure(conn, name, address)
    return True


def record_failure(conn: Connection, name: str, address: str) -> None:
    """Remember a failed sign-in (and forget ones older than the window)."""
    now = time.time()
    conn.execute(delete(failures_t).where(failures_t.c.at <= now - FAILURE_WINDOW))
    conn.execute(insert(failures_t).values(name=name, address=address, at=now))


def clear_failures(conn: Connection, name: str, address: str) -> None:
    """After a good sign-in, the failures of this user from this address no longer count."""
    conn.execute(delete(failures_t).where(failures_t.c.name == name, failures_t.c.address == address))


def hash_password(password: str) -> str:
    """An argon2id hash of a (checked) password; slow on purpose, so callers in the server run it in a thread."""
    return _hasher.hash(check_password(password))


def sign_in_lookup(conn: Connection, name: str) -> tuple[User | None, str]:
    """The account called ``name`` and the hash to verify against (a dummy one when there is no account)."""
    row = conn.execute(select(*_COLUMNS, users_t.c.password_hash).where(users_t.c.name == name.strip())).first()
    if row is None:
        return None, _dummy_hash()
    return _row_user(row[:6]), row[6]


def verify_password(digest: str, password: str) -> bool:
    """True when ``password`` matches ``digest`` (pure CPU work: safe to run in a thread)."""
    try:
        return _hasher.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(digest: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(digest)


def store_hash(conn: Connection, user_id: int, digest: str) -> None:
    """Replace a password hash without ending sessions (used to upgrade hash parameters)."""
    conn.execute(update(users_t).where(users_t.c.id == user_id).values(password_hash=digest))


def authenticate(conn: Connection, name: str, password: str) -> User | None:
    """The active account whose password this is, or None (blocking: argon2)."""
    user, digest = sign_in_lookup(conn, name)
    if not verify_password(digest, password) or user is None or user.disabled:
        return None
    return user
