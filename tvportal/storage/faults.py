"""What a storage fault means to the people who meet it: an operator at start, a viewer or an editor later.

At start (``tvportal serve`` and the other commands) a damaged database file, a data dir that cannot be
written or a full disk stop the command with one line in Chinese naming the file and what to do, never
a traceback or a hang (tvportal/cli.py).  While serving, a full disk or a read-only database makes the
write's transaction roll back, so nothing is half-written, and the viewer gets a page saying so
(tvportal/middlewares.py error_pages, the editor's _guarded) instead of a 500.  A database server that
does not answer (stopped, restarting, unreachable) is not a bug either: the viewer gets a 503 page saying to
try again later and the log one line per ``SUMMARY_EVERY`` seconds, not a traceback per request.
"""

from __future__ import annotations

import errno
import logging
import time
from pathlib import Path

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError, TimeoutError as PoolTimeout

from content.outage import Outage, short_cause
from tvportal.i18n import N_, gettext as _

DISK_FULL = N_("The portal cannot save anything right now: its storage is full or read-only. Nothing was "
               "changed; please try again later.")
UNREACHABLE = N_("The portal cannot reach its records right now. Please try again in a few minutes. If you were "
                 "filling something in, you may need to enter it again.")
SUMMARY_EVERY = 10.0  # seconds: at most one log line per this for requests failing on an unreachable database
_FULL = ("database or disk is full", "no space left")
_READ_ONLY = ("readonly database", "read-only", "unable to open database", "permission denied")
_DAMAGED = ("file is not a database", "malformed", "disk i/o error")


class StorageUnusable(RuntimeError):
    """The database cannot be used at start; the message says which and what to do."""


def _text(exc: BaseException) -> str:
    """The driver's own words of an exception, lower-case."""
    return str(getattr(exc, "orig", None) or exc).lower()


def cannot_write(exc: BaseException) -> bool:
    """A write failed for want of space or permission (not a bug): the viewer is told, nothing is lost."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT)
    return isinstance(exc, SQLAlchemyError) and any(w in _text(exc) for w in (*_FULL, *_READ_ONLY))


def unreachable(exc: BaseException) -> bool:
    """The database server did not answer (connection refused or lost, pool exhausted), as opposed to a bug.

    SQLite's OperationalError also means a wrong statement or a missing table (bugs); of it only a busy or
    locked database counts."""
    if isinstance(exc, PoolTimeout) or isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (OperationalError, InterfaceError)):
        if type(exc.orig).__module__.startswith("sqlite3"):
            return any(w in _text(exc) for w in ("locked", "busy"))
        return True
    # the driver's own, where a connection is used outside SQLAlchemy (psycopg.OperationalError)
    return type(exc).__module__.startswith("psycopg") and type(exc).__name__ == "OperationalError"


class FailedRequests:
    """Requests that failed on an unreachable database: the first logged at once, the rest counted and
    summed up in one line at most every SUMMARY_EVERY seconds (written when the next one fails after that)."""

    def __init__(self, log: logging.Logger, every: float = SUMMARY_EVERY) -> None:
        self.log, self.every = log, every
        self.logged_at = -every  # monotonic time of the last line
        self.count = 0  # failed since then, not yet in a line

    def failed(self, what: str, exc: BaseException) -> None:
        """One request failed; a line if the last is ``every`` seconds old."""
        self.count += 1
        now = time.monotonic()
        if now - self.logged_at < self.every:
            return
        if self.count == 1:
            self.log.warning("database unreachable, answered 503 to %s: %s", what, short_cause(exc))
        else:
            self.log.warning("database unreachable: %d requests answered 503 in the last %.0f s (last: %s): %s",
                             self.count, now - self.logged_at, what, short_cause(exc))
        self.logged_at, self.count = now, 0


class Rounds:
    """A background task's rounds (outbox delivery, statistics, pruning): an unreachable database is one line
    when the rounds start failing and one when they work again (content/outage.py); any other failure is a
    bug and keeps its traceback."""

    def __init__(self, what: str, log: logging.Logger) -> None:
        self.what, self.log = what, log
        self.outage = Outage(what, log)

    def failed(self, exc: BaseException) -> None:
        """A round failed."""
        if unreachable(exc):
            self.outage.failed(exc)
        else:
            self.log.exception("%s failed", self.what)

    def worked(self) -> None:
        """A round worked."""
        self.outage.worked()


def start_failure(exc: BaseException, database: str | Path | None = None) -> str:
    """One line for an operator: what is wrong with which file, and what to do."""
    what = _text(exc)
    name = str(getattr(exc, "filename", None) or database or "")
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT) or any(w in what for w in _FULL):
        return _("The disk holding {name} is full: free some space, then start again.").format(name=name)
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES) or any(w in what for w in _READ_ONLY):
        return _("{name} cannot be written (read-only or no permission): make the data folder writable for "
                 "the portal's user, or set data_dir to another folder.").format(name=name)
    if any(w in what for w in _DAMAGED):
        return _("The database file {name} is damaged ({reason}): stop every portal process, restore the file "
                 "from a backup, or move it away to start with the demo content.").format(name=name, reason=what)
    return _("The database cannot be used ({reason}): check the setting database_url or the file {name}.").format(
        reason=what, name=name)
