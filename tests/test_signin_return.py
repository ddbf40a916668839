"""What an elder and her son met after signing in, over HTTP on the real app: a used-up SMS code offers
重新获取 at once, the first code screen says the code was sent, signing in returns to where it was asked for
with a confirmation, 换人 lists the other remembered people, 不要记住我, dates in Chinese and whose
applications a son sees, and 已退出登录 on home."""

from __future__ import annotations

import re

import pytest

from tests.platform_helpers import PEOPLE, embedded_code
from tests.test_signin import screen, sign_in, text, type_pin
from tvportal.settings import load_settings


def focus(page: str) -> str:
    """The item the runtime starts on."""
    return re.search(r'"start":"(\w+)"', page).group(1)


def resend_button(page: str) -> str:
    """The 重新获取 button's HTML."""
    return re.search(r'<button id="kre"[^>]*>', page).group(0)


async def test_used_up_code_offers_send_again_at_once(client, settings):
    """After the 5th wrong code 重新获取 is usable and focused at once (no countdown); after it the screen says
    a new code was sent, to which phone."""
    await client.post("/id/enter/id", data={"k": "ok", "v": PEOPLE["zhao"]}, allow_redirects=False)
    good = embedded_code(settings, PEOPLE["zhao"], "login")
    wrong = "000000" if good != "000000" else "111111"
    for _ in range(5):
        resp = await client.post("/id/enter/code", data={"k": "ok", "v": wrong})
    page = await resp.text()
    assert "验证码输错了5次" in text(page)
    assert "disabled" not in resend_button(page) and focus(page) == "kre"
    resp = await client.post("/id/sms/code")
    page = await resp.text()
    assert resp.status == 200 and "新的验证码已发到登记的手机" in text(page)
    assert not re.search(r"1\d\d\*\*\*\*\d{4}", text(page))  # no phone before the code is verified
    again = embedded_code(settings, PEOPLE["zhao"], "login")
    resp = await client.post("/id/enter/code", data={"k": "ok", "v": again}, allow_redirects=False)
    assert resp.headers["Location"] == "/id/remember"


@pytest.fixture
def two_per_tv(tmp_path):
    """Settings where a TV may ask for two codes an hour: the consent code reaches the limit."""
    return load_settings({"data_dir": str(tmp_path / "data"), "sms_per_tv_hour": 2}, environ={})


async def test_first_code_screen_says_sent_not_failed(aiohttp_client, two_per_tv):
    """帮家人办: the send that reached the TV's hourly limit still sent a code; the screen says so, and only
    quietly when 重新获取 is possible again."""
    from tvportal.app import create_app

    client = await aiohttp_client(create_app(two_per_tv))
    await sign_in(client, two_per_tv, "chen")
    resp = await client.post("/id/enter/elder", data={"k": "ok", "v": PEOPLE["li"]})
    page = await resp.text()
    said = text(page)
    assert "验证码已发到" in said and re.search(r"\d\d:\d\d以后可以重新获取", said)
    assert "以后才能重新获取" not in said and 'role="alert"' not in page
    assert "当前位置： 首页 帮家人办 输入验证码" in said


async def test_code_step_breadcrumb(client):
    """当前位置 of the code step names the step."""
    await client.post("/id/enter/id", data={"k": "ok", "v": PEOPLE["zhao"]})
    assert "输入验证码" in await screen(client, "/id/enter/code")
    assert "输入号码" in await screen(client, "/id/enter/id")


async def test_sign_in_from_me_returns_to_me_with_confirmation(client, settings):
    """我的 → 登录 → SMS → 记住我: back on 我的, saying who is signed in, once; by PIN the same."""
    await client.get("/me")
    await client.get("/id?from=me")
    await client.post("/id/enter/id", data={"k": "ok", "v": PEOPLE["zhao"]}, allow_redirects=False)
    code = embedded_code(settings, PEOPLE["zhao"], "login")
    await client.post("/id/enter/code", data={"k": "ok", "v": code}, allow_redirects=False)
    await client.post("/id/newpin", data={"k": "ok", "v": "2580"}, allow_redirects=False)
    resp = await client.post("/id/newpin/again", data={"k": "ok", "v": "2580"})
    page = text(await resp.text())
    assert str(resp.url.path) == "/me" and "已记住您，下次按数字键和密码就能登录" in page and "我的办件" in page
    assert "已记住您" not in await screen(client, "/me")  # said once
    await client.post("/id/logout")
    await client.get("/id?from=me")
    resp = await type_pin(client, "P6", "2580")
    assert str(resp.url.path) == "/me" and "已登录：赵*芬" in text(await resp.text())


