"""The content model enforces the national writing rules with Chinese messages, never a KeyError."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from content.model import (FIELD_TYPES, KINDS, SCHEMA_VERSION, Bundle, Category, ContentError, FieldSpec, Guide, Hall,
                           Policy, field_specs, migrate, model_of, to_plain)

DEMO = Path(__file__).resolve().parents[1] / "content" / "demo" / "lu_an"


def raw(kind: str, rid: str) -> dict:
    """A deep copy of one demo record as plain JSON."""
    key = {"guide": "guides", "hall": "halls", "policy": "policies"}[kind]
    data = json.loads((DEMO / f"{key}.json").read_text(encoding="utf-8"))[key]
    return copy.deepcopy(next(r for r in data if r["id"] == rid))


def rejects(kind: str, data: dict, *words: str) -> str:
    """Assert ``data`` is rejected with a message containing ``words``; return the message."""
    with pytest.raises(ContentError) as info:
        model_of(kind).from_dict(data)
    message = str(info.value)
    for word in words:
        assert word in message, message
    return message


# ------------------------------------------------------------------------------------------------ fees

def test_no_fee_must_read_bu_shoufei_literally():
    for text in ("无", "", "免费", "不收费。"):
        data = raw("guide", "h1")
        data["fee"] = {"charges": False, "text": text}
        if text == "":
            data["fee"]["text"] = " "
        rejects("guide", data, "不收费")


def test_free_guide_lists_no_fee_items_and_charging_guide_states_its_standard():
    data = raw("guide", "h1")
    data["fee"] = {"charges": False, "text": "不收费", "items": [{"name": "工本费", "standard": "每证20元"}]}
    rejects("guide", data, "不能列收费项目")
    data["fee"] = {"charges": True, "text": "不收费"}
    rejects("guide", data, "收费标准")
    data["fee"] = {"charges": True, "text": "工本费每证20元", "items": [{"name": "工本费", "standard": "每证20元"}]}
    assert Guide.from_dict(data).fee.items[0].standard == "每证20元"


# ------------------------------------------------------------------------------------------------ time limits

def test_promised_case_needs_both_limits_and_statutory_not_shorter():
    data = raw("guide", "h2")
    data["time_limit"] = {"promised_days": 20, "unit": "工作日"}
    rejects("guide", data, "承诺时限和法定时限")
    data["time_limit"]["statutory_days"] = 10
    rejects("guide", data, "法定时限（10天）不能短于承诺时限（20天）")
    data["time_limit"]["statutory_days"] = 20
    guide = Guide.from_dict(data)
    assert guide.case_type == "承诺件" and not guide.time_limit.is_immediate


def test_promised_zero_is_jibanjian():
    data = raw("guide", "h1")
    assert Guide.from_dict(data).case_type == "即办件"
    data["case_type"] = "承诺件"
    rejects("guide", data, "即办件")
    data = raw("guide", "h2")
    data["case_type"] = "即办件"
    rejects("guide", data, "即办件的承诺时限应为 0")
    data["case_type"] = "联办件"
    assert Guide.from_dict(data).case_type == "联办件"


def test_negative_or_non_numeric_limits_are_clear_errors():
    data = raw("guide", "h2")
    data["time_limit"]["promised_days"] = -1
    rejects("guide", data, "承诺办结时限", "不能小于 0")
    data["time_limit"]["promised_days"] = "二十"
    rejects("guide", data, "承诺办结时限", "应为整数")
    data["time_limit"]["promised_days"] = "20"
    assert Guide.from_dict(data).time_limit.promised_days == 20


# ------------------------------------------------------------------------------------------------ materials

def test_material_counts_follow_the_kind():
    data = raw("guide", "h2")
    m = data["materials"][0]
    m.update(kind="原件和复印件", originals=1, copies=0)
    rejects("guide", data, "复印件份数至少为 1")
    m.update(kind="原件", originals=1, copies=2)
    rejects("guide", data, "复印件份数应为 0")
    m.update(kind="复印件", originals=0, copies=0)
    assert Guide.from_dict(data).materials[0].copies == 1  # blank counts: one of what the kind needs
    m.update(kind="原件和复印件", originals=1, copies=3)
    assert Guide.from_dict(data).materials[0].count == 3


def test_material_enums_and_optional_condition():
    data = raw("guide", "h2")
    m = data["materials"][0]
    m["necessity"] = "可选"
    rejects("guide", data, "材料必要性", "必要/非必要/容缺")
    m["necessity"] = "非必要"
    m["note"] = ""
    rejects("guide", data, "非必要材料要写明")
    m["condition_text"] = "由他人代办时提供"
    assert Guide.from_dict(data).materials[0].necessity == "非必要"
    m["form"] = "传真"
    rejects("guide", data, "材料形式")


def test_guide_needs_materials():
    data = raw("guide", "h1")
    data["materials"] = []
    rejects("guide", data, "申请材料")


# ------------------------------------------------------------------------------------------------ conditions

@pytest.mark.parametrize("clause", ["法律、法规规定的其他条件", "法律法规规定的其他条件。", "符合法律、法规、规章规定的其他情形",
                                    "具有完全民事行为能力等其他条件", "其他相关条件"])
def test_catch_all_conditions_are_rejected(clause):
    data = raw("guide", "h2")
    data["conditions"].append(clause)
    rejects("guide", data, "兜底条款", f"第{len(data['conditions'])}条")


def test_ordinary_conditions_pass():
    data = raw("guide", "h2")
    data["conditions"] = ["本地户籍", "年满80周岁", "其他家庭成员可以代办"]
    assert len(Guide.from_dict(data).conditions) == 3


# ------------------------------------------------------------------------------------------------ placeholders

def test_placeholders_must_name_real_fields():
    data = raw("guide", "h1")
    data["placeholders"].append("phone_number")
    rejects("guide", data, "占位字段“phone_number”")
    hall = raw("hall", "LA-01")
    hall["placeholders"].append("office_hours")  # a guide field, not a hall field
    rejects("hall", hall, "占位字段“office_hours”")


# ------------------------------------------------------------------------------------------------ robustness

def test_every_missing_or_wrong_nested_value_is_a_content_error():
    """Knock out or garble every key of every nested dict of a rich guide: always ContentError, never KeyError."""
    base = raw("guide", "h2")

    def paths(value, prefix=()):
        """Every (path) to a dict key inside ``value``."""
        if isinstance(value, dict):
            for k, v in value.items():
                yield prefix + (k,)
                yield from paths(v, prefix + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from paths(v, prefix + (i,))

    checked = 0
    for path in paths(base):
        for garble in ("delete", None, {"x": 1}, [1, 2], True, "??"):
            data = copy.deepcopy(base)
            parent = data
            for step in path[:-1]:
                parent = parent[step]
            if garble == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = garble
            try:
                Guide.from_dict(data)
            except ContentError:
                pass
            checked += 1
    assert checked > 300
    for nonsense in (None, [], "guide", 3, {"materials": "x"}, {"time_limit": []}, {"fee": "不收费"}):
        with pytest.raises(ContentError):
            Guide.from_dict(nonsense)


def test_unknown_fields_are_rejected_but_underscore_keys_ignored():
    data = raw("guide", "h1")
    data["fees"] = "不收费"
    rejects("guide", data, "未知字段“fees”")
    del data["fees"]
    data["_lock"] = 3
    data["materials"][0]["_row"] = 1
    assert Guide.from_dict(data).id == "h1"
    data["materials"][0]["count"] = 1
    rejects("guide", data, "未知字段“count”")


def test_form_style_values_are_accepted():
    data = raw("guide", "h1")
    data["proxy_allowed"] = "否"
    data["popularity"] = " 42 "
    data["conditions"] = "第一条\n\n第二条\n"
    data["service_objects"] = "自然人\n企业法人"
    guide = Guide.from_dict(data)
    assert (guide.proxy_allowed, guide.popularity, guide.conditions) == (False, 42, ("第一条", "第二条"))
    assert guide.service_objects == ("自然人", "企业法人")
    data["proxy_allowed"] = "也许"
    rejects("guide", data, "可以代办", "是 或 否")


def test_other_rules():
    data = raw("guide", "b1")
    data["daily_quota"] = 0
    rejects("guide", data, "每天可预约办理量")
    data = raw("guide", "h1")
    data["effective_from"], data["effective_to"] = "2026-05-01", "2026-01-01"
    rejects("guide", data, "计划取消日期早于计划生效日期")
    data = raw("guide", "h1")
    data["effective_from"] = "2026/05/01"
    rejects("guide", data, "应为日期")
    data = raw("guide", "h1")
    data["online_url"] = "javascript:alert(1)"
    rejects("guide", data, "网上办理地址", "格式不对")
    data = raw("guide", "h1")
    data["summary"] = "很" * 81
    rejects("guide", data, "最多 80 个字")
    data = raw("guide", "h1")
    data["id"] = "h 1"
    rejects("guide", data, "编号")
    data = raw("guide", "h1")
    data["intermediary"] = {"exists": True}
    rejects("guide", data, "中介服务名称")


# ------------------------------------------------------------------------------------------------ halls

def test_hall_hours_are_structured():
    hall = Hall.from_dict(raw("hall", "LA-01"))
    assert hall.hours[0].weekdays == (0, 1, 2, 3, 4)
    assert [(str(a), str(b)) for a, b in hall.hours[0].periods] == [("09:00:00", "12:00:00"), ("13:30:00", "17:00:00")]
    import datetime as dt
    assert hall.is_open(dt.datetime(2026, 3, 16, 10, 0))  # a Monday morning
    assert not hall.is_open(dt.datetime(2026, 3, 16, 12, 30))  # lunch
    assert hall.is_open(dt.datetime(2026, 3, 21, 9, 30))  # Saturday morning (延时服务)
    assert not hall.is_open(dt.datetime(2026, 3, 22, 10, 0))  # Sunday
    assert not hall.is_open(dt.datetime(2026, 3, 16, 10, 0), holiday=True)
    assert hall.self_service_24h


def test_hall_rules():
    data = raw("hall", "LA-06")
    data["hours"][0]["days"] = "有时候"
    rejects("hall", data, "星期“有时候”看不懂")
    data = raw("hall", "LA-06")
    data["hours"][0]["times"] = "上午开门"
    rejects("hall", data, "时间“上午开门”看不懂")
    data = raw("hall", "LA-06")
    data["hours"].append({"days": "周五", "times": "9:00-11:00"})
    rejects("hall", data, "周五在开放时间里写了两次")
    data = raw("hall", "LA-06")
    del data["lon"]
    rejects("hall", data, "经度和纬度要一起填")
    data = raw("hall", "LA-06")
    data["lat"] = 200
    rejects("hall", data, "纬度", "不能大于 90")
    data = raw("hall", "LA-06")
    data["level"] = "省"
    rejects("hall", data, "层级")
    data = raw("hall", "LA-06")
    data["county_code"] = "3415"
    rejects("hall", data, "县区代码")


# ------------------------------------------------------------------------------------------------ policies

def test_policy_rich_text_is_sanitised_and_gives_tv_paragraphs():
    data = raw("policy", "p1")
    data["paragraphs"] = []
    data["body_html"] = ('<p onclick="steal()">第一段<script>alert(1)</script></p><style>p{}</style>'
                         '<ul><li>一</li><li><a href="javascript:alert(2)">二</a></li></ul>'
                         '<p><a href="https://www.gov.cn/">国务院</a><img src=x onerror=alert(3)></p>')
    policy = Policy.from_dict(data)
    assert "script" not in policy.body_html and "onclick" not in policy.body_html
    assert "javascript" not in policy.body_html and "<img" not in policy.body_html and "<style" not in policy.body_html
    assert 'href="https://www.gov.cn/"' in policy.body_html
    assert policy.paragraphs == ("第一段", "一", "二", "国务院")


def test_policy_needs_some_text():
    data = raw("policy", "p1")
    data["paragraphs"] = []
    rejects("policy", data, "缺少正文")
    data["body_html"] = "<script>only()</script>"
    rejects("policy", data, "缺少正文")
    data = raw("policy", "p1")
    data["date"] = "3月16日"
    rejects("policy", data, "发布日期", "应为日期")


def test_category_and_bundle():
    assert Category.from_dict({"id": "yl", "name": "养老", "keywords": ["退休金"]}).keywords == ("退休金",)
    rejects("category", {"id": "yl", "name": "养老养老养老养老养老"}, "最多 8 个字")
    rejects("bundle", {"id": "b", "name": "一件事", "summary": "说明", "guide_ids": ["h2", "h2"]}, "至少包含两个")


# ------------------------------------------------------------------------------------------------ specs and versions

def test_field_specs_describe_every_field_of_every_kind():
    for kind in (*KINDS, "material", "time_limit", "fee", "fee_item", "step", "legal_basis", "faq", "authority",
                 "intermediary", "opening_hours"):
        specs = field_specs(kind)
        assert specs and all(isinstance(s, FieldSpec) for s in specs)
        names = [s.name for s in specs]
        assert len(names) == len(set(names)), kind
        for s in specs:
            assert s.type in FIELD_TYPES, (kind, s.name)
            assert s.label and not s.label.isascii(), (kind, s.name)
            if s.type in ("enum", "multi-enum"):
                assert s.choices, (kind, s.name)
            if s.type in ("row", "list-of-rows"):
                assert s.row and s.fields == tuple(field_specs(s.row)), (kind, s.name)
    guide_names = {s.name for s in field_specs("guide")}
    # the national element set (domain.md 1.3) is all there, by its English field names
    for name in ("catalog_code", "implementation_code", "handling_item_code", "item_type", "status", "power_source",
                 "exercise_levels", "department", "service_objects", "legal_basis", "conditions", "materials",
                 "steps", "time_limit", "case_type", "fee", "hall_ids", "office_hours", "consult_phone",
                 "complaint_phone", "visits_required", "bookable", "daily_quota", "cross_region_scope", "faqs",
                 "summary", "tts_text", "proxy_allowed", "proxy_materials", "bundle_ids", "review_state"):
        assert name in guide_names, name


def test_blank_form_values_validate_to_the_defaults():
    """A form posting every field's empty_value() plus the required ones gives the dataclass defaults."""
    data = {s.name: s.empty_value() for s in field_specs("category")}
    data.update(id="x", name="分类")
    assert Category.from_dict(data) == Category(id="x", name="分类")


