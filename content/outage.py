"""Saying in two log lines that the database stopped answering and came back, instead of a traceback per try.

An outage of the database server (a restart, a failover) is not a bug: the on-call engineer wants to read
when it began, what the driver said in short, and when it ended, and nothing in between.  ``short_cause``
is that short form (the exception's class and the first line of its text, never a password);
``Outage`` remembers whether the last try worked and writes a line only when that changes.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

_SECRETS = (re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.I), re.compile(r"(://[^:/@\s]*:)([^@\s]*)(@)"))


def short_cause(exc: BaseException) -> str:
    """``OperationalError: connection failed: … port 5432 failed: Connection refused``: the driver's own
    exception (not the wrapper's text, which repeats the SQL), first line only, passwords blanked."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    first = lines[0].strip() if lines else ""
    for pattern in _SECRETS:
        first = pattern.sub(lambda m: m.group(1) + "***" + (m.group(3) if m.lastindex == 3 else ""), first)
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


class Outage:
    """Whether the last try of ``what`` worked; one warning when tries start failing, one when they work again."""

    def __init__(self, what: str, log: logging.Logger, clock: Callable[[], float] = time.monotonic) -> None:
        self.what = what
        self.log = log
        self.clock = clock
        self.since: float | None = None  # when the first of the failing tries failed; None: it works
        self.cause = ""

    @property
    def up(self) -> bool:
        """Whether the last try worked (also before the first one)."""
        return self.since is None

    def failed(self, exc: BaseException) -> None:
        """A try failed: a warning if the one before worked, else nothing."""
        if self.since is None:
            self.since = self.clock()
            self.cause = short_cause(exc)
            self.log.warning("%s fails: %s (said once; a line follows when it works again)", self.what, self.cause)

    def worked(self) -> None:
        """A try worked: a line if it had been failing."""
        if self.since is not None:
            self.log.warning("%s works again after %.0f s", self.what, self.clock() - self.since)
            self.since, self.cause = None, ""
