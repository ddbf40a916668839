"""No ID-number enumeration on the TV (issue 11, finding 11): until the SMS code is verified, a registered
and an unregistered ID number get the same screens, the same words and no masked phone number."""

from __future__ import annotations

import re

from tests.platform_helpers import PEOPLE, embedded_code
from tests.test_signin import text
from tvportal.platform import idnumber

UNREGISTERED = "34152419450312004" + idnumber.check_digit("34152419450312004")
PHONE = re.compile(r"1\d\d\*{4}\d{4}")


def _same(page: str) -> str:
    """A screen's text with its numbers hidden (a countdown may tick between two requests)."""
    return re.sub(r"\d+", "#", text(page))


async def _steps(client, number: str) -> list[tuple[int, str]]:
    """Type an ID number, then a wrong code twice: each answer's status and page."""
    seen = []
    resp = await client.post("/id/enter/id", data={"k": "ok", "v": number})
    seen.append((resp.status, await resp.text()))
    for _ in range(2):
        resp = await client.post("/id/enter/code", data={"k": "ok", "v": "000000"})
        seen.append((resp.status, await resp.text()))
    return seen


async def test_registered_and_unknown_numbers_look_the_same(aiohttp_client, client, settings):
    """Same status, same words, no phone number, for a registered and an unregistered ID number."""
    from tvportal.app import create_app

    other = await aiohttp_client(create_app(settings))
    known, unknown = await _steps(client, PEOPLE["wang"]), await _steps(other, UNREGISTERED)
    for (status_k, page_k), (status_u, page_u) in zip(known, unknown):
        assert status_k == status_u
        assert _same(page_k) == _same(page_u)
        assert not PHONE.search(text(page_k)) and not PHONE.search(text(page_u))
    assert "如果这个身份证号码已登记，验证码已发到登记的手机" in text(known[0][1])
    assert "平台上没有" not in text(unknown[0][1]) + text(unknown[1][1])


async def test_the_right_code_still_signs_in(client, settings):
    """The elder's journey is unchanged: number, code, signed in."""
    resp = await client.post("/id/enter/id", data={"k": "ok", "v": PEOPLE["li"]}, allow_redirects=False)
    assert resp.headers["Location"] == "/id/enter/code"
    code = embedded_code(settings, PEOPLE["li"], "login")
    resp = await client.post("/id/enter/code", data={"k": "ok", "v": code}, allow_redirects=False)
    assert resp.headers["Location"] == "/id/remember"
    assert "李桂兰" in text(await (await client.get("/id")).text())
