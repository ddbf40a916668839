"""Readable differences between two versions of a record: one row per changed field, words marked.

Each record is first rendered field by field as (label path, text) pairs — 申请材料，第2项 ·
材料名称: 户口簿 — then the pairs are compared with difflib, and within a changed field the
characters that differ are wrapped in <del>/<ins>.

Two things are not differences an editor should be shown: a field left at its empty value or default
(a new 申请材料 row whose boxes are untouched) and the order of a list whose order the TV does not use
(a guide's 生活分类, its materials).  Lists whose order the TV does use (办理大厅 decides 去哪办, 办理环节
are steps, policy paragraphs are the text) keep their order in a diff.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from content.model.fields import FieldSpec
from tvportal.i18n import gettext as _

ORDERED = frozenset({"hall_ids", "steps", "paragraphs", "hours", "guide_ids"})  # order shown on the TV


def _is_empty(spec: FieldSpec, value: Any) -> bool:
    """True for a value an editor did not fill in: blank, or the field's default."""
    if spec.type == "bool":
        return bool(value is True or str(value).lower() in ("true", "1", "on")) == bool(spec.default)
    if value in (None, "", [], (), {}):
        return True
    default = spec.default
    return default is not None and (list(value) if isinstance(value, tuple) else value) == (
        list(default) if isinstance(default, tuple) else default)


def _key(value: Any) -> str:
    """A stable text form of a list item, to match items of two lists regardless of their order."""
    return repr(sorted(value.items())) if isinstance(value, dict) else repr(value)


def align(old: list, new: list) -> list:
    """``new`` reordered to follow ``old``: items found in both in old's order, changed ones where the old
    item was, added ones at the end (so a reordering alone is no difference)."""
    pool = [(_key(item), item) for item in new]
    placed: list[Any] = []
    missing = []
    for item in old:
        key = _key(item)
        hit = next((i for i, (k, _v) in enumerate(pool) if k == key), None)
        if hit is None:
            missing.append(len(placed))
            placed.append(None)
        else:
            placed.append(pool.pop(hit)[1])
    for slot in missing:
        if pool:
            placed[slot] = pool.pop(0)[1]
    return [p for p in placed if p is not None] + [item for _k, item in pool]


def aligned(specs: tuple[FieldSpec, ...], old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    """``new`` with every unordered list put in ``old``'s order (rows recursively)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new if isinstance(new, dict) else {}
    out = dict(new)
    for spec in specs:
        a, b = old.get(spec.name), new.get(spec.name)
        if spec.type == "row":
            out[spec.name] = aligned(spec.fields, a, b)
        elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and spec.name not in ORDERED:
            out[spec.name] = align(list(a), list(b))
    return out


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


def _lines(specs: tuple[FieldSpec, ...], data: dict[str, Any] | None, prefix: str = "") -> list[tuple[str, str, bool]]:
    """A record as (label path, text, left empty) triples, rows numbered, in the order of the form."""
    data = data if isinstance(data, dict) else {}
    lines: list[tuple[str, str, bool]] = []
    for spec in specs:
        label = prefix + spec.label
        value = data.get(spec.name)
        if spec.type == "row":
            lines.extend(_lines(spec.fields, value, label + " · "))
        elif spec.type == "list-of-rows":
            rows = value if isinstance(value, (list, tuple)) else []
            if not rows:
                lines.append((label, "", True))
            for i, row in enumerate(rows, 1):
                lines.extend(_lines(spec.fields, row, _("{label}, item {n}").format(label=label, n=i) + " · "))
        else:
            lines.append((label, _scalar(spec, value), _is_empty(spec, value)))
    return lines


def render_fields(specs: tuple[FieldSpec, ...], data: dict[str, Any] | None) -> list[tuple[str, str]]:
    """A record as (label path, text) pairs, rows numbered, in the order of the form."""
    return [(label, text) for label, text, _blank in _lines(specs, data)]


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
    """The fields that differ between two records, aligned by label so an inserted row reads as added.

    A field that is only on one side (a row added or removed) and was left empty is no difference, nor is
    the order of an unordered list."""
    a, b = _lines(specs, old), _lines(specs, aligned(specs, old, new))
    a_keys, b_keys = [f"{k}\x00{v}" for k, v, _e in a], [f"{k}\x00{v}" for k, v, _e in b]
    result: list[Change] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a_keys, b_keys, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        old_part, new_part = a[a1:a2], b[b1:b2]
        new_by_label = {label: text for label, text, _e in new_part}
        seen = set()
        for label, text, blank in old_part:
            if label in new_by_label:
                seen.add(label)
                if new_by_label[label] != text:
                    left, right = _marked(text, new_by_label[label])
                    result.append(Change(label, left, right, "changed"))
            elif not blank:
                result.append(Change(label, escape(text), Markup(""), "removed"))
        for label, text, blank in new_part:
            if label not in seen and not blank:
                result.append(Change(label, Markup(""), escape(text), "added"))
    return result