def test_records_round_trip_through_plain_json():
    for kind, rid in (("guide", "h2"), ("hall", "LA-01"), ("policy", "p3")):
        record = model_of(kind).from_dict(raw(kind, rid))
        assert model_of(kind).from_dict(json.loads(json.dumps(to_plain(record)))) == record


def test_v1_documents_are_migrated():
    v1 = raw("guide", "h2")
    v1["materials"] = [{"name": "身份证", "kind": "原件和复印件", "count": 2, "necessity": "必要"},
                       {"name": "手机号码", "kind": "电子", "count": 1, "necessity": "必要"}]
    v1["time_limit"] = {"promised_days": 20, "statutory_days": None, "unit": "工作日", "note": ""}
    v1["placeholders"] = []
    with pytest.raises(ContentError):
        Guide.from_dict(v1)
    guide = Guide.from_dict(migrate("guide", v1, 1))
    assert (guide.materials[0].originals, guide.materials[0].copies) == (2, 2)
    assert (guide.materials[1].kind, guide.materials[1].form) == ("原件", "电子")
    assert guide.time_limit.statutory_days == 20 and "time_limit" in guide.placeholders
    assert migrate("guide", to_plain(guide), SCHEMA_VERSION) == to_plain(guide)
    with pytest.raises(ContentError, match="内容格式版本"):
        migrate("guide", v1, SCHEMA_VERSION + 1)


