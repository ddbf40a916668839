"""What the operator's boxes need from a page: the screen size it is laid out for, and the way back to the EPG.

The screen size is chosen per box (docs/operator-boxes.md): the launch parameter ``?size=``, else that
parameter remembered in a cookie, else the key profile's screen, else the ``screen_size`` setting (``auto``:
HD).  The setting is the instance's default, not an override: a box the EPG launches as SD stays SD.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tvportal.i18n import gettext as _

SIZES = ("sd", "hd", "fhd")
SIZE_COOKIE = "tvsize"  # the launch parameter, remembered: the EPG passes it once, in the launch URL
# width*height as the EPG's <meta name="page-view-size"> and the viewport say it
VIEW_SIZE = {"sd": (640, 530), "hd": (1280, 720), "fhd": (1920, 1080)}

_FUNCTION = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")  # a global function: window[name]


class BadSetting(ValueError):
    """A setting of this module with a value it cannot use (the message names the setting)."""


def exit_plan(method: str, exit_url: str) -> list[str] | None:
    """The exit as the runtime reads it (TVNAV.ex): ["u", url] | ["v", "exitIptvApp"] | ["f", name] | ["h"].

    None: the operator gave no way out (Back on home does nothing, EXIT goes home).
    """
    method = method.strip()
    if not method:
        return ["u", exit_url] if exit_url else None
    low = method.lower()
    if low.startswith(("http://", "https://")):
        return ["u", method]
    if low in ("utility", "utility.setvaluebyname('exitiptvapp')"):
        return ["v", "exitIptvApp"]
    if low in ("hbbtv", "destroyapplication()"):
        return ["h"]
    if low.startswith("function:") and _FUNCTION.match(method[9:].strip()):
        return ["f", method[9:].strip()]
    raise BadSetting(_("Setting exit_method: {value!r} is not an exit; use an http(s) address, utility, "
                       "function:NAME or hbbtv").format(value=method))


def check_exit_method(value: str) -> str:
    """Refuse an exit_method the runtime could not carry out (at start, not when a viewer presses EXIT)."""
    exit_plan(value, "")
    return value.strip()


def check_frame_ancestors(value: tuple[str, ...]) -> tuple[str, ...]:
    """Each entry is 'self', 'none', or an origin (scheme://host[:port], a * host wildcard allowed)."""
    for item in value:
        if item in ("'self'", "'none'", "self", "none"):
            continue
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") \
                or any(c in item for c in " ;,'\""):
            raise BadSetting(_("Setting frame_ancestors: {value!r} is not an origin such as "
                               "http://epg.example.cn:8080").format(value=item))
    return tuple(f"'{v}'" if v in ("self", "none") else v.rstrip("/") for v in value) or ("'self'",)


def chosen_size(setting: str, query_size: str | None, cookie_size: str | None, profile_size: str | None) -> str:
    """The screen size a request is answered for (see the module docstring for the order)."""
    for candidate in (query_size, cookie_size, profile_size, setting):
        if candidate in SIZES:
            return candidate
    return "hd"
