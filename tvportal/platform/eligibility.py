"""Who may apply for what, from what the platform knows: age from the ID number, earlier applications.

Pure functions over a birth date and a person's application history, so that the embedded platform
(which enforces them) and the TV (which states them before anything is typed) judge alike.
The messages are Chinese because the platform speaks Chinese (like every PlatformError message).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """The conditions of one handling service the platform can check itself."""

    min_age: int = 0
    once_per_year: bool = False  # e.g. 资格认证: one a calendar year
    once_ever: bool = False  # e.g. 养老金申领: after it is done, the pension is paid every month
    needs: str = ""  # a condition only the person can know, said plainly before they start


RULES: dict[str, Rule] = {
    "h1": Rule(min_age=60, once_per_year=True),
    "h2": Rule(min_age=80),
    "h3": Rule(needs="需要有第二代残疾人证"),
    "h4": Rule(once_per_year=True),
    "h6": Rule(min_age=60, once_ever=True),
    "h7": Rule(min_age=60),
}


@dataclass(frozen=True)
class Past:
    """One earlier application of the person: enough to judge duplicates."""

    number: str
    service_id: str
    status: str  # submitted | accepted | finished
    submitted: str  # YYYY-MM-DD HH:MM


@dataclass(frozen=True)
class Verdict:
    """May this person apply now? ``open_number`` names an unfinished application of the same service."""

    allowed: bool
    reason: str  # why not, or the condition that is met ("您今年86岁，满80岁可以申请")
    open_number: str = ""
    # the same as (kind, values) pairs, for the TV to word in its own language and to name the person:
    # open (number), no_birth, too_young (age, min), age_ok (age, min), done_year (next), done_ever (number),
    # yearly_ok, needs (text)
    why: tuple[tuple[str, dict], ...] = ()


def birth_date(id_number: str) -> dt.date | None:
    """The birth date written in an 18-digit ID number (digits 7-14), or None when it is not a date."""
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return None


def age_on(born: dt.date, today: dt.date) -> int:
    """Whole years of age on ``today``."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def judge(service_id: str, born: dt.date | None, history: Iterable[Past], today: dt.date) -> Verdict:
    """The verdict for one service: an open application first, then age, then how often."""
    same = [p for p in history if p.service_id == service_id]
    still_open = next((p for p in same if p.status != "finished"), None)
    if still_open is not None:
        return Verdict(False, f"这件事已经在办了（办件编号 {still_open.number}），不用再申请", still_open.number,
                       (("open", {"number": still_open.number}),))
    rule = RULES.get(service_id, Rule())
    reasons, why = [], []
    if rule.min_age:
        if born is None:
            return Verdict(False, "没有查到出生日期，请到大厅办理", why=(("no_birth", {}),))
        age = age_on(born, today)
        if age < rule.min_age:
            return Verdict(False, f"您今年{age}岁，要年满{rule.min_age}岁才能申请",
                           why=(("too_young", {"age": age, "min": rule.min_age}),))
        reasons.append(f"您今年{age}岁，满{rule.min_age}岁可以申请")
        why.append(("age_ok", {"age": age, "min": rule.min_age}))
    if rule.once_per_year and any(p.submitted[:4] == str(today.year) for p in same):
        return Verdict(False, f"今年已经办过了，{today.year + 1}年再办", why=(("done_year", {"next": today.year + 1}),))
    if rule.once_ever and same:
        return Verdict(False, f"已经办好了（办件编号 {same[0].number}），不用再申请",
                       why=(("done_ever", {"number": same[0].number}),))
    if rule.once_per_year:
        reasons.append("每年办一次，今年还没有办")
        why.append(("yearly_ok", {}))
    if rule.needs:
        reasons.append(rule.needs)
        why.append(("needs", {"text": rule.needs}))
    return Verdict(True, "；".join(reasons), why=tuple(why))
