"""Content model: service guides (办事指南), service halls, policy articles, categories.

A minimal subset of the national element set (GB/T 39554 实施清单, see docs/content-model.md);
the field names follow the English names of ../shared/design/domain.md section 1.3 so that the
full model can grow from this one without renaming.  Every record is a frozen dataclass built
from plain JSON (``from_dict``) so the bundled demo content, the SQLite store and a future
import all share one validator.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA_VERSION = 1

GuideKind = Literal["booking", "handling", "query", "info"]
GUIDE_KINDS: tuple[str, ...] = ("booking", "handling", "query", "info")
HALL_LEVELS: tuple[str, ...] = ("市", "县", "乡镇", "村")
NO_FEE_TEXT = "不收费"


class ContentError(ValueError):
    """A content record breaks a rule of the model; the message is Chinese for editors."""


def _require(data: dict[str, Any], key: str, where: str) -> Any:
    """Return ``data[key]`` or raise a ContentError naming the missing field."""
    value = data.get(key)
    if value in (None, "", []):
        raise ContentError(f"{where}：缺少字段“{key}”")
    return value


@dataclass(frozen=True)
class Material:
    """One row of 申请材料: name, 原件/复印件, how many, whether it is required."""

    name: str
    kind: str = "原件"  # 原件 / 复印件 / 原件和复印件
    count: int = 1
    necessity: str = "必要"  # 必要 / 非必要 / 容缺
    note: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> Material:
        """Build and validate one material row."""
        material = cls(
            name=_require(data, "name", where),
            kind=data.get("kind", "原件"),
            count=int(data.get("count", 1)),
            necessity=data.get("necessity", "必要"),
            note=data.get("note", ""),
        )
        if material.kind not in ("原件", "复印件", "原件和复印件", "电子"):
            raise ContentError(f"{where}：材料类型“{material.kind}”不在 原件/复印件/原件和复印件/电子 之中")
        if material.count < 1:
            raise ContentError(f"{where}：材料份数至少为 1")
        return material


@dataclass(frozen=True)
class TimeLimit:
    """承诺时限 and 法定时限 in (working) days; a promised limit of 0 is a 即办件."""

    promised_days: int
    statutory_days: int | None = None
    unit: str = "工作日"
    note: str = ""

    @property
    def is_immediate(self) -> bool:
        """True for a 即办件 (done on the spot)."""
        return self.promised_days == 0


@dataclass(frozen=True)
class Fee:
    """是否收费 and the text an elder reads; no fee must literally read 不收费."""

    charges: bool
    text: str = NO_FEE_TEXT


@dataclass(frozen=True)
class Step:
    """One step of the process (办理流程)."""

    name: str
    text: str = ""


@dataclass(frozen=True)
class LegalBasis:
    """One 设定依据 entry."""

    title: str
    doc_no: str = ""
    article: str = ""


@dataclass(frozen=True)
class Faq:
    """One 常见问题."""

    q: str
    a: str


@dataclass(frozen=True)
class Guide:
    """A service guide (办事指南) as the TV shows it."""

    id: str
    name: str
    short_name: str
    kind: str
    categories: tuple[str, ...]
    department: str
    summary: str
    materials: tuple[Material, ...]
    where: str
    time_limit: TimeLimit
    fee: Fee
    tv_service: str
    implementation_code: str = ""
    item_type: str = "公共服务"
    service_objects: tuple[str, ...] = ("自然人",)
    conditions: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    hall_ids: tuple[str, ...] = ()
    office_hours: str = ""
    consult_phone: str = ""
    complaint_phone: str = ""
    visits_required: int = 1
    online: str = ""
    legal_basis: tuple[LegalBasis, ...] = ()
    faqs: tuple[Faq, ...] = ()
    result: str = ""
    proxy_allowed: bool = False
    proxy_note: str = ""
    popularity: int = 0
    placeholders: tuple[str, ...] = ()

    @property
    def case_type(self) -> str:
        """办件类型 derived from the promised limit (即办件 / 承诺件)."""
        return "即办件" if self.time_limit.is_immediate else "承诺件"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Guide:
        """Build a guide from plain JSON, enforcing the writing rules of the national guide."""
        where = f"办事指南“{data.get('name') or data.get('id') or '?'}”"
        kind = _require(data, "kind", where)
        if kind not in GUIDE_KINDS:
            raise ContentError(f"{where}：类型“{kind}”不在 {'/'.join(GUIDE_KINDS)} 之中")
        tl = _require(data, "time_limit", where)
        time_limit = TimeLimit(
            promised_days=int(tl.get("promised_days", 0)),
            statutory_days=None if tl.get("statutory_days") is None else int(tl["statutory_days"]),
            unit=tl.get("unit", "工作日"),
            note=tl.get("note", ""),
        )
        if time_limit.promised_days < 0:
            raise ContentError(f"{where}：承诺时限不能为负数")
        fee_data = _require(data, "fee", where)
        fee = Fee(charges=bool(fee_data.get("charges")), text=fee_data.get("text", NO_FEE_TEXT))
        if not fee.charges and fee.text != NO_FEE_TEXT:
            raise ContentError(f"{where}：不收费的事项，收费一栏必须写“{NO_FEE_TEXT}”")
        materials = tuple(
            Material.from_dict(m, f"{where} 第{i}项材料") for i, m in enumerate(data.get("materials", []), 1)
        )
        if not materials:
            raise ContentError(f"{where}：至少要列出一项申请材料")
        return cls(
            id=_require(data, "id", where),
            name=_require(data, "name", where),
            short_name=data.get("short_name") or data["name"],
            kind=kind,
            categories=tuple(_require(data, "categories", where)),
            department=_require(data, "department", where),
            summary=_require(data, "summary", where),
            materials=materials,
            where=_require(data, "where", where),
            time_limit=time_limit,
            fee=fee,
            tv_service=_require(data, "tv_service", where),
            implementation_code=data.get("implementation_code", ""),
            item_type=data.get("item_type", "公共服务"),
            service_objects=tuple(data.get("service_objects", ("自然人",))),
            conditions=tuple(data.get("conditions", ())),
            steps=tuple(Step(s["name"], s.get("text", "")) for s in data.get("steps", ())),
            hall_ids=tuple(data.get("hall_ids", ())),
            office_hours=data.get("office_hours", ""),
            consult_phone=data.get("consult_phone", ""),
            complaint_phone=data.get("complaint_phone", ""),
            visits_required=int(data.get("visits_required", 1)),
            online=data.get("online", ""),
            legal_basis=tuple(
                LegalBasis(b["title"], b.get("doc_no", ""), b.get("article", "")) for b in data.get("legal_basis", ())
            ),
            faqs=tuple(Faq(f["q"], f["a"]) for f in data.get("faqs", ())),
            result=data.get("result", ""),
            proxy_allowed=bool(data.get("proxy_allowed", False)),
            proxy_note=data.get("proxy_note", ""),
            popularity=int(data.get("popularity", 0)),
            placeholders=tuple(data.get("placeholders", ())),
        )


@dataclass(frozen=True)
class OpeningHours:
    """One line of a hall's weekly hours, e.g. 周一至周五 / 09:00-12:00, 13:30-17:00."""

    days: str
    times: str


