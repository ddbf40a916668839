"""The browser-side runtime (static/nav.js), minified once for inlining or serving.

Pages reference it as nav.<hash>.js so boxes with aggressive caches always get
the version that matches the map format they were served with.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

import rjsmin

# 4 KB for navigation, 3 KB for keypads: they type in place (no page load per digit), Back deletes a
# digit, 确认 and the next screen come without a page load (Chromium drops keys while a new page loads),
# and keys pressed meanwhile are kept for the next keypad
SIZE_BUDGET = 7168


def runtime_source() -> str:
    """The unminified ES5 source of static/nav.js."""
    return resources.files(__package__).joinpath("static", "nav.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def runtime_js() -> str:
    """The minified runtime (rjsmin, comments stripped), computed once per process."""
    return rjsmin.jsmin(runtime_source(), keep_bang_comments=False).strip()


@lru_cache(maxsize=1)
def runtime_hash() -> str:
    """First 10 hex digits of the sha256 of the minified runtime, for cache-busting file names."""
    return hashlib.sha256(runtime_js().encode("utf-8")).hexdigest()[:10]
