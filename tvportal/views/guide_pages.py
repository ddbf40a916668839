"""What a guide's screens say: the five facts of screen 1, the text that flows over the next screens, and
the national elements behind 更多信息 (docs/design.md, "A guide in four screens").

Everything here is plain data; tvportal/views/guides.py turns it into screens.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from content.model import Guide, Hall
from tvportal import canvas
from tvportal.i18n import format_date_long, gettext as _
from tvportal.pagination import TextBlock, clip, wrap
from tvportal.platform import services
from tvportal.views.lists import PLACEHOLDER_MARK, marked

# tv.css: the facts table's label font (the label column is canvas.Canvas.fact_label_px), a row's border,
# the 更新日期 line under the table
FACT_LABEL_FONT = {("hd", False): 30, ("hd", True): 34, ("sd", False): 24, ("sd", True): 26}
FACT_ROW_EXTRA = 6
UPDATED_LINE_PX = 36


@dataclass(frozen=True)
class Fact:
    """One row of screen 1: its label and what it says, longest first (the longest that fits is shown)."""

    label: str
    versions: tuple[str, ...]
    clip_ok: bool = True  # False: never cut (去哪里办); it gets its lines first


def first_sentence(text: str) -> str:
    """Up to the first 。！？ (the whole text when there is none)."""
    match = re.match(r".+?[。！？]", text)
    return match.group(0) if match else text


def short_address(hall: Hall, city: str) -> str:
    """A hall's address without the province and city every viewer shares."""
    address = re.sub(r"^[^省市县]{2,7}省", "", hall.address)
    if city and address.startswith(city):
        address = address[len(city):]
    return marked(hall, "address", address)


def time_text(guide: Guide) -> str:
    """多久办好, in plain words: 当场办好 for a 即办件, else promised and statutory limits."""
    tl = guide.time_limit
    if tl.is_immediate:
        text = _("Done on the spot (即办件)")
    else:
        text = _("Within {days} {unit} of acceptance").format(days=tl.promised_days, unit=tl.unit)
        if tl.statutory_days:
            text += _("; statutory limit {days} {unit}").format(days=tl.statutory_days, unit=tl.unit)
    if tl.note:
        text += "。" + tl.note
    return text


def short_time(guide: Guide) -> str:
    """当场办好 / 20个工作日, the first thing 多久办好 says."""
    tl = guide.time_limit
    if tl.is_immediate:
        return _("On the spot")
    return _("{days} {unit}").format(days=tl.promised_days, unit=tl.unit)


def tv_action(guide: Guide, booking_halls: tuple[str, ...], hall: Hall | None) -> tuple[str, str, str] | None:
    """(id, label, href) of what the TV can do for this guide, as 我要办, 便民查询 and 预约办理 offer it."""
    if guide.kind == "handling" and guide.id in services.FORMS:
        return "tv-do", _("Apply on the TV"), f"/apply/{guide.id}"
    if guide.kind == "query":
        return "tv-do", _("Look it up on the TV"), f"/lookup/{guide.id}"
    if guide.kind == "booking" or guide.bookable:
        if hall is not None and hall.id in booking_halls:
            return "tv-do", _("Book a visit"), f"/booking/h/{hall.id}/soon"
        return "tv-do", _("Book a visit"), "/booking/halls"
    return None


def updated_text(guide: Guide) -> str:
    """更新日期 of a guide: the day it was last reviewed, else the day it took effect; empty when neither."""
    day = guide.reviewed_at or guide.effective_from
    return _("Updated {date}").format(date=format_date_long(dt.date.fromisoformat(day))) if day else ""


def where_fact(guide: Guide, hall: Hall | None, area: str, address: str) -> Fact:
    """去哪里办: the nearest hall and its address; the guide's own words when it names no hall."""
    if hall is None:
        return Fact(_("Where to go"), (marked(guide, "where", guide.where),), clip_ok=False)
    name = marked(hall, "name", hall.name)
    near = _("nearest to {area}").format(area=area) if area else ""
    named = f"{name}（{near}）" if near else name
    return Fact(_("Where to go"), (f"{named}。{address}", f"{name}。{address}", named, name), clip_ok=False)


