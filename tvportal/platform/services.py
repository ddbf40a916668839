"""What each handling service asks (choices, almost no typing), its progress steps and promised days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tvportal.clock import city_now

SLOT_TIMES: tuple[tuple[str, str], ...] = (
    ("09:00", "10:00"), ("10:00", "11:00"), ("11:00", "12:00"),
    ("14:00", "15:00"), ("15:00", "16:00"), ("16:00", "17:00"))
SLOT_CAPACITY = 5
BOOKING_DAYS = 7
CANCEL_CUTOFF = dt.timedelta(hours=2)  # cancel or move a booking up to 2 hours before it starts


@dataclass(frozen=True)
class Field:
    """One question of a handling form, answered by picking one choice."""

    name: str
    label: str
    choices: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ServiceForm:
    """The questions, progress steps and promised working days of one handling service."""

    fields: tuple[Field, ...]
    steps: tuple[str, ...]
    promise_days: int  # 0: 即办件, finished on submission


_VISIT = Field("visit", "怎样核对材料", (("home", "工作人员上门核对"), ("station", "我到便民服务中心")))
FORMS: dict[str, ServiceForm] = {
    "h1": ServiceForm((Field("method", "认证方式", (("home", "上门认证"), ("station", "到便民服务站认证"))),
                       Field("time", "方便的时间", (("am", "上午"), ("pm", "下午")))),
                      ("提交申请", "社保中心受理", "上门或到站认证", "办结"), 5),
    "h2": ServiceForm((Field("account", "津贴发到哪里", (("pension_card", "领养老金的银行卡"), ("social_card", "社保卡"))),
                       _VISIT),
                      ("提交申请", "村（居）初审", "乡镇审核", "县民政局审批", "办结"), 20),
    "h3": ServiceForm((Field("kind", "申请哪项补贴", (("living", "困难残疾人生活补贴"), ("care", "重度残疾人护理补贴"),
                                               ("both", "两项都申请"))),
                       Field("level", "残疾等级", (("1", "一级"), ("2", "二级"), ("3", "三级"), ("4", "四级"))),
                       _VISIT),
                      ("提交申请", "乡镇受理初审", "村（社区）公示7天", "县残联审核", "县民政局审定", "办结"), 21),
    "h4": ServiceForm((Field("pay", "怎样缴费", (("qr", "手机扫码缴费"), ("bank", "委托银行扣款"))),),
                      ("提交申请", "办结"), 0),
    "h5": ServiceForm((Field("reason", "社保卡怎么了", (("lost", "丢失了"), ("stolen", "被偷了"))),
                       Field("kind", "挂失方式", (("temporary", "临时挂失"), ("formal", "正式挂失")))),
                      ("提交申请", "办结"), 0),
    "h6": ServiceForm((Field("account", "养老金发到哪里", (("social_card", "社保卡"), ("bank_card", "本人银行卡"))),
                       Field("contact", "怎样联系您", (("home", "代办员上门"), ("phone", "打电话")))),
                      ("提交申请", "代办员核对", "县社保中心审核", "办结"), 15),
    "h7": ServiceForm((Field("photo", "照片怎么拍", (("home", "工作人员上门拍照"), ("station", "到大厅拍照"))),
                       Field("pickup", "办好后怎样领取", (("station", "到就近便民服务中心领取"), ("mail", "邮寄到家")))),
                      ("提交申请", "审核", "制证", "办结"), 10),
}


def check_fields(service_id: str, fields: dict[str, str]) -> dict[str, str]:
    """Chinese problems per field name; empty when every question has a valid answer."""
    form = FORMS[service_id]
    problems = {}
    for f in form.fields:
        value = fields.get(f.name, "")
        if not value:
            problems[f.name] = f"请选择{f.label}"
        elif value not in {v for v, _label in f.choices}:
            problems[f.name] = f"{f.label}只能从列出的选项中选"
    return problems


def answer_label(service_id: str, name: str, value: str) -> str:
    """The Chinese text of one chosen answer."""
    for f in FORMS[service_id].fields:
        if f.name == name:
            return dict(f.choices).get(value, value)
    return value


def now() -> dt.datetime:
    """The current time in the city."""
    return city_now()


def working_days(today: dt.date, count: int = BOOKING_DAYS) -> list[dt.date]:
    """The next ``count`` working days after today (Monday to Friday; public holidays not yet known)."""
    days: list[dt.date] = []
    day = today
    while len(days) < count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The date ``count`` working days after ``start``."""
    return working_days(start, count)[-1] if count else start
