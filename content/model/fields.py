"""Field specifications: one declarative description of every editable field of the content model.

The same specs drive validation (``read_fields``), the editor's generated forms (``field_specs``),
the XML schema and the XML import/export, so a field added here reaches all of them at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

FIELD_TYPES = ("str", "text", "html", "int", "float", "bool", "date", "enum", "multi-enum",
               "list-of-str", "list-of-rows", "row")
_TRUE = {"true", "1", "yes", "on", "是"}
_FALSE = {"false", "0", "no", "off", "否", ""}


class ContentError(ValueError):
    """A content record breaks a rule of the model; the message is Chinese for editors."""


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: name, Chinese label, type, choices and rules, for forms and validation."""

    name: str
    label: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    default: Any = None
    fields: tuple[FieldSpec, ...] = ()  # sub-fields of a "row" or of each row of "list-of-rows"
    row: str = ""  # the row kind of a "row" / "list-of-rows" field (field_specs(row) gives its fields)
    group: str = ""  # form section (A..F of the national element set)
    max_len: int | None = None
    min: float | None = None
    max: float | None = None
    pattern: str = ""

    def empty_value(self) -> Any:
        """The JSON value of this field when the editor leaves it blank."""
        if self.default is not None:
            return self.default
        return {"int": None, "float": None, "bool": False, "multi-enum": [], "list-of-str": [],
                "list-of-rows": [], "row": {}}.get(self.type, "")


def label_of(specs: tuple[FieldSpec, ...], name: str) -> str:
    """The Chinese label of field ``name`` (the name itself when unknown)."""
    return next((s.label for s in specs if s.name == name), name)


def require(data: dict[str, Any], key: str, where: str) -> Any:
    """Return ``data[key]`` or raise a ContentError naming the missing field."""
    value = data.get(key) if isinstance(data, dict) else None
    if value in (None, "", [], ()):
        raise ContentError(f"{where}：缺少字段“{key}”")
    return value


def _as_str(spec: FieldSpec, raw: Any, where: str) -> str:
    """A string field: numbers are accepted as text, anything else is an error."""
    if raw is None:
        return spec.default if spec.default is not None else ""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise ContentError(f"{where}：“{spec.label}”应为文字")
    text = str(raw).strip() if spec.type == "str" else str(raw).strip("\n ")
    if spec.max_len is not None and len(text) > spec.max_len:
        raise ContentError(f"{where}：“{spec.label}”最多 {spec.max_len} 个字，现在有 {len(text)} 个")
    if text and spec.pattern and not re.fullmatch(spec.pattern, text):
        raise ContentError(f"{where}：“{spec.label}”的格式不对（{spec.help or spec.pattern}）")
    if text and spec.type == "date":
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise ContentError(f"{where}：“{spec.label}”应为日期，写成 2026-03-16 这样") from None
    return text


def _as_number(spec: FieldSpec, raw: Any, where: str) -> int | float | None:
    """An int or float field, optionally bounded."""
    if raw is None or raw == "":
        return spec.default
    kind = int if spec.type == "int" else float
    if isinstance(raw, bool):
        raise ContentError(f"{where}：“{spec.label}”应为数字")
    try:
        value = kind(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError):
        raise ContentError(f"{where}：“{spec.label}”应为{'整数' if kind is int else '数字'}，现在是“{raw}”") from None
    if kind is int and isinstance(raw, float) and raw != int(raw):
        raise ContentError(f"{where}：“{spec.label}”应为整数，现在是“{raw}”")
    if spec.min is not None and value < spec.min:
        raise ContentError(f"{where}：“{spec.label}”不能小于 {spec.min:g}")
    if spec.max is not None and value > spec.max:
        raise ContentError(f"{where}：“{spec.label}”不能大于 {spec.max:g}")
    return value


def _as_bool(spec: FieldSpec, raw: Any, where: str) -> bool:
    """A yes/no field; form and XML spellings (true/false, 是/否, 1/0) are accepted."""
    if raw is None:
        return bool(spec.default)
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ContentError(f"{where}：“{spec.label}”应为 是 或 否，现在是“{raw}”")


