"""Helpers for the editor tests: accounts made once per session, signing in through the real forms."""

from __future__ import annotations

import html
import re
from functools import cache

from tvportal.editor import users
from tvportal.i18n import gettext

PASSWORD = "a-long-test-password"
ROLES = {"ed": "editor", "rev": "reviewer", "pub": "publisher", "adm": "admin"}
CSRF_RE = re.compile(r'name="_csrf" value="([^"]+)"')
REVISION_RE = re.compile(r'name="_revision" value="(\d+)"')


@cache
def password_hash() -> str:
    """One argon2 hash shared by all test accounts (hashing is slow on purpose)."""
    return users.hash_password(PASSWORD)


def make_users(settings) -> None:
    """Create ed (editor), rev (reviewer), pub (publisher) and adm (admin) in the settings' database before the app starts."""
    from tests.storage_support import transaction

    with transaction(settings) as conn:
        for name, role in ROLES.items():
            users.add_user(conn, name, role, digest=password_hash())


def csrf_of(text: str) -> str:
    """The CSRF token in a page."""
    match = CSRF_RE.search(text)
    assert match, "no CSRF field on the page"
    return match.group(1)


def revision_of(text: str) -> int:
    """The draft revision an edit form carries."""
    return int(REVISION_RE.search(text).group(1))


async def sign_in(client, name: str, password: str = PASSWORD):
    """Sign in through the form; return the response to the POST (not followed)."""
    page = await client.get("/editor/signin")
    token = csrf_of(await page.text())
    return await client.post("/editor/signin", data={"_csrf": token, "name": name, "password": password},
                             allow_redirects=False)


def t(msgid: str, **values) -> str:
    """A message as the page shows it (translated when the catalog has it), HTML-escaped."""
    text = gettext(msgid)
    return html.escape(text.format(**values) if values else text, quote=False)


def form_of(text: str) -> list[tuple[str, str]]:
    """The named fields of the edit form, as a browser would post them (ticked boxes and chosen options only)."""
    start = text.index('id="edit-form"')
    body = text[start:text.index("</form>", start)]
    fields: list[tuple[str, str]] = []
    for tag in re.finditer(r"<(input|textarea|select)\b([^>]*)>(.*?)(?=<(?:input|textarea|select|/select|/textarea)\b|$)",
                           body, re.S):
        kind, attrs = tag.group(1), tag.group(2)
        name = re.search(r'\bname="([^"]*)"', attrs)
        if not name:
            continue
        name = html.unescape(name.group(1))
        if kind == "input":
            typ = re.search(r'\btype="([^"]*)"', attrs)
            value = re.search(r'\bvalue="([^"]*)"', attrs)
            value = html.unescape(value.group(1)) if value else ""
            if typ and typ.group(1) == "checkbox":
                if re.search(r"\bchecked\b", attrs):
                    fields.append((name, value))
            else:
                fields.append((name, value))
        elif kind == "textarea":
            fields.append((name, html.unescape(tag.group(3))))
        else:
            end = body.index("</select>", tag.start())
            options = body[tag.start():end]
            chosen = re.search(r'<option value="([^"]*)" selected>', options)
            fields.append((name, html.unescape(chosen.group(1)) if chosen else ""))
    return fields


def replace(fields: list[tuple[str, str]], **changes: str) -> list[tuple[str, str]]:
    """The form with some fields changed (names with dots passed as name__sub)."""
    changes = {k.replace("__", "."): v for k, v in changes.items()}
    return [(k, changes.get(k, v)) for k, v in fields]


async def signed_in_client(aiohttp_client, settings, name: str):
    """The real app over a database with the test accounts, and a client signed in as ``name``."""
    from tvportal.app import create_app

    make_users(settings)
    client = await aiohttp_client(create_app(settings))
    assert (await sign_in(client, name)).status == 303
    return client
