"""The service guide (办事指南): the national element set (groups A-E) plus the TV extensions (F)."""

from __future__ import annotations

import re
from typing import Any

from content.model.base import Record, record
from content.model.fields import ContentError, FieldSpec as F, check_placeholders
from content.model.guide_rows import (AUTHORITY_SPECS, FAQ_SPECS, FEE_SPECS, INTERMEDIARY_SPECS, LEGAL_BASIS_SPECS,
                                      MATERIAL_SPECS, STEP_SPECS, TIME_LIMIT_SPECS, URL, URL_HELP)

GUIDE_KINDS: tuple[str, ...] = ("booking", "handling", "query", "info")
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}"
ID_HELP = "字母、数字、-、_，最多 40 个字符，如 h2"
# 受理条件 must not end in an open-ended clause (江苏 不见面审批 办事指南编写规范)
CATCH_ALL = re.compile(r"(法律|法规|规章)[、，,和及与]*(法规|规章|政策)?[、，,和及与]*(规定|要求)的其[他它]"
                       r"|其[他它](相关|有关)?(条件|情形|材料)(等)?$|等其[他它]条件")
SUMMARY_BUDGET = 80


def _id() -> F:
    """The record id field, shared by every kind."""
    return F("id", "编号", "str", required=True, pattern=ID_PATTERN, help=ID_HELP, group="A")


