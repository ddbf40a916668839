"""Readable differences between two versions of a record: one row per changed field, words marked.

Each record is first rendered field by field as (label path, text) pairs — 申请材料，第2项 ·
材料名称: 户口簿 — then the pairs are compared with difflib, and within a changed field the
characters that differ are wrapped in <del>/<ins>.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from content.model.fields import FieldSpec
from tvportal.i18n import gettext as _


@dataclass(frozen=True)
class Change:
    """One field that differs: its label, and the old and new text with the differences marked."""

    label: str
    old: Markup
    new: Markup
    kind: str  # changed, added (only in the new version) or removed (only in the old)


def _scalar(spec: FieldSpec, value: Any) -> str:
    """A single value as the editor reads it."""
    if value is None:
        return ""
    if spec.type == "bool":
        return _("Yes") if value is True or str(value).lower() in ("true", "1", "on") else _("No")
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value) if spec.type == "multi-enum" else "\n".join(str(v) for v in value)
    return str(value)


def render_fields(specs: tuple[FieldSpec, ...], data: dict[str, Any] | None, prefix: str = "") -> list[tuple[str, str]]:
    """A record as (label path, text) pairs, rows numbered, in the order of the form."""
    data = data if isinstance(data, dict) else {}
    lines: list[tuple[str, str]] = []
    for spec in specs:
        label = prefix + spec.label
        value = data.get(spec.name)
        if spec.type == "row":
            lines.extend(render_fields(spec.fields, value, label + " · "))
        elif spec.type == "list-of-rows":
            rows = value if isinstance(value, (list, tuple)) else []
            if not rows:
                lines.append((label, ""))
            for i, row in enumerate(rows, 1):
                lines.extend(render_fields(spec.fields, row, _("{label}, item {n}").format(label=label, n=i) + " · "))
        else:
            lines.append((label, _scalar(spec, value)))
    return lines


def _marked(old: str, new: str) -> tuple[Markup, Markup]:
    """Both texts with the characters that differ wrapped in <del> (old) and <ins> (new)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left, right = [], []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            left.append(escape(old[a1:a2]))
            right.append(escape(new[b1:b2]))
            continue
        if a2 > a1:
            left.append(Markup("<del>") + escape(old[a1:a2]) + Markup("</del>"))
        if b2 > b1:
            right.append(Markup("<ins>") + escape(new[b1:b2]) + Markup("</ins>"))
    return Markup("").join(left), Markup("").join(right)


def changes(specs: tuple[FieldSpec, ...], old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    """The fields that differ between two records, aligned by label so an inserted row reads as added."""
    a, b = render_fields(specs, old), render_fields(specs, new)
    a_keys, b_keys = [f"{k}\x00{v}" for k, v in a], [f"{k}\x00{v}" for k, v in b]
    result: list[Change] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a_keys, b_keys, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        old_part, new_part = a[a1:a2], b[b1:b2]
        new_by_label = dict(new_part)
        seen = set()
        for label, text in old_part:
            if label in new_by_label:
                seen.add(label)
                if new_by_label[label] != text:
                    left, right = _marked(text, new_by_label[label])
                    result.append(Change(label, left, right, "changed"))
            else:
                result.append(Change(label, escape(text), Markup(""), "removed"))
        for label, text in new_part:
            if label not in seen:
                result.append(Change(label, Markup(""), escape(text), "added"))
    return result
