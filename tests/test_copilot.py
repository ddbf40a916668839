"""远程帮办: a family member's phone helps the elder's TV (tvportal/copilot/): codes, one helper, consent,
private screens, submissions confirmed on the TV, the audit, ends and time limits, on the real app."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from tests.copilot_support import Phone, code_on, helped_tv, poll
from tests.platform_helpers import PEOPLE, FlowClient, embedded_code, first_day_slot
from tvportal.app import create_app
from tvportal.copilot import store
from tvportal.keys import DB, PLATFORM
from tvportal.storage.tables import copilot_sessions


@pytest.fixture
async def pair(aiohttp_client, settings):
    """(TV, phone, settings) on one portal; the elder 李桂兰 is signed in on the TV."""
    client = await aiohttp_client(create_app(settings))
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await tv.sign_in(PEOPLE["li"])
    phone = Phone(client.make_url(""))
    yield tv, phone, settings
    await phone.close()


def db_of(tv: FlowClient):
    return tv.client.server.app[DB]


async def rows(tv: FlowClient) -> list[dict]:
    return await db_of(tv).read(lambda c: [dict(r) for r in c.execute(select(copilot_sessions)).mappings()])


async def test_consent_then_helper_books_and_elder_confirms(pair):
    """The whole way: code, helper signs in with their own SMS code, the elder agrees (OK), then agrees to
    share; the phone takes the TV to a slot, and the booking is sent only by the TV; the audit says who."""
    tv, phone, settings = pair
    ask = await helped_tv(tv, phone, settings)
    assert "陈建国" in ask and 'id="yes"' in ask
    url, _page = await tv.post_button(ask, "yes")
    assert url == "/me"
    assert (await poll(tv))[0] == "active"
    # a private screen first: the second question comes up on the TV
    _day, slot = await first_day_slot(tv, "LA-01")
    confirm = await tv.get(slot)
    lines = await poll(tv)
    assert lines[2] == "go" and lines[3].startswith("/family/share?next=")
    status, text = await phone.get("/m/help/go")
    assert 'id="private"' in text and "341525" not in text
    share = await tv.get(lines[3])
    url, confirm = await tv.post_button(share, "yes")
    assert url == slot
    status, text = await phone.get("/m/help/go")
    assert "李桂兰" in text and 'id="p-ok"' in text and 'id="c-ok"' not in text  # only pointed at
    # the phone cannot send the booking: it asks her to press OK; the TV frames 确认
    await phone.post("/m/help/do", do="point", item="ok")
    assert (await poll(tv))[2:4] == ["point", "ok"]
    store_id = (await rows(tv))[0]["elder_id"]
    assert store_id
    before = await tv.client.server.app[PLATFORM].bookings(store_id)
    url, _receipt = await tv.post_button(confirm, "ok")  # the elder's OK on the TV
    assert url.startswith("/booking/r/")
    after = await tv.client.server.app[PLATFORM].bookings(store_id)
    assert len(after) == len(before) + 1
    sid = (await rows(tv))[0]["id"]
    trail = await db_of(tv).read(store.audit_of, sid)
    actions = [a["action"] for a in trail]
    assert actions[:4] == ["code", "claim", "signin", "consent"]
    posted = [a for a in trail if a["action"] == "tv_post" and a["detail"].startswith("/booking/s/")]
    assert posted and posted[0]["helper_id"] and posted[0]["elder_id"] == store_id
    assert "share" in actions and "point" in actions


async def test_phone_moves_the_tv_and_types_for_her(pair):
    """Choosing an item and a place sends the TV there; typing on a keypad is the flow's own check."""
    tv, phone, settings = pair
    await tv.post_button(await helped_tv(tv, phone, settings), "yes")
    assert (await poll(tv))[3] == "/family/share?next=/me"  # 我的 is private: the second question first
    await tv.get("/family/share?next=/me&no=1")  # Back on it: no
    await phone.post("/m/help/do", do="go", href="/booking/halls")
    assert (await poll(tv))[2:4] == ["go", "/booking/halls"]
    await phone.post("/m/help/do", do="go", href="https://elsewhere.example/")  # not a place: nothing sent
    assert (await poll(tv))[2] == ""
    await tv.get("/id/enter/elder")
    status, text = await phone.get("/m/help/go")
    assert 'id="value"' in text and 'id="private"' in text  # she said no: the pad, but nothing of hers
    await tv.get("/me")  # her 我的: what she refused is not even stored for the phone
    stored = json.loads((await rows(tv))[0]["screen"])
    assert stored["private"] and stored["lines"] == [] and stored["title"]
    assert not any(item["note"] for item in stored["items"])
    await tv.get("/id/enter/elder")
    await phone.post("/m/help/do", do="type", value=PEOPLE["wang"])
    lines = await poll(tv)
    assert lines[2:4] == ["post", "/id/enter/elder"] and f"v={PEOPLE['wang']}" in lines[4]
    resp = await tv.client.post("/id/enter/elder", data={"k": "ok", "v": PEOPLE["wang"][:-1] + "1"})
    assert "数字有误" in await resp.text() or resp.status == 400  # the keypad's own GB 11643 check


