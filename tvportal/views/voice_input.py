"""Speech in over HTTP: a WAV by POST, or 16 kHz PCM chunks over a WebSocket; both answer with the
recognised words and the action the page should perform, with a sentence confirming it aloud.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import WSMsgType, web

from tvportal.i18n import N_, gettext as _
from tvportal.keys import ASR, PUBLISHED
from tvportal.speech import Script
from tvportal.views.voice import json_answer
from voice.asr import AsrUnavailable, Stream
from voice.audio import BYTES_PER_SECOND, MAX_BYTES, MAX_SECONDS, BadAudio, check_pcm, pcm_of_wav
from voice.grammar import Grammar, parse_choices
from tvportal.voice_setup import LISTENING

log = logging.getLogger(__name__)
IDLE_SECONDS = 20  # a WebSocket that sends nothing for this long is closed
HEARTBEAT = 10  # seconds between pings: a TV that vanished without closing is noticed


UNAVAILABLE = N_("Voice input is unavailable on this TV right now. Please use the remote's keys.")


async def page_grammar(request: web.Request, choices: list[str]) -> Grammar:
    """The grammar of the page the TV is on: its choices, then the global commands and service names,
    which are made once per published snapshot (voice/grammar.py SnapshotGrammar)."""
    return await request.app[ASR].page_grammar(request.app[PUBLISHED].snapshot, parse_choices(choices))


def unavailable(request: web.Request) -> web.StreamResponse:
    """503 in the TV's language: no usable speech model, or its worker ended (voice/asr.py)."""
    return json_answer(request, 503, {"error": _(UNAVAILABLE)})


def confirmation(action: dict[str, Any]) -> str:
    """What the TV says back, so the listener knows what was understood."""
    do = action.get("do")
    if do == "home":
        return _("Going to the home screen")
    if do == "back":
        return _("Going back")
    if do == "page":
        return _("Next page") if action.get("dir") == "next" else _("Previous page")
    if do == "help":
        return _("What every key does")
    if do == "volume":
        return _("Louder") if action.get("step", 0) > 0 else _("Quieter")
    if do == "rate":
        return _("Speaking slower") if action.get("value") == "slow" else _("Speaking faster")
    if do == "read":
        return _("Reading this page")
    if do == "digit":
        return _("Number %(n)s") % {"n": action.get("n")}
    if do == "open":
        return _("Opening %(name)s") % {"name": action.get("label", "")}
    if do == "search":
        return _("Searching for %(words)s") % {"words": action.get("q", "").replace(" ", "")}
    return _("Sorry, I did not catch that. Please say it again.")


def answer(request: web.Request, result: dict[str, Any]) -> dict[str, Any]:
    """A final result with its spoken confirmation (a signed sentence, as in the page's speech script)."""
    said = Script(request).one(confirmation(result["action"]))
    return {"final": True, "text": result["text"], "action": result["action"], "say": said}


async def recognize(request: web.Request) -> web.StreamResponse:
    """``POST /voice/recognize?c=id~digit~label...`` with a 16 kHz mono 16-bit WAV body."""
    asr = request.app[ASR]
    if not asr.available:
        return await unavailable(request)
    if request.content_length is not None and request.content_length > MAX_BYTES:
        return await json_answer(request, 413, {"error": f"录音太长了：最多 {MAX_SECONDS} 秒。"})
    # read by hand: the app's client_max_size (64 KB) is for forms, a 15 s recording is ~480 KB
    body = bytearray()
    while len(body) <= MAX_BYTES:  # read() returns what has arrived so far: loop until the end
        chunk = await request.content.read(1 << 16)
        if not chunk:
            break
        body += chunk
    try:
        pcm = pcm_of_wav(bytes(body))
    except BadAudio as exc:
        return await json_answer(request, exc.status, {"error": exc.message})
    try:
        result = await asr.recognize(pcm, await page_grammar(request, request.query.getall("c", [])))
    except AsrUnavailable:
        return await unavailable(request)
    return await json_answer(request, 200, answer(request, result))


async def listen(request: web.Request) -> web.StreamResponse:
    """``GET /voice/listen?c=...`` WebSocket: binary PCM chunks in, ``{"partial"}`` and a final result out.

    The utterance ends when vosk hears silence after words, when the TV sends the text message
    ``end`` (its time limit), or at 15 s of audio.
    """
    asr = request.app[ASR]
    if not asr.available:
        return await unavailable(request)
    try:
        stream = asr.stream(await page_grammar(request, request.query.getall("c", [])))
    except AsrUnavailable:
        return await unavailable(request)
    ws = web.WebSocketResponse(max_msg_size=BYTES_PER_SECOND * 2, heartbeat=HEARTBEAT)
    await ws.prepare(request)
    request.app[LISTENING].add(ws)  # closed on shutdown (tvportal/voice_setup.py)
    try:
        await _converse(request, ws, stream)
    except AsrUnavailable:
        await ws.send_json({"error": _(UNAVAILABLE)})
    finally:
        await stream.drop()
        await ws.close()
    return ws


async def _converse(request: web.Request, ws: web.WebSocketResponse, stream: Stream) -> None:
    """Audio in, partial texts out, until the utterance ends.

    Idle means no data from the TV: heartbeat pongs keep a dead connection from lingering but must not
    keep a silent one open, so the time limit runs from the last data message, not from the last frame.
    """
    received = 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + IDLE_SECONDS
    while True:
        try:
            msg = await asyncio.wait_for(ws.receive(), max(0.0, deadline - loop.time()))
        except asyncio.TimeoutError:
            await ws.send_json({"error": _("No sound for too long; listening stopped.")})
            return
        deadline = loop.time() + IDLE_SECONDS
        if msg.type == WSMsgType.BINARY:
            received += len(msg.data)
            if received > MAX_SECONDS * BYTES_PER_SECOND:
                await ws.send_json(answer(request, await stream.finish()))
                return
            try:
                pcm = check_pcm(msg.data)
            except BadAudio as exc:
                await ws.send_json({"error": exc.message})
                continue
            await ws.send_json({"partial": await stream.feed(pcm)})
            if stream.ended:
                await ws.send_json(answer(request, await stream.finish()))
                return
        elif msg.type == WSMsgType.TEXT and msg.data == "end":
            if not received:
                await ws.send_json({"error": "没有收到声音。"})
            else:
                await ws.send_json(answer(request, await stream.finish()))
            return
        elif msg.type == WSMsgType.TEXT:
            await ws.send_json({"error": "只接受 16000 Hz 单声道 16 位的声音数据，或 end。"})
        else:
            return


__all__ = ["recognize", "listen"]
