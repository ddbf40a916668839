"""Content model: service guides (办事指南), halls, policies, categories and 一件事 bundles.

Every record is a frozen dataclass generated from a tuple of FieldSpecs (``field_specs(kind)``);
``Kind.from_dict`` validates plain JSON against them with Chinese ContentErrors, so the demo
content, the SQLite store, the editor's forms and the XML/JSON import share one validator.
See docs/content-model.md.
"""

from __future__ import annotations

from content.model.base import RECORD_CLASSES, ROW_CLASSES
from content.model.fields import FIELD_TYPES, ContentError, FieldSpec, label_of, to_plain
from content.model.guide import CATCH_ALL, GUIDE_KINDS, SUMMARY_BUDGET, Guide
from content.model.guide_rows import (NO_FEE_TEXT, Authority, Faq, Fee, FeeItem, Intermediary, LegalBasis,
                                      Material, Step, TimeLimit)
from content.model.hall import HALL_LEVELS, Hall, OpeningHours
from content.model.migrate import SCHEMA_VERSION, migrate
from content.model.other import Bundle, Category, City, Policy, sanitise_html

KINDS: tuple[str, ...] = ("category", "guide", "hall", "policy", "bundle")

__all__ = [
    "FIELD_TYPES", "GUIDE_KINDS", "HALL_LEVELS", "KINDS", "NO_FEE_TEXT", "SCHEMA_VERSION", "SUMMARY_BUDGET", "CATCH_ALL",
    "Authority", "Bundle", "Category", "City", "ContentError", "Faq", "Fee", "FeeItem", "FieldSpec", "Guide", "Hall",
    "Intermediary", "LegalBasis", "Material", "OpeningHours", "Policy", "Step", "TimeLimit",
    "field_specs", "label_of", "migrate", "model_of", "sanitise_html", "to_plain",
]


def field_specs(kind: str) -> list[FieldSpec]:
    """The editable fields of a record kind (guide, hall, policy, category, bundle) or a row kind (material …)."""
    cls = RECORD_CLASSES.get(kind) or ROW_CLASSES.get(kind)
    if cls is None:
        raise KeyError(f"unknown content kind {kind!r}")
    return list(cls.SPECS)


def model_of(kind: str) -> type:
    """The record class of ``kind`` (guide → Guide …)."""
    try:
        return RECORD_CLASSES[kind]
    except KeyError:
        raise ContentError(f"内容类型“{kind}”不认识（应为 {'/'.join(KINDS)}）") from None
