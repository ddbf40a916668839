"""Help: what each key of the remote does, in plain words."""

from __future__ import annotations

from aiohttp import web

from tvportal.boxes import exit_plan
from tvportal.i18n import gettext as _
from tvportal.pagination import TextBlock
from tvportal.keys import SETTINGS
from tvportal.screen import Crumb, exit_key_of, render
from tvportal.views.lists import text_screen


async def help_page(request: web.Request) -> web.Response:
    """How to use the remote on this portal."""
    blocks = [
        TextBlock(_("Moving around"), [_("Press the arrow keys to move the yellow frame. Press OK to open "
                                         "what is framed."),
                                       _("Every screen shows at the bottom what each key does there.")]),
        TextBlock(_("Number keys"), [_("A number in front of an item opens it at once: press 3 for the third.")]),
        TextBlock(_("Back and Home"), [_("Back returns to the previous screen. The yellow key goes to the "
                                         "home screen from anywhere.")]),
        TextBlock(_("Long texts"), [_("Long guides are split into screens. Press the page keys, or choose "
                                      "Next page and press OK.")]),
        TextBlock(_("Search"), [_("The blue key opens search. Pick a popular topic or type words.")]),
        TextBlock(_("Easier to read"), [_("In Settings you can switch on large text and high contrast. "
                                          "This TV remembers your choice.")]),
        TextBlock(_("Reading aloud"), [_("The TV reads each screen and the framed item aloud. The red key "
                                         "switches reading on or off; key 0 tells what every key does. Speed "
                                         "and volume are in Settings.")]),
        TextBlock(_("Speaking to the TV"), [_("Press the green key and say what you want, for example 首页, "
                                              "返回, 下一页, 第三个, 大声一点, or the name of a service. The TV "
                                              "repeats what it understood. Nothing you say leaves this "
                                              "service.")]),
        TextBlock(_("Ask family to help"), [_("Press the INFO key (F8 on a keyboard) on any screen, or choose Ask "
                                              "family to help here or in Mine. A family member scans the code with "
                                              "their phone and can then help you from anywhere; you answer on the "
                                              "TV, and Back ends it.")]),
    ]
    settings = request.app[SETTINGS]
    if exit_plan(settings.exit_method, settings.exit_url):
        # how to leave for the operator's EPG, as this box's remote allows
        leave = [_("On the home screen, Back takes you back to the TV home.")]
        if exit_key_of(request):
            leave.append(_("The EXIT key takes you back to the TV home from any screen."))
        blocks.insert(3, TextBlock(_("Back to the TV home"), leave))
    screen = text_screen(request, _("Voice and help"), [Crumb(_("Home"), "/"), Crumb(_("Voice and help"))],
                         blocks, base="/help", extra_buttons=[("family", _("Ask family to help"), "/family?next=/help")])
    return render(request, screen)
