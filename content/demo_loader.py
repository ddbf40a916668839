"""Reads the bundled demo content of one city (content/demo/<city>/*.json), migrating older versions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from content.model import SCHEMA_VERSION, ContentError, migrate, model_of

DEMO_ROOT = Path(__file__).parent / "demo"
FILES = {"category": ("categories.json", "categories"), "guide": ("guides.json", "guides"),
         "hall": ("halls.json", "halls"), "policy": ("policies.json", "policies"),
         "bundle": ("bundles.json", "bundles")}


def _read(folder: Path, name: str) -> dict[str, Any]:
    """Load one JSON file of a demo folder and check its schema version."""
    with open(folder / name, encoding="utf-8") as fh:
        data = json.load(fh)
    version = data.get("schema_version")
    if not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
        raise ContentError(f"{folder / name}：内容格式版本 {version} 不认识（本程序支持 1 到 {SCHEMA_VERSION}）")
    return data


def load_demo(city: str) -> dict[str, Any]:
    """Return the demo content of ``city`` as model objects, keyed by kind."""
    folder = DEMO_ROOT / city
    if not folder.is_dir():
        raise ContentError(f"没有名为 {city} 的示例内容（应在 {folder}）")
    city_data = _read(folder, "city.json")
    demo: dict[str, Any] = {"city": {"code": city_data["code"], "name": city_data["name"],
                                     "counties": city_data["counties"]}}
    for kind, (name, key) in FILES.items():
        if not (folder / name).exists():
            demo[kind] = []
            continue
        data = _read(folder, name)
        demo[kind] = [model_of(kind).from_dict(migrate(kind, raw, data["schema_version"])) for raw in data[key]]
    return demo
