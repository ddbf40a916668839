"""Edit forms generated from the content model's field specs, and read back into plain JSON.

Form names are paths: ``name``, ``time_limit.promised_days``, ``materials.2.kind``.  Each row of a
repeatable field carries a hidden ``<path>.<n>._row`` marker so that a row whose boxes are all
unticked still exists.  Values are kept exactly as typed (a count of "abc" stays "abc") until the
model validates them, so a form with a mistake comes back with nothing lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from multidict import MultiDictProxy

from content.model import field_specs
from content.model.fields import FieldSpec

OP_RE = re.compile(r"^(add|remove|up|down):([A-Za-z0-9_.]+)$")
MAX_ROWS = 200  # far more than any guide has; stops a crafted form from making the page huge


class FormError(ValueError):
    """A row operation names a field that is not there."""


@dataclass
class FormField:
    """One field of a rendered form: its spec, form name, current value and nested fields."""

    spec: FieldSpec
    name: str
    value: Any
    children: list[FormField] = field(default_factory=list)  # a "row" field's sub-fields
    rows: list[list[FormField]] = field(default_factory=list)  # a "list-of-rows" field's rows

    @property
    def dom_id(self) -> str:
        """An id usable in HTML (dots become dashes)."""
        return "f-" + self.name.replace(".", "-")

    @property
    def text(self) -> str:
        """The value as the text a box shows (lists one item per line)."""
        if self.value is None:
            return ""
        if isinstance(self.value, (list, tuple)):
            return "\n".join(str(v) for v in self.value)
        if isinstance(self.value, bool):
            return "true" if self.value else ""
        return str(self.value)

    @property
    def checked(self) -> bool:
        """A yes/no field's state."""
        return self.value is True or (isinstance(self.value, str) and self.value.lower() in ("true", "1", "on", "是"))

    def selected(self, choice: str) -> bool:
        """Whether ``choice`` is the (or one of the) chosen values of an enum field."""
        if isinstance(self.value, (list, tuple)):
            return choice in self.value
        return self.value == choice


