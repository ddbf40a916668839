"""Wiring voice/ into the portal: the speech worker and the vosk model, owned by cleanup contexts, and the
warm-up task that speaks newly published guide screens ahead of the first listener (voice/warmup.py;
setting ``tts_warmup``). It lives in tvportal/ because it reads the portal's settings and app keys, and
voice/ imports nothing from tvportal/ (tests/test_layering.py).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tvportal.keys import ASR, PUBLISHED, SETTINGS, TTS
from voice.asr import Recognizer
from voice.tts import TtsService
from voice.warmup import changed_guides, warm

log = logging.getLogger(__name__)
PUBLISH_POLL = 1.0  # seconds between looks at the published snapshot (a pointer comparison)
START_DELAY = 5.0  # the warm-up waits this long after start: start-up (and short-lived test apps) first
WARMUP = web.AppKey("speech_warmup", dict[str, Any])  # the warm-up task and what its last pass did
LISTENING = web.AppKey("voice_listening", weakref.WeakSet)  # open voice-command WebSockets


def model_dir(app: web.Application) -> Path:
    """Where the vosk model is read from."""
    settings = app[SETTINGS]
    return Path(settings.voice_model_path or Path(settings.data_dir) / "voice-model")


def self_url(app: web.Application) -> str:
    """Where this portal answers itself: its own address (loopback when it listens on every address)."""
    settings = app[SETTINGS]
    host = "127.0.0.1" if settings.host in ("", "0.0.0.0", "::") else settings.host
    return f"http://{host}:{settings.port}"


async def warm_up(app: web.Application) -> None:
    """After each publish, speak the changed guides' screens into the cache, at low priority, for ever."""
    settings, tts, warmed = app[SETTINGS], app[TTS], None
    base = self_url(app)
    await asyncio.sleep(START_DELAY)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:

        async def fetch(path: str) -> str | None:
            try:
                async with session.get(base + path) as resp:
                    return await resp.text() if resp.status == 200 else None
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.info("warm-up could not read %s: %s", path, exc)
                return None

        while tts.available:
            snapshot = app[PUBLISHED].snapshot if PUBLISHED in app else None
            if snapshot is not None and snapshot is not warmed:
                ids = changed_guides(warmed, snapshot, settings.tts_warmup_guides)
                warmed = snapshot
                paths = [f"{settings.base_path}/guides/{guide_id}" for guide_id in ids]
                screens, sentences = await warm(tts, fetch, paths)
                app[WARMUP].update(version=getattr(snapshot, "version", 0), guides=len(ids), screens=screens,
                                   sentences=sentences)
                log.info("warm-up: %d screens of %d guides, %d sentences", screens, len(ids), sentences)
            await asyncio.sleep(PUBLISH_POLL)


async def tts_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start the speech worker with the app and stop it on shutdown."""
    settings = app[SETTINGS]
    tts = app[TTS]
    if settings.tts_enabled:
        await tts.start()
    else:
        tts.unavailable = "tts_enabled is off"
    task = asyncio.ensure_future(warm_up(app)) if tts.available and settings.tts_warmup else None
    app[WARMUP] = {"task": task}
    yield
    await close_speech(app)


async def close_listening(app: web.Application) -> None:
    """Close the TVs' voice-command WebSockets on shutdown (each would otherwise wait 20 s for audio)."""
    for ws in set(app[LISTENING]):
        await ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"server shutdown")


async def close_speech(app: web.Application) -> None:
    """Stop reading aloud at once: on shutdown, before in-flight requests are waited for (and on cleanup)."""
    task = app.get(WARMUP, {}).get("task")
    if task:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    await app[TTS].close()


async def asr_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start the recognition worker, which loads and tests the vosk model, and end it on shutdown."""
    await app[ASR].load()
    yield
    await app[ASR].close()


def setup_voice(app: web.Application) -> None:
    """Voice routes, the speech service and the recognizer of one app."""
    from tvportal.views import voice as views
    from tvportal.views import voice_input, voice_page

    settings = app[SETTINGS]
    app[TTS] = TtsService(Path(settings.data_dir) / "speech-cache", queue_size=settings.tts_queue_size,
                          per_device=settings.tts_device_pending, per_minute=settings.tts_device_per_minute,
                          open_per_minute=settings.tts_open_per_minute)
    app[ASR] = Recognizer(model_dir(app))
    app.cleanup_ctx.append(tts_ctx)
    app[LISTENING] = weakref.WeakSet()
    # on_shutdown runs before aiohttp waits for requests in flight: nothing of voice makes it wait
    app.on_shutdown.extend((close_speech, close_listening))
    app.cleanup_ctx.append(asr_ctx)
    r = app.router
    r.add_get("/voice", voice_page.voice_page)
    r.add_get("/voice/tts", views.speech)
    r.add_post("/voice/prefs", views.change_prefs)
    r.add_post("/voice/recognize", voice_input.recognize)
    r.add_get("/voice/listen", voice_input.listen)
