"""Checks across records: references between guides, halls, categories, policies and bundles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def check_references(records: Iterable[Any]) -> list[str]:
    """Chinese problems of a whole content set (every kind together); empty when consistent."""
    by_kind: dict[str, dict[str, Any]] = {}
    for record in records:
        by_kind.setdefault(record.KIND, {})[record.id] = record
    guides, halls = by_kind.get("guide", {}), by_kind.get("hall", {})
    categories, bundles = by_kind.get("category", {}), by_kind.get("bundle", {})
    problems = []

    def missing(where: str, label: str, ids: Iterable[str], known: dict[str, Any]) -> None:
        """Record every id of ``ids`` that ``known`` lacks."""
        for ref in ids:
            if ref not in known:
                problems.append(f"{where}：{label}“{ref}”不存在")

    for g in guides.values():
        where = f"办事指南“{g.name}”"
        missing(where, "生活分类", g.categories, categories)
        missing(where, "办理大厅", g.hall_ids, halls)
        missing(where, "一件事", g.bundle_ids, bundles)
    for h in halls.values():
        missing(f"服务大厅“{h.name}”", "可办事项", h.services, guides)
    for p in by_kind.get("policy", {}).values():
        missing(f"政策“{p.title}”", "生活分类", p.categories, categories)
        missing(f"政策“{p.title}”", "相关办事指南", p.related_guides, guides)
    for b in bundles.values():
        missing(f"一件事“{b.name}”", "办事指南", b.guide_ids, guides)
        missing(f"一件事“{b.name}”", "生活分类", b.categories, categories)
    codes: dict[str, str] = {}
    for g in guides.values():
        if g.implementation_code:
            other = codes.setdefault(g.implementation_code, g.id)
            if other != g.id:
                problems.append(f"办事指南“{g.name}”：实施编码 {g.implementation_code} 与“{guides[other].name}”重复")
    return problems
