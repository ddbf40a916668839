"""Helpers of the 远程帮办 tests: a TV client and a phone client on one portal, and what their pages hold."""

from __future__ import annotations

import re

import aiohttp

from tests.platform_helpers import PEOPLE, FlowClient, embedded_code


def code_on(page: str) -> str:
    """The 6-digit number a TV's 请家人帮忙 screen shows (grouped 123 456)."""
    found = re.search(r'<span id="bignum">(\d{3}) (\d{3})</span>', page)
    assert found, page[:3000]
    return found.group(1) + found.group(2)


class Phone:
    """A phone browser: its own cookies, plain form posts."""

    def __init__(self, base) -> None:
        self.base = base
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def get(self, path: str) -> tuple[int, str]:
        async with self.session.get(self.base.join(aiohttp.client.URL(path))) as resp:
            return resp.status, await resp.text()

    async def post(self, path: str, **data: str) -> tuple[int, str, str]:
        async with self.session.post(self.base.join(aiohttp.client.URL(path)), data=data) as resp:
            return resp.status, resp.url.path_qs, await resp.text()

    async def close(self) -> None:
        await self.session.close()


async def poll(tv: FlowClient) -> list[str]:
    """The TV's poll, answered at once (``i``: a page's first question)."""
    resp = await tv.client.get("/family/poll?i=1")
    assert resp.status == 200
    return (await resp.text()).split("\n")


async def helped_tv(tv: FlowClient, phone: Phone, settings, helper: str = "chen", start: str = "/me") -> str:
    """The TV shows a code, the phone takes it and its person signs in, the TV asks; the consent page."""
    await tv.get(start)
    page = await tv.get(f"/family?next={start}")
    status, url, text = await phone.post("/m/help", code=code_on(page))
    assert status == 200 and url == "/m/help/go", text[:2000]
    await phone.post("/m/help/signin", id_number=PEOPLE[helper], action="send")
    status, url, text = await phone.post("/m/help/signin", id_number=PEOPLE[helper], action="confirm",
                                         sms_code=embedded_code(settings, PEOPLE[helper], "login"))
    assert 'id="waiting"' in text, text[:2000]
    lines = await poll(tv)
    assert lines[2:4] == ["go", "/family/ask"]
    return await tv.get("/family/ask")
