"""Text to speech for the portal: a pyttsx3 worker process, MP3 encoding and an on-disk cache.

The worker (voice/tts_worker.py) owns the only pyttsx3 engine; this side sends it one request at
a time, times out a hung worker and starts a fresh one.  WAV output is encoded to 16 kbit/s MP3
(2 KB per second of speech) for slow rural links and stored under a hash of (text, voice, rate),
so each sentence is synthesised once per deployment.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes.util
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

VOICES = {"zh_CN": "cmn-latn-pinyin", "en": "gmw/en"}
RATES = {"slow": 130, "normal": 165}  # words per minute; slow suits elderly listeners
MAX_CHARS = 400
MP3_KBITS = 16
MAX_CACHED = 50_000  # sentences kept on disk (~2 KB per second of speech: roughly 300 MB at most)


class TtsError(RuntimeError):
    """Speech could not be produced for this request."""


def missing_parts() -> str:
    """What this machine lacks for speech output; empty when nothing is missing."""
    if not shutil.which("espeak-ng") or not ctypes.util.find_library("espeak-ng"):
        return "espeak-ng"
    if not shutil.which("sox"):
        return "sox"
    if importlib.util.find_spec("pyttsx3") is None:
        return "pyttsx3"
    return ""


def speech_key(text: str, voice: str, rate: int) -> str:
    """Cache key of one sentence: a hash of what changes the audio."""
    return hashlib.sha256(json.dumps([text, voice, rate], ensure_ascii=False).encode("utf-8")).hexdigest()[:40]


class Worker:
    """One worker process and the pipe to it."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        """Wrap a started worker process."""
        self.proc = proc
        self.next_id = 0

    @classmethod
    async def start(cls, timeout: float) -> Worker:
        """Start a worker and wait until its engine is ready."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "voice.tts_worker", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, cwd=str(Path(__file__).resolve().parent.parent))
        worker = cls(proc)
        try:
            hello = json.loads(await asyncio.wait_for(proc.stdout.readline(), timeout) or b"{}")
        except (asyncio.TimeoutError, ValueError):
            hello = {"error": "no answer"}
        if not hello.get("ready"):
            await worker.stop()
            raise TtsError("speech worker did not start: " + str(hello.get("error")))
        return worker

    async def ask(self, text: str, voice: str, rate: int, out: str, timeout: float) -> float:
        """Have the worker write one WAV; its duration in seconds."""
        self.next_id += 1
        req = {"id": self.next_id, "text": text, "voice": voice, "rate": rate, "out": out}
        self.proc.stdin.write((json.dumps(req, ensure_ascii=False) + "\n").encode("utf-8"))
        await self.proc.stdin.drain()
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if not line:
            raise ConnectionError("speech worker ended")
        reply = json.loads(line)
        if not reply.get("ok"):
            raise TtsError(reply.get("error", "speech failed"))
        return float(reply["seconds"])

    async def stop(self) -> None:
        """End the worker: close its input, then kill it if it does not leave."""
        if self.proc.returncode is None:
            try:
                self.proc.stdin.close()
                await asyncio.wait_for(self.proc.wait(), 3)
            except (asyncio.TimeoutError, OSError):
                self.proc.kill()
                await self.proc.wait()


