"""Display text made speakable in Mandarin: what espeak-ng must hear so that a listener hears the right thing.

Read as written, espeak-ng says BJ2612010005 as 二十六亿…, a masked ID number as 三千四百一十五 星号…,
9:00-10:00 as 九 零零 十 零零.  ``speakable`` rewrites such text before it is synthesised:

- ID, phone, booking and application numbers digit by digit, Latin letters spelt (B J 二 六 一 二 …);
- masked parts as 尾号 (341523********0046 → 身份证尾号 零 零 四 六);
- dates with the year and the weekday (2026-12-03, 12月3日 → 二零二六年十二月三日 星期四);
- times with the part of the day (9:00-10:00 → 上午九点到十点), money (178.50元 → 一百七十八元五角),
  ranges (3-5 → 三到五), 两 before a measure word (2个工作日 → 两个工作日), percentages;
- signs a voice cannot say (◀ ▶ ★ ·) as words or pauses, the demo's XX placeholders as 某.

Cardinal numbers come from cn2an; the rules here are only the ones it has no notion of (grouping of
codes, masks, clock times, dates with weekdays).  English text is only cleaned of the signs.
"""

from __future__ import annotations

import datetime as dt
import re

import cn2an

DIGITS = "零一二三四五六七八九"
WEEKDAYS = "一二三四五六日"
PARTS = ("凌晨", "上午", "中午", "下午", "晚上")
MEASURES = "个位项张本次天份件种人岁小时分钟周条"


def digit_by_digit(text: str) -> str:
    """Each digit (and letter) on its own: 0046 → 零 零 四 六; other characters are dropped."""
    return " ".join(DIGITS[int(ch)] if ch.isdigit() else ch.upper() for ch in text if ch.isalnum())


def cardinal(number: str) -> str:
    """A number as a quantity (178 → 一百七十八, 3.5 → 三点五); leading zeros are read digit by digit."""
    if len(number) > 1 and number.startswith("0") and not number.startswith("0."):
        return digit_by_digit(number)
    return cn2an.an2cn(number)


def _liang(number: str) -> str:
    """两 instead of 二 for a lone 2 counting something (两点, 两个)."""
    return "两" if number == "2" else cardinal(number)


def spoken_date(day: dt.date) -> str:
    """二零二六年十二月三日 星期四."""
    return f"{digit_by_digit(str(day.year)).replace(' ', '')}年{cardinal(str(day.month))}月" \
           f"{cardinal(str(day.day))}日 星期{WEEKDAYS[day.weekday()]}"


