"""Every mistake of a submitted form at once, each tied to its field, in words for editors.

The content model stops at the first broken rule (an import wants one clear message).  An editor wants
the whole list, so here each field is checked on its own with the model's own converters (the same
rules, the same Chinese messages), each row of a repeatable field with its row rules, and only when all
fields pass, the record's rules that span several fields (which can then name only the first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from content import store
from content.model import ContentError, field_specs
from content.model.base import ROW_CLASSES
from content.model.fields import FieldSpec, _convert
from tvportal.i18n import gettext as _

_WHERE = "\x00"  # stands for the "where" part of a model message, which the form does not need
_CODE_NOTE = re.compile(r"（[A-Za-z_][A-Za-z0-9_.]*）")


@dataclass(frozen=True)
class FieldError:
    """One mistake: the form name of the field (``materials.2.name``; "" for the whole item) and the message."""

    name: str
    message: str

    @property
    def dom_id(self) -> str:
        """The id of the field's box on the form (as forms.FormField.dom_id)."""
        return "f-" + self.name.replace(".", "-") if self.name else "edit-form"


def _clean(message: str) -> str:
    """A model message without its "where" prefix and without internal field names like （summary）."""
    text = message.split(_WHERE + "：", 1)[-1] if _WHERE in message else re.sub(r"^[^：]*：", "", message, count=1)
    return _CODE_NOTE.sub("", text).strip()


def _missing(spec: FieldSpec, value: Any) -> bool:
    """A required field left blank."""
    return spec.required and value in (None, "", [], (), {})


def _check_fields(specs: tuple[FieldSpec, ...], data: Any, prefix: str, errors: list[FieldError]) -> None:
    """Add the mistakes of ``data`` against ``specs`` (rows recursively) to ``errors``."""
    data = data if isinstance(data, dict) else {}
    for spec in specs:
        name, value = prefix + spec.name, data.get(spec.name)
        if spec.type == "row":
            before = len(errors)
            _check_fields(spec.fields, value, name + ".", errors)
            if len(errors) == before:
                _check_row(spec, value, name, errors)
            continue
        if spec.type == "list-of-rows":
            rows = value if isinstance(value, list) else []
            if _missing(spec, rows):
                errors.append(FieldError(name, _("Add at least one “{label}”.").format(label=spec.label)))
            for i, row in enumerate(rows):
                before = len(errors)
                _check_fields(spec.fields, row, f"{name}.{i}.", errors)
                if len(errors) == before:
                    _check_row(spec, row, f"{name}.{i}", errors)
            continue
        if _missing(spec, value) or (spec.required and isinstance(value, str) and not value.strip()):
            errors.append(FieldError(name, _("Please fill in “{label}”.").format(label=spec.label)))
            continue
        try:
            _convert(spec, value, _WHERE, ROW_CLASSES)
        except ContentError as exc:
            errors.append(FieldError(name, _clean(str(exc))))


def _check_row(spec: FieldSpec, value: Any, name: str, errors: list[FieldError]) -> None:
    """The rules of one row that span its fields (e.g. 原件份数 against 材料类型)."""
    try:
        ROW_CLASSES[spec.row].from_dict(value if isinstance(value, dict) else {}, _WHERE)
    except ContentError as exc:
        errors.append(FieldError(name, _clean(str(exc))))


def _field_named(specs: tuple[FieldSpec, ...], message: str) -> str:
    """The top-level field a record rule's message talks about (longest label first), or ""."""
    for spec in sorted(specs, key=lambda s: -len(s.label)):
        if spec.label in message:
            return spec.name
    return ""


def form_errors(kind: str, data: dict[str, Any]) -> list[FieldError]:
    """Every mistake of the form, in the order of the form; empty when the item passes the model."""
    specs = tuple(field_specs(kind))
    errors: list[FieldError] = []
    _check_fields(specs, data, "", errors)
    if errors:
        return errors
    try:
        store.KINDS[kind].from_dict(data, _WHERE)
    except ContentError as exc:
        message = _clean(str(exc))
        errors.append(FieldError(_field_named(specs, message), message))
    return errors
