"""Sign-in on the real app over HTTP: what is stored (argon2 PINs, hashed tokens), the idle timeout, 退出登录,
forgetting, the SMS limits per TV and per ID number, 帮家人办 consent that the elder sees and revokes, and
the key hints of keypad screens."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from tests.platform_helpers import PEOPLE, embedded_code
from tests.storage_support import transaction
from tvportal.flows import signin_store
from tvportal.settings import load_settings
from tvportal.storage.tables import tv_remembered, tv_sessions


async def sign_in(client, settings, who: str, pin: str = "") -> None:
    """ID number and SMS code as the runtime posts them (whole value in v); remember with ``pin`` if given."""
    resp = await client.post("/id/enter/id", data={"k": "ok", "v": PEOPLE[who]}, allow_redirects=False)
    assert resp.headers["Location"] == "/id/enter/code", await resp.text()
    code = embedded_code(settings, PEOPLE[who], "login")
    resp = await client.post("/id/enter/code", data={"k": "ok", "v": code}, allow_redirects=False)
    assert resp.status == 303, await resp.text()
    if pin:
        assert resp.headers["Location"] == "/id/remember"
        await client.post("/id/newpin", data={"k": "ok", "v": pin}, allow_redirects=False)
        resp = await client.post("/id/newpin/again", data={"k": "ok", "v": pin}, allow_redirects=False)
        assert resp.headers["Location"] == "/id/continue"


async def type_pin(client, person: str, pin: str, follow: bool = True):
    """A TV PIN and 确认 through the plain form (no scripts): the waiting screen comes at once, and the answer
    when that screen asks for it (its refresh); returns the answer."""
    resp = await client.post(f"/id/pin/{person}", data={"k": "ok", "v": pin}, allow_redirects=False)
    page = await resp.text()
    assert resp.status == 200 and "正在核对，请稍候" in text(page), page
    assert f'<meta http-equiv="refresh" content="0;url=/id/pin/{person}?check=1">' in page
    return await client.get(f"/id/pin/{person}?check=1", allow_redirects=follow)


def text(page: str) -> str:
    """The visible text of a page's screen."""
    doc = lxml_html.fromstring(page)
    return " ".join(" ".join(doc.xpath("//div[@id='canvas']//text()[not(ancestor::style)]")).split())


async def screen(client, url: str) -> str:
    """GET a screen's text."""
    return text(await (await client.get(url)).text())


async def test_pins_and_tokens_are_stored_hashed(client, settings):
    """The TV PIN is an argon2 hash; the session cookie's token is stored only as its hash."""
    await sign_in(client, settings, "li", pin="2468")
    with transaction(settings) as conn:
        row = conn.execute(select(tv_remembered)).mappings().one()
        tokens = conn.execute(select(tv_sessions.c.token_hash)).scalars().all()
    assert row["pin_hash"].startswith("$argon2id$") and "2468" not in row["pin_hash"]
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["tvsid"].value
    assert tokens == [signin_store.digest(cookie)]


async def test_idle_timeout_and_sign_out(client, settings, monkeypatch):
    """tv_idle_minutes without a request ends the sign-in; 退出登录 ends it at once; the remembered stay."""
    await sign_in(client, settings, "li", pin="2468")
    assert "李桂兰" in await screen(client, "/id")
    real = signin_store.clock
    monkeypatch.setattr(signin_store, "clock", lambda: real() + settings.tv_idle_minutes * 60 - 30)
    assert "李桂兰" in await screen(client, "/id")  # each request restarts the idle clock
    monkeypatch.setattr(signin_store, "clock", lambda: real() + 2 * settings.tv_idle_minutes * 60)
    page = await screen(client, "/id")
    assert "您是谁" in page and "李桂兰" not in page and "李*兰" in page
    monkeypatch.setattr(signin_store, "clock", real)
    pid = "P2"
    resp = await type_pin(client, pid, "2468", follow=False)
    assert resp.status == 303 and "李桂兰" in await screen(client, "/id")
    resp = await client.post("/id/logout", allow_redirects=False)
    assert resp.headers["Location"] == "/" and "tvsid" in resp.cookies and resp.cookies["tvsid"].value == ""
    assert "李桂兰" not in await screen(client, "/id")


async def test_forgotten_from_this_tv_and_after_days_unused(client, settings, monkeypatch):
    """A remembered person can be forgotten (from 我的), and is after tv_remember_days unused."""
    await sign_in(client, settings, "li", pin="2468")
    await client.post("/id/logout")
    await sign_in(client, settings, "wang", pin="1357")
    await client.post("/id/forget", data={"person": "P2"})
    await client.post("/id/logout")
    page = await screen(client, "/id")
    assert "李*兰" not in page and "王" in page
    real = signin_store.clock
    monkeypatch.setattr(signin_store, "clock", lambda: real() + (settings.tv_remember_days + 1) * 86400)
    page = await screen(client, "/id")
    assert "电视密码" not in page and "您是谁" in page


@pytest.fixture
def strict(tmp_path):
    """Settings with tight SMS limits: one code per ID number and two per TV an hour."""
    return load_settings({"data_dir": str(tmp_path / "data"), "sms_per_id_hour": 1, "sms_per_tv_hour": 2},
                         environ={})


