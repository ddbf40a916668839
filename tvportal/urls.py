"""The one way a URL is built: app paths inside, the deployer's prefix and address at the edges.

Inside the portal every path is an *app path* such as ``/booking`` (routes, views, flows, the
request's ``path`` all use them).  When the portal is served under ``base_path`` (e.g. ``/tv`` behind
nginx) the prefix is added only where a URL leaves the portal:

- HTML: templates write computed paths as ``{{ path|url }}`` and literal ones as ``{{ base }}/search``;
- data for the remote runtime and voice (``screen.nav_data``, speech and keypad data) goes through ``url``;
- redirects and cookie paths: ``edge_middleware`` prefixes them, so views keep raising ``HTTPSeeOther("/x")``;
- requests: the portal is mounted under the prefix (``tvportal.app.server_app``) and ``strip_middleware``
  hands it the app path.

What a phone opens (the QR code of a sign-in) is ``public`` : ``public_url`` plus the app path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from yarl import URL

from tvportal.keys import SETTINGS

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def app_route(request: web.Request) -> str | None:
    """The app path pattern of the route that answers ``request`` (``/guides/{guide}``), None without one.

    Under ``base_path`` the portal is a sub-application, whose routes aiohttp prefixes (``/tv/guides/{guide}``):
    what is registered, cached and counted by route is the app path."""
    resource = request.match_info.route.resource
    if resource is None:
        return None
    route, base = resource.canonical, request.app[SETTINGS].base_path
    return route[len(base):] if base and route.startswith(base + "/") else route


def prefixed(base_path: str, path: str) -> str:
    """``path`` under ``base_path`` when it is an app path; absolute URLs and anchors are left alone."""
    if not base_path or not path.startswith("/") or path.startswith("//") \
            or path.startswith(base_path + "/") or path == base_path:  # already a URL (router.url_for gives those)
        return path
    return base_path + path


def url(app: web.Application, path: str) -> str:
    """The URL of an app path as the client must write it."""
    return prefixed(app[SETTINGS].base_path, path)


def public(request: web.Request, path: str) -> str:
    """An absolute URL for another device (a phone): ``public_url`` when set, else the address used here."""
    if "://" in path:
        return path
    settings = request.app[SETTINGS]
    if settings.public_url:
        return settings.public_url + path
    return f"{request.scheme}://{request.host}{prefixed(settings.base_path, path)}"


def edge_middleware(base_path: str) -> Callable:
    """Prefix redirect targets and cookie paths that name app paths."""

    def fix(response: web.StreamResponse) -> None:
        location = response.headers.get("Location")
        if location:
            response.headers["Location"] = prefixed(base_path, location)
        for morsel in response.cookies.values():
            morsel["path"] = prefixed(base_path, morsel["path"] or "/")

    @web.middleware
    async def edge(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPRedirection as exc:
            fix(exc)
            raise
        if not response.prepared:
            fix(response)
        return response

    return edge


def strip_middleware(base_path: str) -> Callable:
    """The root app's middleware: requests under ``base_path`` reach the portal with app paths.

    aiohttp matched the route on the full path (the portal is a sub-app mounted at ``base_path``); the
    portal's code, its page cache key and the "come back here" paths it stores see the path without it.
    """

    @web.middleware
    async def strip(request: web.Request, handler: Handler) -> web.StreamResponse:
        path, query = request.rel_url.raw_path, request.rel_url.raw_query_string
        if path == base_path:
            raise web.HTTPFound(base_path + "/" + ("?" + query if query else ""))
        if not path.startswith(base_path + "/"):
            return await handler(request)
        inner = URL.build(path=path[len(base_path):], query_string=query, encoded=True)
        return await handler(request.clone(rel_url=inner))

    return strip
