"""Speech out over HTTP: the MP3 of a sentence, and the reading preferences the remote changes."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

from aiohttp import web

from tvportal.flows.device import DEVICE_COOKIE
from tvportal.http.forms import form_of
from tvportal.i18n import LOCALES, N_
from tvportal.i18n import gettext as _
from tvportal.keys import SETTINGS, SPEECH_SIGNER, TTS
from tvportal.prefs import RATES, remember
from tvportal.screen import prefs_of
from tvportal.static_assets import ONE_YEAR
from voice.tts import MAX_CHARS, Busy, TtsError

SECURITY = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
BUSY = {"device": N_("This TV asked for many new sentences at once. Reading continues in a few seconds."),
        "full": N_("Many TVs are asking for new sentences now. Reading continues in a few seconds.")}
OPEN_BUSY = N_("Text from outside the portal's pages is read only a few sentences a minute. Please try again "
               "in a minute.")


async def json_answer(request: web.Request, status: int, data: dict[str, Any],
                      headers: dict[str, str] | None = None) -> web.StreamResponse:
    """A JSON answer sent at once, so that the TV error-page middleware leaves 4xx answers as JSON."""
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    response = web.StreamResponse(status=status, headers={**SECURITY, "Cache-Control": "no-store", **(headers or {})})
    response.content_type = "application/json"
    response.charset = "utf-8"
    response.content_length = len(body)
    await response.prepare(request)
    await response.write(body)
    await response.write_eof()
    return response


def _device(request: web.Request) -> str:
    """Whose share of the speech worker a sentence counts against: the box's device cookie where it has one
    (several TVs of a household or of a village can share one address), else its address."""
    cookie = request.cookies.get(DEVICE_COOKIE, "")
    return (request.remote or "?") + ("/" + cookie[:64] if cookie else "")


async def speech(request: web.Request) -> web.StreamResponse:
    """``GET /voice/tts?t=TEXT&s=SIGNATURE&l=zh_CN&r=slow``: the sentence as MP3, cached for a year.

    A sentence signed by the portal (tvportal/speech.py) takes the TV's fair share of the worker.  Other text
    is read too (a phone, a script, an operator trying the speech), but a new sentence of it counts against
    its client address's small budget (``tts_open_per_minute``), whatever device cookie it sends."""
    tts = request.app[TTS]
    text = " ".join(request.query.get("t", "").split())
    locale = request.query.get("l", prefs_of(request).locale)
    rate = request.query.get("r", prefs_of(request).rate)
    if not text or len(text) > MAX_CHARS or locale not in LOCALES or rate not in RATES:
        return await json_answer(request, 400, {"error": f"需要 1 到 {MAX_CHARS} 个字的文字，以及正确的语言和语速。"})
    if not tts.available:
        return await json_answer(request, 503, {"error": "本机没有安装朗读功能。"})
    device = _device(request)
    if not request.app[SPEECH_SIGNER].valid(text, locale, request.query.get("s", "")):
        refused = await _open_text_refused(request, text, locale, rate)
        if refused:
            return refused
        device = "open/" + (request.remote or "?")
    etag = '"' + tts.key(text, locale, rate) + '"'
    headers = {"Cache-Control": f"public, max-age={ONE_YEAR}, immutable", "ETag": etag}
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers=headers)
    try:
        path = await tts.speech(text, locale, rate, device=device)
    except Busy as exc:  # fair shares of the one worker (voice/tts_queue.py); cached sentences never get here
        return await json_answer(request, 429 if exc.reason == "device" else 503, {"error": _(BUSY[exc.reason])},
                                 {"Retry-After": str(exc.retry_after)})
    except TtsError:
        return await json_answer(request, 503, {"error": "朗读暂时不可用，请稍后再试。"})
    return web.Response(body=path.read_bytes(), content_type="audio/mpeg", headers=headers)


async def _open_text_refused(request: web.Request, text: str, locale: str,
                             rate: str) -> web.StreamResponse | None:
    """None when text the portal did not sign may be read now: it is cached, or its address has budget left."""
    tts = request.app[TTS]
    if tts.cached(text, locale, rate):
        return None
    if tts.open_budget is None:
        return await json_answer(request, 403, {"error": _("Only sentences of the portal's own pages are read aloud.")})
    wait = tts.open_budget.take(request.remote or "?")
    if wait:
        return await json_answer(request, 429, {"error": _(OPEN_BUSY)}, {"Retry-After": str(math.ceil(wait))})
    return None


async def change_prefs(request: web.Request) -> web.StreamResponse:
    """``POST /voice/prefs``: reading on/off, rate or volume from the remote; the new values as JSON."""
    form = await form_of(request)
    prefs = prefs_of(request)
    field, value = form.get("field"), form.get("value")
    if field == "reading" and value in ("0", "1", "toggle"):
        prefs = replace(prefs, reading=not prefs.reading if value == "toggle" else value == "1")
    elif field == "rate" and value in RATES:
        prefs = replace(prefs, rate=value)
    elif field == "volume" and value in ("1", "2", "3", "up", "down"):
        step = {"up": 1, "down": -1}.get(str(value))
        prefs = replace(prefs, volume=min(3, max(1, prefs.volume + step)) if step else int(value))
    else:
        return await json_answer(request, 400, {"error": "不认识的设置。"})
    response = web.json_response({"reading": prefs.reading, "rate": prefs.rate, "volume": prefs.volume},
                                 headers={"Cache-Control": "no-store"})
    remember(response, prefs, request.app[SETTINGS].cookie_secure)
    return response