def facts(guide: Guide, hall: Hall | None, area: str, address: str) -> list[Fact]:
    """The five facts: 办什么, 谁能办, 带什么, 去哪里办, 多久办好 (with the fee when it is short)."""
    names = [m.name for m in guide.materials]
    bring = ["、".join(names)]
    for n in range(len(names) - 1, 0, -1):
        bring.append(_("{names} and {more} more").format(names="、".join(names[:n]), more=len(names) - n))
    who = [" ".join(guide.conditions), guide.conditions[0]] if guide.conditions else [_("Anyone")]
    if len(guide.conditions) > 1:
        who.append(_("{first} ({n} conditions in all)").format(first=guide.conditions[0], n=len(guide.conditions)))
    fee = marked(guide, "fee", guide.fee.text)
    when = [f"{time_text(guide)}；{fee}", f"{short_time(guide)}；{fee}", short_time(guide)]
    return [
        Fact(_("What it is"), (guide.summary, first_sentence(guide.summary))),
        Fact(_("Who can do it"), tuple(who)),
        Fact(_("What to take"), tuple(bring)),
        where_fact(guide, hall, area, address),
        Fact(_("How long it takes"), tuple(when)),
    ]


def fit_facts(rows: list[Fact], large: bool) -> list[tuple[str, str]]:
    """The longest version of each fact that lets all five fit screen 1; 去哪里办 first, never cut."""
    cv = canvas.current()
    metrics = cv.metrics(large)
    label_col = cv.fact_label_px[large]
    width = (cv.TEXT.w - label_col - 20) / metrics.body_px
    # SD leaves the 更新日期 line to 更多信息: five facts at 30 px need the whole screen
    budget = cv.guide_text_h - (UPDATED_LINE_PX if cv.size == "hd" else 0) - FACT_ROW_EXTRA * len(rows)

    label_px = label_col - 20
    label_lines = [len(wrap(r.label, label_px / FACT_LABEL_FONT[cv.size, large])) for r in rows]  # tv.css .facts th

    def height(texts: list[str]) -> float:
        """px the rows take with these values."""
        return sum(max(n, len(wrap(t, width))) for n, t in zip(label_lines, texts)) * metrics.line_px

    chosen = [len(r.versions) - 1 for r in rows]  # shortest first
    for index in sorted(range(len(rows)), key=lambda i: rows[i].clip_ok):  # 去哪里办 gets its room first
        while chosen[index] > 0:
            trial = chosen[:index] + [chosen[index] - 1] + chosen[index + 1:]
            if height([r.versions[c] for r, c in zip(rows, trial)]) > budget:
                break
            chosen = trial
    values = [r.versions[c] for r, c in zip(rows, chosen)]
    spare = budget - height(values)
    out = []
    for row, value in zip(rows, values):
        lines = len(wrap(value, width))
        if spare < 0 and row.clip_ok and lines > 1:  # even the shortest versions do not fit: cut, once
            keep = max(1, lines + int(spare // metrics.line_px))
            spare += (lines - keep) * metrics.line_px
            value = clip(value, keep * width - 1)
        out.append((row.label, value))
    return out


COMPACT_LEVELS = 4


def main_blocks(guide: Guide, hall: Hall | None, address: str, level: int = 0) -> tuple[list[TextBlock], list]:
    """What every viewer needs after screen 1: materials, who, steps, time and fee, where; and what a long
    guide moves out of that text to fit its screens (``level`` 1-3: the time note, then each step's
    explanation, then the materials' notes), shown as fillers where there is room, else under 更多信息."""
    moved = []
    notes = [m for m in guide.materials if m.note]
    blocks = [TextBlock(_("Materials to bring"), [
        f"{i}. {m.name}：{m.amount_text}" + ("" if m.necessity == "必要" else f"（{m.necessity}）")
        + (f"。{m.condition_text}" if m.condition_text else "") + (f"。{m.note}" if m.note and level < 3 else "")
        for i, m in enumerate(guide.materials, 1)
    ])]
    if level >= 3 and notes:
        moved.append(TextBlock(_("About the materials"), [f"{m.name}：{m.note}" for m in notes]))
    if guide.conditions:
        blocks.append(TextBlock(_("Who can apply"), [f"{i}. {c}" for i, c in enumerate(guide.conditions, 1)]))
    if guide.steps and level >= 2:
        blocks.append(TextBlock(_("Steps"), [" → ".join(f"{i}. {s.name}" for i, s in enumerate(guide.steps, 1))]))
        moved.append(TextBlock(_("Each step"), [f"{i}. {s.name}：{s.text}" for i, s in enumerate(guide.steps, 1)
                                                if s.text]))
    elif guide.steps:
        blocks.append(TextBlock(_("Steps"), [
            f"{i}. {s.name}" + (f"：{s.text}" if s.text else "") for i, s in enumerate(guide.steps, 1)]))
    fee = marked(guide, "fee", guide.fee.text)
    items = "；".join(f"{item.name} {item.standard}" for item in guide.fee.items)
    tl = guide.time_limit
    when = time_text(guide)
    if level >= 1 and tl.note:
        when = when[:-len(tl.note) - 1]
        moved.append(TextBlock(_("About the time"), [tl.note]))
    blocks.append(TextBlock(_("Time and fee"), [when + "。" + _("Fee: {fee}").format(fee=fee)
                                                  + (f"（{items}）" if items else "")]))
    where = [marked(guide, "where", guide.where)]
    if hall is not None and not address:  # screen 1 named the hall with its address
        where.append(marked(hall, "name", hall.name))
    blocks.append(TextBlock(_("Where to go"), where))
    return blocks, moved


def contact_block(guide: Guide, hall: Hall | None) -> TextBlock | None:
    """The hall's hours and phone and the guide's phone for questions: the first thing to fill a screen with."""
    lines = []
    if hall is not None:
        hours = "；".join(f"{h.days} {h.times}" for h in hall.hours)
        lines.append(_("{hall} is open {hours}; {holidays}. Phone {phone}").format(
            hall=marked(hall, "name", hall.name),
            hours=hours + (PLACEHOLDER_MARK if "hours" in hall.placeholders else ""),
            holidays=hall.holiday_rule, phone=marked(hall, "phone", hall.phone)))
    elif guide.office_hours:
        lines.append(_("Opening hours: {hours}").format(hours=marked(guide, "office_hours", guide.office_hours)))
    if guide.consult_phone:
        lines.append(_("Questions: {phone}").format(phone=marked(guide, "consult_phone", guide.consult_phone)))
    return TextBlock(_("Opening hours and phone"), lines) if lines else None


def filler_blocks(guide: Guide, hall: Hall | None) -> list[TextBlock]:
    """Good to know, in the order an elder asks: shown where a screen has room, else under 更多信息."""
    contact = contact_block(guide, hall)
    blocks = [contact] if contact else []
    if guide.proxy_allowed or guide.proxy_note:
        text = (_("Yes. ") if guide.proxy_allowed else _("No. ")) + guide.proxy_note
        if guide.proxy_materials:
            text += "。" + _("Bring: {items}").format(items="、".join(guide.proxy_materials))
        blocks.append(TextBlock(_("Can family do it for you"), [text]))
    if guide.result:
        blocks.append(TextBlock(_("What you get"), [guide.result]))
    for faq in guide.faqs:
        blocks.append(TextBlock(_("Question: {q}").format(q=faq.q), [faq.a]))
    if guide.online:
        blocks.append(TextBlock(_("Online"), [guide.online]))
    return blocks


def more_blocks(guide: Guide, hall_names: list[str], updated: str) -> list[TextBlock]:
    """更多信息: the national elements an elder rarely needs, in one place."""
    basics = [_("Department: {d}").format(d=guide.department), _("Item type: {t}").format(t=guide.item_type),
              _("For: {who}").format(who="、".join(guide.service_objects)),
              _("Case type: {t}").format(t=guide.case_type),
              _("Visits to the hall: {n}").format(n=guide.visits_required)]
    if guide.implementation_code:
        basics.append(_("Code: {code}").format(code=marked(guide, "implementation_code", guide.implementation_code)))
    if guide.consult_phone:
        basics.append(_("Questions: {phone}").format(phone=marked(guide, "consult_phone", guide.consult_phone)))
    if guide.complaint_phone:
        basics.append(_("Complaints: {phone}").format(
            phone=marked(guide, "complaint_phone", guide.complaint_phone)))
    if guide.office_hours:
        basics.append(_("Opening hours: {hours}").format(hours=marked(guide, "office_hours", guide.office_hours)))
    if updated:
        basics.append(updated)
    blocks = [TextBlock(_("Basic information"), basics)]
    if hall_names:
        blocks.append(TextBlock(_("Every hall for this"), ["、".join(hall_names)]))
    if guide.legal_basis:
        blocks.append(TextBlock(_("Legal basis"), [
            "".join(x for x in (b.title, b.doc_no and f"（{b.doc_no}）", b.article and f" {b.article}") if x)
            for b in guide.legal_basis
        ]))
    return blocks


def spoken_of(title: str, blocks_or_facts) -> list[str]:
    """A screen's text in reading order, for Screen.spoken: "label: value" for facts, headings and paragraphs."""
    out = [title] if title else []
    for item in blocks_or_facts:
        if isinstance(item, TextBlock):
            out.append(item.heading)
            out.extend(item.paragraphs)
        else:
            out.append(f"{item[0]}：{item[1]}")
    return out
