"""What an acceptance tester found in the sign-in and family screens (issue 9), over HTTP: nothing typed
outlives the sign-in or the browser session, the way back from 帮家人办, 退出登录 on one key and never
where focus starts, a used-up code that is no dead end, for whom one acts, the return target that
expires, the code screen's words, and a keypad answered in place (X-Pad)."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest

from tests.platform_helpers import PEOPLE, FlowClient, embedded_code
from tests.test_signin import screen, sign_in, text
from tvportal.flows import ui
from tvportal.settings import load_settings


def nav(page: str) -> dict:
    """The page's focus map (window.TVNAV)."""
    return json.loads(re.search(r"var TVNAV=(\{.*?\});</script>", page).group(1))


def field_value(page: str) -> str:
    """What a keypad holds (the field 确认 submits)."""
    return re.search(r'id="pv" value="([^"]*)"', page).group(1)


def forget_browser(client) -> None:
    """The browser is closed: its session cookies (no expiry) are gone, the device cookie stays."""
    jar = client.session.cookie_jar
    kept = [(c.key, c.value) for c in jar if c.key not in ("tvtab", "tvsid")]
    jar.clear()
    jar.update_cookies(dict(kept))


async def test_typed_id_is_gone_after_back_and_after_the_browser(client):
    """An ID number sent (the code went out): 您是谁 (where 返回 leads) forgets it, and so does a new browser
    session even when the keypad is opened directly — the next person never sees it."""
    resp = await client.post("/id/enter/id", data={"k": "ok", "v": PEOPLE["wang"]}, allow_redirects=False)
    assert resp.headers["Location"] == "/id/enter/code"
    assert field_value(await (await client.get("/id/enter/id")).text()) == PEOPLE["wang"]  # same session
    await client.get("/id")
    page = await (await client.get("/id/enter/id")).text()
    assert field_value(page) == "" and PEOPLE["wang"][:6] not in text(page) and nav(page)["start"] == "k1"
    await client.post("/id/enter/id", data={"k": "ok", "v": PEOPLE["wang"]}, allow_redirects=False)
    forget_browser(client)
    page = await (await client.get("/id/enter/id")).text()
    assert field_value(page) == "" and nav(page)["start"] == "k1"


async def test_family_goes_back_to_mine_and_sign_out_is_key_9(client, settings):
    """返回 from 帮家人办 is 我的; 退出登录 is key 9 on 我的 and on 您是谁, never where a screen starts (it
    is marked so that remembered focus does not land on it either)."""
    await sign_in(client, settings, "chen")
    family = await (await client.get("/id/family")).text()
    assert nav(family)["back"].endswith("/me")
    for url in ("/me", "/id"):
        page = await (await client.get(url)).text()
        items = nav(page)["items"]
        assert items["logout"]["n"] == 9 and nav(page)["start"] != "logout", url
        assert re.search(r'id="logout"[^>]*data-nr="1"', page), url


async def test_used_up_code_at_the_hourly_limit_is_no_dead_end(aiohttp_client, tmp_path):
    """5 wrong codes and the hourly limit reached: no keypad that types into nothing, but when a code can be
    sent again and the other way in (QR with the phone), focused."""
    from tvportal.app import create_app

    strict = load_settings({"data_dir": str(tmp_path / "data"), "sms_per_id_hour": 1}, environ={})
    client = await aiohttp_client(create_app(strict))
    await client.post("/id/enter/id", data={"k": "ok", "v": PEOPLE["wang"]}, allow_redirects=False)
    right = embedded_code(strict, PEOPLE["wang"], "login")
    wrong = "000000" if right != "000000" else "111111"
    for _attempt in range(5):
        resp = await client.post("/id/enter/code", data={"k": "ok", "v": wrong})
    page = await resp.text()
    said = text(page)
    assert 'id="pv"' not in page and "不能用了" in said and re.search(r"\d\d:\d\d", said), said
    assert "扫码" in said and "家人" in said and nav(page)["start"] == "qr"