def _nearest_year(month: int, day: int, today: dt.date) -> dt.date | None:
    """The date with this month and day closest to today (a 12月 date read in January is last year's)."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue
    return min(candidates, key=lambda d: abs((d - today).days)) if candidates else None


def _part(hour: int) -> str:
    """The part of the day a clock hour belongs to."""
    if hour < 5:
        return PARTS[0]
    if hour < 12:
        return PARTS[1]
    if hour == 12:
        return PARTS[2]
    return PARTS[3] if hour < 18 else PARTS[4]


def _clock(hour: int, minute: int) -> str:
    """九点, 一点半, 两点零五分 (12-hour: the part of the day is said before it)."""
    twelve = hour if hour <= 12 else hour - 12
    words = _liang(str(twelve)) + "点"
    if minute == 30:
        return words + "半"
    if minute:
        return words + ("零" if minute < 10 else "") + cardinal(str(minute)) + "分"
    return words


def _time(match: re.Match) -> str:
    """9:00-10:00 → 上午九点到十点; 13:30 → 下午一点半."""
    h1, m1 = int(match["h1"]), int(match["m1"])
    if h1 > 23 or m1 > 59:
        return match[0]
    first = _part(h1)
    said = first + _clock(h1, m1)
    if match["h2"] is None:
        return said
    h2, m2 = int(match["h2"]), int(match["m2"])
    if h2 > 23 or m2 > 59:
        return match[0]
    second = _part(h2)
    return said + "到" + ("" if second == first else second) + _clock(h2, m2)


def _money(match: re.Match) -> str:
    """178元 → 一百七十八元; 178.50元 → 一百七十八元五角; 0.05元 → 五分."""
    yuan, cents = match["yuan"], (match["cents"] or "").ljust(2, "0")
    jiao, fen = int(cents[0]), int(cents[1])
    said = cardinal(yuan) + "元" if int(yuan) or not (jiao or fen) else ""
    if jiao:
        said += DIGITS[jiao] + "角"
    if fen:
        said += ("零" if said and not jiao else "") + DIGITS[fen] + "分"
    return said


def _code(match: re.Match) -> str:
    """A booking or application number: letters spelt, then each group of digits, with a pause between."""
    groups = [match["letters"], *match["digits"].split()]
    return "，".join(digit_by_digit(g) for g in groups if g)


def _masked(match: re.Match) -> str:
    """The visible end of a masked number: 身份证尾号 零 零 四 六 / 手机尾号 …; the hidden part is not said."""
    shown, tail = match["head"], match["tail"]
    total = len(shown) + len(match["stars"]) + len(tail)
    kind = "身份证尾号" if total == 18 else "手机尾号" if total == 11 and shown.startswith("1") else "尾号"
    before = match.string[:match.start()].rstrip(" ：:")
    if before.endswith(kind[:-2]):  # 身份证：341523… says 身份证 once
        kind = "尾号"
    return f"{kind} {digit_by_digit(tail)}"


def _phone(match: re.Match) -> str:
    """0564-3379001 → 零 五 六 四，三 三 七 九 零 零 一."""
    return "，".join(digit_by_digit(part) for part in re.split(r"[-－ ]", match[0]) if part)


def _date_iso(match: re.Match) -> str:
    """2026-12-03 → 二零二六年十二月三日 星期四 (when it is a real date)."""
    try:
        return spoken_date(dt.date(int(match["y"]), int(match["m"]), int(match["d"])))
    except ValueError:
        return match[0]


def _date_written(today: dt.date | None):
    """12月3日 (星期四), 2026年12月3日 → the full date with year and weekday."""

    def say(match: re.Match) -> str:
        month, day = int(match["m"]), int(match["d"])
        if match["y"]:
            try:
                return spoken_date(dt.date(int(match["y"]), month, day))
            except ValueError:
                return match[0]
        found = _nearest_year(month, day, today) if today else None
        if found is None:  # no reference day: the date as written, the weekday kept
            return f"{cardinal(str(month))}月{cardinal(str(day))}日" + (" " + match["w"] if match["w"] else "")
        return spoken_date(found)

    return say


_STARS = re.compile(r"★+")
_SIGNS = re.compile(r"[◀▶►◄→←]")
_MASK = re.compile(r"(?P<head>\d{0,6})(?P<stars>[*＊]{3,})(?P<tail>\d{2,3}[\dXx])")
_CODE = re.compile(r"(?<![A-Za-z])(?P<letters>[A-Z]{1,4})\s?(?P<digits>\d{4,}(?: \d{2,})*)")
_PLACEHOLDER = re.compile(r"X{2,}")
# a name masked on screen (王*英, 赵**): the hidden characters are said as 某, never as "asterisk"
_MASKED_NAME = re.compile(r"(?<=[\u4e00-\u9fff])[*＊]{1,3}(?![*＊\d])")
_ROUND_THE_CLOCK = re.compile(r"7\s*[×xX*]\s*24\s*小时")
_ISO = re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)")
_WRITTEN = re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?<![\d])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"
                      r"(?:\s*(?P<w>(?:星期|周)[一二三四五六日天]))?")
_YEAR_MONTH = re.compile(r"(?<!\d)(?P<y>\d{4})\s*年(?:\s*(?P<m>\d{1,2})\s*月)?")
_TIME = re.compile(r"(?:(?:凌晨|上午|中午|下午|晚上)\s*)?(?P<h1>\d{1,2})[:：](?P<m1>\d{2})"
                   r"(?:\s*[-–—~～至到]\s*(?:(?:凌晨|上午|中午|下午|晚上)\s*)?(?P<h2>\d{1,2})[:：](?P<m2>\d{2}))?")
_MONEY = re.compile(r"(?P<yuan>\d+)(?:\.(?P<cents>\d{1,2}))?\s*元")
_TIMES = re.compile(r"(\d+)\s*[×xX]\s*(\d+)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_PHONE = re.compile(r"(?<!\d)(?:0\d{2,3}[-－ ]\d{7,8}|1[3-9]\d{9})(?!\d)")
_TAIL = re.compile(r"尾号\s*(\d{2,6})(?!\d)")
_LONG = re.compile(r"(?<![\d.])\d{5,}(?![\d.])")
_RANGE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*[-–—~～]\s*(\d+(?:\.\d+)?)(?![\d.])")
_TWO = re.compile(rf"(?<![\d.])2\s*(?=[{MEASURES}])")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LATIN = re.compile(r"(?<![A-Za-z])[A-Z]{2,}(?![A-Za-z])")
_STATE = re.compile(r"\s+(开|关)(?=$|[，。；,])")
_DASH = re.compile(r"(?<=\S)\s*[-－–—]\s*(?=\S)")


def speakable(text: str, locale: str = "zh_CN", today: dt.date | None = None) -> str:
    """``text`` as it should be synthesised for ``locale``; ``today`` gives a date without a year its year."""
    text = _SIGNS.sub("", text)
    if not locale.startswith("zh"):
        return " ".join(_STARS.sub(lambda m: f"{len(m[0])} stars", text).split())
    text = _STARS.sub(lambda m: f"{cardinal(str(len(m[0])))}颗星", text)
    text = re.sub(r"\s*[·　]\s*", "，", text)
    text = _MASK.sub(_masked, text)
    text = _PLACEHOLDER.sub("某", text)
    text = _MASKED_NAME.sub(lambda m: "某" * len(m[0]), text)
    text = _ROUND_THE_CLOCK.sub("每天二十四小时", text)
    text = _CODE.sub(_code, text)
    text = _ISO.sub(_date_iso, text)
    text = _WRITTEN.sub(_date_written(today), text)
    text = _YEAR_MONTH.sub(lambda m: digit_by_digit(m["y"]).replace(" ", "") + "年"
                           + (cardinal(m["m"]) + "月" if m["m"] else ""), text)
    text = _TIME.sub(_time, text)
    text = _MONEY.sub(_money, text)
    text = _TIMES.sub(lambda m: f"{cardinal(m[1])}乘{cardinal(m[2])}", text)
    text = _PERCENT.sub(lambda m: "百分之" + cardinal(m[1]), text)
    text = _PHONE.sub(_phone, text)
    text = _TAIL.sub(lambda m: "尾号 " + digit_by_digit(m[1]), text)
    text = _LONG.sub(lambda m: digit_by_digit(m[0]), text)
    text = _RANGE.sub(lambda m: f"{cardinal(m[1])}到{cardinal(m[2])}", text)
    text = _TWO.sub("两", text)
    text = _NUMBER.sub(lambda m: cardinal(m[0]), text)
    text = _LATIN.sub(lambda m: " ".join(m[0]), text)
    text = _STATE.sub(r"，\1", text)
    text = _DASH.sub("，", text)  # a dash left between words is a pause, not 减
    return " ".join(text.split())
