"""URL map of the portal."""

from __future__ import annotations

from aiohttp import web

from tvportal.keys import ASSETS
from tvportal.views import device_settings, guides, halls, health, help, home, policies, search


def setup_routes(app: web.Application) -> None:
    """Register every route of the TV pages."""
    r = app.router
    r.add_get("/", home.home, name="home")
    r.add_get("/healthz", health.healthz)
    r.add_get("/booking", home.booking)
    r.add_get("/guides", guides.categories)
    r.add_get("/guides/c/{category}", guides.category)
    r.add_get("/guides/{guide}", guides.guide_detail)
    r.add_get("/services/handling", guides.handling_list)
    r.add_get("/services/query", guides.query_list)
    r.add_get("/services/{section}/{guide}", guides.guide_detail)
    r.add_get("/policies", policies.policy_list)
    r.add_get("/policies/{policy}", policies.policy_detail)
    r.add_get("/halls", halls.counties)
    r.add_get("/halls/area/{code}", halls.area)
    r.add_get("/halls/{hall}", halls.hall_detail)
    r.add_get("/search", search.search)
    r.add_get("/search/keypad", search.keypad_json)
    r.add_get("/settings", device_settings.settings_page)
    r.add_post("/settings", device_settings.change_setting)
    r.add_get("/help", help.help_page)
    r.add_get("/static/{name}", app[ASSETS].handle)
