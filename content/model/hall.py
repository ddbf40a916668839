"""Service halls (政务服务中心 / 便民服务中心 / 便民服务站) with structured weekly hours."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from content.model.base import Record, record
from content.model.fields import ContentError, FieldSpec as F, check_placeholders
from content.model.guide import ID_HELP, ID_PATTERN

HALL_LEVELS: tuple[str, ...] = ("市", "县", "乡镇", "村")
WEEKDAYS = "一二三四五六日"
_DAY = r"周([一二三四五六日天])"
_PERIOD = re.compile(r"(\d{1,2}):(\d{2})\s*[-–—~至到]\s*(\d{1,2}):(\d{2})")


def parse_days(text: str) -> tuple[int, ...]:
    """Weekday numbers (0 = Monday) of 周一至周五 / 周六、周日 / 每天 / 工作日; empty when not understood."""
    text = text.strip().replace("星期", "周").replace("周天", "周日")
    if text in ("每天", "每日", "全天", "周一至周日"):
        return tuple(range(7))
    if text == "工作日":
        return tuple(range(5))
    span = re.fullmatch(_DAY + r"\s*[至到-]\s*" + _DAY, text)
    if span:
        start, end = (WEEKDAYS.index(d.replace("天", "日")) for d in span.groups())
        return tuple(range(start, end + 1)) if start <= end else ()
    parts = re.split(r"[、，,和及\s]+", text)
    days = []
    for part in parts:
        one = re.fullmatch(_DAY, part)
        if not one:
            return ()
        days.append(WEEKDAYS.index(one.group(1).replace("天", "日")))
    return tuple(sorted(set(days)))


def parse_periods(text: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """The opening periods of a times text such as 上午 9:00-12:00，下午 13:30-17:00."""
    periods = []
    for h1, m1, h2, m2 in _PERIOD.findall(text):
        try:
            start, end = dt.time(int(h1), int(m1)), dt.time(int(h2), int(m2))
        except ValueError:
            return ()
        if end <= start:
            return ()
        periods.append((start, end))
    return tuple(periods)


HOURS_SPECS = (
    F("days", "星期", "str", required=True, max_len=20, help="如 周一至周五、周六、周六、周日、每天"),
    F("times", "时间", "str", required=True, max_len=80, help="如 上午 9:00-12:00，下午 13:30-17:00"),
)


@record("opening_hours", HOURS_SPECS, row=True)
class OpeningHours(Record):
    """One line of a hall's weekly hours, e.g. 周一至周五 / 上午 9:00-12:00，下午 13:30-17:00."""

    NOUN = "开放时间"

    @property
    def weekdays(self) -> tuple[int, ...]:
        """The weekdays (0 = Monday) this line covers."""
        return parse_days(self.days)

    @property
    def periods(self) -> tuple[tuple[dt.time, dt.time], ...]:
        """The opening periods of each of those days."""
        return parse_periods(self.times)

    @classmethod
    def check(cls, values: dict[str, Any], where: str) -> dict[str, Any]:
        """Days and times must be understood, so the hours can be compared with the clock."""
        if not parse_days(values["days"]):
            raise ContentError(f"{where}：星期“{values['days']}”看不懂，请写成 周一至周五、周六 或 每天")
        if not parse_periods(values["times"]):
            raise ContentError(f"{where}：时间“{values['times']}”看不懂，请写成 上午 9:00-12:00，下午 13:30-17:00")
        return values


HALL_SPECS = (
    F("id", "编号", "str", required=True, pattern=ID_PATTERN, help=ID_HELP),
    F("name", "大厅名称", "str", required=True, max_len=60),
    F("level", "层级", "enum", required=True, choices=HALL_LEVELS),
    F("county_code", "县区代码", "str", required=True, pattern=r"\d{6}", help="6 位行政区划代码，如 341502"),
    F("county", "县区", "str", required=True, max_len=20),
    F("town", "乡镇（街道）", "str", max_len=40),
    F("village", "村（社区）", "str", max_len=40),
    F("address", "地址", "str", required=True, max_len=120, help="写到楼层、房间"),
    F("hours", "开放时间", "list-of-rows", required=True, row="opening_hours", fields=HOURS_SPECS),
    F("holiday_rule", "节假日安排", "str", default="法定节假日休息", max_len=80, help="写明法定节假日是否办理"),
    F("self_service_24h", "7×24小时自助区", "bool"),
    F("phone", "电话", "str", required=True, max_len=40),
    F("services", "可办事项", "list-of-str", help="办事指南编号"),
    F("directions", "乘车路线", "text", max_len=300),
    F("lat", "纬度", "float", min=-90, max=90),
    F("lon", "经度", "float", min=-180, max=180),
    F("extras", "特色服务", "text", max_len=200, help="如 帮办代办、老年人优先窗口"),
    F("accessibility", "适老化设施", "list-of-str", help="如 轮椅、老花镜、无障碍通道"),
    F("placeholders", "示例字段", "list-of-str", help="值为示例、尚未核实的字段名"),
)


@record("hall", HALL_SPECS)
class Hall(Record):
    """A service hall (政务服务中心 / 便民服务中心 / 便民服务站)."""

    NOUN = "服务大厅"

    def is_open(self, when: dt.datetime, holiday: bool = False) -> bool:
        """Whether the windows are open at ``when`` (statutory holidays follow the holiday rule: closed)."""
        if holiday:
            return False
        for line in self.hours:
            if when.weekday() in line.weekdays and any(a <= when.time() < b for a, b in line.periods):
                return True
        return False

    @classmethod
    def check(cls, values: dict[str, Any], where: str) -> dict[str, Any]:
        """Coordinates come in pairs; a weekday is listed once; the holiday rule is stated."""
        if (values["lat"] is None) != (values["lon"] is None):
            raise ContentError(f"{where}：经度和纬度要一起填")
        seen: set[int] = set()
        for line in values["hours"]:
            twice = seen & set(line.weekdays)
            if twice:
                raise ContentError(f"{where}：周{WEEKDAYS[min(twice)]}在开放时间里写了两次")
            seen |= set(line.weekdays)
        if not values["holiday_rule"]:
            raise ContentError(f"{where}：要写明法定节假日是否办理")
        check_placeholders(values["placeholders"], HALL_SPECS, where)
        return values
