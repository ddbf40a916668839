"""The box's identity (issue 12 item 2) on the real app, SQLite and PostgreSQL: device ids the portal issued
itself (a chosen ``tvdev`` is not taken; rotated at sign-in and sign-out, state carried over), and the
operator's signed launch URL (the account's state survives a cookie wipe; replays and forgeries are not
taken as the account)."""

from __future__ import annotations

import time

from sqlalchemy import select

from tests.storage_support import transaction
from tests.test_signin import screen, sign_in
from tvportal.app import create_app
from tvportal.flows import device
from tvportal.settings import load_settings
from tvportal.storage.tables import tv_devices

SECRET = "example-operator-secret-2026"  # docs/operator.md's example secret


def portal_settings(tmp_path, db_url, **more):
    """A portal on ``db_url`` that accepts launch URLs signed with the example secret."""
    return load_settings({"data_dir": str(tmp_path / "data"), "database_url": db_url, "operator_secret": SECRET,
                          **more}, environ={})


def launch_url(user: str = "05510012345", stb: str = "0010019900E1C0FFEE", area: str = "341500",
               model: str = "EC6108V9", ts: int | None = None, secret: str = SECRET, **more: str) -> str:
    """A launch URL as the EPG builds it (docs/operator.md)."""
    params = {"UserID": user, "STBID": stb, "area": area, "model": model, "ts": str(ts or int(time.time())), **more}
    params["sig"] = device.sign(params, secret)
    return "/launch?" + "&".join(f"{k}={v}" for k, v in params.items())


def plant(client, value: str):
    """Put a device cookie into the client's jar as if the portal had set it (for its host)."""
    client.session.cookie_jar.update_cookies({"tvdev": value}, client.make_url("/"))
    return client


def cookie(client, name: str) -> str:
    """The value of one cookie in the client's jar ("" when absent)."""
    return next((c.value for c in client.session.cookie_jar if c.key == name), "")


async def test_a_chosen_device_id_is_not_taken(aiohttp_client, tmp_path, db_url):
    """tvdev=<chosen> gets a fresh token; the table keeps only hashes; the issued token is taken next time."""
    client = await aiohttp_client(create_app(portal_settings(tmp_path, db_url)))
    chosen = "attacker-chosen-value-1234"
    resp = await client.get("/id", cookies={"tvdev": chosen})
    issued = resp.cookies["tvdev"].value
    assert issued != chosen and len(issued) >= 32
    with transaction(portal_settings(tmp_path, db_url)) as conn:
        hashes = set(conn.execute(select(tv_devices.c.token_hash)).scalars())
    assert device.token_hash(issued) in hashes and issued not in hashes and device.token_hash(chosen) not in hashes
    plant(client, issued)
    assert "tvdev" not in (await client.get("/id")).cookies  # an issued token is kept as it is


async def test_sign_in_and_out_rotate_the_id_and_keep_the_state(aiohttp_client, tmp_path, db_url):
    """A cookie planted before the sign-in no longer names the TV afterwards (session fixation): the planter
    sees no remembered person; the TV that signed in keeps its remembered person across sign-out."""
    settings = portal_settings(tmp_path, db_url)
    planter = await aiohttp_client(create_app(settings))
    await planter.get("/id")
    planted = cookie(planter, "tvdev")
    victim = plant(await aiohttp_client(create_app(settings)), planted)
    await sign_in(victim, settings, "li", pin="2468")
    after_in = cookie(victim, "tvdev")
    assert after_in and after_in != planted
    await victim.post("/id/logout")
    after_out = cookie(victim, "tvdev")
    assert after_out not in ("", after_in, planted)
    assert "李*兰" in await screen(victim, "/id")  # the remembered person came along to the new id
    page = await screen(planter, "/id")
    assert "李*兰" not in page and "您是谁" in page
    assert cookie(planter, "tvdev") != planted  # the dead token was replaced by a fresh device


