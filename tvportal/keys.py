"""Typed application keys: everything the app holds, in one place."""

from __future__ import annotations

import sqlite3

from aiohttp import web

from content.snapshot import Published
from tvportal.page_cache import PageCache
from tvportal.prefs import Prefs
from tvportal.settings import Settings
from tvportal.static_assets import StaticAssets

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", sqlite3.Connection)
PUBLISHED = web.AppKey("published", Published)
ASSETS = web.AppKey("assets", StaticAssets)
PAGE_CACHE = web.AppKey("page_cache", PageCache)

# per request
PREFS = web.RequestKey("prefs", Prefs)
