"""The operator's branding (docs/operator.md): title, logo, colours, which home tiles show and in what
order, and a folder of template overrides.  Checked at start like every setting: a colour pair whose text
contrast falls below 7:1 (WCAG 2 formula, the AAA level elders need on a TV across a room) is refused with
one line in Chinese."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Mapping

from aiohttp import web

from tvportal.i18n import N_, gettext as _

# the built-in colours of tv.css these settings replace
DEFAULT_TEXT, DEFAULT_BACKGROUND, FOCUS_TEXT = "#ffffff", "#0b1a2e", "#000000"
MIN_CONTRAST = 7.0
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
MAX_LOGO_BYTES = 200 * 1024
# tile id -> (element id, href, title, one-line description); 预约办理 opens its hall list straight away
TILES: dict[str, tuple[str, str, str, str]] = {
    "guides": ("t-guides", "/guides", N_("Service guides"), N_("What to bring, where to go")),
    "booking": ("t-booking", "/booking/halls", N_("Book a visit"), N_("Pick a day at the hall")),
    "apply": ("t-handle", "/apply", N_("Apply"), N_("Pensions, allowances, cards")),
    "lookup": ("t-query", "/lookup", N_("Look up"), N_("Payments and progress")),
    "policies": ("t-policies", "/policies", N_("Policies"), N_("New policies in plain words")),
    "halls": ("t-halls", "/halls", N_("Service halls"), N_("Address, hours, phone")),
    "voice": ("t-voice", "/voice", N_("Voice and help"), N_("Speak to the TV, get help")),
    "help": ("t-help", "/help", N_("Help"), N_("How to use the remote")),
    "me": ("t-me", "/me", N_("Mine"), N_("Bookings, applications, family")),
}
DEFAULT_TILES = ("guides", "booking", "apply", "lookup", "policies", "halls", "voice", "me")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class BrandingError(ValueError):
    """A branding setting that cannot be used (its message is one line in Chinese)."""


def luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb`` (WCAG 2)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def check(values: Mapping[str, Any]) -> None:
    """Refuse branding settings that cannot be used; BrandingError says which, in one line."""
    for name in ("brand_text_colour", "brand_background_colour", "brand_focus_colour"):
        if values[name] and not _COLOUR.fullmatch(values[name]):
            raise BrandingError(_("Setting %(name)s: %(value)s is not a colour; write it like #1a2b3c")
                                % {"name": name, "value": values[name]})
    text = values["brand_text_colour"] or DEFAULT_TEXT
    background = values["brand_background_colour"] or DEFAULT_BACKGROUND
    if contrast(text, background) < MIN_CONTRAST:
        raise BrandingError(_("Text colour %(text)s on background %(bg)s has contrast %(ratio).1f:1; at least 7:1 "
                              "is needed") % {"text": text, "bg": background, "ratio": contrast(text, background)})
    focus = values["brand_focus_colour"]
    if focus and contrast(FOCUS_TEXT, focus) < MIN_CONTRAST:
        raise BrandingError(_("Focus colour %(focus)s under black text has contrast %(ratio).1f:1; at least 7:1 "
                              "is needed") % {"focus": focus, "ratio": contrast(FOCUS_TEXT, focus)})
    tiles = values["home_tiles"]
    unknown = [t for t in tiles if t not in TILES]
    if unknown or len(set(tiles)) != len(tiles) or len(tiles) > 8:
        raise BrandingError(_("Setting home_tiles: %(value)s; use up to 8 different ones of %(ids)s")
                            % {"value": " ".join(tiles), "ids": " ".join(TILES)})
    logo = values["brand_logo"]
    if logo and (Path(logo).suffix.lower() not in LOGO_TYPES or not Path(logo).is_file()
                 or Path(logo).stat().st_size > MAX_LOGO_BYTES):
        raise BrandingError(_("Setting brand_logo: %(path)s is not a PNG, JPEG or SVG file of at most 200 KB")
                            % {"path": logo})
    if values["template_dir"] and not Path(values["template_dir"]).is_dir():
        raise BrandingError(_("Setting template_dir: no folder at %(path)s") % {"path": values["template_dir"]})


def home_tiles(settings: Any, voice_input: bool) -> list[tuple[str, str, str, str]]:
    """The home tiles in the operator's order; while voice input does not work (no model, a damaged one, a
    worker that keeps dying) the voice tile gives way to help."""
    chosen = list(settings.home_tiles or DEFAULT_TILES)
    if not voice_input and "voice" in chosen:
        at = chosen.index("voice")
        chosen[at:at + 1] = [] if "help" in chosen else ["help"]
    return [TILES[t] for t in chosen]


def css(settings: Any) -> str:
    """The stylesheet that applies the operator's colours over tv.css ("" when none are set)."""
    rules = []
    if settings.brand_background_colour or settings.brand_text_colour:
        # items take the page's background too: the one pair checked at start is all there is
        text = settings.brand_text_colour or DEFAULT_TEXT
        background = settings.brand_background_colour or DEFAULT_BACKGROUND
        rules.append(f"html,body,#canvas{{background:{background}}}")
        rules.append(f"body,.f,.date,.crumbs,.tile .n,.row .note,.updated{{color:{text}}}")
        rules.append(f".f{{background:{background};border-color:{text}}}")
        # the built-in accents (yellow headings and page numbers, pale frames) were chosen for the built-in
        # dark blue; on another background only the checked pair is sure to be readable
        rules.append(f".text h2,.facts th,.pageno,.hc .text h2,.hc .facts th{{color:{text}}}")
        rules.append(f".key,.hints,.facts tr{{border-color:{text}}}")
    if settings.brand_focus_colour:
        rules.append(f".nj .f:focus,.f.is-focused{{background:{settings.brand_focus_colour};color:{FOCUS_TEXT}}}")
    if settings.brand_logo:  # the logo sits at the left of every page's title (base.html)
        rules.append(".logo{position:absolute;left:0;top:5px;width:160px;height:48px}"
                     ".title{margin-left:176px;width:684px}"
                     # SD: a smaller logo, and the title keeps the rest of the 576 px header line
                     ".sd .logo{top:7px;width:80px;height:24px}"
                     ".sd .title,.sd .title.long{margin-left:92px;width:484px}")
    return "\n".join(rules) + ("\n" if rules else "")


def versions(settings: Any) -> tuple[str, str]:
    """Short versions of the brand stylesheet and logo for their links ("" when there is none)."""
    text = css(settings)
    style = hashlib.sha256(text.encode()).hexdigest()[:10] if text else ""
    logo = hashlib.sha256(Path(settings.brand_logo).read_bytes()).hexdigest()[:10] if settings.brand_logo else ""
    return style, logo


async def brand_css(request: web.Request) -> web.Response:
    """``/brand.css``: the operator's colours (cached for a day; the settings change only with a restart)."""
    from tvportal.keys import SETTINGS

    return web.Response(text=css(request.app[SETTINGS]), content_type="text/css",
                        headers={"Cache-Control": "public, max-age=86400"})


async def brand_logo(request: web.Request) -> web.StreamResponse:
    """``/brand/logo``: the operator's logo file."""
    from tvportal.keys import SETTINGS

    logo = request.app[SETTINGS].brand_logo
    if not logo:
        raise web.HTTPNotFound()
    return web.FileResponse(logo, headers={"Content-Type": LOGO_TYPES[Path(logo).suffix.lower()],
                                           "Cache-Control": "public, max-age=86400"})