@dataclass(frozen=True)
class Hall:
    """A service hall (政务服务中心 / 便民服务中心 / 便民服务站)."""

    id: str
    name: str
    level: str
    county_code: str
    county: str
    town: str
    address: str
    hours: tuple[OpeningHours, ...]
    holiday_rule: str
    phone: str
    services: tuple[str, ...]
    directions: str
    lat: float | None = None
    lon: float | None = None
    extras: str = ""
    placeholders: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hall:
        """Build and validate a hall from plain JSON."""
        where = f"服务大厅“{data.get('name') or data.get('id') or '?'}”"
        level = _require(data, "level", where)
        if level not in HALL_LEVELS:
            raise ContentError(f"{where}：层级“{level}”不在 {'/'.join(HALL_LEVELS)} 之中")
        hours = tuple(OpeningHours(h["days"], h["times"]) for h in _require(data, "hours", where))
        return cls(
            id=_require(data, "id", where),
            name=_require(data, "name", where),
            level=level,
            county_code=_require(data, "county_code", where),
            county=_require(data, "county", where),
            town=data.get("town", ""),
            address=_require(data, "address", where),
            hours=hours,
            holiday_rule=data.get("holiday_rule", "法定节假日休息"),
            phone=_require(data, "phone", where),
            services=tuple(data.get("services", ())),
            directions=data.get("directions", ""),
            lat=data.get("lat"),
            lon=data.get("lon"),
            extras=data.get("extras", ""),
            placeholders=tuple(data.get("placeholders", ())),
        )


@dataclass(frozen=True)
class Policy:
    """A policy article (政策资讯) in plain paragraphs."""

    id: str
    title: str
    issuer: str
    date: str  # ISO date of publication
    summary: str
    paragraphs: tuple[str, ...]
    doc_no: str = ""
    categories: tuple[str, ...] = ()
    related_guides: tuple[str, ...] = ()
    source: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        """Build and validate a policy article from plain JSON."""
        where = f"政策“{data.get('title') or data.get('id') or '?'}”"
        return cls(
            id=_require(data, "id", where),
            title=_require(data, "title", where),
            issuer=_require(data, "issuer", where),
            date=_require(data, "date", where),
            summary=_require(data, "summary", where),
            paragraphs=tuple(_require(data, "paragraphs", where)),
            doc_no=data.get("doc_no", ""),
            categories=tuple(data.get("categories", ())),
            related_guides=tuple(data.get("related_guides", ())),
            source=data.get("source", ""),
        )


@dataclass(frozen=True)
class Category:
    """A life topic (养老, 社保 …) that groups guides."""

    id: str
    name: str
    description: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Category:
        """Build a category from plain JSON."""
        where = f"分类“{data.get('name') or data.get('id') or '?'}”"
        return cls(id=_require(data, "id", where), name=_require(data, "name", where),
                   description=data.get("description", ""))


@dataclass(frozen=True)
class City:
    """The city a deployment serves and its counties (for the hall list)."""

    code: str
    name: str
    counties: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (code, name)


def to_plain(record: Any) -> Any:
    """Turn a content record back into plain JSON-able data (for the store and exports)."""
    if dataclasses.is_dataclass(record):
        return {f.name: to_plain(getattr(record, f.name)) for f in dataclasses.fields(record)}
    if isinstance(record, (list, tuple)):
        return [to_plain(x) for x in record]
    return record