async def test_elder_refuses(pair):
    """Back (or 不) on the question: nobody helps, the phone says so, the TV stops asking."""
    tv, phone, settings = pair
    await helped_tv(tv, phone, settings)
    resp = await tv.client.get("/family/refuse")
    assert resp.status == 200 and "tvhelp" in resp.headers.get("Set-Cookie", "")
    status, text = await phone.get("/m/help/go")
    assert 'id="ended"' in text and "这次" in text
    assert (await rows(tv))[0]["ended"] == "refused"


async def test_elder_ends_and_phone_ends(pair):
    """Back on the TV ends at once; the phone's 结束帮忙 too, and the TV is told on its next poll."""
    tv, phone, settings = pair
    await tv.post_button(await helped_tv(tv, phone, settings), "yes")
    await tv.get("/family/end")
    status, text = await phone.get("/m/help/go")
    assert 'id="ended"' in text
    status, url, text = await phone.post("/m/help/do", do="go", href="/")
    assert 'id="ended"' in text
    phone2 = Phone(phone.base)
    try:
        ask = await helped_tv(tv, phone2, settings, helper="zhang")
        await tv.post_button(ask, "yes")
        await phone2.post("/m/help/do", do="end")
        lines = await poll(tv)
        assert lines[0] == "end" and lines[3].startswith("/family/end")
    finally:
        await phone2.close()


async def test_wrong_code_and_the_question_waits(pair):
    """A wrong number is refused with a clear message; the first phone's question stays on the TV."""
    tv, phone, settings = pair
    await helped_tv(tv, phone, settings)
    second = Phone(phone.base)
    try:
        assert (await rows(tv))[0]["status"] == "signed"
        status, _url, text = await second.post("/m/help", code="12345")
        assert status == 400 and "6 位" in text
        assert "陈建国" in await tv.get("/family/ask")
    finally:
        await second.close()


async def test_second_phone_refused_with_the_used_code(aiohttp_client, settings):
    """The same code typed on another phone while the first helps: 409 and why."""
    client = await aiohttp_client(create_app(settings))
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    first, second = Phone(client.make_url("")), Phone(client.make_url(""))
    try:
        code = code_on(await tv.get("/family?next=/"))
        assert (await first.post("/m/help", code=code))[0] == 200
        status, _url, text = await second.post("/m/help", code=code)
        assert status == 409 and "一次只能" in text
    finally:
        await first.close()
        await second.close()


async def test_guessing_is_limited(aiohttp_client, settings):
    """copilot_code_tries wrong numbers from one address, then 429 even for the right one."""
    settings = settings.replace(copilot_code_tries=3)
    client = await aiohttp_client(create_app(settings))
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    code = code_on(await tv.get("/family?next=/"))
    phone = Phone(client.make_url(""))
    try:
        wrong = "%06d" % ((int(code) + 1) % 10 ** 6)
        for _ in range(3):
            assert (await phone.post("/m/help", code=wrong))[0] == 400
        assert (await phone.post("/m/help", code=code))[0] == 429
    finally:
        await phone.close()


