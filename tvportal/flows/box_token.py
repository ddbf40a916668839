"""The box's own account as its page reads it, checked by the operator (docs/operator.md section 2).

On Huawei/ZTE (China Telecom) boxes, after the box's IPTV login, page scripts can read
``Authentication.CTCGetConfig("UserID")``, ``("UserToken")`` and ``("STBID")``.  Anyone on the LAN can send
any UserID, so the portal takes none of them on the page's word: it asks the operator's authentication
server (``box_token_url``) whether the token belongs to that account.  Only a ``200`` answer
``{"valid": true}`` counts; a refusal, another status, a malformed answer, an error or no answer within
``box_token_timeout_seconds`` means no.

The operator's answers (``200``, yes or no) are kept ``box_token_cache_seconds`` for the same (UserID,
STBID, token), under a hash only: the token is never kept or logged in clear.  Anything else (another
status, no answer) is not kept, so the next power-on asks again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from remote_nav import profile_ctc
from tvportal.http.box_screen import key_profile_of
from tvportal.keys import SETTINGS
from voice.tts_queue import Budget

log = logging.getLogger(__name__)

CHECKED_COOKIE = "tvbt"  # session cookie: this power-on's box already asked (or was launched), do not ask again
MAX_FIELD = 256  # longer than any UserID, STBID or token an operator issues
MAX_ANSWER = 16 * 1024
CACHE_ENTRIES = 10_000


@dataclass(frozen=True)
class Verified:
    """The operator's yes: the area it named, if any (for the statistics)."""

    area: str


class BoxTokenCheck:
    """Asks the operator's token check, remembers its answers briefly, limits how often a client may ask."""

    def __init__(self, session: aiohttp.ClientSession, url: str, timeout: int, cache_seconds: int,
                 per_minute: int) -> None:
        """``session``: the app's client session (closed by ``box_token_ctx``)."""
        self.session = session
        self.url = url
        self.timeout = timeout
        self.cache_seconds = cache_seconds
        self.budget = Budget(per_minute)
        self._answers: OrderedDict[str, tuple[float, Verified | str]] = OrderedDict()
        self.asked = 0  # requests that went to the operator (the answer cache's effect is visible in tests)

    def allowed(self, client: str) -> bool:
        """False when this client address has asked too often this minute."""
        return self.budget.take(client) == 0

    async def verify(self, user_id: str, token: str, stb_id: str) -> Verified | str:
        """The operator's yes, or why not (a short English reason for the log, never the token)."""
        key = hashlib.sha256(f"{user_id}\n{stb_id}\n{token}".encode("utf-8")).hexdigest()
        now = time.monotonic()
        kept = self._answers.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        self.asked += 1
        result, final = await self._ask(user_id, token, stb_id)
        if final and self.cache_seconds:
            self._keep(key, now + self.cache_seconds, result)
        return result

    def _keep(self, key: str, until: float, result: Verified | str) -> None:
        """Remember an answer; the oldest go first once the table is full."""
        self._answers[key] = (until, result)
        self._answers.move_to_end(key)
        while len(self._answers) > CACHE_ENTRIES:
            self._answers.popitem(last=False)

    async def _ask(self, user_id: str, token: str, stb_id: str) -> tuple[Verified | str, bool]:
        """(answer, whether it is the operator's word and may be kept)."""
        form = {"UserID": user_id, "UserToken": token, "STBID": stb_id}
        try:
            async with self.session.post(self.url, data=form, allow_redirects=False,
                                         timeout=aiohttp.ClientTimeout(total=self.timeout)) as resp:
                status, body = resp.status, b""
                while len(body) <= MAX_ANSWER and (chunk := await resp.content.read(MAX_ANSWER)):
                    body += chunk
        except asyncio.TimeoutError:
            return f"the operator's token check did not answer within {self.timeout} s", False
        except aiohttp.ClientError as exc:
            return f"cannot reach the operator's token check ({type(exc).__name__})", False
        if status != 200:
            return f"the operator's token check answered {status}", False
        try:
            if len(body) > MAX_ANSWER:
                raise ValueError("too large")
            answer = json.loads(body)
        except ValueError:
            return "the operator's token check answered something that is not JSON", False
        if not isinstance(answer, dict) or answer.get("valid") is not True:
            return "the operator said the token is not valid", True
        named = answer.get("UserID")
        if named is not None and str(named) != user_id:
            return "the operator said the token belongs to another account", True
        area = answer.get("area")
        return Verified(plain(str(area), 12) if isinstance(area, (str, int)) else ""), True


def plain(value: str, limit: int) -> str:
    """A model or area name as the statistics keep it: letters, digits, ``-`` and ``_`` (an unverified value
    cannot smuggle the cookie's separator or anything else)."""
    return "".join(c for c in value if c.isascii() and (c.isalnum() or c in "-_"))[:limit]


BOX_CHECK = web.AppKey("box_token_check", BoxTokenCheck)


async def box_token_ctx(app: web.Application) -> AsyncIterator[None]:
    """Own the client session of the token check while the app runs (only when ``box_token_url`` is set)."""
    settings = app[SETTINGS]
    if not settings.box_token_url:
        yield
        return
    session = aiohttp.ClientSession()
    app[BOX_CHECK] = BoxTokenCheck(session, settings.box_token_url, settings.box_token_timeout_seconds,
                                   settings.box_token_cache_seconds, settings.box_token_per_minute)
    yield
    await session.close()


def offered(request: web.Request) -> bool:
    """Whether this page should read the box's account: the operator checks tokens, the box's key profile
    has CTCGetConfig, and this power-on's box has not asked yet (nor was launched with a signed URL).

    The page cache keys pages by it (middlewares.cache_key)."""
    return bool(request.app[SETTINGS].box_token_url) and CHECKED_COOKIE not in request.cookies \
        and profile_ctc(key_profile_of(request))
