"""The phone's QR-login confirmation page (served by the simulator, and by the portal when embedded).

A phone browser, not the TV: an ordinary small HTML form (ID number, SMS code), server-validated.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from aiohttp import web

from tvportal.http.forms import form_of
from tvportal.platform import idnumber
from tvportal.platform.models import PlatformError

PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>确认电视登录</title>
<style>body{{font:20px sans-serif;margin:1em;color:#111}}label{{display:block;margin-top:1em}}
input{{font-size:22px;width:100%;padding:.3em}}button{{font-size:22px;margin-top:1em;padding:.4em 1em}}
.err{{color:#a00000}}</style></head><body><h1>确认在电视上登录</h1>{body}</body></html>"""


def _form(id_number: str = "", problem: str = "", field: str = "", sent: str = "") -> str:
    """The two-step form: ID number, then the SMS code."""
    e = html.escape
    err = f'<p class="err" id="err-{e(field)}">{e(problem)}</p>' if problem else ""
    sent_note = f"<p>验证码已发到 {e(sent)}</p>" if sent else ""
    # no action: the form posts back to the address the phone opened, whatever prefix the portal is served under
    return (f'<form method="post">{err}'
            f'<label>身份证号码 <input name="id_number" value="{e(id_number)}" inputmode="numeric" maxlength="18"></label>'
            f'{sent_note}<label>短信验证码 <input name="sms_code" inputmode="numeric" maxlength="6"></label>'
            f'<button name="action" value="send">获取验证码</button> '
            f'<button name="action" value="confirm">确认登录</button></form>')


def add_phone_routes(app: web.Application, platform_of: Callable[[web.Application], object]) -> None:
    """Add GET/POST /m/confirm/{ticket} to an application."""

    async def show(request: web.Request) -> web.Response:
        """The empty form."""
        return web.Response(text=PAGE.format(body=_form()), content_type="text/html",
                            headers={"Cache-Control": "no-store"})

    async def submit(request: web.Request) -> web.Response:
        """Send a code, or confirm the ticket with the code."""
        ticket = request.match_info["ticket"]
        form = await form_of(request)
        number = str(form.get("id_number", "")).strip().upper()
        platform = platform_of(request.app)
        problem = idnumber.problem(number)
        if problem:
            return web.Response(text=PAGE.format(body=_form(number, problem, "id_number")),
                                content_type="text/html", status=400)
        try:
            if form.get("action") == "send":
                sent = await platform.send_sms_code(number, "login")
                return web.Response(text=PAGE.format(body=_form(number, sent=sent.phone_masked)),
                                    content_type="text/html")
            await platform.confirm_qr_login(ticket, number, str(form.get("sms_code", "")))
        except PlatformError as exc:
            return web.Response(text=PAGE.format(body=_form(number, exc.message, exc.field)),
                                content_type="text/html", status=400)
        return web.Response(text=PAGE.format(body="<p id='done'>已确认。请回到电视前，按遥控器上的确定键继续。</p>"),
                            content_type="text/html")

    app.router.add_get("/m/confirm/{ticket}", show)
    app.router.add_post("/m/confirm/{ticket}", submit)
