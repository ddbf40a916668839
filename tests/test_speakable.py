"""The Mandarin normaliser (voice/speakable.py) over real strings: the demo content (content/demo/lu_an)
and what the flows show (receipts, the pension result, masked IDs, settings).  Each row is what the screen
shows and what espeak-ng must be given, so a listener hears the right number, date or time."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from voice.speakable import speakable

TODAY = dt.date(2026, 12, 1)  # a Tuesday: dates without a year take the nearest one
DEMO = Path(__file__).resolve().parent.parent / "content" / "demo" / "lu_an"

TABLE = [
    # a masked name (the notice after a sign-in, the 换人 list): the hidden characters as 某, not "asterisk"
    ("已登录：王*英", "已登录：王某英"),
    ("赵**", "赵某某"),
    ("7×24小时自助服务", "每天二十四小时自助服务"),
    # booking and application numbers, as the receipt shows them (flows/ui.py grouped) and as stored
    ("预约号：YY 261203 0001", "预约号：Y Y，二 六 一 二 零 三，零 零 零 一"),
    ("BJ2612010005", "B J，二 六 一 二 零 一 零 零 零 五"),
    ("办件编号：BJ 261202 0001", "办件编号：B J，二 六 一 二 零 二，零 零 零 一"),
    ("谢谢。您的评价编号是 PJ 261201 0001。", "谢谢。您的评价编号是 P J，二 六 一 二 零 一，零 零 零 一。"),
    # masked ID numbers and phones: only the visible end, said as 尾号
    ("查询人：王秀英  3415**********0027", "查询人：王秀英 身份证尾号 零 零 二 七"),
    ("341523********0046", "身份证尾号 零 零 四 六"),
    ("身份证：3415**********004X", "身份证：尾号 零 零 四 X"),
    ("联系电话：138****5678", "联系电话：手机尾号 五 六 七 八"),
    ("六安农商银行（尾号5433）", "六安农商银行（尾号 五 四 三 三）"),
    # dates with year and weekday
    ("日期：12月3日 星期四", "日期：二零二六年十二月三日 星期四"),
    ("承诺办结：12月9日 星期三", "承诺办结：二零二六年十二月九日 星期三"),
    ("1月12日 星期二", "二零二七年一月十二日 星期二"),
    ("从2016年1月1日起实施。", "从二零一六年一月一日 星期五起实施。"),
    ("2019-12-03", "二零一九年十二月三日 星期二"),
    ("2026年11月　178.00元　六安农商银行", "二零二六年十一月，一百七十八元，六安农商银行"),
    # times of day
    ("时段：上午 9:00-10:00", "时段：上午九点到十点"),
    ("上午 9:00-12:00，下午 13:30-17:00", "上午九点到中午十二点，下午一点半到五点"),
    ("上午 8:30-11:30", "上午八点半到十一点半"),
    ("下午 14:00-17:30", "下午两点到五点半"),
    ("9:05", "上午九点零五分"),
    # money
    ("每月178.00元，按月发到六安农商银行", "每月一百七十八元，按月发到六安农商银行"),
    ("178.50元", "一百七十八元五角"),
    ("0.05元", "五分"),
    ("工本费每证20元", "工本费每证二十元"),
    ("住宅登记费每件80元", "住宅登记费每件八十元"),
    # units, ranges, counts
    ("15个工作日", "十五个工作日"),
    ("2个工作日", "两个工作日"),
    ("3-5天", "三到五天"),
    ("年满60周岁。", "年满六十周岁。"),
    ("养老金发放记录（最近12个月）", "养老金发放记录（最近十二个月）"),
    ("第2页，共4页", "第二页，共四页"),
    ("7×24小时自助区照常开放", "每天二十四小时自助区照常开放"),
    # codes, hotlines, phones, letters, placeholders
    ("1134150000000000005000030", "一 一 三 四 一 五 零 零 零 零 零 零 零 零 零 零 零 零 五 零 零 零 零 三 零"),
    ("拨打12345热线", "拨打一 二 三 四 五热线"),
    ("电话：0564-3379001", "电话：零 五 六 四，三 三 七 九 零 零 一"),
    ("安徽省六安市金安区XX路XX号", "安徽省六安市金安区某路某号"),
    ("0564-XXXXXXXX", "零 五 六 四，某"),
    ("下载APP办理", "下载A P P办理"),
    # settings states, signs
    ("大字模式 开", "大字模式，开"),
    ("高对比度 关", "高对比度，关"),
    ("非常满意，★★★★★", "非常满意，五颗星"),
    ("◀ 上一页", "上一页"),
    ("首页 · 返回 · 下一页", "首页，返回，下一页"),
]


@pytest.mark.parametrize(("shown", "said"), TABLE)
def test_table(shown, said):
    assert speakable(shown, "zh_CN", TODAY) == said


def test_english_stays_readable():
    """The en voice reads English numbers well: only the signs go."""
    assert speakable("◀ Booking number YY 261203 0001, 9:00-10:00", "en", TODAY) == \
        "Booking number YY 261203 0001, 9:00-10:00"


def test_real_demo_strings_leave_no_raw_digits():
    """Every hall's hours, phone and address and every policy date of the demo city are said without a
    digit, colon-time or star left for espeak-ng to read on its own."""
    halls = json.loads((DEMO / "halls.json").read_text(encoding="utf-8"))["halls"]
    policies = json.loads((DEMO / "policies.json").read_text(encoding="utf-8"))
    policies = policies["policies"] if isinstance(policies, dict) else policies
    texts = [f"{h['days']}：{h['times']}" for hall in halls for h in hall["hours"]]
    texts += [hall["phone"] for hall in halls] + [hall["address"] for hall in halls]
    texts += [hall["holiday_rule"] for hall in halls]
    texts += [p["date"] for p in policies]
    assert len(texts) > 30
    for text in texts:
        said = speakable(text, "zh_CN", TODAY)
        assert not any(ch.isdigit() or ch in ":*×" for ch in said), (text, said)
    assert speakable(policies[0]["date"], "zh_CN", TODAY).startswith("二零")
