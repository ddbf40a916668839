"""Pre-synthesis after a publish: the sentences of the changed guides' screens, spoken into the cache
before the first listener arrives, at low priority (the fair queue's background lane: a TV waiting for
a new sentence always goes first).

The sentences are read from the pages the portal itself serves (its speech script, ``TVSPEECH``), so
the warm-up synthesises exactly what a TV will ask for, whatever composes those sentences.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from voice.tts_queue import BACKGROUND, Busy

log = logging.getLogger(__name__)

SENTENCE_FIELDS = ("page", "items", "keys", "all", "said", "typed")  # where the speech script keeps sentences
MAX_SCREENS = 12  # screens followed per guide (PageDown links), whatever the pages say
_SCRIPT = re.compile(r"var TVSPEECH=(\{.*?\});</script>", re.S)
_NAV = re.compile(r"var TVNAV=(\{.*?\});</script>", re.S)
_SIGNATURE = re.compile(r"[0-9a-f]{32}")

Fetch = Callable[[str], Awaitable[str | None]]


def _script(pattern: re.Pattern[str], html: str) -> dict[str, Any]:
    """A page's JSON script object, or {}."""
    found = pattern.search(html)
    try:
        data = json.loads(found.group(1)) if found else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def script_sentences(html: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The page's speech script and every sentence under its sentence fields, as (text, signature).

    A sentence is a string, or a [text, signature] pair where the portal signs its sentences (then plain
    strings are display text, not said); the signature is "" for a plain string.  Numbers are skipped.
    """
    data = _script(_SCRIPT, html)
    out: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            out.append((node, ""))
        elif (isinstance(node, list) and len(node) == 2 and all(isinstance(x, str) for x in node)
              and _SIGNATURE.fullmatch(node[1])):
            out.append((node[0], node[1]))
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)

    for name in SENTENCE_FIELDS:
        walk(data.get(name))
    if any(signature for _text, signature in out):  # a portal that signs what it says: the rest is display text
        out = [s for s in out if s[1]]
    return data, [s for s in dict.fromkeys(out) if s[0].strip()]


def next_screen(html: str) -> str | None:
    """Where PageDown leads from this page (the next screen of a guide), or None."""
    keys = _script(_NAV, html).get("keys") or {}
    href = (keys.get("page_down") or {}).get("href") if isinstance(keys, dict) else None
    return href if isinstance(href, str) and href.startswith("/") else None


async def warm(tts: Any, fetch: Fetch, paths: Iterable[str], limit: int = MAX_SCREENS) -> tuple[int, int]:
    """Speak every sentence of the screens starting at ``paths`` into the cache; (screens, sentences)."""
    screens = sentences = 0
    for path in paths:
        seen: set[str] = set()
        url: str | None = path
        while url and url not in seen and len(seen) < limit:
            seen.add(url)
            html = await fetch(url)
            if html is None:
                break
            data, said = script_sentences(html)
            locale, rate = data.get("l", "zh_CN"), data.get("r", "slow")
            for text, _signature in said:
                try:
                    await tts.speech(text, locale, rate, device=BACKGROUND)
                    sentences += 1
                except (Busy, RuntimeError, KeyError) as exc:  # one sentence lost, the rest still warm
                    log.info("warm-up of %r failed: %s", text, exc)
            screens += 1
            url = next_screen(html)
    return screens, sentences


def changed_guides(old: Any, new: Any, most: int) -> list[str]:
    """Ids of the guides of snapshot ``new`` that differ from ``old`` (all when old is None), the most
    popular first, at most ``most``."""
    before = getattr(old, "guide_by_id", {}) if old is not None else {}
    digests_old, digests_new = getattr(old, "digests", {}) or {}, getattr(new, "digests", {}) or {}
    changed = []
    for guide in getattr(new, "guides", ()):
        prev = before.get(guide.id)
        if prev is guide:
            continue
        key = ("guide", guide.id)
        if prev is not None and key in digests_new and digests_old.get(key) == digests_new[key]:
            continue
        if prev is None or prev != guide:
            changed.append(guide)
    changed.sort(key=lambda g: -getattr(g, "popularity", 0))
    return [g.id for g in changed[:most]]
