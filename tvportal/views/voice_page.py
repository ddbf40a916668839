"""The 语音助手 page (home tile): what can be said, a button that starts listening, help and settings."""

from __future__ import annotations

from aiohttp import web

from remote_nav import Layout, Rect
from tvportal import canvas
from tvportal.i18n import gettext as _
from tvportal.keys import ASR, TTS
from tvportal.screen import Crumb, Screen, render


async def voice_page(request: web.Request) -> web.Response:
    """Examples of spoken commands; OK on 开始说话 listens (when a model and a microphone are there)."""
    listening = request.app[ASR].available
    reading = request.app[TTS].available
    layout = Layout()
    row = canvas.BUTTON_ROW
    buttons = []
    if listening:
        buttons.append(("v-listen", _("Start speaking"), None))
    buttons += [("v-help", _("How to use the remote"), "/help"), ("v-settings", _("Reading settings"), "/settings")]
    x = row.x
    for item_id, label, href in buttons:
        layout.add(item_id, Rect(x, row.y, 368, row.h), group="main", href=href, label=label)
        x += 392
    layout.assign_digits("main")
    if listening:
        lines = [_("Press OK on 开始说话, or the green key on any screen, then say for example:"),
                 "首页 · 返回 · 下一页 · 第三个 · 大声一点 · 慢一点 · 朗读",
                 _("or the name of a service, such as 社保查询. The TV says what it understood.")]
    else:
        lines = [_("Voice commands are not available: no speech model on this TV.")]
    if not reading:
        lines.append(_("Reading aloud is not available: no speech engine on this TV."))
    screen = Screen(title=_("Voice assistant"), crumbs=[Crumb(_("Home"), "/"), Crumb(_("Voice assistant"))],
                    layout=layout, template="voice.html", start=layout.items[0].id, context={"lines": lines},
                    spoken=lines)
    return render(request, screen)
