"""The box's own account read by the page (``Authentication.CTCGetConfig``) and confirmed by the operator's
token check (issue 12 item 2, docs/operator.md section 2), on the real app.  The operator's authentication
server is a stand-in (tests/operator_auth.py) that knows one box's login; the portal asks it over HTTP."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import pytest

from remote_nav import profile_ctc, profile_for_user_agent
from tests.browser import free_port
from tests.operator_auth import AREA, ASKED, STB_ID, USER_ID, USER_TOKEN, operator_app
from tests.test_operator_identity import html_class, launch_url, portal_settings
from tests.test_signin import screen, sign_in
from tvportal.app import create_app
from tvportal.settings import SettingsError, load_settings
from tvportal.stats.collector import STATS

HUAWEI = ("Mozilla/5.0 (Linux; Android 4.4.2; EC6108V9 Build/KOT49H) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Version/4.0 Chrome/30.0.0.0 Mobile Safari/537.36")
ANDROID_TV = ("Mozilla/5.0 (Linux; Android 9; SHIELD Android TV Build/PPR1.180610.011; wv) AppleWebKit/537.36 "
              "(KHTML, like Gecko) Version/4.0 Chrome/74.0.3729.157 Mobile Safari/537.36")
FROM_PAGE = {"X-Requested-With": "XMLHttpRequest"}  # as static/boxtoken.js sends it
SCRIPT = re.compile(r"<script>[^<]*CTCGetConfig[^<]*</script>")  # home's script (static/boxtoken.js)


def box_settings(tmp_path, db_url: str, check_url: str, **more):
    """A portal that asks ``check_url`` about box tokens (statistics kept in memory for the test to read)."""
    return portal_settings(tmp_path, db_url, box_token_url=check_url, box_token_timeout_seconds=1,
                           stats_flush_seconds=3600, **more)


async def huawei_box(aiohttp_client, settings):
    """A Huawei EC6108V9 box's browser on the real app."""
    return await aiohttp_client(create_app(settings), headers={"User-Agent": HUAWEI})


async def power_on(tv, user: str = USER_ID, token: str = USER_TOKEN, stb: str = STB_ID) -> str:
    """What home's script does on a box that has not asked this power-on: home carries the script, which
    posts what CTCGetConfig says.  The portal's one-word answer."""
    home = await (await tv.get("/")).text()
    assert SCRIPT.search(home), "home did not offer the account check"
    resp = await tv.post("/launch/box", data={"UserID": user, "UserToken": token, "STBID": stb,
                                              "model": "EC6108V9"}, headers=FROM_PAGE)
    assert resp.status == 200 and resp.headers["Cache-Control"] == "no-store"
    return await resp.text()


def counted(tv, event: str) -> int:
    """How many ``event`` the operator's statistics counted (not yet flushed)."""
    return sum(sums[0] for key, sums in tv.app[STATS].counts.items() if key[1] == event)


async def test_a_confirmed_box_keeps_large_text_and_its_person_across_a_cookie_wipe(aiohttp_client, aiohttp_server,
                                                                                    tmp_path, db_url, caplog):
    """Token confirmed: the box is its account's; large text and a remembered person; every cookie wiped
    (power-off); the same CTCGetConfig values at the next power-on: both are back, without asking the
    operator again (its answer is kept briefly).  Nothing of the token or the account is stored or logged."""
    operator = await aiohttp_server(operator_app())
    settings = box_settings(tmp_path, db_url, str(operator.make_url("/check")))
    tv = await huawei_box(aiohttp_client, settings)
    assert await power_on(tv) == "taken"
    assert operator.app[ASKED] == [{"UserID": USER_ID, "UserToken": USER_TOKEN, "STBID": STB_ID}]
    assert not SCRIPT.search(await (await tv.get("/")).text())  # asked once this power-on
    await tv.post("/settings", data={"field": "text", "value": "1"})
    await sign_in(tv, settings, "li", pin="2468")
    await tv.post("/id/logout")
    tv.session.cookie_jar.clear()  # the box powered off
    home = await (await tv.get("/")).text()
    assert " lt " not in html_class(home) and "李*兰" not in await screen(tv, "/id")
    tv.session.cookie_jar.clear()
    assert await power_on(tv) == "reload"  # the account's large text differs from the page's: load it again
    assert len(operator.app[ASKED]) == 1
    assert " lt " in html_class(await (await tv.get("/")).text())
    assert "李*兰" in await screen(tv, "/id")
    assert counted(tv, "launch") == 2 and counted(tv, "launch_refused") == 0
    assert not [k for k in tv.app[STATS].counts if k[1] == "launch" and k[3] != "341500"]  # the area it named
    tv.session.cookie_jar.clear()
    await tv.get("/")
    assert await power_on(tv, token="a-later-login-token") == "refused"  # the stand-in knows only one login
    assert USER_TOKEN not in caplog.text and USER_ID not in caplog.text
    if db_url.startswith("sqlite:///"):
        files = [Path(db_url.removeprefix("sqlite:///")).with_suffix(suffix) for suffix in (".sqlite3", ".sqlite3-wal")]
        stored = b"".join(f.read_bytes() for f in files if f.exists())
        assert stored and USER_TOKEN.encode() not in stored and USER_ID.encode() not in stored


