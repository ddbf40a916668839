"""Which fields get the plain-language check, and the check run over a record's form data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from content.model import SUMMARY_BUDGET
from tvportal.editor import forms
from tvportal.editor.plain_language import PlainWarning, check, count_chars

# the texts an elder sees first on the TV or hears read aloud
PLAIN_FIELDS: dict[str, tuple[str, ...]] = {
    "guide": ("summary", "tts_text", "tv_service", "proxy_note"),
    "policy": ("summary",),
    "hall": ("directions", "extras"),
}


@dataclass(frozen=True)
class FieldCheck:
    """The result of the check on one field."""

    name: str
    label: str
    length: int
    budget: int
    warnings: tuple[PlainWarning, ...]


def plain_warnings(kind: str, data: dict[str, Any]) -> list[FieldCheck]:
    """The plain-language check of every checked field that has text (character counts always shown)."""
    specs = {s.name: s for s in forms.specs_of(kind)}
    results = []
    for name in PLAIN_FIELDS.get(kind, ()):
        spec = specs.get(name)
        text = data.get(name) if isinstance(data, dict) else None
        if spec is None or not isinstance(text, str) or not text.strip():
            continue
        budget = spec.max_len or SUMMARY_BUDGET
        results.append(FieldCheck(name, spec.label, count_chars(text), budget, tuple(check(text, budget))))
    return results