A, B, C, D, E, X = "A 基本信息", "B 依据与条件", "C 申请材料", "D 流程、时限与收费", "E 地点、时间与渠道", "F 电视端"
GUIDE_SPECS = (
    _id(),
    F("name", "事项名称", "str", required=True, max_len=100, group=A),
    F("short_name", "简称", "str", max_len=12, group=A, help="电视上按钮和当前位置用，8 个字以内最好；不填用事项名称"),
    F("kind", "电视服务类型", "enum", required=True, choices=GUIDE_KINDS, group=A,
      help="booking 预约 / handling 我要办 / query 便民查询 / info 只看指南"),
    F("categories", "生活分类", "list-of-str", required=True, group=A, help="分类编号，如 yanglao"),
    F("topic_tags", "面向自然人主题分类", "list-of-str", group=A, help="如 养老、社保、残疾人"),
    F("catalog_code", "基本编码", "str", max_len=40, pattern=r"[0-9A-Za-z-]+", group=A),
    F("implementation_code", "实施编码", "str", max_len=36, pattern=r"[0-9A-Za-z-]+", group=A,
      help="导入时按实施编码更新已有事项"),
    F("handling_item_code", "业务办理项编码", "str", max_len=40, pattern=r"[0-9A-Za-z-]+", group=A),
    F("item_version", "事项版本", "int", min=1, default=1, group=A),
    F("item_type", "事项类型", "enum", group=A, default="公共服务",
      choices=("行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政检查", "行政确认", "行政奖励",
               "行政裁决", "其他行政权力", "公共服务")),
    F("status", "事项状态", "enum", choices=("在用", "暂停", "取消"), default="在用", group=A),
    F("power_source", "权力来源", "enum", group=A, default="法定本级行使",
      choices=("法定本级行使", "上级下放", "上级授权", "同级授权", "上级委托", "同级委托")),
    F("exercise_levels", "行使层级", "multi-enum", group=A,
      choices=("国家级", "省级", "市级", "县级", "乡镇（街道）级", "村（社区）级")),
    F("department", "实施主体", "str", required=True, max_len=80, group=A),
    F("department_code", "实施主体编码", "str", max_len=40, group=A),
    F("department_nature", "实施主体性质", "enum", choices=("法定机关", "授权组织", "受委托组织"),
      default="法定机关", group=A),
    F("entrusting_dept", "委托部门", "str", max_len=80, group=A),
    F("co_depts", "联办机构", "list-of-str", group=A),
    F("service_objects", "服务对象", "multi-enum", default=("自然人",), group=A,
      choices=("自然人", "企业法人", "事业法人", "社会组织法人", "非法人企业", "行政机关", "其他组织")),
    F("effective_from", "计划生效日期", "date", group=A),
    F("effective_to", "计划取消日期", "date", group=A),
    F("legal_basis", "设定依据", "list-of-rows", row="legal_basis", fields=LEGAL_BASIS_SPECS, group=B),
    F("conditions", "受理条件", "list-of-str", max_len=300, group=B,
      help="一条一行；不能写“法律、法规规定的其他条件”这类兜底条款"),
    F("quantity_limit", "数量限制", "text", group=B),
    F("rights", "依法享有的权利", "text", group=B),
    F("obligations", "应履行的义务", "text", group=B),
    F("materials", "申请材料", "list-of-rows", required=True, row="material", fields=MATERIAL_SPECS, group=C),
    F("process_online", "网上办理流程", "text", group=D),
    F("process_offline", "窗口办理流程", "text", group=D),
    F("flowchart_url", "流程图", "str", pattern=URL, help=URL_HELP, group=D),
    F("steps", "办理环节", "list-of-rows", row="step", fields=STEP_SPECS, group=D),
    F("special_procedure", "特别程序", "text", group=D),
    F("time_limit", "办结时限", "row", row="time_limit", fields=TIME_LIMIT_SPECS, group=D),
    F("case_type", "办件类型", "enum", choices=("即办件", "承诺件", "联办件", "上报件"), group=D,
      help="承诺时限为 0 的是即办件；不填时按时限自动判断"),
    F("handling_modes", "办理形式", "multi-enum", group=D,
      choices=("窗口办理", "网上办理", "快递申请", "自助终端", "上门办理", "电视办理")),
    F("fee", "收费", "row", row="fee", fields=FEE_SPECS, group=D),
    F("result_type", "办理结果类型", "enum", choices=("", "证照", "批文", "其他"), group=D),
    F("result_name", "办理结果名称", "str", max_len=60, group=D),
    F("result_sample_url", "结果样本", "str", pattern=URL, help=URL_HELP, group=D),
    F("result", "办理结果说明", "text", max_len=200, group=D, help="电视上“办好了得到什么”"),
    F("where", "办理地点", "text", required=True, max_len=300, group=E),
    F("hall_ids", "办理大厅", "list-of-str", group=E, help="服务大厅编号，如 LA-01"),
    F("office_hours", "办理时间", "text", max_len=200, group=E, help="周X至周X 上午XX:XX-XX:XX，写明法定节假日是否办理"),
    F("directions", "交通指引", "text", group=E),
    F("consult_channels", "咨询方式", "text", group=E),
    F("consult_phone", "咨询电话", "str", max_len=40, group=E),
    F("complaint_channels", "监督投诉方式", "text", group=E),
    F("complaint_phone", "投诉电话", "str", max_len=40, group=E),
    F("review_body", "行政复议", "row", row="authority", fields=AUTHORITY_SPECS, group=E),
    F("litigation_body", "行政诉讼", "row", row="authority", fields=AUTHORITY_SPECS, group=E),
    F("visits_required", "到办事现场次数", "int", min=0, max=10, default=1, group=E),
    F("visit_reason", "必须到现场的原因", "text", group=E),
    F("online", "网上办理说明", "text", max_len=200, group=E),
    F("online_depth", "网上办理深度", "enum", group=E,
      choices=("", "不网办", "信息公开", "在线预约", "在线申请", "全程网办")),
    F("online_url", "网上办理地址", "str", pattern=URL, help=URL_HELP, group=E),
    F("mobile_url", "移动端办理地址", "str", pattern=URL, help=URL_HELP, group=E),
    F("in_hall", "进驻政务大厅", "bool", default=True, group=E),
    F("hall_name", "大厅名称", "str", max_len=60, group=E),
    F("bookable", "支持预约办理", "bool", group=E),
    F("daily_quota", "每天可预约办理量", "int", min=0, max=10000, group=E),
    F("booking_rules", "预约规则", "text", group=E),
    F("pay_online", "网上支付", "bool", group=E),
    F("express", "物流快递", "bool", group=E),
    F("kiosk", "自助终端", "bool", group=E),
    F("mail_in", "材料邮寄", "bool", group=E),
    F("mail_out", "结果邮寄", "bool", group=E),
    F("cross_region_scope", "通办范围", "enum", group=E,
      choices=("", "全国通办", "跨省通办", "省内通办", "市内通办", "县内通办", "不通办")),
    F("intermediary", "中介服务", "row", row="intermediary", fields=INTERMEDIARY_SPECS, group=E),
    F("town", "乡镇（街道）", "str", max_len=40, group=E),
    F("village", "村（社区）", "str", max_len=40, group=E),
    F("faqs", "常见问题", "list-of-rows", row="faq", fields=FAQ_SPECS, group=E),
    F("summary", "简版说明", "text", required=True, max_len=SUMMARY_BUDGET, group=X,
      help=f"电视上第一屏的大白话，{SUMMARY_BUDGET} 字以内"),
    F("tts_text", "朗读文本", "text", max_len=500, group=X, help="语音朗读用；不填就读简版说明"),
    F("video_url", "操作视频", "str", pattern=URL, help=URL_HELP, group=X),
    F("tv_service", "电视上能做什么", "text", required=True, max_len=80, group=X),
    F("tv_can_apply", "可在电视上申请", "bool", group=X),
    F("tv_query_only", "电视上只能查询", "bool", group=X),
    F("proxy_allowed", "可以代办", "bool", group=X),
    F("proxy_note", "代办说明", "text", max_len=200, group=X),
    F("proxy_materials", "代办需要的材料", "list-of-str", group=X, help="如 委托书、代办人身份证"),
    F("bundle_ids", "所属一件事", "list-of-str", group=X, help="一件事编号"),
    F("popularity", "热度", "int", min=0, max=100, default=0, group=X, help="0-100，越大在搜索和列表里越靠前"),
    F("review_state", "审核状态", "enum", choices=("", "草稿", "待审核", "已审核"), group=X),
    F("reviewed_by", "审核人", "str", max_len=40, group=X),
    F("reviewed_at", "审核日期", "date", group=X),
    F("source_url", "实施清单来源", "str", pattern=URL, help=URL_HELP, group=X),
    F("placeholders", "示例字段", "list-of-str", group=X, help="值为示例、尚未核实的字段名；电视上会标“（示例）”"),
)


