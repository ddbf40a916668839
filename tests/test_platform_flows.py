"""Every TV flow end to end through the real app against the embedded platform: sign in, book,
move, cancel, apply, progress, queries, rating, 帮家人办, validation messages and masking."""

from __future__ import annotations

import re

from tests.platform_helpers import PEOPLE, FlowClient, embedded_code, first_day_slot, submit_first_answers
from tvportal.flows.ui import grouped



async def test_booking_flow_end_to_end(client, settings):
    """Home tile -> sign in with ID + SMS -> hall -> day -> slot -> confirm -> receipt -> my bookings."""
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    home = await tv.get("/")
    assert 'href="/booking/halls"' in home and 'href="/apply"' in home and 'href="/lookup"' in home
    start = await tv.get("/booking")
    assert "/booking/guide/b1" in start and "/booking/halls" in start
    await tv.sign_in(PEOPLE["wang"])
    halls = await tv.get("/booking/halls")
    # 王秀英's ID starts with 341524 (金寨县): the 金寨 hall is listed first
    assert halls.index("金寨县政务服务中心") < halls.index("六安市政务服务中心")
    days = await tv.get("/booking/h/LA-02")
    assert re.search(r"\d+月\d+日 星期.", days)
    day, slot_href = await first_day_slot(tv, "LA-02")
    confirm = await tv.get(slot_href)
    assert "王秀英" in confirm and "3415**********0027" in confirm and "341524194503120027" not in confirm
    receipt_url, receipt = await tv.post_button(confirm, "ok")
    assert "/booking/r/YY" in receipt_url
    number = receipt_url.rsplit("/", 1)[1]
    assert "预约号" in receipt and grouped(number) in receipt
    mine = await tv.get("/booking/mine")
    assert f"/booking/b/{number}" in mine
    # the same form sent twice (a double press) books once
    again_url, _again = await tv.post_button(confirm, "ok")
    assert again_url.endswith(number)
    resp = await client.get("/booking/mine")
    assert resp.headers["Cache-Control"] == "private, no-store"


async def test_reschedule_and_cancel(client, settings):
    """Move a booking to another time, then cancel it; the places follow."""
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await tv.sign_in(PEOPLE["zhang"])
    day, slot_href = await first_day_slot(tv, "LA-01")
    receipt_url, _ = await tv.post_button(await tv.get(slot_href), "ok")
    number = receipt_url.rsplit("/", 1)[1]
    detail = await tv.get(f"/booking/b/{number}")
    assert "?move=" in detail
    slots = await tv.get(f"/booking/h/LA-01/{day}?move={number}")
    later = re.findall(r'href="(/booking/s/LA-01\.b1\.\d+\.1400\?move=\w+)"', slots)[0]
    moved_url, moved = await tv.post_button(await tv.get(later), "ok")
    assert moved_url.endswith(number) and "14:00" in moved
    cancel_page = await tv.get(f"/booking/b/{number}/cancel")
    _url, after = await tv.post_button(cancel_page, "yes")
    assert "已取消" in after or "Cancelled" in after