class TtsService:
    """Speech for the portal: cached MP3 files made by a worker process."""

    def __init__(self, cache_dir: Path, timeout: float = 15.0) -> None:
        """Configure; ``start`` checks the machine and starts the worker."""
        # absolute: the worker process runs in another directory, and the README's default data dir is relative
        self.cache_dir = Path(cache_dir).resolve()
        self.timeout = timeout
        self.unavailable = "not started"  # why speech is off; empty when it works
        self.worker: Worker | None = None
        self.restarts = 0
        self._lock = asyncio.Lock()  # one request at a time on the one engine
        self._pending: dict[str, asyncio.Future] = {}
        self._starting: asyncio.Future | None = None
        self.max_cached = MAX_CACHED
        self.cached_files = 0

    @property
    def available(self) -> bool:
        """Whether speech can be produced on this machine."""
        return not self.unavailable

    async def start(self) -> None:
        """Check for espeak-ng, sox and pyttsx3, then start the worker."""
        missing = missing_parts()
        if missing:
            self.unavailable = f"{missing} is not installed"
            log.warning("reading aloud is unavailable: %s", self.unavailable)
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.unavailable = ""
        self.cached_files = sum(1 for _ in self.cache_dir.glob("*/*.mp3"))
        # the worker starts in the background: the portal answers at once, speech waits for it
        self._starting = asyncio.ensure_future(self._first_start())

    async def _first_start(self) -> None:
        """Start the first worker; a failure marks speech unavailable."""
        try:
            self.worker = await Worker.start(self.timeout)
        except (TtsError, OSError) as exc:
            self.unavailable = str(exc)
            log.warning("reading aloud is unavailable: %s", exc)

    async def stop(self) -> None:
        """Stop the worker process."""
        if self._starting:
            await asyncio.gather(self._starting, return_exceptions=True)
        if self.worker:
            await self.worker.stop()
            self.worker = None

    def path_for(self, key: str) -> Path:
        """Where the MP3 of a cache key lives (two-level fan-out keeps folders small)."""
        return self.cache_dir / key[:2] / (key + ".mp3")

    def cached(self, text: str, locale: str, rate: str) -> Path | None:
        """The cached MP3 of a sentence, or None."""
        path = self.path_for(speech_key(text, VOICES[locale], RATES[rate]))
        return path if path.exists() else None

    async def speech(self, text: str, locale: str = "zh_CN", rate: str = "slow") -> Path:
        """The MP3 of ``text``: from the cache, else synthesised once (concurrent asks share the work)."""
        if not self.available:
            raise TtsError(self.unavailable)
        text = " ".join(text.split())
        if not text or len(text) > MAX_CHARS:
            raise TtsError("text empty or too long")
        voice, wpm = VOICES[locale], RATES[rate]
        key = speech_key(text, voice, wpm)
        path = self.path_for(key)
        if path.exists():
            return path
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._make(text, voice, wpm, path))
            self._pending[key] = pending
            pending.add_done_callback(lambda _f: self._pending.pop(key, None))
        return await asyncio.shield(pending)

    async def _make(self, text: str, voice: str, wpm: int, path: Path) -> Path:
        """Synthesise and encode one sentence into the cache."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.cache_dir) as tmp:
            wav = os.path.join(tmp, "s.wav")
            await self._synthesise(text, voice, wpm, wav)
            mp3 = os.path.join(tmp, "s.mp3")
            await encode_mp3(wav, mp3)
            os.replace(mp3, path)
        self.cached_files += 1
        if self.cached_files > self.max_cached:
            await asyncio.get_running_loop().run_in_executor(None, self._prune)
        return path

    def _prune(self) -> None:
        """Delete the least recently written tenth of the cache (anyone can ask for any sentence)."""
        files = sorted(self.cache_dir.glob("*/*.mp3"), key=lambda f: f.stat().st_mtime)
        for old in files[: max(1, len(files) - self.max_cached * 9 // 10)]:
            old.unlink(missing_ok=True)
        self.cached_files = sum(1 for _ in self.cache_dir.glob("*/*.mp3"))

    async def _synthesise(self, text: str, voice: str, wpm: int, wav: str) -> float:
        """One worker call; a hung or dead worker is replaced and the call fails."""
        async with self._lock:
            if self._starting:
                await self._starting
                if not self.available:
                    raise TtsError(self.unavailable)
            if self.worker is None or self.worker.proc.returncode is not None:
                await self._restart()
            try:
                return await self.worker.ask(text, voice, wpm, wav, self.timeout)
            except (asyncio.TimeoutError, ConnectionError, OSError, ValueError) as exc:
                log.warning("speech worker failed (%r): restarting it", exc)
                await self._restart()
                raise TtsError("speech worker timed out") from exc

    async def _restart(self) -> None:
        """Kill the current worker (if any) and start a new one."""
        if self.worker:
            if self.worker.proc.returncode is None:
                self.worker.proc.kill()
                await self.worker.proc.wait()
        self.restarts += 1
        self.worker = await Worker.start(self.timeout)


async def encode_mp3(wav: str, mp3: str) -> None:
    """WAV to 16 kHz mono 16 kbit/s MP3 with sox (libsox-fmt-mp3)."""
    proc = await asyncio.create_subprocess_exec(
        "sox", "-q", "-v", "0.95", wav, "-r", "16000", "-c", "1", "-C", str(MP3_KBITS), mp3,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    except BaseException:  # timed out, or the caller was cancelled (shutdown): never leave sox running
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
        raise
    if proc.returncode != 0 or not os.path.exists(mp3) or os.path.getsize(mp3) == 0:
        raise TtsError("MP3 encoding failed: " + err.decode("utf-8", "replace")[:200])
