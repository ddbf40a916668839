"""Fast reading of stored records: the store holds only records the model validated when they were written,
so loading 10,000 guides at start-up need not validate them again (``from_dict`` costs about 0.4 ms a guide,
this about a tenth of it).

Repeated strings (material names, departments, halls' opening hours, the same 居民身份证 in thousands of
guides) are shared through one table per load, which keeps the memory of big content down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from content.model.base import ROW_CLASSES
from content.model.fields import FieldSpec

Strings = dict[str, str]
_PLANS: dict[type, tuple[tuple[str, Callable[[Any, Strings], Any]], ...]] = {}


def _scalar(spec: FieldSpec) -> Callable[[Any, Strings], Any]:
    """Reader of a str/number/bool field: the stored value, or the spec's blank value when missing."""
    blank = spec.default if spec.default is not None else (False if spec.type == "bool" else
                                                            None if spec.type in ("int", "float") else "")

    def read(raw: Any, strings: Strings) -> Any:
        """The stored value (strings shared)."""
        if raw is None:
            return blank
        return strings.setdefault(raw, raw) if isinstance(raw, str) else raw
    return read


def _strings(raw: Any, strings: Strings) -> tuple:
    """A list of strings as a tuple of shared strings."""
    return tuple(strings.setdefault(s, s) for s in raw) if raw else ()


def _reader(spec: FieldSpec) -> Callable[[Any, Strings], Any]:
    """How to read one field of a stored record."""
    if spec.type in ("multi-enum", "list-of-str"):
        return _strings
    if spec.type == "list-of-rows":
        cls = ROW_CLASSES[spec.row]
        return lambda raw, strings: tuple(decode(cls, r, strings) for r in raw) if raw else ()
    if spec.type == "row":
        cls = ROW_CLASSES[spec.row]
        return lambda raw, strings: decode(cls, raw or {}, strings)
    return _scalar(spec)


def decode(cls: type, data: dict[str, Any], strings: Strings) -> Any:
    """A record of ``cls`` from its stored JSON, without validating it again."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = tuple((s.name, _reader(s)) for s in cls.SPECS)
    record = object.__new__(cls)
    # a frozen dataclass keeps its fields in __dict__; filling it directly skips __init__'s per-field setattr
    record.__dict__.update({name: read(data.get(name), strings) for name, read in plan})
    return record
