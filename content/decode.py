"""Fast reading of stored records: the store holds only records the model validated when they were written,
so loading 10,000 guides at start-up need not validate them again (``from_dict`` costs about 0.4 ms a guide,
this about a tenth of it).

Repeated strings (material names, departments, halls' opening hours, the same 居民身份证 in thousands of
guides) are shared through one table per load, which keeps the memory of big content down.

``decode_lazy`` goes further for the records a snapshot holds: only the fields that lists, search, links and
the snapshot's tables read of every record (``EAGER``) are decoded at load; the rest (materials, steps, fees,
the long texts only a guide's own pages show: about 16 row objects a guide) stay in the record's stored JSON
and are decoded on first read, the last ``LRU`` records' kept decoded.  At 10,000 guides this saves most of
the start-up CPU and of the records' memory.  ``compact`` later zlib-compresses the kept JSON (to about 40 %)
in a worker thread: zlib lets go of the GIL, so TV pages are served meanwhile.  The lazy fields are read
through non-data descriptors on the record class, so a record built by ``from_dict`` (every field in its
``__dict__``) never reaches them and behaves exactly as before.  A lazy record is for one process: pickle it
and the other process gets the eager fields only.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from functools import lru_cache
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


# what lists, search, links, the snapshot's tables and reference checks read of every record: decoded at load
EAGER = frozenset({"id", "name", "short_name", "title", "kind", "categories", "topic_tags", "popularity", "summary",
                   "department", "tv_service", "hall_ids", "bundle_ids", "implementation_code", "catalog_code",
                   "visits_required", "status", "bookable", "tv_can_apply", "tv_query_only", "hall_name",
                   "placeholders", "date", "issuer", "doc_no", "county", "county_code", "town", "level", "address",
                   "extras", "guide_ids", "keywords",
                   # read of every guide by the editor's scheduler (计划取消日期) and its list of guides due for review
                   "effective_to", "reviewed_at"})
PACKED = "_packed"  # the stored JSON a lazy record keeps in its __dict__ (UTF-8 bytes, or zlib of them)
LRU = 512
ZLIB = b"x"  # first byte of a zlib stream (never of JSON): the kept JSON is compressed
_LAZY_PLANS: dict[type, tuple[tuple, tuple]] = {}
_MISSING = object()


class _LazyField:
    """A field read from the record's stored JSON on first use (non-data descriptor: ``__dict__`` wins)."""

    def __init__(self, name: str, default: Any) -> None:
        """Remember the field name and the class attribute it replaces (the dataclass default, if any)."""
        self.name, self.default = name, default

    def __get__(self, obj: Any, cls: type) -> Any:
        """On the class, the default; on a lazy record, the field decoded from its stored JSON."""
        if obj is None:
            if self.default is _MISSING:
                raise AttributeError(self.name)
            return self.default
        packed = obj.__dict__.get(PACKED)
        if packed is None:
            raise AttributeError(self.name)
        return _unpacked(type(obj), packed)[self.name]


@lru_cache(maxsize=LRU)
def _unpacked(cls: type, packed: bytes) -> dict[str, Any]:
    """The lazy fields of a record from its stored JSON (the guides being viewed stay decoded)."""
    data, strings = json.loads(zlib.decompress(packed) if packed[:1] == ZLIB else packed), {}
    return {name: read(data.get(name), strings) for name, read in _lazy_plan(cls)[1]}


def _lazy_plan(cls: type) -> tuple[tuple, tuple]:
    """(eager readers, lazy readers) of a record class; installs the lazy fields' descriptors once."""
    plan = _LAZY_PLANS.get(cls)
    if plan is None:
        eager, lazy = [], []
        for spec in cls.SPECS:
            is_lazy = spec.name not in EAGER
            (lazy if is_lazy else eager).append((spec.name, _reader(spec)))
            if is_lazy and not isinstance(cls.__dict__.get(spec.name), _LazyField):
                setattr(cls, spec.name, _LazyField(spec.name, cls.__dict__.get(spec.name, _MISSING)))
        plan = _LAZY_PLANS[cls] = (tuple(eager), tuple(lazy))
    return plan


def decode_lazy(cls: type, data: dict[str, Any], packed: bytes, strings: Strings) -> Any:
    """A record of ``cls`` from its parsed stored JSON ``data`` and its bytes ``packed``: the eager fields
    now, the others when first read."""
    eager, lazy = _lazy_plan(cls)
    if not lazy:
        return decode(cls, data, strings)
    record = object.__new__(cls)
    values = {name: read(data.get(name), strings) for name, read in eager}
    values[PACKED] = packed
    record.__dict__.update(values)
    return record


def compact(records: Iterable[Any]) -> int:
    """Compress the stored JSON kept by lazy records that still hold it plain; how many were compressed.

    For a worker thread: zlib runs without the GIL.  Swapping the bytes is safe for readers: both forms
    decode to the same fields.
    """
    done = 0
    for record in records:
        packed = record.__dict__.get(PACKED)
        if packed is not None and packed[:1] != ZLIB:
            record.__dict__[PACKED] = zlib.compress(packed, 1)
            done += 1
    return done
