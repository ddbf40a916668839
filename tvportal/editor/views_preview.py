"""Live preview: the form as it is now, rendered by the real TV page code (draft, not published).

The editor chooses how a viewer will see it: normal, large text, high contrast (the viewer's own
preferences, tvportal/prefs.py) or a standard-definition box (640×530, the SD canvas of tvportal/canvas.py).
The choice is the form field ``_view``; it changes only this rendering, never a cookie of the browser.
"""

from __future__ import annotations

import dataclasses
import json

from aiohttp import web
from markupsafe import escape

from content import store
from content.model import ContentError
from tvportal.editor import forms
from tvportal.editor.checks import plain_warnings
from tvportal.editor.form_errors import form_errors
from tvportal import canvas
from tvportal.editor.security import requires
from tvportal.http.box_screen import SIZE
from tvportal.http.forms import form_of
from tvportal.i18n import N_, gettext as _
from tvportal.keys import PREFS
from tvportal.screen import Screen, render
from tvportal.views.guides import guide_screen
from tvportal.views.halls import hall_screen
from tvportal.views.policies import policy_screen


def tv_screen(request: web.Request, kind: str, record) -> Screen | None:
    """The TV screen that will show ``record`` once published; None for kinds without a TV page builder."""
    if kind == "guide":
        return guide_screen(request, record, base=f"/guides/{record.id}")
    if kind == "hall":
        return hall_screen(request, record)
    if kind == "policy":
        return policy_screen(request, record)
    return None


VIEWS = {"normal": N_("Normal"), "large": N_("Large text"), "contrast": N_("High contrast"),
         "sd": N_("SD box (640×530)")}


def _message_page(text: str) -> str:
    """A plain page for the preview frame when there is no TV page to show."""
    return ('<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><body style="font:28px sans-serif;'
            f'margin:64px;background:#fff;color:#000"><p>{escape(text)}</p></body></html>')


@requires("editor")
async def preview(request: web.Request) -> web.Response:
    """Render the posted form as the TV would show it; ``?format=json`` adds the page count and warnings."""
    kind = request.match_info["kind"]
    form = await form_of(request, files=True)
    data = forms.parse_form(forms.specs_of(kind), form)
    if request.match_info.get("id"):
        data["id"] = request.match_info["id"]
    view = str(form.get("_view", "normal"))
    view = view if view in VIEWS else "normal"
    size = "sd" if view == "sd" else "hd"
    # the viewer's size and preferences for this rendering only (the screen builders read them, not just render)
    token, before, prefs = canvas.use(size), request.get(SIZE, "hd"), request[PREFS]
    request[SIZE] = size
    request[PREFS] = dataclasses.replace(prefs, large_text=view == "large", high_contrast=view == "contrast")
    try:
        error, html, pages, page_no = _preview_html(request, kind, data)
    finally:
        request[SIZE], request[PREFS] = before, prefs
        canvas.reset(token)
    if request.query.get("format") != "json":
        return web.Response(text=html, content_type="text/html")
    checks = [{"label": c.label, "length": c.length, "budget": c.budget,
               "warnings": [w.message for w in c.warnings]} for c in plain_warnings(kind, data)]
    body = {"html": html, "pages": pages, "page": page_no, "error": error, "checks": checks, "view": view}
    return web.Response(text=json.dumps(body, ensure_ascii=False), content_type="application/json")


def _preview_html(request: web.Request, kind: str, data: dict) -> tuple[str, str, int, int]:
    """(error, page HTML, screens, screen shown) of the form's record as the TV renders it."""
    try:
        record = store.KINDS[kind].from_dict(data)
    except ContentError as exc:
        # said as the form says it (no internal field names), the first mistake only: the form lists them all
        mistakes = form_errors(kind, data)
        error = mistakes[0].message if mistakes else str(exc)
        return error, _message_page(_("The preview waits until the form passes the checks: {error}").format(
            error=error)), 1, 1
    target = request
    try:
        screen = tv_screen(target, kind, record)
    except web.HTTPNotFound:  # the text got shorter than the page being previewed: show its first page
        target = request.clone(rel_url=request.rel_url.with_query(
            {k: v for k, v in request.query.items() if k != "page"}))
        screen = tv_screen(target, kind, record)
    if screen is None:
        return "", _message_page(_("This kind of item has no TV preview yet.")), 1, 1
    screen = dataclasses.replace(screen, private=True)
    return "", render(target, screen).text, screen.pages, screen.page