async def test_wrong_code_says_tries_left_and_no_phone_before_it_is_verified(client):
    """The code screen names no phone (it would tell who is registered) and says once where the code went;
    a wrong code says how many tries are left."""
    await client.post("/id/enter/id", data={"k": "ok", "v": PEOPLE["li"]}, allow_redirects=False)
    said = await screen(client, "/id/enter/code")
    assert not re.search(r"1\d\d\*\*\*\*\d{4}", said), said
    assert said.count("验证码已发到登记的手机") == 1, said
    resp = await client.post("/id/enter/code", data={"k": "ok", "v": "000001"})
    assert "还可以再试4次" in text(await resp.text())


async def test_choosing_a_family_member_returns_to_mine(client, settings):
    """我的 → 帮家人办 → 为谁办理 → 李桂兰: back on 我的, which says he now acts for her; applying, the
    eligibility sentence names her (李桂兰今年…岁), not 您."""
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await sign_in(client, settings, "chen")
    await client.post("/id/enter/elder", data={"k": "ok", "v": PEOPLE["li"]}, allow_redirects=False)
    code = embedded_code(settings, PEOPLE["li"], "consent")
    await client.post("/id/enter/elder_code", data={"k": "ok", "v": code}, allow_redirects=False)
    await client.post("/id/who", data={"person": ""})  # for himself again
    who = await tv.get("/id/who")
    assert "李桂兰" in text(who)
    url, mine = await tv.post_button(who, "p1")  # p0 is himself
    assert url == "/me" and "现在为李桂兰办理" in text(mine), text(mine)
    check = text(await tv.get("/apply/h2/check"))
    assert "李桂兰今年" in check and "您今年" not in check, check


async def test_return_target_expires_and_ends_with_the_browser(client, settings, monkeypatch):
    """A service that asked for the sign-in is where signing in leads — not after a few minutes, and not
    in a new browser session."""
    await client.get("/lookup/q1/result", allow_redirects=False)
    forget_browser(client)
    await sign_in(client, settings, "zhang")
    resp = await client.get("/id/continue", allow_redirects=False)
    assert resp.headers["Location"] == "/me"
    await client.post("/id/logout")
    await client.get("/lookup/q1/result", allow_redirects=False)
    monkeypatch.setattr(ui, "NEXT_SECONDS", -1)  # the minutes have passed
    await sign_in(client, settings, "zhang")
    resp = await client.get("/id/continue", allow_redirects=False)
    assert resp.headers["Location"] == "/me"
    monkeypatch.setattr(ui, "NEXT_SECONDS", 300)
    await client.post("/id/logout")
    await client.get("/lookup/q1/result", allow_redirects=False)
    await sign_in(client, settings, "zhang")
    resp = await client.get("/id/continue", allow_redirects=False)
    assert resp.headers["Location"] == "/lookup/q1/result"  # within the minutes, in this browser


@pytest.mark.parametrize("wrong", [True, False])
async def test_keypad_answered_in_place(client, settings, wrong):
    """The runtime's 确认 (header X-Pad): a refused entry comes back as value|focus|message for the same
    keypad; an accepted one as the next address (204, X-Pad-Go) with the cookies it set."""
    value = PEOPLE["wang"][:17] + ("0" if PEOPLE["wang"][17] != "0" else "1") if wrong else PEOPLE["wang"]
    resp = await client.post("/id/enter/id", data={"k": "ok", "v": value}, headers={"X-Pad": "1"},
                             allow_redirects=False)
    if wrong:
        got, focus, message = resp.headers["X-Pad"].split("|")
        assert resp.status == 400 and unquote(got) == value and "有一位数字不对" in unquote(message)
        assert focus == "k1"
    else:
        assert resp.status == 204 and resp.headers["X-Pad-Go"] == "/id/enter/code" and "X-Pad" not in resp.headers
        assert "tvdev" in resp.cookies


async def test_signed_out_notice_is_not_kept_by_the_browser(client, settings):
    """Home saying 已退出登录 is not stored by the browser, so 返回 to it later does not say it again."""
    await sign_in(client, settings, "zhang")
    resp = await client.post("/id/logout")
    assert "已退出登录" in text(await resp.text()) and "no-store" in resp.headers.get("Cache-Control", "")
    again = await client.get("/")
    assert "已退出登录" not in text(await again.text()) and "no-store" not in again.headers.get("Cache-Control", "")
