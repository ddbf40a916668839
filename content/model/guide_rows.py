"""The nested rows of a service guide: materials, time limits, fees, steps, legal basis, FAQs, contacts."""

from __future__ import annotations

from typing import Any

from content.model.base import Record, record
from content.model.fields import ContentError, FieldSpec as F

NO_FEE_TEXT = "不收费"
URL = r"https?://\S+"
URL_HELP = "以 http:// 或 https:// 开头的网址"

MATERIAL_SPECS = (
    F("name", "材料名称", "str", required=True, max_len=100),
    F("kind", "材料类型", "enum", choices=("原件", "复印件", "原件和复印件"), default="原件",
      help="交原件、复印件，还是两样都要"),
    F("form", "材料形式", "enum", choices=("纸质", "电子", "纸质和电子"), default="纸质"),
    F("necessity", "材料必要性", "enum", choices=("必要", "非必要", "容缺"), default="必要",
      help="容缺：可以先受理、后补交"),
    F("condition_text", "非必要时的办理情形", "text", help="什么情况下才需要这份材料（非必要材料必填）"),
    F("originals", "原件份数", "int", min=0, max=99, default=0, help="材料类型含原件时至少 1 份"),
    F("copies", "复印件份数", "int", min=0, max=99, default=0, help="材料类型含复印件时至少 1 份"),
    F("paper_spec", "纸质规格", "str", max_len=20, help="如 A4"),
    F("source", "来源渠道", "enum", choices=("申请人自备", "政府部门核发", "其他"), default="申请人自备"),
    F("source_note", "来源渠道说明", "text"),
    F("blank_form_url", "空白表格", "str", pattern=URL, help=URL_HELP),
    F("sample_url", "示例样表", "str", pattern=URL, help=URL_HELP),
    F("fill_notes", "填报须知", "text"),
    F("acceptance_standard", "受理标准", "text"),
    F("basis", "材料依据", "text"),
    F("must_sign_in_person", "需本人到现场填写", "bool"),
    F("note", "给老人看的说明", "text", max_len=120, help="电视上显示，写大白话"),
)


@record("material", MATERIAL_SPECS, row=True)
class Material(Record):
    """One row of 申请材料: name, 原件/复印件 and how many of each, form, necessity."""

    NOUN = "材料"

    @property
    def count(self) -> int:
        """份数 as the TV shows it next to the kind (the larger of the two counts)."""
        return max(self.originals, self.copies, 1)

    @property
    def amount_text(self) -> str:
        """原件1份、复印件2份 (and 电子 for an electronic material), as the TV reads it out."""
        parts = [f"原件{self.originals}份" if self.originals else "", f"复印件{self.copies}份" if self.copies else ""]
        text = "、".join(p for p in parts if p)
        return f"{text}（电子）" if self.form == "电子" else text

    @classmethod
    def check(cls, values: dict[str, Any], where: str) -> dict[str, Any]:
        """The counts must match the kind; a non-required material says when it is needed."""
        kind = values["kind"]
        wants_original, wants_copy = kind in ("原件", "原件和复印件"), kind in ("复印件", "原件和复印件")
        if values["originals"] == 0 and values["copies"] == 0:
            values["originals"], values["copies"] = int(wants_original), int(wants_copy)
        if wants_original and values["originals"] < 1:
            raise ContentError(f"{where}：材料类型含原件，原件份数至少为 1")
        if wants_copy and values["copies"] < 1:
            raise ContentError(f"{where}：材料类型含复印件，复印件份数至少为 1")
        if not wants_original and values["originals"]:
            raise ContentError(f"{where}：材料类型是“{kind}”，原件份数应为 0")
        if not wants_copy and values["copies"]:
            raise ContentError(f"{where}：材料类型是“{kind}”，复印件份数应为 0")
        if values["necessity"] == "非必要" and not (values["condition_text"] or values["note"]):
            raise ContentError(f"{where}：非必要材料要写明什么情况下需要（非必要时的办理情形）")
        return values


TIME_LIMIT_SPECS = (
    F("promised_days", "承诺办结时限", "int", min=0, max=3650, default=0, help="0 表示即办件（当场办结）"),
    F("statutory_days", "法定办结时限", "int", min=0, max=3650,
      help="承诺件必须填写，且不少于承诺时限；即办件可不填"),
    F("unit", "时限单位", "enum", choices=("工作日", "自然日"), default="工作日"),
    F("note", "时限说明", "text", max_len=200),
)


