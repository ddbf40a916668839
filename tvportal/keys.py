"""Typed application keys: everything the app holds, in one place."""

from __future__ import annotations

from aiohttp import web

from aiohttp_session import Session

from content.snapshot import Published
from tvportal.clock import CityClock
from tvportal.editor.users import User
from tvportal.page_cache import PageCache
from tvportal.platform.interface import Platform
from tvportal.prefs import Prefs
from tvportal.settings import Settings
from tvportal.static_assets import StaticAssets
from tvportal.storage import Database
from voice.asr import Recognizer
from voice.signing import Signer
from voice.tts import TtsService

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)  # tvportal/storage/: every table of the portal (SQLite or PostgreSQL)
PUBLISHED = web.AppKey("published", Published)
CLOCK = web.AppKey("clock", CityClock)  # tvportal/clock.py: now and today in the city
ASSETS = web.AppKey("assets", StaticAssets)
PAGE_CACHE = web.AppKey("page_cache", PageCache)
TTS = web.AppKey("tts", TtsService)  # voice/: reading aloud
ASR = web.AppKey("asr", Recognizer)  # voice/: voice commands
SPEECH_SIGNER = web.AppKey("speech_signer", Signer)  # tvportal/speech.py: signs every sentence read aloud
PLATFORM = web.AppKey("platform", Platform)  # tvportal/platform/: the central platform (embedded or HTTP)

# per request
PREFS = web.RequestKey("prefs", Prefs)
EDITOR_USER = web.RequestKey("editor_user", User)  # tvportal/editor/: the signed-in editor, or None
EDITOR_SESSION = web.RequestKey("editor_session", Session)  # tvportal/editor/: the encrypted-cookie session
EDITOR_INBOX = web.RequestKey("editor_inbox", int)  # tvportal/editor/inbox.py: how much awaits the signed-in editor