async def test_sms_limits_per_id_number_and_per_tv(aiohttp_client, strict):
    """Asking again for the same ID number sends nothing new (and does not reset the count); a TV may ask for
    only so many codes an hour; the refusal says from when a code can be sent."""
    from tvportal.app import create_app

    client = await aiohttp_client(create_app(strict))
    await client.post("/id/enter/id", data={"k": "ok", "v": PEOPLE["li"]}, allow_redirects=False)
    first = embedded_code(strict, PEOPLE["li"], "login")
    resp = await client.post("/id/enter/id", data={"k": "ok", "v": PEOPLE["li"]}, allow_redirects=False)
    assert resp.headers["Location"] == "/id/enter/code"  # the code sent a moment ago is still good
    assert embedded_code(strict, PEOPLE["li"], "login") == first
    resend = await client.post("/id/sms/code", allow_redirects=False)
    assert resend.status == 429 and re.search(r"\d\d:\d\d以后才能重新获取", text(await resend.text()))
    await client.post("/id/enter/id", data={"k": "ok", "v": PEOPLE["wang"]}, allow_redirects=False)
    resp = await client.post("/id/enter/id", data={"k": "ok", "v": PEOPLE["zhang"]}, allow_redirects=False)
    said = text(await resp.text())
    # no keypad to type the code into by mistake, but when a code can come and the ways in that work now
    assert resp.status == 429 and "现在不能再发新的验证码" in said and re.search(r"\d\d:\d\d", said), said
    assert "扫码" in said and "家人" in said and 'id="pv"' not in await resp.text()
    assert embedded_code(strict, PEOPLE["zhang"], "login") == ""


async def test_elder_sees_and_revokes_consent(client, settings):
    """陈建国 acts for his mother with her consent code; she sees it under 帮家人办 and withdraws it."""
    await sign_in(client, settings, "chen")
    await client.post("/id/enter/elder", data={"k": "ok", "v": PEOPLE["li"]}, allow_redirects=False)
    code = embedded_code(settings, PEOPLE["li"], "consent")
    resp = await client.post("/id/enter/elder_code", data={"k": "ok", "v": code}, allow_redirects=False)
    assert resp.headers["Location"] == "/id/family"
    family = await screen(client, "/id/family")
    assert "李桂兰" in family and "现在为李桂兰办理" in family  # acting for her from now on is said, once
    assert "现在为李桂兰办理" not in await screen(client, "/id/family")
    await client.post("/id/logout")
    await sign_in(client, settings, "li")
    page = await (await client.get("/id/family")).text()
    assert "可以帮您办的家人" in text(page) and "陈建国" in text(page)
    # 我的 lists who may act for her (not 还没有添加)
    mine = await screen(client, "/me")
    assert "可以帮您办的家人： 陈建国" in mine and "还没有添加" not in mine
    # withdrawing asks first, with the focus on No; the answer is said on 帮家人办
    ask = re.search(r'href="(/id/family/revoke\?actor=\w+)"', page).group(1)
    question = await (await client.get(ask)).text()
    assert "不再让陈建国帮您办吗？" in text(question) and '"start":"keep"' in question
    revoke = re.search(r'name="actor" value="(\w+)"', question).group(1)
    assert "陈建国" in await screen(client, "/id/family")  # asking changed nothing
    resp = await client.post("/id/family/revoke", data={"actor": revoke})
    assert "陈建国已不能再帮您办" in text(await resp.text())
    assert "陈建国" not in await screen(client, "/id/family")
    await client.post("/id/logout")
    await sign_in(client, settings, "chen")
    page = await screen(client, "/id/family")
    assert "李桂兰" not in page
    # acting for someone without consent is refused (the choice is not offered and not accepted)
    await client.post("/id/who", data={"person": "P2"})
    assert "李桂兰" not in await screen(client, "/id")


async def test_keypad_screens_say_what_the_digits_do(client):
    """On a keypad the hint bar says the digits type; nothing about opening or 0 repeating."""
    page = await (await client.get("/id/enter/id")).text()
    hints = lxml_html.fromstring(page).xpath("//footer//li")
    said = {li.get("data-action"): " ".join(li.text_content().split()) for li in hints}
    assert said["digits"] == "0-9 输入数字" and said["ok"] == "OK 按下选中的键"
    assert "直接打开" not in " ".join(said.values()) and "0键" not in " ".join(said.values())
    nav = re.search(r"var TVNAV=(\{.*?\});</script>", page).group(1)
    assert '"pad":{"n":18,"x":1,"p":0,"v":""' in nav


async def test_pin_checked_once_however_often_ok_is_pressed(client, settings):
    """The plain form's 确认 pressed twice posts the PIN twice: one check, one try; the waiting screen asked for
    again checks nothing; 确认 before 4 digits says so (the runtime's way) and counts nothing."""
    await sign_in(client, settings, "li", pin="2468")
    await client.post("/id/logout")
    await client.post("/id/pin/P2", data={"k": "ok", "v": "9999"})  # the first OK, its answer dropped
    resp = await type_pin(client, "P2", "9999")
    assert resp.status == 400 and "密码不对，还可以再试4次" in text(await resp.text())
    resp = await client.get("/id/pin/P2?check=1", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/id/pin/P2"
    resp = await client.post("/id/pin/P2", data={"k": "ok", "v": "246"}, headers={"X-Pad": "1"})
    assert resp.headers["X-Pad"] == "246|k1|" + quote("密码是4位数字")
    with transaction(settings) as conn:
        assert conn.execute(select(tv_remembered.c.failed_pins)).scalar_one() == 1
    resp = await client.post("/id/pin/P2", data={"k": "ok", "v": "2468"}, headers={"X-Pad": "1"})
    assert resp.status == 204 and resp.headers["X-Pad-Go"] == "/id/continue"