async def test_launch_url_keeps_large_text_and_remembered_person_across_a_cookie_wipe(aiohttp_client, tmp_path,
                                                                                      db_url):
    """Launched from the EPG: large text and a remembered person; every cookie wiped (the box powered off);
    launched again with a new URL: both are there."""
    settings = portal_settings(tmp_path, db_url)
    tv = await aiohttp_client(create_app(settings))
    resp = await tv.get(launch_url(ts=int(time.time()) - 5), allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/"
    await tv.post("/settings", data={"field": "text", "value": "1"})
    await sign_in(tv, settings, "li", pin="2468")
    await tv.post("/id/logout")
    tv.session.cookie_jar.clear()
    assert " lt " not in html_class(await (await tv.get("/")).text())  # wiped: the defaults, until the EPG launches it
    resp = await tv.get(launch_url(), allow_redirects=False)
    assert resp.cookies["tvprefs"].value.startswith("t1.")
    home = await (await tv.get("/")).text()
    assert " lt " in html_class(home)
    assert "李*兰" in await screen(tv, "/id")


async def test_launch_urls_that_are_not_taken(aiohttp_client, tmp_path, db_url, caplog):
    """A replayed URL from another browser, an expired one, a forged one and one without an operator secret
    open home as an unknown box: none reaches the account's remembered person."""
    settings = portal_settings(tmp_path, db_url)
    url = launch_url()
    owner = await aiohttp_client(create_app(settings))
    await owner.get(url)
    await sign_in(owner, settings, "li", pin="2468")
    await owner.post("/id/logout")
    assert (await owner.get(url, allow_redirects=False)).status == 303  # the same box reloading: still its own
    assert "李*兰" in await screen(owner, "/id")
    wrong = [url,  # a replay by another browser
             launch_url(ts=int(time.time()) - settings.launch_max_age_seconds - 5),
             launch_url(secret="guessed"),
             launch_url().replace("UserID=05510012345", "UserID=05510099999")]
    for bad in wrong:
        other = await aiohttp_client(create_app(settings))
        resp = await other.get(bad, allow_redirects=False)
        assert resp.status == 303 and "tvdev" not in resp.cookies, bad
        assert "李*兰" not in await screen(other, "/id"), bad
    assert all(why in caplog.text for why in ("used a second time", "bad signature", "expired"))
    unsigned = await aiohttp_client(create_app(portal_settings(tmp_path, db_url, operator_secret="")))
    assert "tvdev" not in (await unsigned.get(launch_url(), allow_redirects=False)).cookies


async def test_the_launch_url_carries_the_screen_size(aiohttp_client, tmp_path, db_url):
    """``size`` in a launch URL (signed with the rest) reaches home, which keeps it: an SD box whose User-Agent
    names no SD profile gets its SD layout at every launch, also after a cookie wipe; a refused launch too."""
    settings = portal_settings(tmp_path, db_url)
    for url in (launch_url(size="sd"), launch_url(size="sd", secret="guessed")):
        tv = await aiohttp_client(create_app(settings))
        resp = await tv.get(url, allow_redirects=False)
        assert resp.status == 303 and resp.headers["Location"] == "/?size=sd", url
        page = await (await tv.get(resp.headers["Location"])).text()
        assert 'content="640*530"' in page and cookie(tv, "tvsize") == "sd", url
        assert 'content="640*530"' in await (await tv.get("/guides")).text()
    assert (await tv.get(launch_url(size="huge"), allow_redirects=False)).headers["Location"] == "/"


async def test_a_cookie_from_before_issued_ids_keeps_its_remembered_people(aiohttp_client, tmp_path, db_url):
    """An upgrade loses nobody: a raw device id that remembered people is taken once, then rotated."""
    settings = portal_settings(tmp_path, db_url)
    tv = await aiohttp_client(create_app(settings))
    await sign_in(tv, settings, "li", pin="2468")
    await tv.post("/id/logout")
    with transaction(settings) as conn:  # as an older release stored it: the cookie value is the device key
        old_key = conn.execute(select(tv_devices.c.device)).scalars().first()
        conn.execute(tv_devices.delete())
    old = plant(await aiohttp_client(create_app(settings)), old_key)
    assert "李*兰" in await screen(old, "/id")
    stranger = plant(await aiohttp_client(create_app(settings)), old_key)
    assert "李*兰" in await screen(stranger, "/id")  # not rotated yet: it is the same cookie (as before)
    await sign_in(old, settings, "wang")
    assert "李*兰" not in await screen(plant(await aiohttp_client(create_app(settings)), old_key), "/id")


async def test_old_anonymous_tokens_are_pruned_unless_they_key_someone(aiohttp_client, tmp_path, db_url):
    """Pruning removes anonymous tokens older than the cut that no remembered person needs; a token that
    remembers someone and an account's token stay."""
    settings = portal_settings(tmp_path, db_url)
    idle = await aiohttp_client(create_app(settings))
    await idle.get("/id")
    keeper = await aiohttp_client(create_app(settings))
    await sign_in(keeper, settings, "li", pin="2468")
    owner = await aiohttp_client(create_app(settings))
    await owner.get(launch_url())
    with transaction(settings) as conn:
        conn.execute(tv_devices.update().values(issued=0.0))
        assert device.prune_devices(conn, time.time() - 86400) == 1
        left = set(conn.execute(select(tv_devices.c.token_hash)).scalars())
    assert device.token_hash(cookie(idle, "tvdev")) not in left
    assert {device.token_hash(cookie(keeper, "tvdev")), device.token_hash(cookie(owner, "tvdev"))} <= left


def html_class(page: str) -> str:
    """The classes of the page's <html> (large text: lt), padded with spaces for whole-word checks."""
    return " " + page.split('<html lang="zh-CN" class="', 1)[1].split('"', 1)[0] + " "


async def test_a_launch_as_another_account_keeps_each_accounts_preferences(aiohttp_client, tmp_path, db_url):
    """One box, two operator accounts (the household changed its IPTV account): launched as Y it chose high
    contrast, as X large text and no contrast; launched as Y again it shows Y's, and after a cookie wipe X's are as X chose
    them: the launch that moved the box to Y never stored Y's preferences under X."""
    settings = portal_settings(tmp_path, db_url)
    tv = await aiohttp_client(create_app(settings))
    now = int(time.time())
    x, y = "05510012345", "05510099999"
    await tv.get(launch_url(user=y, ts=now - 4), allow_redirects=False)
    await tv.post("/settings", data={"field": "contrast", "value": "1"})
    await tv.get(launch_url(user=x, ts=now - 3), allow_redirects=False)
    # X never chose any: the box keeps what it shows (Y's contrast) until X chooses
    assert " hc " in html_class(await (await tv.get("/")).text())
    await tv.post("/settings", data={"field": "contrast", "value": "0"})
    await tv.post("/settings", data={"field": "text", "value": "1"})
    resp = await tv.get(launch_url(user=y, ts=now - 2), allow_redirects=False)
    assert resp.status == 303
    y_home = html_class(await (await tv.get("/")).text())
    assert " hc " in y_home and " lt " not in y_home, y_home
    tv.session.cookie_jar.clear()
    await tv.get(launch_url(user=x, ts=now - 1), allow_redirects=False)
    x_home = html_class(await (await tv.get("/")).text())
    assert " lt " in x_home and " hc " not in x_home, x_home
