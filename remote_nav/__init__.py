"""Remote-control navigation for the TV channel: layouts, focus graph, key profiles, runtime."""

from .focus_graph import neighbours, unreachable
from .geometry import Rect
from .key_profiles import keymap, load_profiles, profile_ctc, profile_for_user_agent, profile_screen
from .layout import Focusable, Layout
from .runtime import runtime_hash, runtime_js

__all__ = [
    "Focusable",
    "Layout",
    "Rect",
    "keymap",
    "load_profiles",
    "neighbours",
    "profile_ctc",
    "profile_for_user_agent",
    "profile_screen",
    "runtime_hash",
    "runtime_js",
    "unreachable",
]
