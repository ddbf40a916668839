"""What can be said on a page: phrases segmented into the model's words, each mapped to an action.

vosk splits grammar phrases on spaces and drops every token that is not a vocabulary word, so a
phrase such as 社保查询 must be given as "社保 查询".  Segmentation is a greedy longest match
against the model's vocabulary (``Model.vosk_model_find_word``), down to single characters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

UNK = "[unk]"
NUMERALS = "一二三四五六七八"
MAX_WORD = 8  # longest vocabulary word tried, in characters
# Service names in the grammar, the most popular first: vosk compiles the grammar for every utterance
# (about 30 us a phrase), so it is bounded: a recognizer costs the same at 10,000 guides as at 1,000
# (benchmarks/voice_speech.py); the search page finds the rest.
MAX_SERVICES = 200

# global commands: said anywhere; each maps to the action the page performs
GLOBAL: dict[str, dict[str, Any]] = {
    "首页": {"do": "home"},
    "返回": {"do": "back"},
    "上一页": {"do": "page", "dir": "prev"},
    "下一页": {"do": "page", "dir": "next"},
    "帮助": {"do": "help"},
    "大声一点": {"do": "volume", "step": 1},
    "小声一点": {"do": "volume", "step": -1},
    "慢一点": {"do": "rate", "value": "slow"},
    "快一点": {"do": "rate", "value": "normal"},
    "朗读": {"do": "read"},
    **{f"第{c}个": {"do": "digit", "n": i} for i, c in enumerate(NUMERALS, 1)},
}

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def clean(text: str) -> str:
    """A phrase without spaces and punctuation (the form phrases are compared in)."""
    return _DROP.sub("", text)


def segment(phrase: str, find_word: Callable[[str], int]) -> list[str | None]:
    """Greedy longest match into vocabulary words; None stands for a character the model lacks."""
    text = clean(phrase)
    out: list[str | None] = []
    i = 0
    while i < len(text):
        for j in range(min(len(text), i + MAX_WORD), i, -1):
            if find_word(text[i:j]) >= 0:
                out.append(text[i:j])
                i = j
                break
        else:
            out.append(None)
            i += 1
    return out


def substrings(phrases: Iterable[str]) -> set[str]:
    """Every text ``segment`` may look up for these phrases (asked of the model in one batch)."""
    out: set[str] = set()
    for phrase in phrases:
        text = clean(phrase)
        out.update(text[i:j] for i in range(len(text)) for j in range(i + 1, min(len(text), i + MAX_WORD) + 1))
    return out


def shared_names(snapshot: object) -> list[str]:
    """The service names of a snapshot said anywhere: the most popular first, at most MAX_SERVICES."""
    guides = sorted(getattr(snapshot, "guides", ()), key=lambda g: -getattr(g, "popularity", 0))
    return [g.short_name for g in guides[:MAX_SERVICES] if getattr(g, "short_name", "")]


@dataclass
class Grammar:
    """The phrases of one page and the action each one stands for."""

    phrases: dict[str, list[str]] = field(default_factory=dict)  # clean phrase -> its words
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)  # clean phrase -> action
    # the phrases every page shares (global commands, service names), made once per published snapshot;
    # a page's own phrases come first, so a page item named like a service opens the item
    shared: Grammar | None = None
    _json: str | None = field(default=None, repr=False)  # this grammar's phrases as JSON list items

    def add(self, phrase: str, action: dict[str, Any], find_word: Callable[[str], int],
            partial: bool = False) -> bool:
        """Add a phrase if it can be said with the model's words; ``partial`` keeps its known words."""
        words = segment(phrase, find_word)
        if None in words:
            if not partial:
                return False
            # a name with unknown words is still findable by its known multi-character words
            words = [w for w in words if w and len(w) > 1]
            if len(words) < 2:
                return False
            action = {**action, "q": " ".join(words)}
        key = "".join(words)
        if not key or self._action(key) is not None:
            return False
        self.phrases[key] = words
        self.actions[key] = action
        self._json = None
        return True

    def _action(self, key: str) -> dict[str, Any] | None:
        """The action of a clean phrase, this page's first."""
        found = self.actions.get(key)
        if found is None and self.shared is not None:
            return self.shared.actions.get(key)
        return found

    def _items(self) -> str:
        """This grammar's own phrases as JSON list items (kept: the shared part is serialised once)."""
        if self._json is None:
            self._json = ",".join(json.dumps(" ".join(w), ensure_ascii=False) for w in self.phrases.values())
        return self._json

    def to_json(self) -> str | None:
        """The vosk grammar (a JSON list, with [unk]); None when nothing can be said.

        Never "[]": vosk 0.3.45 crashes the process on an empty grammar.
        """
        parts = [p for p in (self._items(), self.shared._items() if self.shared else "") if p]
        if not parts:
            return None
        return "[" + ",".join(parts) + "," + json.dumps(UNK) + "]"

    def action_for(self, text: str) -> dict[str, Any]:
        """The action of a recognised text; ``none`` when nothing usable was heard."""
        words = [w for w in text.split() if w != UNK]
        key = clean("".join(words))
        if self._action(key) is not None:
            return dict(self._action(key), heard=key)
        # otherwise the first known phrase in the words: people repeat themselves ("首页 首页")
        for i in range(len(words)):
            for j in range(len(words), i, -1):
                part = clean("".join(words[i:j]))
                if self._action(part) is not None:
                    return dict(self._action(part), heard=part)
        return {"do": "none", "heard": key}