def _as_list(spec: FieldSpec, raw: Any, where: str) -> list[Any]:
    """A list value; a multi-line string counts as one item per line (textarea input)."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if not isinstance(raw, (list, tuple)):
        raise ContentError(f"{where}：“{spec.label}”应为一组条目")
    return list(raw)


def _convert(spec: FieldSpec, raw: Any, where: str, row_classes: dict[str, type]) -> Any:
    """Turn one raw JSON value into the model value of ``spec``, or raise a Chinese ContentError."""
    t = spec.type
    if t in ("str", "text", "html", "date"):
        value: Any = _as_str(spec, raw, where)
    elif t in ("int", "float"):
        value = _as_number(spec, raw, where)
    elif t == "bool":
        value = _as_bool(spec, raw, where)
    elif t == "enum":
        value = _as_str(spec, raw, where) or (spec.default or "")
        if value not in spec.choices and not (value == "" and not spec.required):
            raise ContentError(f"{where}：“{spec.label}”只能是 {'/'.join(c for c in spec.choices if c)}，现在是“{value}”")
    elif t == "multi-enum":
        items = _as_list(spec, raw, where) if raw is not None else list(spec.default or ())
        for item in items:
            if item not in spec.choices:
                raise ContentError(f"{where}：“{spec.label}”只能从 {'/'.join(spec.choices)} 中选，“{item}”不在其中")
        value = tuple(dict.fromkeys(items))
    elif t == "list-of-str":
        items = _as_list(spec, raw, where)
        if any(not isinstance(i, (str, int)) or isinstance(i, bool) for i in items):
            raise ContentError(f"{where}：“{spec.label}”的每一项都应为文字")
        value = tuple(s for s in (str(i).strip() for i in items) if s)
        if spec.max_len is not None:
            for s in value:
                if len(s) > spec.max_len:
                    raise ContentError(f"{where}：“{spec.label}”中“{s[:12]}…”超过 {spec.max_len} 个字")
    elif t == "list-of-rows":
        cls = row_classes[spec.row]
        rows = _as_list(spec, raw, where) if not isinstance(raw, str) else None
        if rows is None:
            raise ContentError(f"{where}：“{spec.label}”应为一组条目")
        value = tuple(cls.from_dict(r, f"{where} {spec.label}第{i}项") for i, r in enumerate(rows, 1))
    elif t == "row":
        cls = row_classes[spec.row]
        value = cls.from_dict({} if raw is None else raw, f"{where} {spec.label}")
    else:  # pragma: no cover - a spec with an unknown type is a programming error
        raise AssertionError(t)
    if spec.required and value in ("", (), None):
        raise ContentError(f"{where}：缺少“{spec.label}”（{spec.name}）")
    return value


def read_fields(specs: tuple[FieldSpec, ...], data: Any, where: str, row_classes: dict[str, type]) -> dict[str, Any]:
    """Validate ``data`` against ``specs``; unknown keys are errors, keys starting with "_" are ignored."""
    if not isinstance(data, dict):
        raise ContentError(f"{where}：应为一组字段，现在是 {type(data).__name__}")
    names = {s.name for s in specs}
    unknown = [k for k in data if k not in names and not str(k).startswith("_") and k != "schema_version"]
    if unknown:
        raise ContentError(f"{where}：未知字段“{unknown[0]}”")
    return {s.name: _convert(s, data.get(s.name), where, row_classes) for s in specs}


def check_placeholders(placeholders: tuple[str, ...], specs: tuple[FieldSpec, ...], where: str) -> None:
    """Placeholders (示例 values) must name real fields of the record."""
    names = {s.name for s in specs}
    for name in placeholders:
        if name not in names or name == "placeholders":
            raise ContentError(f"{where}：占位字段“{name}”不是本记录的字段")


_PLAIN = (str, int, float, bool, type(None))
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}  # per class: its dataclass fields, or None


def to_plain(record: Any) -> Any:
    """Turn a content record back into plain JSON-able data (for the store and exports)."""
    cls = type(record)
    if cls in _PLAIN:  # most values: answered before any dataclass check (an import dumps millions)
        return record
    names = _FIELD_NAMES.get(cls, ())
    if names == ():
        names = _FIELD_NAMES[cls] = (tuple(f.name for f in dataclasses.fields(cls))
                                     if dataclasses.is_dataclass(cls) else None)
    if names is not None:
        return {name: to_plain(getattr(record, name)) for name in names}
    if isinstance(record, (list, tuple)):
        return [to_plain(x) for x in record]
    return record