@record("guide", GUIDE_SPECS)
class Guide(Record):
    """A service guide (办事指南): national elements plus what the TV needs."""

    NOUN = "办事指南"

    @classmethod
    def check(cls, values: dict[str, Any], where: str) -> dict[str, Any]:
        """The national writing rules that span several fields."""
        values["short_name"] = values["short_name"] or values["name"][:12]
        immediate = values["time_limit"].promised_days == 0
        case_type = values["case_type"] or ("即办件" if immediate else "承诺件")
        if immediate and case_type != "即办件":
            raise ContentError(f"{where}：承诺时限为 0 的是即办件，办件类型不能是“{case_type}”")
        if not immediate and case_type == "即办件":
            raise ContentError(f"{where}：即办件的承诺时限应为 0")
        values["case_type"] = case_type
        for i, condition in enumerate(values["conditions"], 1):
            if CATCH_ALL.search(condition):
                raise ContentError(f"{where}：受理条件第{i}条“{condition}”是兜底条款，要写出具体条件")
        if values["effective_from"] and values["effective_to"] and values["effective_to"] < values["effective_from"]:
            raise ContentError(f"{where}：计划取消日期早于计划生效日期")
        if values["bookable"] and not values["daily_quota"]:
            raise ContentError(f"{where}：支持预约办理的事项要写每天可预约办理量")
        if values["tv_can_apply"] and values["tv_query_only"]:
            raise ContentError(f"{where}：“可在电视上申请”和“电视上只能查询”不能同时选")
        if values["kind"] == "handling" and not values["conditions"]:
            raise ContentError(f"{where}：我要办的事项要写受理条件")
        check_placeholders(values["placeholders"], GUIDE_SPECS, where)
        return values
