"""Plain-language check of the text the TV shows and reads aloud: warnings for the editor, never errors.

An 80-year-old listener follows short sentences of everyday words.  The check flags sentences
longer than ``MAX_SENTENCE`` characters, words from the jargon list (jargon.txt, with a plainer
wording where there is one), and a text longer than its character budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tvportal.i18n import gettext as _

JARGON_FILE = Path(__file__).with_name("jargon.txt")
MAX_SENTENCE = 25  # characters: about what a listener holds in mind at reading-aloud speed
SUMMARY_BUDGET = 80  # characters of a TV summary: what fits the guide's first screen and ~20 s of speech
_SENTENCES = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")


@dataclass(frozen=True)
class PlainWarning:
    """One plain-language warning: which check, and the message for the editor."""

    check: str  # length, sentence, jargon
    message: str


@cache
def jargon() -> tuple[tuple[str, str], ...]:
    """The jargon list as (word, plainer wording), longest words first so 容缺受理 wins over 容缺."""
    pairs = []
    for line in JARGON_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _sep, plain = line.partition("=")
        pairs.append((word.strip(), plain.strip()))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def count_chars(text: str) -> int:
    """Characters a listener hears: spaces and line breaks do not count."""
    return len(re.sub(r"\s+", "", text))


def check(text: str, budget: int = SUMMARY_BUDGET) -> list[PlainWarning]:
    """Warnings for one text; an empty list when it reads plainly."""
    warnings: list[PlainWarning] = []
    text = text or ""
    length = count_chars(text)
    if length > budget:
        warnings.append(PlainWarning("length", _("{n} characters, over the budget of {budget}: shorten it.")
                                 .format(n=length, budget=budget)))
    for sentence in _SENTENCES.findall(text):
        sentence = sentence.strip()
        if count_chars(sentence) > MAX_SENTENCE:
            warnings.append(PlainWarning("sentence", _("A sentence of {n} characters (at most {max} read well): “{s}”")
                                     .format(n=count_chars(sentence), max=MAX_SENTENCE, s=sentence)))
    rest = text
    for word, plain in jargon():
        if word in rest:
            rest = rest.replace(word, "\x00")  # a longer term hides the shorter ones inside it
            message = (_("Jargon “{word}”: say “{plain}” instead.").format(word=word, plain=plain) if plain
                       else _("Jargon “{word}”: say it in everyday words.").format(word=word))
            warnings.append(PlainWarning("jargon", message))
    return warnings
