"""Helpers of the central-platform tests: demo people, a TV-like client that presses buttons, codes."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from sqlalchemy import select

from tests.storage_support import sms_code
from tvportal.storage.tables import flow_state

PEOPLE = {"wang": "341524194503120027", "li": "341525194011182025", "zhang": "341503194806051012",
          "chen": "341502197809203015", "liu": "341522195201014044", "zhao": "341523194412030046"}


def embedded_code(settings, id_number: str, purpose: str) -> str:
    """The SMS code the embedded platform 'sent' (what the person's phone would show)."""
    return sms_code(settings, id_number, purpose)


class FlowClient:
    """Drives the portal like the remote does: follows links, presses the buttons of a page's forms."""

    def __init__(self, client, code_of: Callable[[str, str], str]) -> None:
        """Wrap an aiohttp test client; ``code_of(id_number, purpose)`` reads the phone's SMS."""
        self.client = client
        self.code_of = code_of

    async def get(self, url: str) -> str:
        """GET a page that must answer 200."""
        resp = await self.client.get(url)
        text = await resp.text()
        assert resp.status == 200, (url, resp.status, text[:2000])
        return text

    async def post_button(self, page: str, button_id: str) -> tuple[str, str]:
        """Press a form button of ``page`` by id; return the final URL and page."""
        form = re.search(r'<form method="post" action="([^"]+)">((?:(?!</form>).)*?id="' + re.escape(button_id)
                         + r'"(?:(?!</form>).)*)</form>', page, re.S)
        assert form, f"no button {button_id}"
        action = html.unescape(form.group(1))
        data = {html.unescape(k): html.unescape(v)
                for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))}
        resp = await self.client.post(action, data=data)
        return str(resp.url.path_qs), await resp.text()

    async def press_key(self, what: str, key: str) -> None:
        """Press one keypad key."""
        resp = await self.client.post(f"/id/enter/{what}", data={"k": key}, allow_redirects=False)
        assert resp.status == 303, await resp.text()

    async def enter(self, what: str, digits: str) -> None:
        """Key in a whole number."""
        for d in digits:
            await self.press_key(what, d)

    async def sign_in(self, id_number: str) -> None:
        """Sign in with ID number and the SMS code, keys only."""
        await self.enter("id", id_number)
        resp = await self.client.post("/id/enter/id", data={"k": "ok"}, allow_redirects=False)
        assert resp.headers.get("Location") == "/id/enter/code", await resp.text()
        await self.enter("code", self.code_of(id_number, "login"))
        resp = await self.client.post("/id/enter/code", data={"k": "ok"}, allow_redirects=False)
        assert resp.status == 303, await resp.text()

    async def qr_url(self) -> str:
        """The URL the last QR screen encoded (read back from the flow state via a fresh ticket page)."""
        import json

        from tvportal.keys import DB, PLATFORM

        app = self.client.server.app
        newest = select(flow_state.c.data).order_by(flow_state.c.updated_at.desc()).limit(1)
        ticket = json.loads(await app[DB].read(lambda conn: conn.execute(newest).scalar()))["ticket"]
        status = await app[PLATFORM].qr_login_status(ticket)
        return status.confirm_url


def move_cookies(old, new) -> None:
    """A TV's cookies (device and sign-in) carried to a client of the restarted portal: the box stays on."""
    for cookie in old.session.cookie_jar:
        new.session.cookie_jar.update_cookies({cookie.key: cookie.value}, response_url=new.make_url("/"))


async def first_day_slot(tv: FlowClient, hall: str) -> tuple[str, str]:
    """The first working day of a hall and the href of its first free slot."""
    days = await tv.get(f"/booking/h/{hall}")
    day = re.findall(rf'href="/booking/h/{hall}/(\d{{4}}-\d\d-\d\d)"', days)[0]
    slots = await tv.get(f"/booking/h/{hall}/{day}")
    return day, re.findall(r'href="(/booking/s/[^"]+)"', slots)[0]


async def submit_first_answers(tv: FlowClient, service_id: str) -> tuple[str, str]:
    """Answer every question of a handling service with its first choice and submit; the final URL and page."""
    page = await tv.get(f"/apply/{service_id}/q/0")
    url = ""
    while "/confirm" not in url:
        url, page = await tv.post_button(page, "c0")
    return await tv.post_button(page, "ok")


SECRET = "test-shared-secret"


def sim_process(port: int, database, *args: str, log_path=None):
    """Start ``tvportal central-sim`` as a child process and wait until it answers."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    env = dict(os.environ, TVPORTAL_CENTRAL_SECRET=SECRET, TVPORTAL_CENTRAL_APP_ID="tvportal")
    log = open(log_path or str(database) + ".log", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "tvportal", "central-sim", "--port", str(port), "--database",
                             str(database), *args], env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/m/confirm/x", timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("simulator did not start")
            time.sleep(0.1)


def stop(proc) -> None:
    """Stop a child process we started."""
    proc.terminate()
    proc.wait(10)
