"""User management: roles in the UI, the ``tvportal user`` command, and what each role may do."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.editor_support import PASSWORD, csrf_of, make_users, sign_in, t
from tests.storage_support import transaction
from tvportal.app import create_app
from tvportal.cli import main
from tvportal.editor import users
from tvportal.storage.tables import editor_users


@pytest.fixture
async def app(settings):
    """The real app over a database with the accounts ed, pub and adm."""
    make_users(settings)
    return create_app(settings)


async def signed_in(aiohttp_client, app, name):
    """A client of ``app`` signed in as ``name``."""
    client = await aiohttp_client(app)
    assert (await sign_in(client, name)).status == 303
    return client


@pytest.mark.parametrize("name", ["ed", "pub"])
async def test_only_admins_manage_users(aiohttp_client, app, name):
    """Editors and publishers get 403 on the user pages, and their POSTs change nothing."""
    client = await signed_in(aiohttp_client, app, name)
    page = await client.get("/editor/users")
    assert page.status == 403
    token = csrf_of(await page.text())
    response = await client.post("/editor/users", data={"_csrf": token, "name": "mallory", "role": "admin",
                                                        "password": PASSWORD})
    assert response.status == 403
    text = await (await client.get("/editor/guide")).text()
    assert "/editor/users" not in text  # the menu does not offer it either


async def test_admin_adds_a_user_who_can_sign_in(aiohttp_client, app):
    """An administrator adds an editor in the UI; the new account works at once."""
    admin = await signed_in(aiohttp_client, app, "adm")
    page = await admin.get("/editor/users")
    assert page.status == 200
    response = await admin.post("/editor/users", data={"_csrf": csrf_of(await page.text()), "name": "carol",
                                                       "role": "editor", "password": "carols-password"},
                                allow_redirects=False)
    assert response.status == 303
    carol = await aiohttp_client(admin.server)
    assert (await sign_in(carol, "carol", "carols-password")).status == 303


async def test_bad_new_user_is_refused_with_values_kept(aiohttp_client, app):
    """A short password is refused with a clear message and the name stays in the form."""
    admin = await signed_in(aiohttp_client, app, "adm")
    page = await admin.get("/editor/users")
    response = await admin.post("/editor/users", data={"_csrf": csrf_of(await page.text()), "name": "dave",
                                                       "role": "publisher", "password": "short"})
    text = await response.text()
    assert response.status == 422
    assert t("A password needs at least {n} characters.", n=users.MIN_PASSWORD) in text
    assert 'value="dave"' in text


async def test_admin_changes_role_and_disables(aiohttp_client, app):
    """Role changes take effect; a disabled publisher is signed out at once."""
    pub = await signed_in(aiohttp_client, app, "pub")
    admin = await aiohttp_client(pub.server)
    assert (await sign_in(admin, "adm")).status == 303
    token = csrf_of(await (await admin.get("/editor/users")).text())
    await admin.post("/editor/users/ed", data={"_csrf": token, "action": "role", "role": "publisher"})
    await admin.post("/editor/users/pub", data={"_csrf": token, "action": "disable"})
    assert (await pub.get("/editor/guide", allow_redirects=False)).status == 303
    listing = await (await admin.get("/editor/users")).text()
    assert listing.count(t("Disabled")) >= 1
    own = await admin.post("/editor/users/adm", data={"_csrf": token, "action": "disable"})
    assert own.status == 422  # nobody locks themselves out


async def test_audit_log_is_readable_by_every_role(aiohttp_client, app):
    """Editors can read the audit log (who changed what); they cannot change it."""
    client = await signed_in(aiohttp_client, app, "ed")
    text = await (await client.get("/editor/audit")).text()
    assert t("Signed in") in text and "<td>ed</td>" in text


def test_cli_add_passwd_disable(settings, monkeypatch, capsys):
    """``tvportal user add|passwd|disable`` manage accounts in the portal's database."""
    data_dir = settings.data_dir
    monkeypatch.setattr("sys.stdin", io.StringIO("first-password-1\n"))
    assert main(["user", "--data-dir", data_dir, "add", "erin", "--role", "publisher", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("second-password-2\n"))
    assert main(["user", "--data-dir", data_dir, "passwd", "erin", "--password-stdin"]) == 0
    with transaction(settings) as conn:
        assert users.authenticate(conn, "erin", "second-password-2").role == "publisher"
        assert users.authenticate(conn, "erin", "first-password-1") is None
    assert main(["user", "--data-dir", data_dir, "disable", "erin"]) == 0
    with transaction(settings) as conn:
        assert users.authenticate(conn, "erin", "second-password-2") is None
    monkeypatch.setattr("sys.stdin", io.StringIO("x\n"))
    assert main(["user", "--data-dir", data_dir, "add", "frank", "--role", "editor", "--password-stdin"]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("third-password-3\n"))
    assert main(["user", "--data-dir", data_dir, "add", "erin", "--role", "editor", "--password-stdin"]) == 1
    assert "erin" in capsys.readouterr().err


def test_passwords_are_argon2_hashes(settings):
    """Only an argon2id hash is stored, never the password."""
    make_users(settings)
    with transaction(settings) as conn:
        stored = list(conn.execute(select(editor_users.c.password_hash)).scalars())
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in stored)


async def test_cli_unlock_and_passwd_lift_the_sign_in_pause(aiohttp_client, app, settings, monkeypatch, capsys):
    """The 429 message says to ask an administrator: ``user unlock`` lets the right password in at once, and so
    does a new password from ``user passwd``; an unknown name is an error, not a silent success."""
    client = await aiohttp_client(app)
    other = await aiohttp_client(create_app(settings))  # the counts are in the database, not in one process

    async def lock(name: str) -> None:
        for _attempt in range(users.MAX_FAILURES + 1):
            assert (await sign_in(client, name, "wrong-password!")).status in (401, 429)
        assert (await sign_in(other, name, PASSWORD)).status == 429

    await lock("adm")
    assert main(["user", "--data-dir", settings.data_dir, "unlock", "adm"]) == 0
    assert "adm may sign in again (5 failed sign-in(s) forgotten)" in capsys.readouterr().out
    assert (await sign_in(other, "adm", PASSWORD)).status == 303
    await lock("pub")
    monkeypatch.setattr("sys.stdin", io.StringIO("a-new-password-7\n"))
    assert main(["user", "--data-dir", settings.data_dir, "passwd", "pub", "--password-stdin"]) == 0
    assert (await sign_in(other, "pub", "a-new-password-7")).status == 303
    assert main(["user", "--data-dir", settings.data_dir, "unlock", "nobody"]) == 1
    assert "nobody" in capsys.readouterr().err