def test_store_migrates_a_v1_database(tmp_path):
    from content import store
    from content.tables import content
    from tests.storage_support import transaction
    v1 = raw("guide", "h2")
    v1["materials"] = [{"name": "身份证", "kind": "原件", "count": 1, "necessity": "必要"}]
    v1["time_limit"]["statutory_days"] = None
    with transaction(tmp_path / "db.sqlite3") as conn:
        conn.execute(content.insert().values(kind="guide", id="h2", position=0, data=json.dumps(v1, ensure_ascii=False)))
        store.set_meta(conn, "schema_version", "1")
    with transaction(tmp_path / "db.sqlite3") as conn:
        store.migrate_documents(conn)
    with transaction(tmp_path / "db.sqlite3") as conn:
        assert store.get_meta(conn, "schema_version") == str(SCHEMA_VERSION)
        (guide,) = store.load_all(conn, "guide")
    assert guide.materials[0].originals == 1 and guide.time_limit.statutory_days == guide.time_limit.promised_days
    assert Bundle in store.KINDS.values()


def test_material_amount_text_for_the_tv():
    data = raw("guide", "h2")
    data["materials"][0].update(kind="原件和复印件", originals=1, copies=2, form="纸质")
    data["materials"][1].update(kind="原件", originals=1, copies=0, form="电子")
    guide = Guide.from_dict(data)
    assert guide.materials[0].amount_text == "原件1份、复印件2份"
    assert guide.materials[1].amount_text == "原件1份（电子）"
