"""Reads the bundled demo content of one city (content/demo/<city>/*.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from content.model import SCHEMA_VERSION, Category, ContentError, Guide, Hall, Policy

DEMO_ROOT = Path(__file__).parent / "demo"


def _read(folder: Path, name: str) -> dict[str, Any]:
    """Load one JSON file of a demo folder and check its schema version."""
    with open(folder / name, encoding="utf-8") as fh:
        data = json.load(fh)
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ContentError(f"{folder / name}：内容格式版本 {data.get('schema_version')} 与程序的 {SCHEMA_VERSION} 不一致")
    return data


def load_demo(city: str) -> dict[str, Any]:
    """Return the demo content of ``city`` as model objects, keyed by kind."""
    folder = DEMO_ROOT / city
    if not folder.is_dir():
        raise ContentError(f"没有名为 {city} 的示例内容（应在 {folder}）")
    city_data = _read(folder, "city.json")
    return {
        "city": {"code": city_data["code"], "name": city_data["name"], "counties": city_data["counties"]},
        "category": [Category.from_dict(c) for c in _read(folder, "categories.json")["categories"]],
        "guide": [Guide.from_dict(g) for g in _read(folder, "guides.json")["guides"]],
        "hall": [Hall.from_dict(h) for h in _read(folder, "halls.json")["halls"]],
        "policy": [Policy.from_dict(p) for p in _read(folder, "policies.json")["policies"]],
    }
