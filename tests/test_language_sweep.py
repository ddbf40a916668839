"""Every TV screen and flow state in both languages: no English word on a Chinese page, no Chinese UI
string on an English page (content and the platform's own Chinese words aside).

The sweep walks the screens an elder meets: signed out, signed in with and without history, acting for a
family member, refusals and errors, and writes queued while the central platform is down. A string that is
not marked for translation (an f-string around ``_()``, a literal in a template) shows up here.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from content.search import KEYPAD_LETTERS
from sqlalchemy import select

from tests.platform_helpers import PEOPLE, FlowClient, embedded_code, first_day_slot
from tests.storage_support import sms_code, transaction
from tests.test_platform_http import portal_settings, sim  # noqa: F401  (the simulator fixture)
from tvportal.app import create_app
from tvportal.storage import Database
from tvportal.storage.tables import metadata

ROOT = Path(__file__).resolve().parent.parent
# Latin that belongs on a Chinese TV screen: the ID card's check letter, key names printed on the remote
LATIN_ALLOWED = {"X", "OK"}
# receipt numbers start with letters (BJ 261201 0001, YY…, DT…, PJ…): part of the number, not a word
NUMBER_PREFIX = re.compile(r"(?<![A-Za-z])[A-Z]{2}(?= ?\d)")
HAN = re.compile(r"[\u3400-\u9fff]+")


def visible_text(page: str) -> str:
    """What the screen shows or reads aloud: text and aria labels, without scripts and styles."""
    doc = lxml_html.fromstring(page)
    for bad in doc.xpath("//script|//style"):
        bad.drop_tree()
    labels = doc.xpath("//@aria-label|//@title|//@alt")
    return "\n".join([*doc.itertext(), *labels])


def latin_words(text: str) -> set[str]:
    """Latin words outside receipt numbers, single 拼音 initials (社保 = s b), the letters printed on the search keypad's keys (拼音 initials),
    the content's own (placeholders such as 0564-XXXXXXXX) and the short allowlist."""
    words = {w for w in re.findall(r"[A-Za-z]+", NUMBER_PREFIX.sub(" ", text)) if not re.fullmatch("[a-z]", w)}
    return words - LATIN_ALLOWED - {letters for _digit, letters in KEYPAD_LETTERS} - content_latin()


@functools.cache
def content_latin() -> frozenset[str]:
    """Latin words in the published demo content (the city's text, shown as it is)."""
    words = set()
    for path in (ROOT / "content" / "demo").rglob("*"):
        if path.is_file():
            words |= set(re.findall(r"[A-Za-z]+", path.read_text(encoding="utf-8", errors="replace")))
    return frozenset(words)


def content_text(database=None) -> str:
    """Everything that is content or the platform's own Chinese words (shown as they are in both languages):
    the content files, the platform's forms and messages, and every table of a database (settings or Database)."""
    parts = [p.read_text(encoding="utf-8", errors="replace") for p in (ROOT / "content").rglob("*") if p.is_file()]
    parts += [p.read_text(encoding="utf-8") for p in (ROOT / "tvportal" / "platform").glob("*.py")]
    if database is not None:
        dump = lambda conn: [" ".join(str(v) for v in row) for table in metadata.sorted_tables  # noqa: E731
                             for row in conn.execute(select(table))]
        if isinstance(database, Database):
            parts += database.read_sync(dump)
        else:
            with transaction(database) as conn:
                parts += dump(conn)
    return "\n".join(parts)


class Sweep:
    """Collects every page the walk meets, with the URL it came from."""

    def __init__(self, tv: FlowClient) -> None:
        """Walk with ``tv``."""
        self.tv = tv
        self.pages: list[tuple[str, str]] = []

    async def get(self, url: str, status: int = 200) -> str:
        """GET a page (any expected status) and keep it."""
        resp = await self.tv.client.get(url)
        text = await resp.text()
        assert resp.status == status, (url, resp.status, text[:500])
        self.pages.append((url, text))
        return text

    async def press(self, page: str, button: str) -> tuple[str, str]:
        """Press a button of a page and keep the page it leads to."""
        url, text = await self.tv.post_button(page, button)
        self.pages.append((url, text))
        return url, text

    async def keypad(self, what: str, digits: str) -> str:
        """Type on a keypad screen and press 确认; keep the keypad pages on the way."""
        await self.get(f"/id/enter/{what}")
        await self.tv.enter(what, digits)
        await self.get(f"/id/enter/{what}")
        resp = await self.tv.client.post(f"/id/enter/{what}", data={"k": "ok"})
        text = await resp.text()
        self.pages.append((f"/id/enter/{what} ok", text))
        return text


SIGNED_OUT = ["/", "/guides", "/guides/h2", "/guides/h2?page=2", "/services/handling", "/services/query",
              "/policies", "/halls", "/halls/LA-01", "/search", "/search?q=养老", "/settings", "/help", "/voice",
              "/booking", "/booking/guide/b1", "/booking/halls", "/booking/h/LA-01", "/apply", "/apply/h1",
              "/apply/h2", "/apply/h3", "/lookup", "/lookup/q1", "/me", "/id", "/id/qr", "/id/enter/id"]
