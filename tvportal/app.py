"""Application factory: ``create_app(settings)`` builds the whole portal; ``server_app`` what ``serve`` runs."""

from __future__ import annotations

import functools

import aiohttp_jinja2
import jinja2
import markupsafe
from aiohttp import web

from epg_templates import TEMPLATE_DIR
from tvportal import branding, clock, i18n
from tvportal.database import database_ctx
from tvportal.http import logs
from tvportal.http.inline_json import script_json
from tvportal.editor.scheduler import scheduler_ctx
from tvportal.editor.setup import setup_editor
from tvportal.flows.box_token import box_token_ctx
from tvportal.keys import ASSETS, CLOCK, PAGE_CACHE, SETTINGS
from tvportal.middlewares import ORDER
from tvportal.page_cache import PageCache
from tvportal.proxy import proxy_middleware
from tvportal.platform.setup import setup_platform
from tvportal.routes import setup_routes
from tvportal.settings import Settings, load_settings
from tvportal.speech import speech_key_ctx
from tvportal.stats.collector import stats_ctx
from tvportal.stats.metrics import setup_metrics
from tvportal.static_assets import load_assets
from tvportal.urls import edge_middleware, prefixed, strip_middleware
from tvportal.voice_setup import setup_voice

CLIENT_MAX_SIZE = 64 * 1024  # TV forms are tiny; the editor raises it for signed-in editors


def setup_templates(app: web.Application, extra_dirs: list[str] | None = None) -> None:
    """Jinja2 with the i18n extension; folders in ``extra_dirs`` override the bundled templates."""
    loader = jinja2.FileSystemLoader([*(extra_dirs or []), str(TEMPLATE_DIR)])
    env = aiohttp_jinja2.setup(app, loader=loader, autoescape=jinja2.select_autoescape(["html"]),
                               extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    # tvportal/urls.py: literal app paths are written {{ base }}/path, computed ones {{ path|url }}
    base = app[SETTINGS].base_path
    env.globals["base"] = base
    if ASSETS in app:  # the operator's key-press count (stats/flows.py)
        env.globals["presses_js_url"] = app[ASSETS].url("presses.js")
        env.globals["copilot_js_url"] = app[ASSETS].url("copilot.js")  # 远程帮办: idle unless helped
    # versions in the links: the files are cached for a day, a restart with new branding shows at once
    env.globals["brand_css"], env.globals["brand_logo"] = branding.versions(app[SETTINGS])
    env.filters["url"] = functools.partial(prefixed, base)
    # every JSON inside <script> (tvportal/http/inline_json.py); safe as it is: no HTML escaping on top
    env.filters["script_json"] = lambda data: markupsafe.Markup(script_json(data))


def create_app(settings: Settings | None = None) -> web.Application:
    """Build the portal application from settings (defaults when none are given)."""
    settings = settings or load_settings()
    logs.install()
    # the proxy middleware comes first: everything after it sees the real client
    edges = ((proxy_middleware(settings.trusted_proxies),) if settings.trusted_proxies else ()) \
        + ((edge_middleware(settings.base_path),) if settings.base_path else ())
    app = web.Application(middlewares=(*edges, *ORDER), client_max_size=CLIENT_MAX_SIZE)
    app[SETTINGS] = settings
    clock.use_timezone(settings.timezone)
    app[CLOCK] = clock.CityClock(settings.timezone)
    app[ASSETS] = load_assets()
    app[PAGE_CACHE] = PageCache()
    setup_templates(app, [settings.template_dir] if settings.template_dir else None)
    setup_routes(app)
    setup_voice(app)
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(scheduler_ctx)  # 定时发布 and 计划取消日期, even with the editor switched off
    app.cleanup_ctx.append(stats_ctx)  # after the database: its last flush runs before the database closes
    setup_metrics(app)
    app.cleanup_ctx.append(speech_key_ctx)
    app.cleanup_ctx.append(box_token_ctx)  # the operator's token check (docs/operator.md section 2)
    if settings.editor_enabled:
        setup_editor(app)
    setup_platform(app)
    return app


def server_app(settings: Settings) -> web.Application:
    """What ``tvportal serve`` runs: the portal, or a root app that serves it under ``base_path``."""
    portal = create_app(settings)
    if not settings.base_path:
        return portal

    async def to_portal(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(settings.base_path + "/")

    root = web.Application(middlewares=[strip_middleware(settings.base_path)], client_max_size=CLIENT_MAX_SIZE)
    root.router.add_get("/", to_portal)
    root.add_subapp(settings.base_path, portal)
    return root