@dataclass(frozen=True)
class Choice:
    """A focusable item of the page as the TV sends it: id, name, number key."""

    id: str
    label: str
    digit: int | None = None


def build_grammar(find_word: Callable[[str], int], choices: Iterable[Choice] = (),
                  services: Iterable[str] = (), shared: Grammar | None = None) -> Grammar:
    """Page choices first, then global commands, then service names for search (or ``shared``, which
    holds those two, made once by ``SnapshotGrammar``)."""
    grammar = Grammar(shared=shared)
    for choice in choices:
        grammar.add(choice.label, {"do": "open", "id": choice.id, "label": choice.label}, find_word)
    if shared is None:
        add_shared(grammar, find_word, services)
    return grammar


def add_shared(grammar: Grammar, find_word: Callable[[str], int], services: Iterable[str]) -> None:
    """The global commands, then service names for search."""
    for phrase, action in GLOBAL.items():
        grammar.add(phrase, action, find_word)
    for name in services:
        grammar.add(name, {"do": "search", "q": name}, find_word, partial=True)


class SnapshotGrammar:
    """The shared phrases of the published snapshot, segmented once per snapshot, not per request."""

    def __init__(self) -> None:
        """Nothing made yet."""
        self.snapshot: object = None
        self.grammar: Grammar | None = None
        self.builds = 0

    def shared(self, snapshot: object, find_word: Callable[[str], int]) -> Grammar:
        """Global commands and the most popular service names of ``snapshot``."""
        if self.grammar is None or snapshot is not self.snapshot:
            grammar = Grammar()
            add_shared(grammar, find_word, shared_names(snapshot))
            grammar._items()  # serialised now, once
            self.snapshot, self.grammar = snapshot, grammar
            self.builds += 1
        return self.grammar

    def page(self, snapshot: object, find_word: Callable[[str], int], choices: Iterable[Choice]) -> Grammar:
        """The grammar of one page: its choices on top of the snapshot's shared phrases."""
        return build_grammar(find_word, choices, shared=self.shared(snapshot, find_word))


def parse_choices(raw: Iterable[str]) -> list[Choice]:
    """Choices from the TV's ``c`` parameters, each ``id~digit~label`` (bad entries are skipped)."""
    out = []
    for entry in list(raw)[:40]:
        parts = str(entry).split("~", 2)
        if len(parts) != 3 or not parts[0] or not parts[2]:
            continue
        digit = int(parts[1]) if parts[1].isdigit() else None
        out.append(Choice(parts[0][:64], parts[2][:60], digit))
    return out
