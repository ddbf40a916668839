"""Schema of the embedded platform's SQLite file and its demo people, records and history.

All demo people are invented; their ID numbers carry valid GB 11643 check digits but belong
to nobody (birth dates and sequence numbers chosen for the demo).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3

from pathlib import Path
from tvportal.platform import services

SCHEMA = """
CREATE TABLE IF NOT EXISTS catalog (kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS people (id TEXT PRIMARY KEY, name TEXT NOT NULL, id_number TEXT NOT NULL UNIQUE,
    phone TEXT NOT NULL, county_code TEXT NOT NULL, birth_year INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS devices (device_id TEXT PRIMARY KEY, person_id TEXT NOT NULL, linked TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS proxies (device_id TEXT NOT NULL, actor_id TEXT NOT NULL, person_id TEXT NOT NULL,
    consent TEXT NOT NULL, consented TEXT NOT NULL, PRIMARY KEY (device_id, person_id));
CREATE TABLE IF NOT EXISTS sms_codes (id_number TEXT NOT NULL, purpose TEXT NOT NULL, code TEXT NOT NULL,
    expires TEXT NOT NULL, tries INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (id_number, purpose));
CREATE TABLE IF NOT EXISTS tickets (ticket TEXT PRIMARY KEY, device_id TEXT NOT NULL, status TEXT NOT NULL,
    person_id TEXT NOT NULL DEFAULT '', created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS slots (id TEXT PRIMARY KEY, hall_id TEXT NOT NULL, service_id TEXT NOT NULL,
    day TEXT NOT NULL, start TEXT NOT NULL, end TEXT NOT NULL, capacity INTEGER NOT NULL,
    booked INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity));
CREATE INDEX IF NOT EXISTS slots_day ON slots (hall_id, service_id, day);
CREATE TABLE IF NOT EXISTS bookings (number TEXT PRIMARY KEY, slot_id TEXT NOT NULL, person_id TEXT NOT NULL,
    actor_id TEXT NOT NULL, status TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
    rated INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX IF NOT EXISTS one_place_each ON bookings (slot_id, person_id) WHERE status = 'booked';
CREATE TABLE IF NOT EXISTS applications (number TEXT PRIMARY KEY, service_id TEXT NOT NULL, person_id TEXT NOT NULL,
    actor_id TEXT NOT NULL, status TEXT NOT NULL, submitted TEXT NOT NULL, promise_date TEXT NOT NULL,
    fields TEXT NOT NULL, steps TEXT NOT NULL, rated INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS records (person_id TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (person_id, kind));
CREATE TABLE IF NOT EXISTS ratings (number TEXT PRIMARY KEY, target_type TEXT NOT NULL, target_number TEXT NOT NULL,
    level INTEGER NOT NULL, reason TEXT NOT NULL, person_id TEXT NOT NULL, actor_id TEXT NOT NULL,
    created TEXT NOT NULL, UNIQUE (target_type, target_number));
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, op TEXT NOT NULL, result TEXT NOT NULL,
    created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor_id TEXT NOT NULL,
    person_id TEXT NOT NULL, action TEXT NOT NULL, ref TEXT NOT NULL);
"""

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


def create(conn: sqlite3.Connection, city: str) -> None:
    """Create the tables and, in an empty file, the catalog and demo people."""
    conn.executescript(SCHEMA)
    if conn.execute("SELECT 1 FROM people LIMIT 1").fetchone():
        return
    # the raw demo files, not the content model: the platform's catalog is its own copy
    folder = DEMO_ROOT / city
    guides = json.loads((folder / "guides.json").read_text(encoding="utf-8"))["guides"]
    halls = json.loads((folder / "halls.json").read_text(encoding="utf-8"))["halls"]
    with conn:
        for g in guides:
            if g["kind"] in ("booking", "handling", "query"):
                data = {k: g[k] for k in ("id", "name", "short_name", "kind", "hall_ids")}
                conn.execute("INSERT INTO catalog VALUES ('service', ?, ?)", (g["id"], json.dumps(data, ensure_ascii=False)))
        for h in halls:
            data = {k: h.get(k, "") for k in ("id", "name", "level", "county_code", "county", "town", "services")}
            conn.execute("INSERT INTO catalog VALUES ('hall', ?, ?)", (h["id"], json.dumps(data, ensure_ascii=False)))
        today = services.now().date()
        for pid, name, number, phone, year in PEOPLE:
            conn.execute("INSERT INTO people VALUES (?, ?, ?, ?, ?, ?)", (pid, name, number, phone, number[:6], year))
            for kind, table in records_for(pid, year, today).items():
                conn.execute("INSERT INTO records VALUES (?, ?, ?)", (pid, kind, json.dumps(table, ensure_ascii=False)))
            if pid not in NEWCOMERS:
                _history(conn, pid, today)


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


def _history(conn: sqlite3.Connection, pid: str, today: dt.date) -> None:
    """A finished booking and a finished application, so that 好差评 can be tried at once."""
    day = today - dt.timedelta(days=14)
    start, end = services.SLOT_TIMES[0]
    slot_id = f"LA-01.b1.{day:%Y%m%d}.{start.replace(':', '')}"
    conn.execute("INSERT OR IGNORE INTO slots VALUES (?, 'LA-01', 'b1', ?, ?, ?, ?, 0)",
                 (slot_id, day.isoformat(), start, end, services.SLOT_CAPACITY))
    stamp = f"{day - dt.timedelta(days=3)} 10:00"
    conn.execute("INSERT INTO bookings VALUES (?, ?, ?, ?, 'finished', ?, ?, 0)",
                 (f"YY{day:%y%m%d}{pid[1:]:0>4}", slot_id, pid, pid, stamp, stamp))
    done = f"{day} 10:20"
    steps = [{"name": "提交申请", "date": stamp, "note": ""}, {"name": "办结", "date": done, "note": "临时挂失已生效"}]
    conn.execute("INSERT INTO applications VALUES (?, 'h5', ?, ?, 'finished', ?, ?, ?, ?, 0)",
                 (f"BJ{day:%y%m%d}{pid[1:]:0>4}", pid, pid, stamp, str(day),
                  json.dumps({"reason": "lost", "kind": "temporary"}), json.dumps(steps, ensure_ascii=False)))
