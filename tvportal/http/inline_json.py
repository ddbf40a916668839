"""JSON put inside a page's <script> element (``var TVSPEECH=...``, ``TVNAV``, ``TVKEYPAD``).

Escaping ``</`` alone is not enough: ``<!--<script>`` in content switches the HTML parser into the
"script data double escaped" state, where the next ``</script>`` no longer ends the element, and the
page's speech data becomes a syntax error.  U+2028 and U+2029 end a line inside an ES5 string literal.
Every ``<``, ``>``, ``&`` and both separators are written as \\u escapes, which JSON and JavaScript read
back as the same characters.
"""

from __future__ import annotations

import json
from typing import Any

_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(data: Any) -> str:
    """Compact JSON that can sit inside <script>…</script> whatever strings it holds."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)
