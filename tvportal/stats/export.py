"""One day of the operator's statistics as rows (``tvportal stats export``; fields in docs/operator.md)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlalchemy import Connection, func, select

from tvportal.storage.tables import stats_daily, stats_households

FIELDS = ("day", "event", "model", "area", "screen", "count", "presses")


def day_rows(conn: Connection, day: str) -> list[dict[str, Any]]:
    """The day's counts, then one ``households`` row per model and area (distinct hashed accounts)."""
    t = stats_daily
    rows = [dict(r._mapping) for r in conn.execute(
        select(*(t.c[f] for f in FIELDS)).where(t.c.day == day).order_by(t.c.event, t.c.model, t.c.area, t.c.screen))]
    h = stats_households
    rows += [{"day": day, "event": "households", "model": r.model, "area": r.area, "screen": "", "count": r.n,
              "presses": 0}
             for r in conn.execute(select(h.c.model, h.c.area, func.count().label("n")).where(h.c.day == day)
                                   .group_by(h.c.model, h.c.area).order_by(h.c.model, h.c.area))]
    return rows


def render(rows: list[dict[str, Any]], fmt: str) -> str:
    """CSV with a header line, or a JSON array of objects."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
