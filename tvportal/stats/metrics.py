"""``/metrics`` for the on-call team (Prometheus text format, prometheus-client): requests and their
latency by route group, the outbox's depth, the page cache's hit ratio, the central platform's circuit
breaker, whether the database answered the last content check and the content version served (a graph of
the instances shows an outage and which of them lag behind a publish).  Only addresses in ``metrics_allow``
may read it (default: this machine); others get 404, as if there were nothing there.  The request
middleware here also counts the operator's page views and errors (collector.py), in memory."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import (CollectorRegistry, Counter, Gauge, GCCollector, Histogram, PlatformCollector,
                               ProcessCollector, generate_latest)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select

from tvportal.keys import DB, PAGE_CACHE, PLATFORM, PUBLISHED, SETTINGS
from tvportal.stats.collector import count
from tvportal.storage.faults import unreachable
from tvportal.storage.tables import outbox
from tvportal.urls import app_route

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# a fixed set of labels: a path typed by anyone must not add a time series
GROUPS = frozenset({"guides", "services", "policies", "halls", "search", "help", "settings", "area", "id", "me",
                    "booking", "apply", "lookup", "rate", "outbox", "voice", "speech", "listen", "static",
                    "editor", "healthz", "metrics", "launch", "brand"})
SILENT = frozenset({"static", "editor", "healthz", "metrics", "launch", "brand", "speech", "listen"})


def group_of(path: str) -> str:
    """The route group of a path: home, its first segment when known, else other."""
    first = path.strip("/").split("/", 1)[0]
    return "home" if not first else first if first in GROUPS else "other"


class Metrics:
    """The metrics of one portal process, in a registry of its own (several apps in one test process)."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.registry = CollectorRegistry()
        # the process's CPU, memory and open files, and Python's garbage collector, as every exporter has them
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.requests = Counter("tvportal_requests", "HTTP requests answered", ["group", "status"],
                                registry=self.registry)
        self.latency = Histogram("tvportal_request_seconds", "Time to answer a request", ["group"],
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5), registry=self.registry)
        self.outbox_depth = Gauge("tvportal_outbox_waiting", "Writes waiting in the outbox for the central platform",
                                  registry=self.registry)
        self.registry.register(self)
        self._children: dict[tuple[str, str], tuple] = {}  # labels() looks up and locks: once per pair

    def observe(self, group: str, status: str, seconds: float) -> None:
        """Count a request and its time."""
        pair = self._children.get((group, status))
        if pair is None:
            pair = self._children[(group, status)] = (self.requests.labels(group, status), self.latency.labels(group))
        pair[0].inc()
        pair[1].observe(seconds)

    def collect(self):
        """Values read at scrape time: the page cache and the central platform's breaker."""
        stats = self.app[PAGE_CACHE].stats()
        ratio = GaugeMetricFamily("tvportal_page_cache_hit_ratio", "Page cache hits / lookups since start")
        ratio.add_metric([], stats["hit_ratio"])
        yield ratio
        breaker = getattr(self.app.get(PLATFORM), "breaker", None)
        state = GaugeMetricFamily("tvportal_central_breaker_open",
                                  "1 while calls to the central platform fail fast (0 also for the embedded one)")
        state.add_metric([], 1.0 if breaker is not None and breaker.is_open() else 0.0)
        yield state
        failures = GaugeMetricFamily("tvportal_central_failures", "Failed central platform calls in a row")
        failures.add_metric([], float(getattr(breaker, "failures", 0)))
        yield failures
        published = self.app.get(PUBLISHED)
        if published is not None:  # the app is serving (set up on start)
            up = GaugeMetricFamily("tvportal_database_up", "1 if the database answered the last content check "
                                   "(every content_check_ms), else 0")
            up.add_metric([], 1.0 if published.outage.up else 0.0)
            yield up
            version = GaugeMetricFamily("tvportal_content_version", "The published content version this "
                                        "instance serves")
            version.add_metric([], float(published.snapshot.version))
            yield version


METRICS = web.AppKey("metrics", Metrics)


def allowed(request: web.Request) -> bool:
    """Whether the client's address is in ``metrics_allow``."""
    try:
        address = ipaddress.ip_address(request.remote or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in request.app[SETTINGS].metrics_allow)


async def metrics_page(request: web.Request) -> web.Response:
    """The Prometheus text page (404 for addresses not allowed)."""
    if not allowed(request):
        raise web.HTTPNotFound()
    metrics = request.app[METRICS]
    try:
        waiting = await request.app[DB].read(lambda conn: conn.execute(
            select(func.count()).select_from(outbox).where(outbox.c.status == "waiting")).scalar_one())
    except Exception as exc:  # an outage is when the page is wanted most: the depth stays as last read
        if not unreachable(exc):
            raise
    else:
        metrics.outbox_depth.set(waiting)
    body = generate_latest(metrics.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


@web.middleware
async def measure(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Time and count every request by group; count TV page views and error pages for the operator."""
    started = time.perf_counter()
    group = group_of(request.path)
    status = 500
    page = False  # a TV page was shown (HTML), not speech audio or a JSON answer to a page's script
    try:
        response = await handler(request)
        status = response.status
        page = response.content_type == "text/html"
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        metrics = request.app.get(METRICS)
        if metrics is not None:
            metrics.observe(group, str(status), time.perf_counter() - started)
        if group not in SILENT and page:
            if status == 200 and request.method == "GET":
                count(request, "view", screen=app_route(request) or group)
            elif status >= 400:  # a refused form too, not only a page that was not found
                count(request, "error", screen=str(status))


def setup_metrics(app: web.Application) -> None:
    """The registry and the route."""
    app[METRICS] = Metrics(app)
    app.router.add_get("/metrics", metrics_page)