async def test_sign_in_validation_keeps_the_entry(client, settings):
    """A wrong check digit gets a Chinese message next to the entry, and the digits stay."""
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    for digit in "341524194503120028":
        await tv.press_key("id", digit)
    resp = await client.post("/id/enter/id", data={"k": "ok"})
    text = await resp.text()
    assert resp.status == 400
    assert "有一位数字不对" in text
    digits = "".join(re.findall(r'<span class="kp-c" id="c\d+">(\w?)</span>', text))
    assert digits == "341524194503120028"  # kept, to be corrected with 删除
    await tv.press_key("id", "del")
    await tv.press_key("id", "7")
    resp = await client.post("/id/enter/id", data={"k": "ok"}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/id/enter/code"
    resp = await client.post("/id/enter/code", data={"k": "ok"})
    assert "6" in await resp.text() and resp.status == 400
    for digit in "000000" if embedded_code(settings, PEOPLE["wang"], "login") != "000000" else "111111":
        await tv.press_key("code", digit)
    resp = await client.post("/id/enter/code", data={"k": "ok"})
    assert resp.status == 400 and "验证码不对" in await resp.text()


async def test_handling_flow_and_progress_and_rating(client, settings):
    """我要办 h5: two questions, confirmation repeats the answers, receipt number, 即办件 done, then 好差评."""
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await tv.sign_in(PEOPLE["chen"])
    listing = await tv.get("/apply") + await tv.get("/apply?page=2")
    for sid in ("h1", "h2", "h3", "h4", "h5", "h6", "h7"):
        assert f'href="/apply/{sid}"' in listing
    start = await tv.get("/apply/h5")
    assert "/services/handling/h5" in start  # the guide stays reachable
    q0 = await tv.get("/apply/h5/q/0")
    bad = await client.post("/apply/h5/q/0", data={"value": "nonsense"})
    bad_text = await bad.text()
    assert bad.status == 400 and 'id="err"' in bad_text and "丢失了" in bad_text  # message above the same choices
    _u, q1 = await tv.post_button(q0, "c0")  # 丢失了
    url, confirm = await tv.post_button(q1, "c1")  # 正式挂失
    assert url.endswith("/apply/h5/confirm")
    assert "丢失了" in confirm and "正式挂失" in confirm and "陈建国" in confirm
    url, receipt = await tv.post_button(confirm, "ok")
    assert "/apply/a/BJ" in url
    number = url.split("/apply/a/")[1].split("?")[0]
    assert grouped(number) in receipt and "办件编号" in receipt and "已经办好了" in receipt
    rate_page = await tv.get(f"/rate/application/{number}")
    for level in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert level in rate_page
    _u, reasons = await tv.post_button(rate_page, "l1")
    assert "办得太慢" in reasons
    _u, thanks = await tv.post_button(reasons, "r-slow")
    assert "PJ" in thanks
    _u, twice = await tv.post_button(reasons, "r-slow")  # same key: the same rating, not a second one
    assert "PJ" in twice


async def test_every_handling_service_submits(client, settings):
    """Each of h1-h7 goes from the first question to a receipt by choosing the first answers
    (刘玉珍 is 74: 高龄津贴 needs 80, so 李桂兰, 86, applies for that one)."""
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await tv.sign_in(PEOPLE["li"])
    url, receipt = await submit_first_answers(tv, "h2")
    assert "/apply/a/BJ" in url, receipt
    await tv.sign_in(PEOPLE["liu"])
    for sid in ("h1", "h3", "h4", "h5", "h6", "h7"):
        url, receipt = await submit_first_answers(tv, sid)
        assert "/apply/a/BJ" in url, (sid, receipt)
    progress = await tv.get("/apply/mine")
    assert progress.count("/apply/a/BJ") >= 6  # one page of the list


async def test_queries_paged(client, settings):
    """便民查询 q1: 12 pension payments (month, amount, bank) over pages; q4 for someone without an account."""
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await tv.sign_in(PEOPLE["wang"])
    start = await tv.get("/lookup/q1")
    assert "/services/query/q1" in start
    first = await tv.get("/lookup/q1/result")
    assert "元" in first and "银行" in first and "pg-next" in first
    months = set(re.findall(r"\d{4}年\d{1,2}月", first))
    page = 2
    while True:
        resp = await client.get(f"/lookup/q1/result?page={page}")
        text = await resp.text()
        months |= set(re.findall(r"\d{4}年\d{1,2}月", text))
        if "pg-next" not in text:
            break
        page += 1
    assert len(months) == 12
    q4 = await tv.get("/lookup/q4/result")
    assert "没有查到" in q4


async def test_family_member_proxy_records_who_acted(client, settings):
    """帮家人办: 陈建国 links his mother 李桂兰 with her SMS consent and books for her; the booking names both."""
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await tv.sign_in(PEOPLE["chen"])
    await tv.enter("elder", PEOPLE["li"])
    resp = await client.post("/id/enter/elder", data={"k": "ok"}, allow_redirects=False)
    assert resp.headers["Location"] == "/id/enter/elder_code"
    await tv.enter("elder_code", embedded_code(settings, PEOPLE["li"], "consent"))
    resp = await client.post("/id/enter/elder_code", data={"k": "ok"})
    page = await resp.text()
    assert "李桂兰" in page and "3415**********2025" in page
    _day, slot_href = await first_day_slot(tv, "LA-03")
    confirm = await tv.get(slot_href)
    assert "李桂兰" in confirm and "陈建国" in confirm
    url, _r = await tv.post_button(confirm, "ok")
    number = url.rsplit("/", 1)[1]
    from sqlalchemy import select

    from tests.storage_support import transaction
    from tvportal.storage.tables import platform_audit, platform_bookings as b

    with transaction(settings) as conn:
        row = conn.execute(select(b.c.actor_id, b.c.person_id).where(b.c.number == number)).one()
        audit = conn.execute(select(platform_audit.c.action).where(platform_audit.c.actor_id == "P4",
                                                                   platform_audit.c.person_id == "P2")).scalars().all()
    assert tuple(row) == ("P4", "P2")
    assert "proxy_consent" in audit and "book" in audit


async def test_qr_login_confirmed_on_the_phone_page(client, settings):
    """The TV shows a QR code; the phone page confirms with ID + SMS code; the TV continues signed in."""
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    page = await tv.get("/id/qr")
    assert "<svg" in page
    ticket = re.search(r"/m/confirm/([\w-]+)", await tv.qr_url()).group(1)
    phone = await client.get(f"/m/confirm/{ticket}")
    assert phone.status == 200
    bad = await client.post(f"/m/confirm/{ticket}", data={"id_number": "123", "action": "send"})
    assert bad.status == 400 and "18位" in await bad.text()
    await client.post(f"/m/confirm/{ticket}", data={"id_number": PEOPLE["zhang"], "action": "send"})
    code = embedded_code(settings, PEOPLE["zhang"], "login")
    done = await client.post(f"/m/confirm/{ticket}", data={"id_number": PEOPLE["zhang"], "sms_code": code,
                                                          "action": "confirm"})
    assert "已确认" in await done.text()
    resp = await client.get("/id/qr/check", allow_redirects=False)
    assert resp.status == 303
    who = await tv.get("/id")
    assert "张德明" in who and "3415**********1012" in who


async def test_id_numbers_never_reach_the_log(client, settings, caplog):
    """Signing in logs the SMS event with the ID number masked."""
    import logging

    caplog.set_level(logging.INFO)
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await tv.sign_in(PEOPLE["wang"])
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "3415**********0027" in text
    assert "341524194503120027" not in text


async def test_progress_steps_paged_with_dates(client, settings):
    """h3 has six steps: they are shown a few per screen with page keys; the first has today's date."""
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await tv.sign_in(PEOPLE["liu"])
    url, _receipt = await submit_first_answers(tv, "h3")
    first = await tv.get(url.split("?")[0])
    assert "提交申请" in first and '"page_down":{"href":' in first and "办结" not in first.split("<main")[1]
    second = await tv.get(url.split("?")[0] + "?page=2")
    assert "办结" in second and "县民政局审定" in second


async def test_finished_booking_can_be_rated_once(client, settings):
    """The demo's finished visit offers 评价; after rating, the offer is gone."""
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await tv.sign_in(PEOPLE["zhang"])
    mine = await tv.get("/booking/mine")
    number = re.findall(r'href="/booking/b/(YY\w+)"', mine)[-1]
    detail = await tv.get(f"/booking/b/{number}")
    assert f"/rate/booking/{number}" in detail
    # one digit only shows the choice (您选的是：4 满意 ★★★★); 提交 sends it, 重选 goes back
    _u, sure = await tv.post_button(await tv.get(f"/rate/booking/{number}"), "l4")
    assert "您选的是" in sure and "4 满意 ★★★★" in sure and "PJ" not in sure
    assert f"/rate/booking/{number}" in await tv.get(f"/booking/b/{number}")  # nothing sent yet
    _u, thanks = await tv.post_button(sure, "send")
    assert "PJ" in thanks
    assert f"/rate/booking/{number}" not in await tv.get(f"/booking/b/{number}")


async def test_rating_before_it_is_done_says_so_instead_of_a_form(client, settings):
    """/rate/application/<an application still under way> (a kept or typed address): no rating form that the
    platform would refuse, but 办完以后才能评价 and the way to its progress; the same for a coming booking."""
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await tv.sign_in(PEOPLE["chen"])
    url, _receipt = await submit_first_answers(tv, "h3")
    number = re.search(r"/apply/a/(BJ\w+)", url).group(1)
    page = await tv.get(f"/rate/application/{number}")
    assert "办完以后才能评价" in page and f'href="/apply/a/{number}"' in page
    assert "非常满意" not in page and 'name="level"' not in page
    _day, slot_href = await first_day_slot(tv, "LA-01")
    receipt_url, _r = await tv.post_button(await tv.get(slot_href), "ok")
    booking = receipt_url.rsplit("/", 1)[1]
    page = await tv.get(f"/rate/booking/{booking}")
    assert "办完以后才能评价" in page and f'href="/booking/b/{booking}"' in page and 'name="level"' not in page
