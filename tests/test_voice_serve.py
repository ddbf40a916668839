"""The portal run exactly as the README says (``make run``: ``python -m tvportal serve``, default settings,
the relative data dir ./tvportal-data in a fresh working directory): a new sentence within 5 s, and an
exit within 5 s of SIGTERM in every state, a hung (SIGSTOPped) speech worker included (issue 10: every
new sentence waited 15 s and failed, and SIGTERM was ignored for over 50 s)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.browser import free_port
from voice.warmup import script_sentences

REPO = Path(__file__).resolve().parent.parent
EXIT_LIMIT = 5.0



def start(cwd: Path, port: int, settings: dict[str, str] | None = None) -> subprocess.Popen:
    """``python -m tvportal serve`` as the README's ``make run`` runs it: no settings but the port (and
    ``settings`` as TVPORTAL_* variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TVPORTAL_")}
    env["PYTHONPATH"] = str(REPO)
    env.update(settings or {})
    with open(cwd / "serve.log", "wb") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "tvportal", "serve", "--port", str(port)], cwd=cwd, env=env,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    """Status and body of a GET (errors as their status)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_healthy(proc: subprocess.Popen, port: int, cwd: Path) -> None:
    """Until /healthz answers (the first start loads the demo content)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, (cwd / "serve.log").read_text(errors="replace")[-3000:]
        try:
            if get(port, "/healthz", 2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("portal did not start")


def workers_of(pid: int) -> list[int]:
    """The speech worker processes started by ``pid``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid and b"voice.tts_worker" in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def stop_within(proc: subprocess.Popen, limit: float = EXIT_LIMIT) -> float:
    """SIGTERM, then the seconds until the process has exited (killed and failed past ``limit``)."""
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"still running {limit} s after SIGTERM") from None
    took = time.monotonic() - began
    print(f"exited {took:.2f} s after SIGTERM")
    return took


def tts_path(sentence: tuple[str, str], data: dict) -> str:
    """The speech URL a TV asks for a sentence of a page's script."""
    text, signature = sentence
    query = {"t": text, "l": data.get("l", "zh_CN"), "r": data.get("r", "slow")}
    if signature:
        query["s"] = signature
    return "/voice/tts?" + urllib.parse.urlencode(query)


@pytest.fixture
def fresh_dir(tmp_path):
    """A fresh working directory, as a new user's checkout."""
    cwd = tmp_path / "checkout"
    cwd.mkdir()
    return cwd


def test_readme_run_speaks_a_new_sentence_within_5_s(fresh_dir):
    """Default settings in a fresh working directory: a sentence of the home page, new to the cache, in 5 s."""
    port = free_port()
    proc = start(fresh_dir, port)
    try:
        wait_healthy(proc, port, fresh_dir)
        status, html = get(port, "/")
        data, sentences = script_sentences(html.decode("utf-8"))
        assert status == 200 and sentences
        cache = fresh_dir / "tvportal-data" / "speech-cache"  # the README's relative data dir
        before = set(cache.glob("*/*.mp3"))
        began = time.monotonic()
        status, body = get(port, tts_path(sentences[0], data), timeout=EXIT_LIMIT)
        took = time.monotonic() - began
        assert status == 200 and len(body) > 300, body[:200]
        assert took < 5.0
        assert set(cache.glob("*/*.mp3")) - before  # it was new: synthesised into ./tvportal-data
        assert stop_within(proc) < EXIT_LIMIT
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("marker", ["", "Running upgrade", "loading demo content"])
def test_sigterm_during_start_up(fresh_dir, marker):
    """SIGTERM while the portal starts (at once; while migrating; while loading the demo content, with the
    speech worker starting): gone within 5 s."""
    proc = start(fresh_dir, free_port())
    try:
        deadline = time.monotonic() + 60
        while marker and marker not in (fresh_dir / "serve.log").read_text(errors="replace"):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        stop_within(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("state", ["idle", "warming up", "hung worker"])
def test_sigterm_exits_within_5_s(fresh_dir, state):
    """Serving, warming up after start, or with the speech worker stopped (SIGSTOP) while a TV waits
    for a new sentence: the portal exits within 5 s of SIGTERM and leaves no worker behind."""
    port = free_port()
    proc = start(fresh_dir, port)
    answers: list[int] = []
    try:
        wait_healthy(proc, port, fresh_dir)
        status, html = get(port, "/")
        data, sentences = script_sentences(html.decode("utf-8"))
        assert get(port, tts_path(sentences[0], data))[0] == 200  # the worker runs
        workers = workers_of(proc.pid)
        assert workers
        if state == "warming up":
            time.sleep(6)  # the warm-up starts 5 s after start
        if state == "hung worker":
            os.kill(workers[0], signal.SIGSTOP)

            def ask() -> None:
                try:
                    answers.append(get(port, tts_path(sentences[1], data), timeout=20)[0])
                except OSError:
                    answers.append(0)  # the connection closed as the portal left: also an answer

            waiting = threading.Thread(target=ask)
            waiting.start()
            time.sleep(1.0)  # the request waits for the hung worker
        took = stop_within(proc)
        assert took < EXIT_LIMIT
        if state == "hung worker":
            waiting.join(10)
            assert answers and answers[0] != 200
        for pid in workers:
            assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in workers_of(proc.pid):
            os.kill(pid, signal.SIGKILL)


def test_sigterm_while_a_tv_listens(fresh_dir):
    """A TV's voice-command WebSocket is open (it would wait 20 s for audio): SIGTERM still ends the
    portal within 5 s."""
    import asyncio

    import aiohttp

    from tests.voice_audio import TINY_MODEL

    port = free_port()
    proc = start(fresh_dir, port, {"TVPORTAL_VOICE_MODEL_PATH": str(TINY_MODEL)})
    opened = threading.Event()

    async def listen() -> None:
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/voice/listen") as ws:
                opened.set()
                async for _msg in ws:
                    pass

    try:
        wait_healthy(proc, port, fresh_dir)
        tv = threading.Thread(target=lambda: asyncio.run(listen()), daemon=True)
        tv.start()
        assert opened.wait(10)
        assert stop_within(proc) < EXIT_LIMIT
        tv.join(5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
