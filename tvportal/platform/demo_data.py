"""The embedded platform's demo catalog, people, records and history (tables: tvportal/storage/tables.py).

All demo people are invented; their ID numbers carry valid GB 11643 check digits but belong
to nobody (birth dates and sequence numbers chosen for the demo).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from sqlalchemy import Connection, insert, select

from tvportal.platform import services
from tvportal.storage import upsert
from tvportal.storage.tables import (
    platform_applications, platform_bookings, platform_catalog, platform_people, platform_records, platform_slots)

# (id, name, ID number, phone, birth year); P2 is P4's mother in the demo (帮家人办)
PEOPLE: tuple[tuple[str, str, str, str, int], ...] = (
    ("P1", "王秀英", "341524194503120027", "13805641234", 1945),
    ("P2", "李桂兰", "341525194011182025", "13905642345", 1940),
    ("P3", "张德明", "341503194806051012", "13705643456", 1948),
    ("P4", "陈建国", "341502197809203015", "13605644567", 1978),
    ("P5", "刘玉珍", "341522195201014044", "13505645678", 1952),
    ("P6", "赵淑芬", "341523194412030046", "13305646789", 1944),
)
# people who never used the TV services: no bookings or applications (what a new user meets)
NEWCOMERS = frozenset({"P6"})
DEMO_ROOT = Path(__file__).resolve().parents[2] / "content" / "demo"
BANKS = ("六安农商银行", "中国邮政储蓄银行", "中国农业银行")


def create(conn: Connection, city: str) -> None:
    """Inside the caller's transaction: when nobody is there yet, the catalog and the demo people."""
    if conn.execute(select(platform_people.c.id).limit(1)).first():
        return
    # the raw demo files, not the content model: the platform's catalog is its own copy
    folder = DEMO_ROOT / city
    guides = json.loads((folder / "guides.json").read_text(encoding="utf-8"))["guides"]
    halls = json.loads((folder / "halls.json").read_text(encoding="utf-8"))["halls"]
    catalog = [{"kind": "service", "id": g["id"], "data": _json({k: g[k] for k in ("id", "name", "short_name", "kind",
                                                                                   "hall_ids")})}
               for g in guides if g["kind"] in ("booking", "handling", "query")]
    catalog += [{"kind": "hall", "id": h["id"], "data": _json({k: h.get(k, "") for k in (
        "id", "name", "level", "county_code", "county", "town", "services")})} for h in halls]
    conn.execute(insert(platform_catalog), catalog)
    today = services.now().date()
    for pid, name, number, phone, year in PEOPLE:
        conn.execute(insert(platform_people).values(id=pid, name=name, id_number=number, phone=phone,
                                                    county_code=number[:6], birth_year=year))
        conn.execute(insert(platform_records), [{"person_id": pid, "kind": kind, "data": _json(table)}
                                                for kind, table in records_for(pid, year, today).items()])
        if pid not in NEWCOMERS:
            _history(conn, pid, today)


def _json(data) -> str:
    """Stored JSON, Chinese kept readable."""
    return json.dumps(data, ensure_ascii=False)


def records_for(pid: str, birth_year: int, today: dt.date) -> dict[str, dict]:
    """Invented but consistent personal records of one demo person."""
    rng = random.Random(pid)
    bank = f"{rng.choice(BANKS)}（尾号{rng.randint(1000, 9999)}）"
    months = []
    year, month = today.year, today.month
    for _i in range(12):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append((year, month))
    pension = 0 if birth_year > today.year - 60 else rng.choice((163, 178, 205, 231))
    out = {"pension": {"title": "养老金发放记录（最近12个月）", "columns": ["月份", "金额", "发放银行"],
                       "rows": [[f"{y}年{m}月", f"{pension:.2f}元", bank] for y, m in months] if pension else [],
                       "summary": [f"每月{pension:.2f}元，按月发到{bank}"] if pension else ["还没有开始领取养老金"]}}
    tier = rng.choice((200, 300, 500))
    years = [today.year - i for i in range(1, 9)]
    out["social_insurance"] = {"title": "城乡居民养老保险缴费记录", "columns": ["年度", "缴费档次", "个人缴费"],
                               "rows": [[f"{y}年", f"{tier}元档", f"{tier:.2f}元"] for y in years],
                               "summary": [f"累计缴费{15 + rng.randint(0, 6)}年"]}
    out["medical_insurance"] = {"title": "城乡居民医疗保险参保缴费", "columns": ["年度", "参保状态", "个人缴费"],
                                "rows": [[f"{y}年", "已缴费", f"{380 + 20 * (y - years[-1]) // 2:.2f}元"] for y in years[:5]],
                                "summary": ["参保状态：正常参保"]}
    if birth_year > 1960:
        balance = rng.randint(8000, 60000)
        out["provident_fund"] = {"title": "住房公积金账户", "columns": ["月份", "缴存金额"],
                                 "rows": [[f"{y}年{m}月", f"{rng.choice((612, 780, 936)):.2f}元"] for y, m in months[:6]],
                                 "summary": [f"账户余额：{balance:.2f}元", "账户状态：正常缴存"]}
    else:
        out["provident_fund"] = {"title": "住房公积金账户", "columns": ["月份", "缴存金额"], "rows": [],
                                 "summary": ["没有查到您的住房公积金账户"]}
    return out


def _history(conn: Connection, pid: str, today: dt.date) -> None:
    """A finished booking and a finished application, so that 好差评 can be tried at once."""
    day = today - dt.timedelta(days=14)
    start, end = services.SLOT_TIMES[0]
    slot_id = f"LA-01.b1.{day:%Y%m%d}.{start.replace(':', '')}"
    upsert(conn, platform_slots, {"id": slot_id, "hall_id": "LA-01", "service_id": "b1", "day": day.isoformat(),
                                  "start": start, "end": end, "capacity": services.SLOT_CAPACITY, "booked": 0}, ["id"])
    stamp = f"{day - dt.timedelta(days=3)} 10:00"
    conn.execute(insert(platform_bookings).values(
        number=f"YY{day:%y%m%d}{pid[1:]:0>4}", slot_id=slot_id, person_id=pid, actor_id=pid, status="finished",
        created=stamp, updated=stamp, rated=0))
    done = f"{day} 10:20"
    steps = [{"name": "提交申请", "date": stamp, "note": ""}, {"name": "办结", "date": done, "note": "临时挂失已生效"}]
    conn.execute(insert(platform_applications).values(
        number=f"BJ{day:%y%m%d}{pid[1:]:0>4}", service_id="h5", person_id=pid, actor_id=pid, status="finished",
        submitted=stamp, promise_date=str(day), fields=json.dumps({"reason": "lost", "kind": "temporary"}),
        steps=_json(steps), rated=0))
