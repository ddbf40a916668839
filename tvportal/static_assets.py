"""CSS and JavaScript served under content-hashed names, so boxes cache them for a year.

Assets are read once at start-up, hashed, and gzip-compressed ahead of time: a 2 Mbit/s
rural link fetches each version once, and the server spends no CPU compressing them per request.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import rjsmin
from aiohttp import web

STATIC_DIR = Path(__file__).parent / "static"
ONE_YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Asset:
    """One static file, ready to serve."""

    name: str  # the hashed name in the URL, e.g. tv.3f2a9c01de.css
    body: bytes
    gzipped: bytes
    content_type: str

    @property
    def etag(self) -> str:
        """Strong ETag derived from the hashed name."""
        return '"' + self.name + '"'


class StaticAssets:
    """The set of static assets of one app, looked up by logical or hashed name."""

    def __init__(self) -> None:
        """Start empty; ``add`` registers assets."""
        self._by_logical: dict[str, Asset] = {}
        self._by_hashed: dict[str, Asset] = {}

    def add(self, logical: str, body: bytes, content_type: str) -> Asset:
        """Register an asset under ``logical`` (e.g. tv.css) and return it."""
        stem, _, ext = logical.rpartition(".")
        digest = hashlib.sha256(body).hexdigest()[:10]
        asset = Asset(f"{stem}.{digest}.{ext}", body, gzip.compress(body, 9, mtime=0), content_type)
        self._by_logical[logical] = asset
        self._by_hashed[asset.name] = asset
        return asset

    def url(self, logical: str) -> str:
        """URL of an asset by its logical name (used by templates)."""
        return "/static/" + self._by_logical[logical].name

    def get(self, logical: str) -> Asset:
        """An asset by its logical name."""
        return self._by_logical[logical]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve an asset by hashed name with long caching, ETag and pre-compressed gzip."""
        asset = self._by_hashed.get(request.match_info["name"])
        if asset is None:
            raise web.HTTPNotFound()
        headers = {"Cache-Control": f"public, max-age={ONE_YEAR}, immutable", "ETag": asset.etag,
                   "Vary": "Accept-Encoding"}
        if request.headers.get("If-None-Match") == asset.etag:
            return web.Response(status=304, headers=headers)
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return web.Response(body=asset.gzipped, content_type=asset.content_type, headers=headers)
        return web.Response(body=asset.body, content_type=asset.content_type, headers=headers)


def load_assets() -> StaticAssets:
    """Read the portal's CSS and the remote runtime into a StaticAssets set."""
    from remote_nav import runtime_js

    assets = StaticAssets()
    assets.add("tv.css", (STATIC_DIR / "tv.css").read_bytes(), "text/css")
    assets.add("nav.js", runtime_js().encode("utf-8"), "application/javascript")
    voice_js = Path(__file__).resolve().parent.parent / "voice" / "static" / "voice.js"
    assets.add("voice.js", rjsmin.jsmin(voice_js.read_text(encoding="utf-8")).encode("utf-8"), "application/javascript")
    keypad_js = (STATIC_DIR / "keypad.js").read_text(encoding="utf-8")
    assets.add("keypad.js", rjsmin.jsmin(keypad_js).encode("utf-8"), "application/javascript")
    # copilot: 远程帮办 on the TV and on the phone; boxtoken: the box's account as CTCGetConfig says
    for name in ("presses.js", "copilot.js", "phone.js", "boxtoken.js"):
        source = (STATIC_DIR / name).read_text(encoding="utf-8")
        assets.add(name, rjsmin.jsmin(source).encode("utf-8"), "application/javascript")
    return assets
