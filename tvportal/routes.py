"""URL map of the portal."""

from __future__ import annotations

from aiohttp import web

from tvportal.keys import ASSETS, PAGE_CACHE
from tvportal import branding
from tvportal.views import device_settings, guides, halls, health, help, home, launch, policies, search
from tvportal.views.area import setup_area_routes

# content pages that name the signed-in person's nearest hall when the TV chose no county: a request with a
# sign-in cookie is rendered for its person, never answered from (or stored in) the page cache
VIEWER_PAGES = ("/guides/{guide}", "/services/{section}/{guide}")

# TV pages made only from the published content: kept by the page cache (tvportal/page_cache.py)
CONTENT_PAGES = (
    ("/", home.home, "home"),
    ("/booking", home.booking, None),
    ("/guides", guides.categories, None),
    ("/guides/c/{category}", guides.category, None),
    ("/guides/{guide}", guides.guide_detail, None),
    ("/guides/{guide}/more", guides.guide_more, None),
    ("/services/handling", guides.handling_list, None),
    ("/services/query", guides.query_list, None),
    ("/services/{section}/{guide}", guides.guide_detail, None),
    ("/policies", policies.policy_list, None),
    ("/policies/{policy}", policies.policy_detail, None),
    ("/halls", halls.counties, None),
    ("/halls/area/{code}", halls.area, None),
    ("/halls/{hall}", halls.hall_detail, None),
    ("/search", search.search, None),
    ("/search/keypad", search.keypad_json, None),
    ("/help", help.help_page, None),
)


def setup_routes(app: web.Application) -> None:
    """Register every route of the TV pages."""
    r = app.router
    for path, handler, name in CONTENT_PAGES:
        r.add_get(path, handler, name=name)
        app[PAGE_CACHE].routes.add(path)
    app[PAGE_CACHE].viewer_routes.update(VIEWER_PAGES)
    setup_area_routes(app)
    r.add_get("/healthz", health.healthz)
    r.add_get("/launch", launch.launch)
    r.add_post("/launch/box", launch.launch_box)
    r.add_get("/brand.css", branding.brand_css)
    r.add_get("/brand/logo", branding.brand_logo)
    r.add_get("/settings", device_settings.settings_page)
    r.add_post("/settings", device_settings.change_setting)
    r.add_get("/static/{name}", app[ASSETS].handle)
