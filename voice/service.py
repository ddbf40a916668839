"""The portal's voice resources: the speech worker and the vosk model, owned by cleanup contexts,
and the background task that speaks newly published content ahead of the first listener.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from aiohttp import web

from tvportal.keys import ASR, PUBLISHED, SETTINGS, TTS
from voice.asr import Recognizer
from voice.tts import TtsError, TtsService

log = logging.getLogger(__name__)
PUBLISH_POLL = 5.0  # seconds between looks at the published snapshot


def model_dir(app: web.Application) -> Path:
    """Where the vosk model is read from."""
    settings = app[SETTINGS]
    return Path(settings.voice_model_path or Path(settings.data_dir) / "voice-model")


def content_sentences(snapshot: object) -> Iterable[str]:
    """The names a listener hears on the TV pages of the published content."""
    for attr, names in (("guides", ("short_name", "name")), ("policies", ("title",)), ("halls", ("name",)),
                        ("categories", ("name",))):
        for record in getattr(snapshot, attr, ()):
            for name in names:
                text = getattr(record, name, "")
                if isinstance(text, str) and text:
                    yield text


async def presynthesise(app: web.Application) -> None:
    """Speak each newly published snapshot's names into the cache, slowly, forever."""
    tts, seen = app[TTS], None
    await asyncio.sleep(PUBLISH_POLL)  # let start-up (and short-lived test apps) finish first
    while tts.available:
        snapshot = app[PUBLISHED].snapshot if PUBLISHED in app else None
        if snapshot is not None and snapshot is not seen:
            seen = snapshot
            for locale in ("zh_CN",):
                for text in dict.fromkeys(content_sentences(snapshot)):
                    try:
                        await tts.speech(text, locale, "slow")
                    except TtsError as exc:
                        log.info("background speech of %r failed: %s", text, exc)
        await asyncio.sleep(PUBLISH_POLL)


async def tts_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start the speech worker with the app and stop it on shutdown."""
    settings = app[SETTINGS]
    tts = app[TTS]
    if settings.tts_enabled:
        await tts.start()
    else:
        tts.unavailable = "tts_enabled is off"
    task = asyncio.ensure_future(presynthesise(app)) if tts.available else None
    yield
    if task:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    await tts.stop()


async def asr_ctx(app: web.Application) -> AsyncIterator[None]:
    """Load the vosk model once (off the event loop) and stop its threads on shutdown."""
    await app[ASR].load()
    yield
    app[ASR].close()


def setup_voice(app: web.Application) -> None:
    """Voice routes, the speech service and the recognizer of one app."""
    from tvportal.views import voice as views
    from tvportal.views import voice_input, voice_page

    settings = app[SETTINGS]
    app[TTS] = TtsService(Path(settings.data_dir) / "speech-cache")
    app[ASR] = Recognizer(model_dir(app))
    app.cleanup_ctx.append(tts_ctx)
    app.cleanup_ctx.append(asr_ctx)
    r = app.router
    r.add_get("/voice", voice_page.voice_page)
    r.add_get("/voice/tts", views.speech)
    r.add_post("/voice/prefs", views.change_prefs)
    r.add_post("/voice/recognize", voice_input.recognize)
    r.add_get("/voice/listen", voice_input.listen)
