"""Editor sessions end on the server: a cookie copied before sign-out can do nothing afterwards, the sign-in
limit holds under 40 parallel wrong passwords (per account and per address), and the idle limit is the
server's, not the cookie's."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from tests.editor_support import PASSWORD, csrf_of, form_of, make_users, replace, sign_in, t
from tvportal.app import create_app
from tvportal.editor import users
from tvportal.keys import DB
from tvportal.storage.tables import editor_sessions

NEW_NAME = "退出后用旧凭证改的名称"
SIGNED_OUT = ("You had been signed out, so nothing was saved. Copy what you typed below, "
              "sign in again (in a new tab) and repeat the change.")


@pytest.fixture
async def editor(aiohttp_client, settings):
    """A client of the real app (publishing without review, so a publish is one request) with ed, rev, pub, adm."""
    settings = settings.replace(review_required=False)
    make_users(settings)
    return await aiohttp_client(create_app(settings))


async def test_the_old_cookie_can_do_nothing_after_sign_out(editor):
    """Sign out, put the old cookie back: saving and publishing with it are refused and change nothing."""
    assert (await sign_in(editor, "pub")).status == 303
    text = await (await editor.get("/editor/guide/b1")).text()
    fields = form_of(text)
    old = {c.key: c.value for c in editor.session.cookie_jar}
    assert (await editor.post("/editor/signout", data={"_csrf": csrf_of(text)}, allow_redirects=False)).status == 303
    editor.session.cookie_jar.clear()
    editor.session.cookie_jar.update_cookies(old)
    saved = await editor.post("/editor/guide/b1", data=[*replace(fields, name=NEW_NAME), ("_action", "publish")],
                              allow_redirects=False)
    assert saved.status == 401 and t(SIGNED_OUT) in await saved.text()
    published = await editor.post("/editor/guide/b1/publish", data={"_csrf": csrf_of(text), "_revision": "0"},
                                  allow_redirects=False)
    assert published.status == 401
    assert (await editor.get("/editor/guide/b1", allow_redirects=False)).status == 303  # to the sign-in page
    assert NEW_NAME not in await (await editor.get("/guides/b1")).text()
    from tvportal.editor import versions

    assert (await editor.app[DB].read(versions.working, "guide", "b1")).revision == 0  # not even a draft


async def test_the_cookie_works_until_sign_out(editor):
    """The same steps without signing out do save and publish (so the test above can fail)."""
    assert (await sign_in(editor, "pub")).status == 303
    fields = form_of(await (await editor.get("/editor/guide/b1")).text())
    saved = await editor.post("/editor/guide/b1", data=[*replace(fields, name=NEW_NAME), ("_action", "publish")],
                              allow_redirects=False)
    assert saved.status == 303
    assert NEW_NAME in await (await editor.get("/guides/b1")).text()


async def parallel_wrong(editor, names: list[str]) -> list[int]:
    """Post wrong passwords for ``names`` all at once (one form token, as a script would); the statuses."""
    token = csrf_of(await (await editor.get("/editor/signin")).text())

    async def attempt(name: str) -> int:
        """One wrong password."""
        response = await editor.post("/editor/signin", data={"_csrf": token, "name": name,
                                                            "password": "wrong-password!"}, allow_redirects=False)
        await response.read()
        return response.status

    return list(await asyncio.gather(*(attempt(name) for name in names)))


async def test_forty_parallel_wrong_passwords_for_one_account(editor):
    """Only the first 5 are checked; the other 35 get 429, and then even the right password waits."""
    statuses = await parallel_wrong(editor, ["ed"] * 40)
    assert sorted(statuses) == [401] * users.MAX_FAILURES + [429] * (40 - users.MAX_FAILURES)
    assert (await sign_in(editor, "ed", PASSWORD)).status == 429


async def test_forty_parallel_wrong_passwords_from_one_address(editor):
    """Forty names guessed at once from one address: the address is blocked after 5 as well."""
    statuses = await parallel_wrong(editor, [f"guess{i}" for i in range(40)])
    assert sorted(statuses) == [401] * users.MAX_FAILURES + [429] * (40 - users.MAX_FAILURES)


async def test_a_good_sign_in_does_not_count_as_a_failure(editor):
    """The attempt counted before the check is forgotten when the password is right."""
    for _ in range(users.MAX_FAILURES + 2):
        assert (await sign_in(editor, "ed")).status == 303
        text = await (await editor.get("/editor/guide")).text()
        assert (await editor.post("/editor/signout", data={"_csrf": csrf_of(text)}, allow_redirects=False)).status \
            == 303


async def test_idle_limit_is_kept_by_the_server(editor, settings):
    """The server's record of the last use decides: a fresh cookie of an idle session is refused."""
    assert (await sign_in(editor, "ed")).status == 303
    assert (await editor.get("/editor/guide", allow_redirects=False)).status == 200
    idle = settings.editor_idle_minutes * 60

    def long_ago(conn) -> None:
        """As if the session had last been used past the idle limit."""
        conn.execute(update(editor_sessions).values(last_seen=editor_sessions.c.last_seen - idle - 5))

    await editor.app[DB].write(long_ago)
    response = await editor.get("/editor/guide", allow_redirects=False)
    assert response.status == 303 and "/editor/signin" in response.headers["Location"]
    page = await (await editor.get("/editor/signin")).text()
    assert t("You were signed out after a while without activity. Please sign in again.") in page
    assert await editor.app[DB].read(lambda conn: conn.execute(editor_sessions.select()).first()) is None


async def test_idle_minutes_setting(aiohttp_client, settings, monkeypatch):
    """editor_idle_minutes=1: a minute and a bit without activity ends the session; less does not."""
    from tvportal.editor import security

    settings = settings.replace(editor_idle_minutes=1)
    make_users(settings)
    client = await aiohttp_client(create_app(settings))
    assert (await sign_in(client, "ed")).status == 303
    real = security.clock
    monkeypatch.setattr(security, "clock", lambda: real() + 50)
    assert (await client.get("/editor/guide", allow_redirects=False)).status == 200
    monkeypatch.setattr(security, "clock", lambda: real() + 50 + 70)
    assert (await client.get("/editor/guide", allow_redirects=False)).status == 303