async def test_not_remembered_returns_to_service_with_confirmation(client, settings):
    """A service asked for sign-in; 暂不 (not remembered) goes back to it, saying who is signed in."""
    resp = await client.get("/apply/mine", allow_redirects=False)
    assert resp.headers["Location"] == "/id"
    await sign_in(client, settings, "wang")
    resp = await client.get("/id/continue?m=in")
    assert str(resp.url.path) == "/apply/mine" and "已登录：王*英" in text(await resp.text())


async def test_switch_person_lists_the_other_remembered(client, settings):
    """换人 on 我的: the other remembered people on number keys, and 用别的方法登录."""
    await sign_in(client, settings, "li", pin="2468")
    await client.post("/id/logout")
    await sign_in(client, settings, "zhao", pin="1357")
    page = await (await client.get("/id?from=me")).text()
    said = text(page)
    assert "李*兰" in said and "赵*芬" not in said.replace("赵淑芬", "") and "用别的方法登录" in said
    assert "继续办理" not in said  # from 我的, Back returns there
    assert re.search(r'href="/id/pin/P2"', page)
    resp = await type_pin(client, "P2", "2468")
    assert "已登录：李*兰" in text(await resp.text())
    other = await screen(client, "/id/other")
    assert "手机扫码" in other or "扫码" in other


async def test_forget_me_from_me_with_confirmation(client, settings):
    """我的 → 不要记住我 → one question, OK = yes → not remembered any more, and 我的 says so."""
    await sign_in(client, settings, "zhao", pin="1357")
    page = await (await client.get("/me")).text()
    assert "不要记住我" in text(page) and 'href="/id/forget"' in page
    page = await (await client.get("/id/forget")).text()
    assert focus(page) == "yes" and "赵*芬" in text(page)
    resp = await client.post("/id/forget", data={"person": "P6"})
    assert str(resp.url.path) == "/me" and "这台电视不再记住赵*芬了" in text(await resp.text())
    assert "不要记住我" not in await screen(client, "/me")
    await client.post("/id/logout")
    assert "赵*芬" not in await screen(client, "/id")


async def test_applications_in_chinese_dates_and_whose(client, settings):
    """我的办件 and its progress: 11月15日 星期日 10:00, never 2026-11-15; a son sees whose they are."""
    await sign_in(client, settings, "chen")
    await client.post("/id/enter/elder", data={"k": "ok", "v": PEOPLE["li"]}, allow_redirects=False)
    code = embedded_code(settings, PEOPLE["li"], "consent")
    await client.post("/id/enter/elder_code", data={"k": "ok", "v": code}, allow_redirects=False)
    page = await (await client.get("/apply/mine")).text()
    said = text(page)
    assert "李桂兰的办件" in said and not re.search(r"\d{4}-\d\d-\d\d", said)
    assert re.search(r"\d+月\d+日 星期.", said)
    number = re.search(r'/apply/a/(\w+)', page).group(1)
    said = await screen(client, f"/apply/a/{number}")
    assert not re.search(r"\d{4}-\d\d-\d\d", said) and re.search(r"\d+月\d+日 星期. \d\d:\d\d", said)
    assert "申请人： 李桂兰" in said


async def test_sign_out_says_so_on_home_once(client, settings):
    """退出登录 lands on home, which says 已退出登录 (and reads it aloud first); the next visit does not."""
    await sign_in(client, settings, "wang")
    resp = await client.post("/id/logout")
    page = await resp.text()
    assert str(resp.url.path) == "/" and "已退出登录" in text(page)
    speech = re.search(r"var TVSPEECH=(\{.*?\});</script>", page)
    assert speech is None or "已退出登录" in speech.group(1)
    assert "已退出登录" not in await screen(client, "/")
