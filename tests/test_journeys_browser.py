"""Elder journeys in headless Chromium with the remote's keys only: applying for oneself and for a family
member, a refusal and a duplicate said before anything is typed, the receipts and their Back key, a pension
query, kind empty lists for a new person, and 好差评 digits that equal the stars.

Signing in is set up through the keypad's plain form (its own tests press every digit)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.browser import focused_id, portal
from tests.platform_helpers import PEOPLE
from tests.storage_support import scalar, sms_code, transaction
from tests.test_platform_browser import _sign_in_fast, key
from tvportal.flows.ui import grouped
from tvportal.storage.tables import platform_applications as apps, platform_bookings, platform_ratings

pytestmark = pytest.mark.browser


def _main(page) -> str:
    """The text of the main area."""
    return page.inner_text("main")


def _add_family(page, base: str, data, elder: str) -> None:
    """The signed-in person records a family member's consent (their ID number and the code sent to them)."""
    for what, digits in (("elder", elder), ("elder_code", None)):
        if digits is None:
            digits = sms_code(data / "tvportal.sqlite3", elder, "consent")
        for d in [*digits, "ok"]:
            page.request.post(f"{base}/id/enter/{what}", form={"k": d})


def _answer_all(page) -> None:
    """OK on the first answer of every question, then 提交 on the confirmation."""
    for _question in range(6):
        if "/confirm" in page.url:
            break
        key(page, "Enter")
    assert focused_id(page) == "ok"
    key(page, "Enter")


def test_apply_for_self_then_the_duplicate_is_shown(tmp_path, browser_page):
    """我要办 → 养老资格认证 → 能不能办 (she is 81) → questions → receipt → Back home; the second time the
    open application is shown instead of a form."""
    data = tmp_path / "portal"
    with portal(data) as base:
        page = browser_page
        _sign_in_fast(page, base, data, PEOPLE["wang"])
        page.goto(base + "/")
        key(page, "3")  # 我要办
        key(page, "1")  # 养老资格认证
        assert "谁能申请：年满60周岁可以申请。每年办一次。" in _main(page)
        key(page, "Enter")  # 开始办理: nobody else on this TV, so straight to 能不能办
        assert page.url.endswith("/apply/h1/check")
        assert "可以申请：您今年81岁，满60岁可以申请" in _main(page) and focused_id(page) == "go"
        key(page, "Enter")  # 开始填写
        _answer_all(page)
        assert "/apply/a/BJ" in page.url
        number = page.url.split("/apply/a/")[1].split("?")[0]
        big = page.inner_text("#big")
        assert "办件编号" in big and grouped(number) in big
        text = _main(page)
        assert "下一步：社保中心受理" in text and "承诺办结：" in text and "星期" in text
        key(page, "Backspace")
        assert page.url == base + "/"
        page.goto(base + "/apply/h1")
        key(page, "Enter")
        assert "这件事已经在办了" in _main(page) and grouped(number) in page.inner_text("#big")
        assert focused_id(page) == "open"
        key(page, "Enter")  # 看办理进度
        assert page.url.endswith(f"/apply/a/{number}")
        key(page, "Backspace")  # from a progress screen Back goes to the list
        assert page.url.endswith("/apply/mine")
    count = select(func.count()).select_from(apps).where(apps.c.person_id == "P1", apps.c.service_id == "h1")
    assert scalar(data / "tvportal.sqlite3", count) == 1


def test_apply_for_a_family_member_and_refused_for_oneself(tmp_path, browser_page):
    """陈建国 (48) is told plainly that 高龄津贴 needs 80, with nothing to type; for his mother 李桂兰 (86),
    who consented, he applies; the receipt names her."""
    data = tmp_path / "portal"
    with portal(data) as base:
        page = browser_page
        _sign_in_fast(page, base, data, PEOPLE["chen"])
        _add_family(page, base, data, PEOPLE["li"])
        page.goto(base + "/apply/h2")
        key(page, "Enter")  # 开始办理
        assert page.url.endswith("/apply/h2/for") and "这件事是给谁办的" in _main(page)
        key(page, "1")  # 陈建国 himself
        text = _main(page)
        assert "您今年48岁，要年满80岁才能申请" in text
        assert page.query_selector("#go") is None  # no questions to answer for nothing
        key(page, "1")  # 换一个人办
        key(page, "2")  # 李桂兰（家人）
        # acting for her, the sentence names her (not 您)
        assert "李桂兰今年86岁，满80岁可以申请" in _main(page) and "代办人：陈建国（家人）" in _main(page)
        key(page, "Enter")
        _answer_all(page)
        assert "/apply/a/BJ" in page.url and "申请人：李桂兰" in _main(page)
    with transaction(data / "tvportal.sqlite3") as conn:
        rows = conn.execute(select(apps.c.person_id, apps.c.actor_id).where(apps.c.service_id == "h2")).all()
    assert [tuple(r) for r in rows] == [("P2", "P4")]


def test_new_person_empty_lists_and_pension_query(tmp_path, browser_page):
    """赵淑芬 has never used the services: 我的 → 我的预约 and 我的办件 are kind, with the next step, and Back
    returns to 我的; then 便民查询 → 养老金查询 shows her record."""
    data = tmp_path / "portal"
    with portal(data) as base:
        page = browser_page
        _sign_in_fast(page, base, data, PEOPLE["zhao"])
        page.goto(base + "/")
        key(page, "8")  # 我的
        assert "已登录：赵淑芬" in _main(page)
        key(page, "1")  # 我的预约
        assert "您还没有预约。" in _main(page) and focused_id(page) == "b-new"
        key(page, "Backspace")
        assert page.url.endswith("/me")
        key(page, "2")  # 我的办件
        assert "您还没有办过件。" in _main(page) and focused_id(page) == "a-new"
        page.goto(base + "/")
        key(page, "4")  # 便民查询
        key(page, "1")  # 养老金查询
        key(page, "Enter")  # 查询
        assert page.url.endswith("/lookup/q1/result")
        text = _main(page)
        assert "赵淑芬" in text and "养老金发放记录" in page.inner_text("h1")


def test_rating_digit_is_the_number_of_stars(tmp_path, browser_page):
    """On 好差评 the focus starts on 基本满意, not the best rating; digit 5 gives 非常满意 (★★★★★)."""
    data = tmp_path / "portal"
    with portal(data) as base:
        page = browser_page
        _sign_in_fast(page, base, data, PEOPLE["zhang"])
        db = data / "tvportal.sqlite3"
        number = scalar(db, select(platform_bookings.c.number).where(platform_bookings.c.person_id == "P3"))
        page.goto(base + f"/rate/booking/{number}")
        assert focused_id(page) == "l3"
        for level in (5, 4, 3, 2, 1):
            digit = page.inner_text(f"#l{level} .num")
            assert digit == str(level) and page.inner_text(f"#l{level} .note") == "★" * level
        key(page, "5")  # shows the choice first: a digit pressed by mistake sends nothing
        assert "您选的是" in _main(page) and "5 非常满意 ★★★★★" in _main(page) and focused_id(page) == "send"
        assert scalar(db, select(platform_ratings.c.level).where(platform_ratings.c.target_number == number)) is None
        key(page, "Enter")
        assert "谢谢" in _main(page)
        assert scalar(db, select(platform_ratings.c.level).where(platform_ratings.c.target_number == number)) == 5