PERSONAL = ["/me", "/booking/mine", "/booking/mine?from=me", "/apply/mine", "/apply/mine?from=me", "/lookup/q1/result",
            "/lookup/q2/result", "/lookup/q3/result", "/lookup/q4/result", "/apply/h1/for", "/apply/h1/check",
            "/apply/h2/check", "/apply/h6/check", "/id", "/id/enter/elder"]


async def walk(sweep: Sweep, settings) -> None:
    """Every screen and state on the embedded platform."""
    tv = sweep.tv
    for url in SIGNED_OUT:
        await sweep.get(url)
    await sweep.get("/no-such-page", 404)
    await sweep.keypad("id", "341524194503120028")  # a wrong check digit: the message in place
    await tv.enter("id", ["del"] * 18)
    # signed in with history: booking, its receipt and list; an application, its receipt, rating
    await tv.sign_in(PEOPLE["wang"])
    for url in PERSONAL:
        await sweep.get(url)
    day, slot_href = await first_day_slot(tv, "LA-01")
    await sweep.get(f"/booking/h/LA-01/{day}")
    receipt_url, _r = await sweep.press(await sweep.get(slot_href), "ok")
    number = receipt_url.rsplit("/", 1)[1]
    for url in (f"/booking/b/{number}", f"/booking/b/{number}/cancel", "/booking/mine"):
        await sweep.get(url)
    page = await sweep.get("/apply/h1/q/0")
    _u, page = await sweep.press(page, "c0")
    _u, confirm = await sweep.press(page, "c0")
    done_url, _receipt = await sweep.press(confirm, "ok")
    await sweep.get(done_url.split("?")[0])
    await sweep.get("/apply/h1/check")  # the open application instead of a second one
    await sweep.press(confirm, "ok")  # the same form again: the same application
    old = re.findall(r'href="/apply/a/(BJ\w+)"', await sweep.get("/apply/mine"))[-1]
    levels = await sweep.get(f"/rate/application/{old}")
    _u, reasons = await sweep.press(levels, "l1")
    await sweep.press(reasons, "r-slow")
    # signed in without history: the kind empty states
    await tv.sign_in(PEOPLE["zhao"])
    for url in PERSONAL:
        await sweep.get(url)
    # 帮家人办: 陈建国 (48) acts for his mother 李桂兰 (86) with her consent
    await tv.sign_in(PEOPLE["chen"])
    await sweep.get("/apply/h2/check")  # too young: said plainly, nothing to type
    await sweep.keypad("elder", PEOPLE["li"])
    await sweep.keypad("elder_code", embedded_code(settings, PEOPLE["li"], "consent"))
    for_whom = await sweep.get("/apply/h2/for")
    _u, check = await sweep.press(for_whom, "p1")
    page = await sweep.get("/apply/h2/q/0")
    _u, page = await sweep.press(page, "c0")
    _u, confirm = await sweep.press(page, "c0")
    await sweep.press(confirm, "ok")
    await sweep.get(slot_href)  # booking for the family member: 预约人 and 代办人
    for url in ("/me", "/id", "/apply/mine", "/booking/mine"):
        await sweep.get(url)


async def walk_platform_down(sweep: Sweep, knobs) -> None:
    """A write while the central platform is down is queued; reads say kindly that it is not answering."""
    tv = sweep.tv
    await tv.sign_in(PEOPLE["zhang"])
    page = await sweep.get("/apply/h7/q/0")
    _u, page = await sweep.press(page, "c0")
    _u, confirm = await sweep.press(page, "c0")
    knobs.down = True
    queued_url, _q = await sweep.press(confirm, "ok")
    assert "/flow/queued/DT" in queued_url
    mine = await sweep.get("/apply/mine")  # what waits in the outbox is still listed
    assert "/flow/queued/DT" in mine
    await sweep.get("/booking/mine")
    await sweep.get("/lookup/q1/result", 503)


def check_pages(pages: list[tuple[str, str]], locale: str, content: str) -> None:
    """zh_CN: no Latin words; en: no Chinese outside content."""
    problems = []
    for url, page in pages:
        text = visible_text(page)
        if locale == "zh_CN":
            found = latin_words(text)
        else:
            found = {run for run in HAN.findall(text) if run not in content}
        if found:
            problems.append((url, sorted(found)))
    assert problems == [], "\n".join(f"{u}: {w}" for u, w in problems)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_every_screen_speaks_one_language(aiohttp_client, settings, locale):
    """Signed out, with and without history, for a family member, refusals and errors, in each locale."""
    client = await aiohttp_client(create_app(settings))
    tv = FlowClient(client, lambda n, p: embedded_code(settings, n, p))
    await client.post("/settings", data={"field": "lang", "value": locale})
    sweep = Sweep(tv)
    await walk(sweep, settings)
    assert len(sweep.pages) > 90
    check_pages(sweep.pages, locale, content_text(settings))


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_queued_and_unavailable_screens_speak_one_language(aiohttp_client, tmp_path, sim, locale):  # noqa: F811
    """The outbox receipt and the 'not answering' page, with the portal talking to a simulator that goes down."""
    url, knobs, path = sim
    settings = portal_settings(tmp_path, url, central_retries=0)
    client = await aiohttp_client(create_app(settings))
    await client.post("/settings", data={"field": "lang", "value": locale})
    sweep = Sweep(FlowClient(client, lambda n, p: sms_code(path, n, p)))
    await walk_platform_down(sweep, knobs)
    check_pages(sweep.pages, locale, content_text(path))
