"""The bundled 六安市 demo content: every record passes the content model, and the files agree with each other.

Source facts: ../shared/design/domain.md section 3 (13 TV services B1/H1-H7/Q1-Q5, halls LA-01..LA-08).
Invented values (phones, street addresses, amounts, local time limits) must be written in the
placeholder format (``0564-XXXXXXXX``, ``XX路XX号``, "…（示例）") and named in the record's ``placeholders``.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from pathlib import Path
from typing import Any

import pytest

from content.integrity import check_references
from content.model import NO_FEE_TEXT, SCHEMA_VERSION, Bundle, Category, ContentError, Guide, Hall, Policy, to_plain

DEMO = Path(__file__).resolve().parents[1] / "content" / "demo" / "lu_an"

CATEGORY_ORDER = [
    ("yanglao", "养老"),
    ("shebao", "社保"),
    ("yibao", "医保"),
    ("canji", "残疾人"),
    ("huji", "户籍"),
    ("budongchan", "不动产"),
    ("zhufang", "住房公积金"),
    ("banjian", "办件查询"),
]
TV_SERVICE_KINDS = {
    "b1": "booking",
    **{f"h{i}": "handling" for i in range(1, 8)},
    **{f"q{i}": "query" for i in range(1, 6)},
}
PLACEHOLDER_PHONE = "0564-XXXXXXXX"
HOTLINES = {"12345", "12333"}  # real national/provincial hotlines; anything else must be the placeholder
PHONE_LIKE = re.compile(r"\d{3,4}-\d{7,8}")


def _load(name: str) -> dict[str, Any]:
    with open(DEMO / name, encoding="utf-8") as f:
        data = json.load(f)
    assert data.get("schema_version") == SCHEMA_VERSION, name
    return data


def _city() -> dict[str, Any]:
    return _load("city.json")


def _raw_guides() -> list[dict[str, Any]]:
    return _load("guides.json")["guides"]


def _raw_halls() -> list[dict[str, Any]]:
    return _load("halls.json")["halls"]


def _raw_policies() -> list[dict[str, Any]]:
    return _load("policies.json")["policies"]


def _guides() -> list[Guide]:
    return [Guide.from_dict(g) for g in _raw_guides()]


def _halls() -> list[Hall]:
    return [Hall.from_dict(h) for h in _raw_halls()]


def _categories() -> list[Category]:
    return [Category.from_dict(c) for c in _load("categories.json")["categories"]]


def _strings(value: Any):
    """Every string inside a JSON value (nested lists/dicts included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


# ----------------------------------------------------------------------------------- city and categories

def test_city_file():
    city = _city()
    assert city["code"] == "3415"
    assert city["name"] == "六安市"
    assert city["province"] == "安徽省"
    assert city["counties"] == [
        ["341502", "金安区"], ["341503", "裕安区"], ["341504", "叶集区"], ["341522", "霍邱县"],
        ["341523", "舒城县"], ["341524", "金寨县"], ["341525", "霍山县"],
    ]


def test_categories_validate_in_fixed_order():
    categories = _categories()
    assert [(c.id, c.name) for c in categories] == CATEGORY_ORDER
    for c in categories:
        assert c.description, c.id


# ----------------------------------------------------------------------------------- guides

def test_every_guide_passes_the_model():
    guides = _guides()
    ids = [g.id for g in guides]
    assert len(ids) == len(set(ids)), "guide ids must be unique"
    for g in guides:
        assert g.materials, g.id
        assert g.steps, g.id
        assert g.conditions, g.id
        assert g.tv_service and g.where and g.department, g.id
        assert g.complaint_phone, g.id
        assert 1 <= g.popularity <= 100, g.id
        assert g.visits_required >= 0, g.id
        for f in g.faqs:
            assert f.q and f.a, g.id
        for b in g.legal_basis:
            assert b.title, g.id


def test_thirteen_tv_services_with_exact_kinds():
    guides = {g.id: g for g in _guides()}
    tv = {gid: guides[gid].kind for gid in TV_SERVICE_KINDS if gid in guides}
    assert tv == TV_SERVICE_KINDS
    kinds = [g.kind for g in guides.values() if g.id in TV_SERVICE_KINDS]
    assert kinds.count("booking") == 1
    assert kinds.count("handling") == 7
    assert kinds.count("query") == 5
    extras = [g for g in guides.values() if g.id not in TV_SERVICE_KINDS]
    assert len(extras) >= 5
    assert all(g.kind == "info" for g in extras)
    assert guides["h7"].name.startswith("老年人优待证")


def test_every_category_has_a_guide_and_guides_use_known_categories():
    category_ids = {c.id for c in _categories()}
    guides = _guides()
    for g in guides:
        assert set(g.categories) <= category_ids, g.id
    for cid in category_ids:
        assert any(cid in g.categories for g in guides), f"分类 {cid} 没有办事指南"
    by_id = {g.id: g for g in guides}
    assert "banjian" in by_id["q5"].categories
    assert "zhufang" in by_id["q4"].categories


def test_summaries_and_short_names_are_short():
    for g in _guides():
        assert len(g.summary) <= 80, (g.id, len(g.summary))
        assert len(g.short_name) <= 8, (g.id, g.short_name)


def test_no_fee_guides_say_bu_shoufei():
    for g in _guides():
        if g.fee.charges:
            assert g.fee.text and g.fee.text != NO_FEE_TEXT, g.id
        else:
            assert g.fee.text == NO_FEE_TEXT, g.id


def test_time_limits_are_consistent():
    for g in _guides():
        tl = g.time_limit
        assert tl.unit in ("工作日", "自然日"), g.id
        if tl.statutory_days is not None:
            assert tl.statutory_days >= tl.promised_days, g.id
    # the query and booking services are done on the spot
    for g in _guides():
        if g.kind in ("query", "booking"):
            assert g.case_type == "即办件", g.id


# ----------------------------------------------------------------------------------- halls

def test_every_hall_passes_the_model():
    halls = _halls()
    ids = [h.id for h in halls]
    assert len(ids) == len(set(ids)), "hall ids must be unique"
    assert {f"LA-0{i}" for i in range(1, 9)} <= set(ids)
    assert all(re.fullmatch(r"LA-\d{2}", i) for i in ids)
    counties = dict(map(tuple, _city()["counties"]))
    for h in halls:
        assert counties.get(h.county_code) == h.county, h.id
        assert h.hours and all(o.days and o.times for o in h.hours), h.id
        assert h.directions and h.holiday_rule, h.id
        assert h.lat is not None and h.lon is not None, h.id
        assert 31.0 <= h.lat <= 32.7 and 115.3 <= h.lon <= 117.3, f"{h.id} 坐标不在六安市范围内"
    by_id = {h.id: h for h in halls}
    assert by_id["LA-01"].level == "市" and by_id["LA-01"].county_code == "341502"
    assert by_id["LA-08"].level == "村"


def test_every_county_has_a_hall():
    hall_counties = {h.county_code for h in _halls()}
    for code, name in _city()["counties"]:
        assert code in hall_counties, f"{name} 没有服务大厅"


def test_guides_and_halls_refer_to_each_other_consistently():
    guides = {g.id: g for g in _guides()}
    halls = {h.id: h for h in _halls()}
    for g in guides.values():
        for hid in g.hall_ids:
            assert hid in halls, (g.id, hid)
            assert g.id in halls[hid].services, f"{hid} 的 services 缺少 {g.id}"
    for h in halls.values():
        assert h.services, h.id
        for gid in h.services:
            assert gid in guides, (h.id, gid)
            assert h.id in guides[gid].hall_ids, f"{gid} 的 hall_ids 缺少 {h.id}"
    for g in guides.values():
        if g.kind != "query":
            assert g.hall_ids, f"{g.id} 没有可以办理的大厅"


# ----------------------------------------------------------------------------------- placeholders

@pytest.mark.parametrize("kind", ["guides", "halls"])
def test_placeholder_values_are_listed(kind):
    raws = _raw_guides() if kind == "guides" else _raw_halls()
    model = Guide if kind == "guides" else Hall
    field_names = {f.name for f in dataclasses.fields(model)}
    for raw in raws:
        marked = set(raw.get("placeholders", ()))
        assert marked <= field_names, (raw["id"], marked - field_names)
        for key, value in raw.items():
            if key == "placeholders":
                continue
            if any("XX" in s for s in _strings(value)):
                assert key in marked, f"{raw['id']}：字段 {key} 含占位内容，但没有写进 placeholders"


def test_phones_are_placeholders_or_real_hotlines():
    for raw in _raw_guides():
        for key in ("consult_phone", "complaint_phone"):
            phone = raw.get(key, "")
            assert phone in HOTLINES or phone == PLACEHOLDER_PHONE, (raw["id"], key, phone)
            if phone == PLACEHOLDER_PHONE:
                assert key in raw["placeholders"], (raw["id"], key)
    for raw in _raw_halls():
        assert raw["phone"] == PLACEHOLDER_PHONE, raw["id"]
        assert {"phone", "address"} <= set(raw["placeholders"]), raw["id"]


def test_no_invented_phone_numbers_anywhere():
    for name in ("guides.json", "halls.json", "policies.json", "categories.json"):
        for s in _strings(_load(name)):
            assert not PHONE_LIKE.search(s), f"{name}：疑似编造的电话号码 {s!r}"


def test_model_rejects_a_no_fee_guide_without_bu_shoufei(tmp_path):
    raw = dict(_raw_guides()[0], fee={"charges": False, "text": "无"})
    path = tmp_path / "guide.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with open(path, encoding="utf-8") as f:
        broken = json.load(f)
    with pytest.raises(ContentError):
        Guide.from_dict(broken)


# ----------------------------------------------------------------------------------- policies

def test_policies_pass_the_model_and_refer_to_known_records():
    policies = [Policy.from_dict(p) for p in _raw_policies()]
    assert [p.id for p in policies] == [f"p{i}" for i in range(1, 7)]
    guide_ids = {g.id for g in _guides()}
    category_ids = {c.id for c in _categories()}
    for p in policies:
        datetime.date.fromisoformat(p.date)
        assert len(p.summary) <= 60, (p.id, len(p.summary))
        assert 4 <= len(p.paragraphs) <= 8, p.id
        for para in p.paragraphs:
            assert para and len(para) <= 120, (p.id, len(para))
        assert p.categories and set(p.categories) <= category_ids, p.id
        assert p.related_guides and set(p.related_guides) <= guide_ids, p.id
        assert p.source, p.id
    by_id = {p.id: p for p in policies}
    assert by_id["p3"].doc_no == "国发〔2015〕52号"
    assert by_id["p5"].doc_no == "国办发〔2019〕51号"
    assert all(level in "".join(by_id["p5"].paragraphs) for level in ("非常满意", "基本满意", "非常不满意"))


def test_records_round_trip_to_plain_json():
    for record in [*_guides(), *_halls(), *_categories()]:
        plain = json.loads(json.dumps(to_plain(record), ensure_ascii=False))
        assert type(record).from_dict(plain) == record


# ----------------------------------------------------------------------------------- v2 fields and bundles

def test_bundles_join_guides_of_the_demo():
    bundles = [Bundle.from_dict(b) for b in _load("bundles.json")["bundles"]]
    assert [b.name for b in bundles] == ["老年人福利补贴申请"]
    guides = {g.id: g for g in _guides()}
    for b in bundles:
        for gid in b.guide_ids:
            assert b.id in guides[gid].bundle_ids, (b.id, gid)
    records = [*_guides(), *_halls(), *_categories(), *bundles,
               *(Policy.from_dict(p) for p in _raw_policies())]
    assert check_references(records) == []


def test_materials_give_original_and_copy_counts():
    for g in _guides():
        for m in g.materials:
            assert m.originals + m.copies >= 1, (g.id, m.name)
            assert ("原件" in m.kind) == (m.originals > 0), (g.id, m.name)
            assert ("复印件" in m.kind) == (m.copies > 0), (g.id, m.name)
    h2 = {g.id: g for g in _guides()}["h2"]
    assert h2.materials[0].kind == "原件和复印件" and (h2.materials[0].originals, h2.materials[0].copies) == (1, 1)


def test_promised_guides_show_both_limits():
    for g in _guides():
        if g.time_limit.promised_days > 0:
            assert g.case_type == "承诺件", g.id
            assert g.time_limit.statutory_days >= g.time_limit.promised_days, g.id