async def test_a_wrong_token_leaves_an_unknown_box(aiohttp_client, aiohttp_server, tmp_path, caplog):
    """Another box sending the account's UserID with a wrong token, or the account's token with another
    UserID: refused, counted, logged in one line; it sees nothing of the account's state."""
    operator = await aiohttp_server(operator_app())
    settings = box_settings(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}", str(operator.make_url("/check")))
    owner = await huawei_box(aiohttp_client, settings)
    assert await power_on(owner) == "taken"
    await owner.post("/settings", data={"field": "text", "value": "1"})
    await sign_in(owner, settings, "li", pin="2468")
    await owner.post("/id/logout")
    for user, token in ((USER_ID, "guessed-token-0000"), ("05510099999", USER_TOKEN), (USER_ID, "")):
        other = await huawei_box(aiohttp_client, settings)
        assert await power_on(other, user=user, token=token) == "refused"
        assert " lt " not in html_class(await (await other.get("/")).text())
        assert "李*兰" not in await screen(other, "/id")
        assert counted(other, "launch_refused") == 1
    assert len(operator.app[ASKED]) == 3  # an empty token is refused without asking
    refusals = [r.getMessage() for r in caplog.records if "box account not taken" in r.getMessage()]
    assert refusals == ["box account not taken: the operator said the token is not valid"] * 2 + \
        ["box account not taken: UserID, UserToken or STBID missing or too long"]
    assert not [r for r in caplog.records if r.exc_info]


async def test_operator_down_or_slow_leaves_an_unknown_box_within_the_timeout(aiohttp_client, aiohttp_server,
                                                                             tmp_path, caplog):
    """Nothing listening, or a check slower than box_token_timeout_seconds (1 s): refused within the
    timeout, one log line, no stack trace; pages answer meanwhile.  No answer is not kept: the next power-on
    asks again."""
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    down = await huawei_box(aiohttp_client, box_settings(tmp_path, db, f"http://127.0.0.1:{free_port()}/check"))
    assert await power_on(down) == "refused"
    assert counted(down, "launch_refused") == 1
    slow_operator = await aiohttp_server(operator_app(delay=5))
    slow = await huawei_box(aiohttp_client, box_settings(tmp_path, db, str(slow_operator.make_url("/check"))))
    started = time.monotonic()
    asking = asyncio.ensure_future(power_on(slow))
    await asyncio.sleep(0.2)
    page = await slow.get("/guides")  # the box moves on while the check waits
    assert page.status == 200 and not asking.done()
    assert await asking == "refused"
    assert time.monotonic() - started < 3
    slow.session.cookie_jar.clear()
    assert await power_on(slow) == "refused" and len(slow_operator.app[ASKED]) == 2
    lines = [r.getMessage() for r in caplog.records if "box account not taken" in r.getMessage()]
    assert lines[0].startswith("box account not taken: cannot reach the operator's token check (")
    assert lines[1:] == ["box account not taken: the operator's token check did not answer within 1 s"] * 2
    assert not [r for r in caplog.records if r.exc_info]


