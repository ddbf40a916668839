"""Health check for operators' monitoring: JSON naming each part and whether it works.

200 while TVs can be served (the database answers and the home page renders), 503 otherwise, so that a
load balancer stops sending TVs to an instance whose every page would fail.  Parts a TV can do without
(reading aloud, voice input, the central platform, free disk) are listed under ``degraded`` with why.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import weakref
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import select

from content.outage import short_cause
from tvportal import __version__
from tvportal.keys import ASR, DB, PLATFORM, PUBLISHED, SETTINGS, TTS
from tvportal.views.voice import json_answer
from voice.asr import model_problem

log = logging.getLogger(__name__)
PAGES_EVERY = 5.0  # seconds a home-page check stands for
_checked: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # app -> (when, result)
_PATH = re.compile(r"(?<![\w.])/[^\s:,;'\"]+")  # an absolute path in a reason text
MIN_FREE_MB = 200  # below this a publish, an SMS sign-in or the speech cache may fail for want of space


async def _database(request: web.Request) -> dict[str, Any]:
    """One trivial query."""
    try:
        await request.app[DB].read(lambda conn: conn.execute(select(1)).scalar_one())
    except Exception as exc:  # noqa: BLE001 - the answer names the fault in short; the content watch logs it
        return {"ok": False, "detail": _without_paths(short_cause(exc))}  # a Unix socket's path too
    return {"ok": True}


async def _pages(request: web.Request) -> dict[str, Any]:
    """The home page rendered, as a TV would get it; remembered for PAGES_EVERY seconds, so that a monitor
    polling often (or a benchmark using /healthz as its baseline) does not pay a page per request."""
    now = time.monotonic()
    checked = _checked.get(request.app)
    if checked is not None and now - checked[0] < PAGES_EVERY:
        return checked[1]
    result = await _render_home(request)
    _checked[request.app] = (now, result)
    return result


async def _render_home(request: web.Request) -> dict[str, Any]:
    """Render the home page for this request."""
    from tvportal.views.home import home

    try:
        status = (await home(request)).status
    except web.HTTPException as exc:
        status = exc.status
    except Exception as exc:  # noqa: BLE001 - a page that cannot render is what this part reports
        log.warning("health: the home page fails: %r", exc)
        return {"ok": False, "detail": type(exc).__name__}
    return {"ok": status < 500, "detail": f"home page answers {status}"}


def _platform(request: web.Request) -> dict[str, Any]:
    """The central platform: down while its circuit breaker is open (embedded: always up)."""
    breaker = getattr(request.app.get(PLATFORM), "breaker", None)
    if breaker is None:
        return {"ok": True}
    failing = getattr(breaker, "failures", 0) >= getattr(breaker, "threshold", 1)
    if failing:
        return {"ok": False, "detail": "not answering"}
    # the breaker learns only from calls TVs make: say how fresh that knowledge is rather than claim more
    answered = getattr(breaker, "answered_at", None)
    failures = getattr(breaker, "failures", 0)
    detail = "not called since start" if answered is None and not failures else \
        f"{failures} failed call(s) in a row" if failures else f"last answer {time.monotonic() - answered:.0f} s ago"
    return {"ok": True, "detail": detail}


def _without_paths(detail: str) -> str:
    """A part's reason without the server's file paths: whoever can reach /healthz reads it (the start-up
    log names the path)."""
    return _PATH.sub("<path>", detail or "")


def _voice_input(asr: Any) -> dict[str, Any]:
    """Voice input; a model not installed (or incomplete) is just "model missing"."""
    if asr.available:
        return {"ok": True, "detail": ""}
    path = getattr(asr, "model_path", None)
    missing = path is not None and model_problem(path)
    return {"ok": False, "detail": "model missing" if missing else _without_paths(asr.unavailable)}


def _disk(request: web.Request) -> dict[str, Any]:
    """Free space and writability of the data dir."""
    data_dir = Path(request.app[SETTINGS].data_dir)
    try:
        free_mb = shutil.disk_usage(data_dir).free // (1 << 20)
    except OSError as exc:
        return {"ok": False, "detail": exc.strerror or str(exc)}
    writable = os.access(data_dir, os.W_OK)
    ok = writable and free_mb >= MIN_FREE_MB
    return {"ok": ok, "free_mb": free_mb, "detail": "" if writable else "data_dir is not writable"}


async def healthz(request: web.Request) -> web.StreamResponse:
    """Every part's state; 200 when TVs can be served, 503 when they cannot."""
    tts, asr = request.app[TTS], request.app[ASR]
    parts = {
        "database": await _database(request),
        "pages": {"ok": False, "detail": "not tried: no database"},
        "speech": {"ok": tts.available, "detail": _without_paths(tts.unavailable)},
        "voice_input": _voice_input(asr),
        "platform": _platform(request),
        "disk": _disk(request),
    }
    if parts["database"]["ok"]:
        parts["pages"] = await _pages(request)
    serving = parts["database"]["ok"] and parts["pages"]["ok"]
    snapshot = request.app[PUBLISHED].snapshot
    # sent at once, so that the error-page middleware leaves a 503 as JSON for the monitor
    return await json_answer(request, 200 if serving else 503, {
        "status": "ok" if serving else "failing",
        "degraded": [name for name, part in parts.items() if not part["ok"]],
        "parts": parts,
        "version": __version__,
        "city": snapshot.city.name,
        "content": {"guides": len(snapshot.guides), "halls": len(snapshot.halls),
                    "policies": len(snapshot.policies)},
    })