def test_store_time_limits(db_url):
    """On SQLite and PostgreSQL: a code expires unused, works once, and a help idle too long ends."""
    from tvportal.storage import Database
    from tvportal.storage.migrate import upgrade

    db = Database(db_url)
    try:
        upgrade(db)
        now = 1_000_000.0
        sid, code, token = db.write_sync(store.open_session, "dev1", "/", 5, now)
        assert db.write_sync(store.claim, code=code, phone="p1", address="a", idle_s=600, now=now + 301)[0] == "expired"
        sid, code, token = db.write_sync(store.open_session, "dev1", "/", 5, now)
        assert db.write_sync(store.claim, token=token, phone="p1", address="a", idle_s=600, now=now + 10)[0] == "ok"
        assert db.write_sync(store.claim, token=token, phone="p2", address="a", idle_s=600, now=now + 11)[0] == "busy"
        db.write_sync(store.signed, sid, "H", "陈建国", now + 20)
        row = db.write_sync(store.of_device, "dev1", sid, 600, now + 30)
        db.write_sync(store.answer, row, True, "E", now + 30)
        assert db.write_sync(store.of_device, "dev1", sid, 600, now + 600)["status"] == "active"
        row = db.write_sync(store.of_device, "dev1", sid, 600, now + 631)
        assert row["status"] == "ended" and row["ended"] == "idle"
        assert db.write_sync(store.of_device, "other", sid, 600, now) is None  # another TV's session
        assert db.write_sync(store.claim, token=token, phone="p3", address="a", idle_s=600, now=now + 700)[0] == "used"
        trail = [a["action"] for a in db.read_sync(store.audit_of, sid)]
        assert trail == ["code", "claim", "signin", "consent", "end"]
    finally:
        db.close()


async def test_no_poll_answer_without_help(client):
    """A TV that is not helped has no help cookie: the poll (never asked by its script) says end."""
    resp = await client.get("/family/poll?i=1")
    assert (await resp.text()).split("\n")[0] == "end"


async def test_state_survives_a_restart(aiohttp_client, settings):
    """The session is in the database: a second app on the same data dir answers the phone and the TV."""
    from tests.platform_helpers import move_cookies

    client = await aiohttp_client(create_app(settings))
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await tv.sign_in(PEOPLE["li"])
    phone = Phone(client.make_url(""))
    try:
        await tv.post_button(await helped_tv(tv, phone, settings), "yes")
        other = await aiohttp_client(create_app(settings))
        move_cookies(tv.client, other)
        tv2 = FlowClient(other, tv.code_of)
        phone.base = other.make_url("")
        await phone.post("/m/help/do", do="go", href="/apply")
        assert (await poll(tv2))[2:4] == ["go", "/apply"]
    finally:
        await phone.close()


async def test_expiry_speaks_only_on_its_screen(aiohttp_client, settings):
    """A number expiring while the TV still shows it sends the TV to 号码已过期; once she has moved on, the
    TV is left alone (the poll just ends)."""
    import time as clock

    from sqlalchemy import update

    client = await aiohttp_client(create_app(settings))
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    past = update(copilot_sessions).values(expires=clock.time() - 1)
    await tv.get("/family?next=/halls")
    await db_of(tv).write(lambda c: c.execute(past))
    lines = await poll(tv)
    assert lines[0] == "end" and lines[2:4] == ["go", "/family/expired?next=/halls"]
    await tv.get("/family?next=/halls")
    await tv.get("/policies")  # she went on: this screen is the TV's now
    await db_of(tv).write(lambda c: c.execute(past))
    lines = await poll(tv)
    assert lines[0] == "end" and lines[2] == ""


async def test_sign_out_is_only_pointed_at(pair):
    """Choosing a form that acts for her (退出登录) from the phone only frames it on the TV."""
    tv, phone, settings = pair
    await tv.post_button(await helped_tv(tv, phone, settings), "yes")
    await tv.get("/family/share?next=/me&no=1")
    page = await tv.get("/me")
    await phone.post("/m/help/do", do="choose", item="logout")  # 退出登录 acts for her
    assert (await poll(tv))[2:4] == ["point", "logout"]
    assert "logout" in page


async def test_the_number_is_read_digit_by_digit_and_back_says_it_ends_help(pair):
    """The TV reads the number one digit at a time (not 五百二十二) and never reads the address aloud (a port
    is heard as a time of day); while helped, the hint bar says Back ends the help."""
    tv, phone, settings = pair
    page = await tv.get("/family?next=/")
    code = code_on(page)
    speech = page.split("TVSPEECH", 1)[1]
    aloud = "，".join(" ".join("零一二三四五六七八九"[int(d)] for d in part) for part in (code[:3], code[3:]))
    assert f"号码：{aloud}" in speech
    shown = page.split("TVSPEECH", 1)[0]
    assert "/m/help" not in speech and "/m " in shown and "/m/help" not in re.sub(r'"[^"]*"', "", shown)
    status, form = await phone.get("/m")  # the address shown opens the number form
    assert status == 200 and 'name="code"' in form
    guides = await tv.get("/guides")
    assert "上一屏" in guides and "结束家人帮忙" not in guides
    await tv.post_button(await helped_tv(tv, phone, settings, start="/"), "yes")
    guides = await tv.get("/guides")
    assert "结束家人帮忙" in guides and "上一屏" not in guides
