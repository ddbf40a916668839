"""The one JSON reader for data from outside: content imports (CLI and editor) and the central platform
simulator's request bodies.

``json.loads`` recurses once per nesting level (200,000 ``[`` raise RecursionError, and near the limit
can exhaust the C stack), and an integer of more than 4,300 digits raises a ValueError mentioning
``sys.set_int_max_str_digits``.  Here nesting is measured first without recursion, integers are
limited in length, and every refusal is one JsonRejected with a reason the caller can word.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64  # the deepest real record (a guide's materials with their notes) is under 10
MAX_DIGITS = 30  # beyond any count, amount or version the portal keeps
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class JsonRejected(ValueError):
    """The text is not JSON the portal reads; ``reason`` is syntax, depth or number."""

    def __init__(self, reason: str, detail: str = "", line: int | None = None) -> None:
        """Keep the reason, a detail for logs and the line, when known."""
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail, self.line = reason, detail, line


def depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON text (strings skipped), without recursion."""
    deepest = level = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        level += 1 if match.group() in "[{" else -1
        deepest = max(deepest, level)
    return deepest


def _int(digits: str) -> int:
    """An integer of reasonable length."""
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise JsonRejected("number", f"an integer of {len(digits)} digits")
    return int(digits)


def loads(data: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON from outside; JsonRejected for bad syntax, too deep a nesting or too long an integer."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JsonRejected("syntax", "not UTF-8") from exc
    found = depth(data)
    if found > max_depth:
        raise JsonRejected("depth", f"nested {found} levels, at most {max_depth}")
    try:
        return json.loads(data, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise JsonRejected("syntax", exc.msg, exc.lineno) from None
    except RecursionError:  # not reached after the depth check; kept so that nothing else escapes
        raise JsonRejected("depth", "too deeply nested") from None
