"""pypinyin with its phrase readings loaded compactly: import ``pinyin`` and ``Style`` from here.

Every process that indexes or searches keeps pypinyin's dictionaries for as long as it runs. pypinyin
loads its 47,000 phrases with one ``json.loads`` of the whole file: 600,000 separate objects (each
character's readings a list of its own, each reading a string of its own), about 35 MB that stays, and
what is freed after it is scattered between them, so the process never gives it back. Here pypinyin is
imported without its phrases, and they are loaded entry by entry, equal readings shared (1,250 distinct
reading lists instead of 144,000): the same data in about a third of the memory. Sharing is safe because
pypinyin deep-copies a phrase's readings before it uses them and never changes the stored ones.
"""

from __future__ import annotations

import json
import os
import re
from importlib import resources

_FLAGS = {"PYPINYIN_NO_PHRASES": "1", "PYPINYIN_NO_DICT_COPY": "1"}
_saved = {name: os.environ.get(name) for name in _FLAGS}
os.environ.update(_FLAGS)  # only while pypinyin is first imported: child processes get pypinyin as usual
try:
    import pypinyin
    from pypinyin import Style, pinyin
    from pypinyin.constants import PHRASES_DICT
finally:
    for _name, _value in _saved.items():
        if _value is None:
            os.environ.pop(_name, None)
        else:
            os.environ[_name] = _value

# one entry of pypinyin's phrases_dict.json: "phrase": [["reading", …], …]
_ENTRY = re.compile(r'"([^"\\]+)"\s*:\s*(\[(?:\s*\[[^\[\]]*\]\s*,?)*\s*\])')

__all__ = ["Style", "load_phrases", "pinyin"]


def load_phrases(text: str) -> dict[str, list[list[str]]]:
    """The phrases of ``text`` (pypinyin's phrases_dict.json), equal reading lists shared."""
    shared: dict[tuple[str, ...], list[str]] = {}
    phrases: dict[str, list[list[str]]] = {}
    for match in _ENTRY.finditer(text):
        # a small json.loads per entry: what it frees is reused by the next one instead of scattered
        phrases[match.group(1)] = [shared.setdefault(tuple(r), r) for r in json.loads(match.group(2))]
    return phrases


def _install() -> None:
    """Give pypinyin its phrases, unless it was imported before this module and loaded them itself."""
    if PHRASES_DICT:
        return
    text = resources.files(pypinyin).joinpath("phrases_dict.json").read_text(encoding="utf-8")
    pypinyin.load_phrases_dict(load_phrases(text))  # also trains its segmenter on them


_install()
