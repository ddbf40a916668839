"""The record base: a frozen dataclass generated from a tuple of FieldSpecs, validated by them."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from content.model.fields import FieldSpec, read_fields

ROW_CLASSES: dict[str, type] = {}
RECORD_CLASSES: dict[str, type] = {}


class Record:
    """Common behaviour of every content record and row: ``from_dict`` validation by the specs."""

    SPECS: ClassVar[tuple[FieldSpec, ...]] = ()
    KIND: ClassVar[str] = ""
    NOUN: ClassVar[str] = "记录"  # what an error message calls a record of this kind

    @classmethod
    def describe(cls, data: Any) -> str:
        """The "where" of an error message: the record's noun and its name or id."""
        name = "?"
        if isinstance(data, dict):
            name = data.get("name") or data.get("title") or data.get("id") or "?"
        return f"{cls.NOUN}“{name}”"

    @classmethod
    def from_dict(cls, data: Any, where: str = "") -> Any:
        """Build and validate a record from plain JSON; every problem is a Chinese ContentError."""
        where = where or cls.describe(data)
        values = read_fields(cls.SPECS, data, where, ROW_CLASSES)
        return cls(**cls.check(values, where))

    @classmethod
    def check(cls, values: dict[str, Any], where: str) -> dict[str, Any]:
        """Cross-field rules and derived values; subclasses extend this."""
        return values


def _default(spec: FieldSpec) -> dataclasses.Field:
    """The dataclass default of a field: the value a blank form field validates to."""
    if spec.type == "row":
        return dataclasses.field(default_factory=lambda: ROW_CLASSES[spec.row].from_dict({}, spec.label))
    if spec.type in ("int", "float"):
        return dataclasses.field(default=spec.default)
    if spec.type == "bool":
        return dataclasses.field(default=bool(spec.default))
    if spec.type in ("multi-enum", "list-of-str", "list-of-rows"):
        return dataclasses.field(default=tuple(spec.default or ()))
    return dataclasses.field(default=spec.default or "")


def record(kind: str, specs: tuple[FieldSpec, ...], *, row: bool = False):
    """Class decorator: give ``cls`` one dataclass field per spec and register it under ``kind``."""

    def wrap(cls: type) -> type:
        """Turn the class into a frozen dataclass with the spec'd fields."""
        cls.__annotations__ = {s.name: Any for s in specs}
        for spec in specs:
            setattr(cls, spec.name, _default(spec))
        cls.SPECS = specs
        cls.KIND = kind
        made = dataclasses.dataclass(frozen=True)(cls)
        (ROW_CLASSES if row else RECORD_CLASSES)[kind] = made
        return made

    return wrap