def empty_record(specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
    """Plain JSON of a blank record: every field at its empty value (rows filled in recursively)."""
    data: dict[str, Any] = {}
    for spec in specs:
        if spec.type == "row":
            data[spec.name] = empty_record(spec.fields)
        else:
            value = spec.empty_value()
            data[spec.name] = list(value) if isinstance(value, tuple) else value
    return data


def build_fields(specs: tuple[FieldSpec, ...], data: dict[str, Any] | None, prefix: str = "") -> list[FormField]:
    """The form fields for ``specs`` filled with ``data`` (missing values are blank)."""
    data = data if isinstance(data, dict) else {}
    fields = []
    for spec in specs:
        name = prefix + spec.name
        value = data.get(spec.name)
        item = FormField(spec, name, value)
        if spec.type == "row":
            item.children = build_fields(spec.fields, value, name + ".")
        elif spec.type == "list-of-rows":
            rows = value if isinstance(value, (list, tuple)) else []
            item.rows = [build_fields(spec.fields, row, f"{name}.{i}.") for i, row in enumerate(rows[:MAX_ROWS])]
        fields.append(item)
    return fields


def _row_indexes(form: MultiDictProxy, name: str) -> list[int]:
    """The row numbers of a repeatable field present in the form, in order."""
    pattern = re.compile(re.escape(name) + r"\.(\d{1,4})\._row$")
    found = {int(m.group(1)) for key in form.keys() if (m := pattern.match(key))}
    return sorted(found)[:MAX_ROWS]


def parse_form(specs: tuple[FieldSpec, ...], form: MultiDictProxy, prefix: str = "") -> dict[str, Any]:
    """Read a submitted form back into plain JSON for the model to validate (values kept as typed)."""
    data: dict[str, Any] = {}
    for spec in specs:
        name = prefix + spec.name
        t = spec.type
        if t == "bool":
            data[spec.name] = name in form
        elif t == "multi-enum":
            data[spec.name] = [v for v in form.getall(name, []) if isinstance(v, str)]
        elif t == "list-of-str":
            # a textarea posts one value, a pick-list one value per chosen item
            raw = "\n".join(str(v) for v in form.getall(name, []) if isinstance(v, str))
            data[spec.name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif t == "row":
            data[spec.name] = parse_form(spec.fields, form, name + ".")
        elif t == "list-of-rows":
            data[spec.name] = [parse_form(spec.fields, form, f"{name}.{i}.") for i in _row_indexes(form, name)]
        elif t in ("int", "float"):
            raw = str(form.get(name, "")).strip()
            data[spec.name] = _number(raw, t)
        else:
            raw = form.get(name, "")
            data[spec.name] = raw.replace("\r\n", "\n") if isinstance(raw, str) else ""
    return data


def _number(raw: str, kind: str) -> Any:
    """A typed number where the text is one; otherwise the text itself (the model reports it)."""
    if raw == "":
        return None
    try:
        return int(raw) if kind == "int" else float(raw)
    except ValueError:
        return raw


def _find_spec(specs: tuple[FieldSpec, ...], name: str) -> FieldSpec:
    """The spec called ``name`` among ``specs``."""
    for spec in specs:
        if spec.name == name:
            return spec
    raise FormError(name)


def apply_row_op(specs: tuple[FieldSpec, ...], data: dict[str, Any], op: str) -> str:
    """Apply an add/remove/up/down row button to the parsed form; return the path to focus afterwards."""
    match = OP_RE.match(op)
    if not match:
        raise FormError(op)
    verb, path = match.groups()
    parts = path.split(".")
    if verb in ("remove", "up", "down"):
        if len(parts) < 2 or not parts[-1].isdigit():
            raise FormError(op)
        index, parts = int(parts[-1]), parts[:-1]
    container, current = data, specs
    spec: FieldSpec | None = None
    for i, part in enumerate(parts):
        if part.isdigit():
            if spec is None or spec.type != "list-of-rows" or not isinstance(container, list) \
                    or int(part) >= len(container):
                raise FormError(op)
            container, current = container[int(part)], spec.fields
            continue
        spec = _find_spec(current, part)
        if not isinstance(container, dict):
            raise FormError(op)
        container = container.setdefault(part, [] if spec.type == "list-of-rows" else {})
        if spec.type == "row":
            current = spec.fields
    if spec is None or spec.type != "list-of-rows" or not isinstance(container, list):
        raise FormError(op)
    rows = container
    base = ".".join(parts)
    if verb == "add":
        if len(rows) >= MAX_ROWS:
            raise FormError(op)
        rows.append(empty_record(spec.fields))
        return f"{base}.{len(rows) - 1}"
    if index >= len(rows):
        raise FormError(op)
    if verb == "remove":
        rows.pop(index)
        return base
    target = index - 1 if verb == "up" else index + 1
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]
    return f"{base}.{max(0, min(target, len(rows) - 1))}"


# written by the review workflow (editor/workflow.py), never typed: 审核状态, 审核人, 审核日期
WORKFLOW_OWNED = frozenset({"review_state", "reviewed_by", "reviewed_at"})


def canonical(specs: tuple[FieldSpec, ...], data: Any) -> Any:
    """``data`` with the ticked boxes of multiple-choice fields in the order of their choices: the form cannot
    express any other order, so a record stored otherwise is the same record (rows recursively)."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for spec in specs:
        value = data.get(spec.name)
        if spec.type == "multi-enum" and isinstance(value, (list, tuple)):
            rank = {c: i for i, c in enumerate(spec.choices)}
            out[spec.name] = sorted(value, key=lambda v: rank.get(v, len(rank)))
        elif spec.type == "row":
            out[spec.name] = canonical(spec.fields, value)
        elif spec.type == "list-of-rows" and isinstance(value, (list, tuple)):
            out[spec.name] = [canonical(spec.fields, row) for row in value]
    return out


def specs_of(kind: str) -> tuple[FieldSpec, ...]:
    """The editable fields of one record kind, from the content model (without the workflow's own)."""
    return tuple(s for s in field_specs(kind) if s.name not in WORKFLOW_OWNED)
