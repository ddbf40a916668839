"""Typed application keys: everything the app holds, in one place."""

from __future__ import annotations

import sqlite3

from aiohttp import web

from content.snapshot import Snapshot
from tvportal.prefs import Prefs
from tvportal.settings import Settings
from tvportal.static_assets import StaticAssets

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", sqlite3.Connection)
SNAPSHOT = web.AppKey("snapshot", Snapshot)
ASSETS = web.AppKey("assets", StaticAssets)

# per request
PREFS = web.RequestKey("prefs", Prefs)
