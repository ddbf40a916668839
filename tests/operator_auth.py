"""A stand-in for the operator's authentication server: its token check as docs/operator.md section 2
defines it (form fields UserID, UserToken, STBID; ``200 {"valid": true, "UserID": …}`` for a token it issued
to that box).  It knows one box's login and records every question, so tests see when the portal asked.
This is the operator's side, not the portal's: the portal under test is the real app."""

from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager

from aiohttp import web

from tests.browser import free_port

USER_ID = "05510012345"
STB_ID = "0010019900E1C0FFEE"
USER_TOKEN = "Tk7fQ2mZr9WcX1bLp0sVh3dE"  # what the operator's EPG server gave this box at its IPTV login
AREA = "341500"
# what a Huawei box answers its page's Authentication.CTCGetConfig(name) after the IPTV login
BOX_CONFIG = {"UserID": USER_ID, "UserToken": USER_TOKEN, "STBID": STB_ID, "STBType": "EC6108V9"}
ASKED = web.AppKey("asked", list)


def operator_app(delay: float = 0.0) -> web.Application:
    """The token check at ``POST /check``; ``delay``: seconds it takes to answer (a slow server)."""
    app = web.Application()
    app[ASKED] = []

    async def check(request: web.Request) -> web.Response:
        form = await request.post()
        app[ASKED].append(dict(form))
        if delay:
            await asyncio.sleep(delay)
        valid = (form.get("UserID"), form.get("UserToken"), form.get("STBID")) == (USER_ID, USER_TOKEN, STB_ID)
        return web.json_response({"valid": True, "UserID": USER_ID, "area": AREA} if valid else {"valid": False})

    app.router.add_post("/check", check)
    return app


@contextmanager
def operator_in_thread():
    """The stand-in on a free port in a thread of its own (for tests that drive a browser synchronously);
    yields (its check's address, the list of questions asked)."""
    loop = asyncio.new_event_loop()
    app, port = operator_app(), free_port()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/check", app[ASKED]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.run_until_complete(runner.cleanup())
        loop.close()