@record("time_limit", TIME_LIMIT_SPECS, row=True)
class TimeLimit(Record):
    """承诺时限 and 法定时限; a promised limit of 0 is a 即办件."""

    NOUN = "办结时限"

    @property
    def is_immediate(self) -> bool:
        """True for a 即办件 (done on the spot)."""
        return self.promised_days == 0

    @classmethod
    def check(cls, values: dict[str, Any], where: str) -> dict[str, Any]:
        """Both limits shown for a 承诺件, and the statutory one is never shorter than the promise."""
        promised, statutory = values["promised_days"], values["statutory_days"]
        if promised > 0 and statutory is None:
            raise ContentError(f"{where}：承诺件要同时写明承诺时限和法定时限")
        if statutory is not None and statutory < promised:
            raise ContentError(f"{where}：法定时限（{statutory}天）不能短于承诺时限（{promised}天）")
        return values


FEE_ITEM_SPECS = (
    F("name", "收费项目名称", "str", required=True, max_len=60),
    F("standard", "收费标准", "str", required=True, max_len=100, help="如 每证20元"),
    F("basis", "收费依据", "text"),
    F("reducible", "是否允许减免", "bool"),
    F("reduction_basis", "减免依据", "text"),
)


@record("fee_item", FEE_ITEM_SPECS, row=True)
class FeeItem(Record):
    """One 收费项目 with its standard and basis."""

    NOUN = "收费项目"


FEE_SPECS = (
    F("charges", "是否收费", "bool"),
    F("text", "收费说明", "text", default=NO_FEE_TEXT, max_len=200,
      help=f"不收费的事项必须写“{NO_FEE_TEXT}”（不能写“无”或空着）"),
    F("items", "收费项目", "list-of-rows", row="fee_item", fields=FEE_ITEM_SPECS),
)


@record("fee", FEE_SPECS, row=True)
class Fee(Record):
    """是否收费 and the text an elder reads; no fee must literally read 不收费."""

    NOUN = "收费"

    @classmethod
    def check(cls, values: dict[str, Any], where: str) -> dict[str, Any]:
        """不收费 literally when free; a charging item says what it costs."""
        if not values["charges"]:
            if values["text"] != NO_FEE_TEXT:
                raise ContentError(f"{where}：不收费的事项，收费一栏必须写“{NO_FEE_TEXT}”，现在是“{values['text']}”")
            if values["items"]:
                raise ContentError(f"{where}：不收费的事项不能列收费项目")
        elif values["text"] in ("", NO_FEE_TEXT, "无"):
            raise ContentError(f"{where}：收费的事项要写明收费标准")
        return values


STEP_SPECS = (
    F("name", "环节名称", "str", required=True, max_len=40),
    F("text", "环节说明", "text", max_len=200),
    F("handling_unit", "办理单位", "str", max_len=60),
    F("days", "环节时限（天）", "int", min=0, max=3650),
    F("has_special_procedure", "含特别程序", "bool", help="如公示、听证、鉴定，不计入法定时限"),
)


@record("step", STEP_SPECS, row=True)
class Step(Record):
    """One step of the process (办理环节)."""

    NOUN = "办理环节"


LEGAL_BASIS_SPECS = (
    F("title", "法规名称", "str", required=True, max_len=120),
    F("issuer", "制定机关", "str", max_len=60),
    F("doc_no", "文号", "str", max_len=40, help="如 国发〔2015〕52号"),
    F("article", "条款", "str", max_len=60, help="如 第二十六条"),
    F("text", "条款原文", "text"),
)


@record("legal_basis", LEGAL_BASIS_SPECS, row=True)
class LegalBasis(Record):
    """One 设定依据 entry."""

    NOUN = "设定依据"


FAQ_SPECS = (F("q", "问题", "str", required=True, max_len=60), F("a", "回答", "text", required=True, max_len=300))


@record("faq", FAQ_SPECS, row=True)
class Faq(Record):
    """One 常见问题."""

    NOUN = "常见问题"


AUTHORITY_SPECS = (
    F("name", "部门名称", "str", max_len=60),
    F("address", "地址", "str", max_len=120),
    F("phone", "电话", "str", max_len=40),
)


@record("authority", AUTHORITY_SPECS, row=True)
class Authority(Record):
    """行政复议 / 行政诉讼 body: name, address, phone."""

    NOUN = "部门"


INTERMEDIARY_SPECS = (
    F("exists", "是否有中介服务", "bool"),
    F("name", "中介服务名称", "str", max_len=60),
    F("content", "中介服务内容", "text"),
)


@record("intermediary", INTERMEDIARY_SPECS, row=True)
class Intermediary(Record):
    """中介服务: whether one is needed, and which."""

    NOUN = "中介服务"

    @classmethod
    def check(cls, values: dict[str, Any], where: str) -> dict[str, Any]:
        """A required intermediary service is named."""
        if values["exists"] and not values["name"]:
            raise ContentError(f"{where}：有中介服务时要写中介服务名称")
        return values
