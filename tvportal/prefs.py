"""Per-device preferences (large text, high contrast, language, reading aloud), kept in a cookie.

A set-top box is one household's device with no login, so its cookie is the natural place to
remember how it wants pages shown.  The cookie holds no personal data, only these choices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from aiohttp import web

from tvportal.i18n import LOCALES

COOKIE = "tvprefs"
TEN_YEARS = 10 * 365 * 24 * 3600
RATES = ("slow", "normal")
VOLUMES = ("v1", "v2", "v3")


@dataclass(frozen=True)
class Prefs:
    """How this device wants pages shown."""

    large_text: bool = False
    high_contrast: bool = False
    locale: str = "zh_CN"
    reading: bool = True  # read pages aloud (the red key toggles it)
    rate: str = "slow"  # speaking rate: slow or normal (slow suits elderly listeners)
    volume: int = 3  # 1 quiet, 2 medium, 3 loud
    county: str = ""  # the county (6-digit code) the viewer chose once: guides name its nearest hall
    town: str = ""  # and, when chosen, the town (乡镇) in it

    def encode(self) -> str:
        """Compact cookie value, e.g. ``t1.c0.zh_CN.r1.slow.v3`` (+ ``.a341524`` or ``.a341524-<town hex>``)."""
        area = f".a{self.county}" + (f"-{self.town.encode().hex()}" if self.town else "") if self.county else ""
        return (f"t{int(self.large_text)}.c{int(self.high_contrast)}.{self.locale}"
                f".r{int(self.reading)}.{self.rate}.v{self.volume}{area}")

    @classmethod
    def decode(cls, raw: str | None, default_locale: str) -> Prefs:
        """Parse a cookie value; anything malformed falls back to the defaults."""
        prefs = cls(locale=default_locale)
        if not raw:
            return prefs
        parts = raw.split(".")
        if len(parts) not in (3, 6, 7) or parts[0] not in ("t0", "t1") or parts[1] not in ("c0", "c1"):
            return prefs
        locale = parts[2] if parts[2] in LOCALES else default_locale
        prefs = replace(prefs, large_text=parts[0] == "t1", high_contrast=parts[1] == "c1", locale=locale)
        # cookies written before reading aloud existed have 3 parts and keep the voice defaults
        if len(parts) == 6 and parts[3] in ("r0", "r1") and parts[4] in RATES and parts[5] in VOLUMES:
            prefs = replace(prefs, reading=parts[3] == "r1", rate=parts[4], volume=int(parts[5][1]))
        area = _AREA.fullmatch(parts[6]) if len(parts) == 7 else None
        if area:
            try:
                prefs = replace(prefs, county=area[1], town=bytes.fromhex(area[2] or "").decode())
            except ValueError:  # a town that is not UTF-8: keep the county
                prefs = replace(prefs, county=area[1])
        return prefs


_AREA = re.compile(r"a(\d{6})(?:-((?:[0-9a-f]{2}){1,60}))?")


def remember(response: web.StreamResponse, prefs: Prefs, secure: bool) -> None:
    """Store the device's preferences in its cookie for years."""
    response.set_cookie(COOKIE, prefs.encode(), max_age=TEN_YEARS, path="/", httponly=True,
                        samesite="Lax", secure=secure)
