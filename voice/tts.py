"""Text to speech for the portal: a libespeak-ng worker process, MP3 encoding and an on-disk cache.

The worker (voice/tts_worker.py) owns the only espeak-ng instance; one task here feeds it the jobs of
the fair queue (voice/tts_queue.py), times out a hung worker and starts a fresh one.  WAV output is
encoded to 16 kbit/s MP3 (2 KB per second of speech) for slow rural links and stored under a hash of
everything that shaped the audio, so each sentence is synthesised once per deployment.

Shutting down never waits for speech: ``close`` fails every waiting request at once and kills the
worker, so a hung worker cannot hold the portal past SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes.util
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from voice.tts_queue import BACKGROUND, Budget, Busy, FairQueue, Job
from voice.tts_worker import engine_version

log = logging.getLogger(__name__)

VOICES = {"zh_CN": "cmn-latn-pinyin", "en": "gmw/en"}
_HAN = re.compile(r"[\u3400-\u9fff]")


def voice_for(text: str, locale: str) -> str:
    """The espeak-ng voice of a sentence: Chinese characters always take the Mandarin voice, whatever the TV's
    language (an English TV still shows Chinese guide content; the English voice would spell each character
    as "Chinese letter", fail the rate check and get a 503)."""
    return VOICES["zh_CN"] if _HAN.search(text) else VOICES[locale]
RATES = {"slow": 130, "normal": 165}  # words per minute; slow suits elderly listeners
VOLUME = 100  # espeak-ng amplitude of every file; the listener's loudness is applied by the TV's player
MAX_CHARS = 400
MP3_KBITS = 16
ENCODING = f"sox -v 0.95 16000 Hz mono {MP3_KBITS} kbit/s mp3"  # part of the cache key
MAX_CACHED = 50_000  # sentences kept on disk (~2 KB per second of speech: roughly 300 MB at most)
SPEAK_TIMEOUT = 5.0  # seconds for one sentence: espeak-ng needs ~20 ms; more means the worker hangs
START_TIMEOUT = 10.0

__all__ = ["Busy", "MAX_CHARS", "RATES", "TtsError", "TtsService", "VOICES", "speech_key"]


class TtsError(RuntimeError):
    """Speech could not be produced for this request."""


def missing_parts() -> str:
    """What this machine lacks for speech output; empty when nothing is missing."""
    if not shutil.which("espeak-ng") or not ctypes.util.find_library("espeak-ng"):
        return "espeak-ng"
    if not shutil.which("sox"):
        return "sox"
    return ""


def speech_key(text: str, voice: str, rate: int, volume: int = VOLUME, engine: str = "") -> str:
    """Cache key of one sentence: a hash of everything that shapes its audio."""
    shape = [text, voice, rate, volume, engine, ENCODING]
    return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode("utf-8")).hexdigest()[:40]


async def spawn(*args: str, **pipes: object) -> asyncio.subprocess.Process:
    """Start a process; a cancelled start kills it instead of hanging.

    Cancelling ``create_subprocess_exec`` itself can wait for ever in CPython 3.11 (the transport waits
    for pipes that were never connected): that made the portal ignore SIGTERM while a worker restarted.
    """
    task = asyncio.ensure_future(asyncio.create_subprocess_exec(*args, **pipes))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):  # starting takes milliseconds: wait for it, then end it
            await _end(await task)
        raise


async def _end(proc: asyncio.subprocess.Process) -> None:
    """Kill a process and reap it (SIGKILL ends a stopped process too)."""
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(proc.wait(), 3)


class Worker:
    """One worker process and the pipe to it."""

    def __init__(self, proc: asyncio.subprocess.Process, engine: str) -> None:
        """Wrap a started worker process."""
        self.proc = proc
        self.engine = engine
        self.next_id = 0

    @classmethod
    async def start(cls, timeout: float = START_TIMEOUT) -> Worker:
        """Start a worker and wait until its engine is ready."""
        proc = await spawn(sys.executable, "-m", "voice.tts_worker", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=str(Path(__file__).resolve().parent.parent))
        try:
            hello = json.loads(await asyncio.wait_for(proc.stdout.readline(), timeout) or b"{}")
        except (asyncio.TimeoutError, ValueError):
            hello = {"error": "no answer"}
        except BaseException:
            await asyncio.shield(_end(proc))
            raise
        if not hello.get("ready"):
            await _end(proc)
            raise TtsError("speech worker did not start: " + str(hello.get("error")))
        return cls(proc, hello.get("engine", ""))

    async def ask(self, text: str, voice: str, rate: int, out: str, timeout: float) -> float:
        """Have the worker write one WAV; its duration in seconds."""
        self.next_id += 1
        req = {"id": self.next_id, "text": text, "voice": voice, "rate": rate, "volume": VOLUME, "out": out}
        self.proc.stdin.write((json.dumps(req, ensure_ascii=False) + "\n").encode("utf-8"))
        await asyncio.wait_for(self.proc.stdin.drain(), timeout)
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if not line:
            raise ConnectionError("speech worker ended")
        reply = json.loads(line)
        if reply.get("rate"):
            raise ConnectionError("wrong rate: " + reply.get("error", ""))  # a fresh worker gets one more try
        if not reply.get("ok"):
            raise TtsError(reply.get("error", "speech failed"))
        return float(reply["seconds"])

    async def kill(self) -> None:
        """End the worker at once (it holds nothing worth saving; a stopped one ignores anything gentler)."""
        await _end(self.proc)


class TtsService:
    """Speech for the portal: cached MP3 files made by a worker process, new sentences queued fairly."""

    def __init__(self, cache_dir: Path, timeout: float = SPEAK_TIMEOUT, queue_size: int = 32,
                 per_device: int = 3, per_minute: int = 60, open_per_minute: int = 6) -> None:
        """Configure; ``start`` checks the machine and starts the worker.

        ``open_per_minute``: new sentences a minute per client address of text the portal did not sign (0: none).
        """
        # absolute: the worker process runs in another directory, and the README's default data dir is relative
        self.cache_dir = Path(cache_dir).resolve()
        self.timeout = timeout
        self.unavailable = "not started"  # why speech is off; empty when it works
        self.engine = ""
        self.worker: Worker | None = None
        self.restarts = 0
        self.synthesised = 0
        self.queue = FairQueue(queue_size, per_device, per_minute)
        # text of anyone's choosing costs the shared worker, so it has a small budget of its own per address
        self.open_budget = Budget(open_per_minute) if open_per_minute > 0 else None
        self._pending: dict[str, Job] = {}
        self._runner: asyncio.Task | None = None
        self.max_cached = MAX_CACHED
        self.cached_files = 0

    @property
    def available(self) -> bool:
        """Whether speech can be produced on this machine."""
        return not self.unavailable

    async def start(self) -> None:
        """Check for espeak-ng and sox, then start the worker in the background (the portal answers at once)."""
        missing = missing_parts()
        if missing:
            self.unavailable = f"{missing} is not installed"
            log.warning("reading aloud is unavailable: %s", self.unavailable)
            return
        self.engine = engine_version()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.unavailable = ""
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.cached_files = self._count()
        self._runner = asyncio.ensure_future(self._run())

    async def close(self) -> None:
        """Stop now: waiting requests fail at once, the worker is killed (on_shutdown and cleanup)."""
        if not self.unavailable:
            self.unavailable = "shutting down"
        runner, self._runner = self._runner, None
        if runner:
            runner.cancel()  # first: a failing job must not start a new worker now
        for job in self.queue.drain():
            if not job.future.done():
                job.future.set_exception(TtsError("shutting down"))
        if runner:
            await asyncio.gather(runner, return_exceptions=True)
        if self.worker:
            await self.worker.kill()
            self.worker = None

    stop = close

    def key(self, text: str, locale: str, rate: str) -> str:
        """Cache key of a sentence in a locale at a named rate."""
        return speech_key(" ".join(text.split()), voice_for(text, locale), RATES[rate], VOLUME, self.engine)

    def path_for(self, key: str) -> Path:
        """Where the MP3 of a cache key lives (two-level fan-out keeps folders small)."""
        return self.cache_dir / key[:2] / (key + ".mp3")

    def cached(self, text: str, locale: str, rate: str) -> Path | None:
        """The cached MP3 of a sentence, or None."""
        path = self.path_for(self.key(text, locale, rate))
        return path if path.exists() else None

    async def speech(self, text: str, locale: str = "zh_CN", rate: str = "slow", device: str = "local") -> Path:
        """The MP3 of ``text``: from the cache, else queued for ``device`` (BACKGROUND: warm-up work).

        Concurrent asks for one sentence share one job.  Raises Busy (a limit) or TtsError.
        """
        if not self.available:
            raise TtsError(self.unavailable)
        text = " ".join(text.split())
        if not text or len(text) > MAX_CHARS:
            raise TtsError("text empty or too long")
        key = self.key(text, locale, rate)
        path = self.path_for(key)
        if path.exists():
            return path
        job = self._pending.get(key)
        if job is None:
            job = Job(key, text, voice_for(text, locale), RATES[rate], path, device)
            self.queue.put(job)  # may raise Busy
            self._pending[key] = job
            job.future.add_done_callback(lambda f: self._pending.pop(key, None) and (f.cancelled() or f.exception()))
        elif device != BACKGROUND:
            self.queue.promote(job, device)
        job.waiters += 1
        try:
            return await asyncio.shield(job.future)
        except asyncio.CancelledError:
            # the TV moved on: a sentence nobody waits for is not made (unless it is being made)
            job.waiters -= 1
            if job.waiters == 0 and self.queue.discard(job):
                job.future.cancel()
            raise

    async def _run(self) -> None:
        """Start the worker, then feed it one job at a time, for ever."""
        try:
            await self._restart()
        except TtsError as exc:
            self.unavailable = str(exc)
            log.warning("reading aloud is unavailable: %s", exc)
            for job in self.queue.drain():
                job.future.set_exception(TtsError(self.unavailable))
            return
        while True:
            if self.worker is None:  # replaced at once after a failure, not when the next TV asks
                with contextlib.suppress(TtsError):
                    await self._restart()
            job = await self.queue.get()
            began = time.monotonic()
            try:
                result = await self._make(job)
            except asyncio.CancelledError:
                if not job.future.done():
                    job.future.set_exception(TtsError("shutting down"))
                raise
            except (TtsError, OSError) as exc:
                if not job.future.done():
                    job.future.set_exception(TtsError(str(exc)))
            else:
                if not job.future.done():
                    job.future.set_result(result)
            finally:
                self.queue.done(job, time.monotonic() - began)

    async def _make(self, job: Job) -> Path:
        """Synthesise and encode one sentence into the cache."""
        job.path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.scratch) as tmp:
            wav = os.path.join(tmp, "s.wav")
            await self._synthesise(job.text, job.voice, job.wpm, wav)
            mp3 = os.path.join(tmp, "s.mp3")
            await encode_mp3(wav, mp3)
            os.replace(mp3, job.path)
        self.synthesised += 1
        self.cached_files += 1
        if self.cached_files > self.max_cached:
            await asyncio.get_running_loop().run_in_executor(None, self._prune)
        return job.path

    @property
    def scratch(self) -> Path:
        """Where sentences are made before they move into the cache: beside it (one file system, so the move
        is atomic), not in it, so that another instance counting or pruning the cache on the same data dir
        never walks into a folder that vanishes under it (that stopped a second instance at start)."""
        return self.cache_dir.with_name(self.cache_dir.name + "-tmp")

    def _cached(self) -> list[Path]:
        """The cached files; a folder another instance removes meanwhile makes the walk start again."""
        for _attempt in range(3):
            try:
                return list(self.cache_dir.glob("*/*.mp3"))
            except OSError:
                continue
        return []

    def _count(self) -> int:
        """How many sentences are cached."""
        return len(self._cached())

    def _prune(self) -> None:
        """Delete the least recently written tenth of the cache (anyone can ask for any sentence)."""
        files = []
        for path in self._cached():
            with contextlib.suppress(OSError):  # deleted by another instance meanwhile
                files.append((path.stat().st_mtime, path))
        files.sort()
        for _time, old in files[: max(1, len(files) - self.max_cached * 9 // 10)]:
            old.unlink(missing_ok=True)
        self.cached_files = self._count()

    async def _synthesise(self, text: str, voice: str, wpm: int, wav: str) -> float:
        """One sentence through the worker; a hung, dead or wrong-rate worker is replaced and tried once more."""
        for attempt in (1, 2):
            if self.worker is None or self.worker.proc.returncode is not None:
                await self._restart()
            try:
                return await self.worker.ask(text, voice, wpm, wav, self.timeout)
            except (asyncio.TimeoutError, ConnectionError, OSError, ValueError) as exc:
                log.warning("speech worker failed (%r): restarting it", exc)
                await self.worker.kill()
                self.worker = None
                self.restarts += 1
                if attempt == 2 or isinstance(exc, asyncio.TimeoutError):
                    raise TtsError("speech worker failed") from exc
        raise AssertionError("unreachable")

    async def _restart(self) -> None:
        """Start a worker (the first one, or one after a failed one)."""
        try:
            worker = await Worker.start()
        except (TtsError, OSError) as exc:
            raise TtsError(str(exc)) from exc
        if worker.engine != self.engine:  # another espeak-ng than the cache keys name
            await worker.kill()
            raise TtsError(f"speech worker runs {worker.engine}, the portal expected {self.engine}")
        self.worker = worker


async def encode_mp3(wav: str, mp3: str) -> None:
    """WAV to 16 kHz mono 16 kbit/s MP3 with sox (libsox-fmt-mp3)."""
    proc = await spawn("sox", "-q", "-v", "0.95", wav, "-r", "16000", "-c", "1", "-C", str(MP3_KBITS), mp3,
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    except BaseException:  # timed out, or the caller was cancelled (shutdown): never leave sox running
        await asyncio.shield(_end(proc))
        raise
    if proc.returncode != 0 or not os.path.exists(mp3) or os.path.getsize(mp3) == 0:
        raise TtsError("MP3 encoding failed: " + err.decode("utf-8", "replace")[:200])

