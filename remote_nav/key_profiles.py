"""Per-vendor remote-control key profiles (data in key_profiles.json) and key maps for pages.

Set-top boxes disagree about key codes (Back alone is 8, 24, 461, 640, 340,
10009 or 4 depending on the box) and some codes mean different things on
different vendors (4 is Back on Android but RIGHT on iPanel), so codes are
normalised to actions on the server, per device, and never merged across vendors
that conflict.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from types import MappingProxyType

DEFAULT = "default"
BASE = "browser"
SCREENS = ("sd", "hd", "fhd")


@lru_cache(maxsize=1)
def _data() -> dict:
    """The parsed key_profiles.json, validated once."""
    text = resources.files(__package__).joinpath("key_profiles.json").read_text(encoding="utf-8")
    data = json.loads(text)
    actions = set(data["actions"])
    for name, profile in data["profiles"].items():
        seen: dict[int, str] = {}
        for action, codes in profile["keys"].items():
            if action not in actions:
                raise ValueError(f"profile {name!r}: unknown action {action!r}")
            for code in codes:
                if code in seen and seen[code] != action:
                    raise ValueError(f"profile {name!r}: code {code} is both {seen[code]!r} and {action!r}")
                seen[code] = action
        if profile.get("extends", name) not in data["profiles"] or profile.get("screen", "sd") not in SCREENS:
            raise ValueError(f"profile {name!r}: unknown extends {profile.get('extends')!r} or screen "
                             f"{profile.get('screen')!r}")
        if not isinstance(profile.get("ctc", False), bool):
            raise ValueError(f"profile {name!r}: ctc must be true or false")
    if DEFAULT in data["profiles"]:
        raise ValueError(f"{DEFAULT!r} is computed, it cannot be a stored profile")
    return data


def load_profiles() -> dict:
    """All stored profiles as {name: {"note": str, "keys": {action: [codes]}}} (a deep copy)."""
    return json.loads(json.dumps(_data()["profiles"]))


def profile_names() -> list[str]:
    """Names accepted by keymap(): the stored profiles plus "default"."""
    return [*_data()["profiles"], DEFAULT]


def _codes(name: str) -> dict[int, str]:
    """One stored profile as {code: action}."""
    profile = _data()["profiles"].get(name)
    if profile is None:
        raise KeyError(f"unknown key profile {name!r}")
    found = _codes(profile["extends"]) if "extends" in profile else {}
    found.update({code: action for action, codes in profile["keys"].items() for code in codes})
    return found


def conflicts(*names: str) -> dict[int, set[str]]:
    """Codes that the named stored profiles map to different actions: {code: {actions}}."""
    found: dict[int, set[str]] = {}
    for name in names:
        for code, action in _codes(name).items():
            found.setdefault(code, set()).add(action)
    return {code: actions for code, actions in sorted(found.items()) if len(actions) > 1}


@lru_cache(maxsize=None)
def _keymap(name: str) -> MappingProxyType:
    """Cached read-only key map for one profile name."""
    if name == DEFAULT:
        members = _data()["default"]
        clash = conflicts(*members)
        if clash:
            raise ValueError(f"default profiles {members} conflict on codes {sorted(clash)}")
        merged: dict[int, str] = {}
        for member in members:
            merged.update(_codes(member))
        return MappingProxyType(merged)
    merged = dict(_codes(BASE))
    merged.update(_codes(name))
    return MappingProxyType(merged)


def keymap(profile_name: str) -> dict[int, str]:
    """{keyCode: action} for a profile: "default" = union of the default set, a vendor = browser + vendor."""
    return dict(_keymap(profile_name))


def profile_screen(name: str) -> str | None:
    """The screen size (sd, hd, fhd) a profile's boxes have, None when the profile does not say."""
    return _data()["profiles"].get(name, {}).get("screen")


def profile_ctc(name: str) -> bool:
    """Whether a profile's boxes give page scripts ``Authentication.CTCGetConfig`` (the box's IPTV account
    and the operator's login token), its own flag or that of the profile it extends; "default" does not:
    an unknown browser is not taken for a carrier box."""
    profile = _data()["profiles"].get(name)
    if profile is None:
        return False
    return profile.get("ctc", profile_ctc(profile["extends"]) if "extends" in profile else False)


def profile_for_user_agent(ua: str) -> str:
    """The key profile for a User-Agent string (first matching rule of key_profiles.json, else "default")."""
    for rule in _data()["user_agents"]:
        if re.search(rule["pattern"], ua or "", re.IGNORECASE):
            return rule["profile"]
    return DEFAULT
