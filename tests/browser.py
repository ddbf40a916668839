"""Helpers for the tests that drive the real headless Chromium (Debian package) with Playwright.

The portal runs as a real ``tvportal serve`` process; the browser presses keys like a remote.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def portal(data_dir: Path, *extra_env: tuple[str, str], port: int | None = None):
    """Run ``tvportal serve`` in a child process (on ``port``, else a free one); yield its base URL."""
    port = port or free_port()
    env = dict(os.environ, **dict(extra_env))
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "serve.log"
    with open(log_path, "wb") as log:  # a file, not a pipe: a chatty server must never block on a full pipe
        proc = subprocess.Popen([sys.executable, "-m", "tvportal", "serve", "--port", str(port), "--data-dir",
                                 str(data_dir)], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # demo content loads slowly while other test sessions share the cores
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("portal did not start: " + log_path.read_text(errors="replace"))
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def launch(playwright, user_data_dir: Path):
    """Headless Debian Chromium with a fresh profile, at the TV's 1280x720."""
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 720})


def wait_for(page, expression: str, seconds: float = 20) -> None:
    """Wait until a JavaScript expression is true on the page. Not Playwright's wait_for_function: it polls
    through an eval that the pages' CSP (no 'unsafe-eval') refuses whenever the first check is false."""
    for _tick in range(int(seconds * 20)):
        try:
            if page.evaluate(f"() => !!({expression})"):
                return
        except Exception:  # a page was being replaced while it was read
            pass
        page.wait_for_timeout(50)
    raise AssertionError(f"not true after {seconds} s: {expression}")


def focused_id(page) -> str:
    """Id of the element that has focus, once the runtime's real focus has followed its mark: after a key
    the mark moves at once and el.focus() comes when the keys pause (0.15 s, remote_nav/static/nav.js)."""
    return page.evaluate("""new Promise(r => {
      const until = Date.now() + 3000;
      (function look() {
        const id = document.activeElement && document.activeElement.id, nav = window.tvnav;
        if (!nav || !nav.current() || id == nav.current() || Date.now() > until) r(id);
        else setTimeout(look, 20);
      })();
    })""")


def settled(page, seconds: float = 20) -> None:
    """Wait until a keypad's 确认 has its answer on screen: the runtime sends it without a page load and
    shows the same keypad again in place or writes the next screen in place of this one."""
    probe = "document.readyState == 'complete' && !!window.tvnav && !tvnav.busy() && !!tvnav.current()"
    for _tick in range(int(seconds * 10)):
        try:
            if page.evaluate(probe):
                return
        except Exception:  # a page was being replaced while it was read
            pass
        page.wait_for_timeout(100)
    raise TimeoutError(f"the keypad's answer did not come on {page.url}")
