"""Editor sign-in, sessions, CSRF and rate limiting, through the real HTTP app."""

from __future__ import annotations

import pytest

from tests.editor_support import PASSWORD, csrf_of, make_users, sign_in, t
from tvportal.app import create_app
from tvportal.editor import users
from tvportal.keys import PAGE_CACHE


@pytest.fixture
async def editor(aiohttp_client, settings):
    """A client of the real app whose database has the accounts ed, pub and adm."""
    make_users(settings)
    return await aiohttp_client(create_app(settings))


async def test_pages_need_sign_in(editor):
    """Without a session every editor page leads to the sign-in form, remembering where you were going."""
    response = await editor.get("/editor/guide/b1", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/editor/signin?next=/editor/guide/b1")


async def test_sign_in_and_out(editor):
    """The right password opens the editor; signing out closes it again."""
    response = await sign_in(editor, "ed")
    assert response.status == 303 and response.headers["Location"] == "/editor"
    page = await editor.get("/editor/guide")
    text = await page.text()
    assert page.status == 200 and "b1" in text and "ed（" in text
    out = await editor.post("/editor/signout", data={"_csrf": csrf_of(text)}, allow_redirects=False)
    assert out.status == 303
    after = await editor.get("/editor/guide", allow_redirects=False)
    assert after.status == 303 and "/editor/signin" in after.headers["Location"]


async def test_wrong_password_is_refused(editor):
    """A wrong password shows the form again with the name kept and a clear message."""
    response = await sign_in(editor, "ed", "not-the-password")
    text = await response.text()
    assert response.status == 401
    assert t("The user name or password is wrong (or the account is disabled).") in text
    assert 'value="ed"' in text
    assert (await editor.get("/editor/guide", allow_redirects=False)).status == 303


async def test_sign_in_is_rate_limited_per_user(editor):
    """After 5 failures in 15 minutes even the right password is refused, with the reason said."""
    for _attempt in range(users.MAX_FAILURES):
        assert (await sign_in(editor, "pub", "wrong-password!")).status == 401
    blocked = await sign_in(editor, "pub", PASSWORD)
    assert blocked.status == 429
    text = await blocked.text()
    assert t("Too many failed sign-ins. For your safety, signing in is paused for {minutes} minutes; "
             "please try again later or ask an administrator.", minutes=15) in text
    assert (await editor.get("/editor/guide", allow_redirects=False)).status == 303


async def test_sign_in_is_rate_limited_per_address(editor):
    """Guessing across many names from one address is stopped too."""
    for i in range(users.MAX_FAILURES):
        assert (await sign_in(editor, f"nobody{i}", "wrong-password!")).status == 401
    assert (await sign_in(editor, "adm", PASSWORD)).status == 429


async def test_disabled_user_cannot_sign_in_and_loses_session(editor, settings):
    """Disabling an account ends the sessions it has and refuses new ones."""
    assert (await sign_in(editor, "ed")).status == 303
    from tests.storage_support import transaction

    with transaction(settings) as conn:
        users.set_disabled(conn, "ed")
    assert (await editor.get("/editor/guide", allow_redirects=False)).status == 303
    assert (await sign_in(editor, "ed")).status == 401


async def test_session_cookie_flags(editor):
    """The session cookie is HttpOnly, SameSite=Lax, limited to /editor, and not Secure on plain HTTP."""
    response = await sign_in(editor, "ed")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/editor" in cookie
    assert "Secure" not in cookie


async def test_secure_cookie_when_configured(aiohttp_client, settings):
    """With cookie_secure on, the session cookie is marked Secure."""
    settings = settings.replace(cookie_secure=True)
    make_users(settings)
    client = await aiohttp_client(create_app(settings))
    page = await client.get("/editor/signin")
    assert "Secure" in page.headers["Set-Cookie"]


async def test_sign_in_post_without_csrf_token_is_refused(editor):
    """Even the sign-in form needs its token (login CSRF)."""
    await editor.get("/editor/signin")
    response = await editor.post("/editor/signin", data={"name": "ed", "password": PASSWORD}, allow_redirects=False)
    assert response.status == 403
    assert (await editor.get("/editor/guide", allow_redirects=False)).status == 303


async def test_editor_pages_are_never_cached(editor):
    """Editor pages say private, no-store, so neither the page cache nor the browser keeps them."""
    await sign_in(editor, "ed")
    for path in ("/editor/guide", "/editor/guide/b1", "/editor/audit", "/editor/signin"):
        response = await editor.get(path)
        assert response.headers["Cache-Control"] == "private, no-store", path
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"  # no clickjacking from other sites
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy and "script-src 'self';" in policy
    assert len(editor.app[PAGE_CACHE]) == 0


async def test_session_key_file_is_private(editor, settings):
    """The generated session key is readable by the portal's user only."""
    from pathlib import Path

    key = Path(settings.data_dir) / "editor-session.key"
    assert key.stat().st_mode & 0o777 == 0o600


async def test_unknown_editor_page_is_an_editor_404(editor):
    """A wrong address under /editor gets an editor page, not a TV error screen."""
    await sign_in(editor, "ed")
    response = await editor.get("/editor/guide/does-not-exist")
    assert response.status == 404
    assert 'class="top"' in await response.text()


async def test_post_after_the_session_expired_loses_nothing(editor, monkeypatch):
    """A save from a form left open past the idle timeout is not done, and the typed text is shown back."""
    from tests.editor_support import form_of
    from tvportal.editor import security

    await sign_in(editor, "ed")
    page = await editor.get("/editor/guide/b1")
    fields = form_of(await page.text())
    later = security.clock() + 3 * 3600
    monkeypatch.setattr(security, "clock", lambda: later)
    data = [(k, "过期后输入的名称" if k == "name" else v) for k, v in fields] + [("_action", "save")]
    response = await editor.post("/editor/guide/b1", data=data, allow_redirects=False)
    text = await response.text()
    assert response.status == 401 and "过期后输入的名称" in text
    assert t("You had been signed out, so nothing was saved. Copy what you typed below, "
             "sign in again (in a new tab) and repeat the change.") in text
