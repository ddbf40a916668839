"""The TV settings page: large text, high contrast and language, remembered per device."""

from __future__ import annotations

from dataclasses import replace

from aiohttp import web

from remote_nav import Layout, Rect
from tvportal import canvas
from tvportal.i18n import LOCALES, gettext as _, language_name
from tvportal.keys import SETTINGS
from tvportal.prefs import Prefs, remember
from tvportal.screen import Crumb, Screen, prefs_of, render


class BadSetting(web.HTTPBadRequest):
    """The settings form sent a field or value the page never offers."""


def _on_off(value: bool) -> str:
    """开 / 关 for a switch."""
    return _("On") if value else _("Off")


async def settings_page(request: web.Request) -> web.Response:
    """Three switches, one per row; OK flips the focused one."""
    prefs = prefs_of(request)
    next_locale = LOCALES[(LOCALES.index(prefs.locale) + 1) % len(LOCALES)]
    rows = [
        ("s-text", _("Large text"), _on_off(prefs.large_text), "text", "0" if prefs.large_text else "1"),
        ("s-contrast", _("High contrast"), _on_off(prefs.high_contrast), "contrast",
         "0" if prefs.high_contrast else "1"),
        ("s-lang", _("Language"), language_name(prefs.locale), "lang", next_locale),
    ]
    layout = Layout()
    area = canvas.MAIN
    layout.grid([(rid, None, label) for rid, label, *_rest in rows],
                Rect(area.x, area.y, area.w, 3 * 96 + 2 * 24), cols=1, gap=24)
    for item, (_rid, _label, state, field, value) in zip(layout.items, rows):
        item.extra.update(state=state, field=field, value=value)
    layout.assign_digits("main")
    screen = Screen(title=_("Settings"), crumbs=[Crumb(_("Home"), "/"), Crumb(_("Settings"))], layout=layout,
                    template="settings.html", start="s-text")
    return render(request, screen)


async def change_setting(request: web.Request) -> web.Response:
    """Apply one switch from the settings form and come back to the same row."""
    form = await request.post()
    field, value = form.get("field"), form.get("value")
    prefs = prefs_of(request)
    if field == "text" and value in ("0", "1"):
        prefs, row = replace(prefs, large_text=value == "1"), "s-text"
    elif field == "contrast" and value in ("0", "1"):
        prefs, row = replace(prefs, high_contrast=value == "1"), "s-contrast"
    elif field == "lang" and value in LOCALES:
        prefs, row = replace(prefs, locale=value), "s-lang"
    else:
        raise BadSetting(reason="setting")
    response = web.HTTPSeeOther(f"/settings?f={row}")
    remember(response, prefs, request.app[SETTINGS].cookie_secure)
    raise response


__all__ = ["Prefs", "settings_page", "change_setting"]