async def test_no_script_where_the_account_is_not_read(aiohttp_client, aiohttp_server, tmp_path):
    """Off (no box_token_url): no script, and the endpoint does not exist.  On, but a box without
    CTCGetConfig (Android TV), or a box launched with a signed URL this power-on: no script either."""
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    off = await huawei_box(aiohttp_client, portal_settings(tmp_path, db))
    assert not SCRIPT.search(await (await off.get("/")).text())
    resp = await off.post("/launch/box", data={"UserID": USER_ID, "UserToken": USER_TOKEN, "STBID": STB_ID},
                          headers=FROM_PAGE)
    assert resp.status == 404
    operator = await aiohttp_server(operator_app())
    settings = box_settings(tmp_path, db, str(operator.make_url("/check")))
    android = await aiohttp_client(create_app(settings), headers={"User-Agent": ANDROID_TV})
    assert not SCRIPT.search(await (await android.get("/")).text())
    launched = await huawei_box(aiohttp_client, settings)
    await launched.get(launch_url())
    assert not SCRIPT.search(await (await launched.get("/")).text())
    assert operator.app[ASKED] == []


async def test_only_the_portals_own_page_may_ask_and_not_too_often(aiohttp_client, aiohttp_server, tmp_path):
    """A form from another site (no X-Requested-With) or another Origin is refused before anything is asked;
    a client asking more than box_token_per_minute is answered 429 without asking the operator."""
    operator = await aiohttp_server(operator_app())
    settings = box_settings(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}", str(operator.make_url("/check")),
                            box_token_per_minute=2)
    tv = await huawei_box(aiohttp_client, settings)
    fields = {"UserID": USER_ID, "UserToken": USER_TOKEN, "STBID": STB_ID}
    for headers in ({}, {**FROM_PAGE, "Origin": "http://evil.example"}, {**FROM_PAGE, "Origin": "null"}):
        resp = await tv.post("/launch/box", data=fields, headers=headers)
        assert resp.status == 403
    assert (await tv.get("/launch/box")).status == 405
    assert operator.app[ASKED] == []
    origin = str(tv.make_url("/")).rstrip("/")
    assert await (await tv.post("/launch/box", data=fields, headers={**FROM_PAGE, "Origin": origin})).text() == "taken"
    assert await (await tv.post("/launch/box", data=fields, headers=FROM_PAGE)).text() == "known"
    limited = await tv.post("/launch/box", data=fields, headers=FROM_PAGE)
    assert limited.status == 429
    assert len(operator.app[ASKED]) == 1


def test_which_profiles_read_the_account():
    """Huawei/ZTE profiles (SD ones through extends) have CTCGetConfig; other boxes and unknown browsers not."""
    assert profile_for_user_agent(HUAWEI) == "huawei_zte" and profile_ctc("huawei_zte")
    assert profile_ctc("huawei_zte_sd")
    assert not any(profile_ctc(name) for name in ("default", "browser", "android", "ipanel", "hbbtv", "nonesuch"))


@pytest.mark.parametrize("bad", ["auth.example.cn/check", "ftp://auth.example.cn/check", "http://"])
def test_a_bad_token_check_address_stops_the_start(tmp_path, bad):
    """A typo in box_token_url is refused at start, naming the setting."""
    with pytest.raises(SettingsError, match="box_token_url"):
        load_settings({"data_dir": str(tmp_path), "box_token_url": bad}, environ={})


def test_the_documented_contract_is_the_one_tested():
    """docs/operator.md's example question and yes are what the stand-in is asked and answers here."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "operator.md").read_text(encoding="utf-8")
    curl = re.search(r"^curl -s (.*?)$", doc, re.M)[1]
    assert dict(re.findall(r"-d (\w+)=(\S+)", curl)) == {"UserID": USER_ID, "UserToken": USER_TOKEN, "STBID": STB_ID}
    yes = re.search(r'`(\{"valid": true, "UserID"[^`]*)`', doc)[1]
    assert json.loads(yes) == {"valid": True, "UserID": USER_ID, "area": AREA}
