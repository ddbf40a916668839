"""Log lines for requests aiohttp refuses before any handler runs.

A request line with raw bytes (``GET /guides/\\xff``, or unescaped UTF-8) is answered 400 by aiohttp's
parser, which also logs "Error handling request" with a full stack trace: noise that looks like a bug
in the portal.  This filter keeps one line naming the refusal and drops the trace.
"""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import HttpProcessingError


class RefusedRequestFilter(logging.Filter):
    """Turn aiohttp's traceback for a malformed request into one warning line."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite records whose exception is a client's malformed request."""
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError) and 400 <= (exc.code or 400) < 500:
            record.msg, record.args = "refused a malformed request (%s): %s", (exc.code, exc.message)
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.exc_info = record.exc_text = None
        return True


def install() -> None:
    """Add the filter to aiohttp's server logger once per process."""
    logger = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, RefusedRequestFilter) for f in logger.filters):
        logger.addFilter(RefusedRequestFilter())
