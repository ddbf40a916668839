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
    cv = canvas.current()
    layout = Layout(cv.width, cv.height)
    row = cv.BUTTON_ROW
    buttons = []
    if listening:
        buttons.append(("v-listen", _("Start speaking"), None))
    buttons += [("v-help", _("How to use the remote"), "/help"), ("v-settings", _("Reading settings"), "/settings?from=voice")]
    gap = 24 if cv.size == "hd" else 12
    width = 368 if cv.size == "hd" else (row.w - gap * (len(buttons) - 1)) / len(buttons)
    for i, (item_id, label, href) in enumerate(buttons):
        layout.add(item_id, Rect(row.x + i * (width + gap), row.y, width, row.h), group="main", href=href,
                   label=label)
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
                    layout=layout, template="voice.html", start=layout.items[0].id, context={"lines": lines, "tops": _tops(lines, cv)},
                    spoken=lines)
    return render(request, screen)


def _tops(lines: list[str], cv: canvas.Canvas) -> list[float]:
    """Where each line starts: 72 px apart at HD; at SD (26 px type, 22 characters a line) each line
    takes the rows it wraps onto, so that none runs into the next."""
    if cv.size == "hd":
        return [170 + 72 * i for i in range(len(lines))]
    tops, y = [], cv.MAIN.y + 4
    for line in lines:
        tops.append(y)
        y += 39 * -(-len(line) // (cv.MAIN.w // 26)) + 6
    return tops
