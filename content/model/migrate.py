"""Schema versions of stored and imported documents, and the migration of older ones on load.

Version 1 (the foundation): a material had one ``count`` and a kind that could be 电子; a 承诺件
could leave 法定时限 empty.  Version 2: materials give 原件份数 and 复印件份数 and a separate form
(纸质/电子); a 承诺件 needs both limits.  A v1 承诺件 without 法定时限 gets the promised limit as a
stand-in and "time_limit" in its placeholders, so the TV marks it 示例 until an editor checks it.
"""

from __future__ import annotations

import copy
from typing import Any

from content.model.fields import ContentError

SCHEMA_VERSION = 2


def _material_v2(material: Any) -> Any:
    """A v1 material row in the v2 shape."""
    if not isinstance(material, dict) or "count" not in material and material.get("kind") != "电子":
        return material
    row = dict(material)
    count = row.pop("count", 1)
    if row.get("kind") == "电子":
        row["kind"], row["form"] = "原件", "电子"
    kind = row.get("kind", "原件")
    row.setdefault("originals", count if kind in ("原件", "原件和复印件") else 0)
    row.setdefault("copies", count if kind in ("复印件", "原件和复印件") else 0)
    return row


def _guide_v2(data: dict[str, Any]) -> dict[str, Any]:
    """A v1 guide in the v2 shape."""
    if isinstance(data.get("materials"), list):
        data["materials"] = [_material_v2(m) for m in data["materials"]]
    limit = data.get("time_limit")
    if isinstance(limit, dict) and limit.get("statutory_days") is None:
        try:
            promised = int(limit.get("promised_days") or 0)
        except (TypeError, ValueError):
            promised = 0
        if promised > 0:
            data["time_limit"] = dict(limit, statutory_days=promised)
            marks = list(data.get("placeholders") or [])
            data["placeholders"] = marks + (["time_limit"] if "time_limit" not in marks else [])
    return data


def _hall_v2(data: dict[str, Any]) -> dict[str, Any]:
    """A v1 hall in the v2 shape: the 7×24 self-service area becomes a flag."""
    if "self_service_24h" not in data and "7×24" in str(data.get("holiday_rule", "")) + str(data.get("extras", "")):
        data["self_service_24h"] = True
    return data


_STEPS = {1: {"guide": _guide_v2, "hall": _hall_v2}}


def migrate(kind: str, data: Any, version: int) -> Any:
    """Bring one record of ``kind`` written at schema ``version`` up to SCHEMA_VERSION (a copy when it had
    to change; a record of the current version is returned as it is, an import of 10,000 need not copy them)."""
    if not isinstance(version, int) or version < 1 or version > SCHEMA_VERSION:
        raise ContentError(f"内容格式版本“{version}”不认识（本程序支持 1 到 {SCHEMA_VERSION}）")
    if not isinstance(data, dict) or not any(kind in _STEPS.get(step, {}) for step in range(version, SCHEMA_VERSION)):
        return data
    data = copy.deepcopy(data)
    for step in range(version, SCHEMA_VERSION):
        upgrade = _STEPS.get(step, {}).get(kind)
        if upgrade is not None:
            data = upgrade(data)
    return data
