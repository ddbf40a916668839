"""Speech recognition with vosk, run in a worker process (voice/asr_worker.py) so that a damaged model,
which makes vosk abort with ASSERTION_FAILED, ends that worker and never the portal.

The worker decodes a test utterance before it says ready; a model that fails is reported unavailable
(``Recognizer.unavailable`` names why: settings page, /healthz).  A worker that dies while serving fails
the utterances in flight (AsrUnavailable: the TV hears that voice input is unavailable) and is started
again; after RESTARTS_ALLOWED deaths in a row it stays off.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from voice.grammar import GLOBAL, Choice, Grammar, SnapshotGrammar, shared_names, substrings
from voice.tts import spawn  # a cancelled start kills the process instead of hanging

log = logging.getLogger(__name__)

# files every vosk model directory has; a partial unpack is refused before vosk sees it
REQUIRED = ("am/final.mdl", "conf/model.conf")
GRAPHS = (("graph/HCLr.fst", "graph/Gr.fst"), ("graph/HCLG.fst",))
START_TIMEOUT = 120.0  # loading the small Chinese model and the test decode take a few seconds
CALL_TIMEOUT = 30.0
RESTARTS_ALLOWED = 3
MAX_KNOWN = 200_000  # looked-up words remembered; TVs send their own labels, so the memory is bounded


class AsrUnavailable(RuntimeError):
    """Voice input cannot answer now: no usable model, or the worker ended during the utterance."""


def model_problem(path: Path) -> str:
    """Why ``path`` is not a usable vosk model; empty when it looks complete."""
    if not path.is_dir():
        return f"no model folder at {path}"
    for name in REQUIRED:
        if not (path / name).is_file():
            return f"{path} lacks {name}"
    if not any(all((path / g).is_file() for g in graph) for graph in GRAPHS):
        return f"{path} has no decoding graph"
    return ""


class Recognizer:
    """The recognition worker of one portal process and the words its model knows."""

    def __init__(self, model_path: Path, threads: int = 2) -> None:
        """Configure; ``load`` starts the worker."""
        self.model_path = Path(model_path)
        self.threads = threads
        self.unavailable = "not loaded"
        self.proc: asyncio.subprocess.Process | None = None
        self.pending: dict[int, asyncio.Future] = {}
        self.next_id = 0
        self.known: dict[str, int] = {}
        self.grammars = SnapshotGrammar()  # the published snapshot's shared phrases, made once per publish
        self.deaths = 0  # worker deaths since the last utterance that finished
        self.closing = False
        self._tasks: set[asyncio.Task] = set()
        self._errors: collections.deque[str] = collections.deque(maxlen=5)

    @property
    def available(self) -> bool:
        """Whether voice input works."""
        return not self.unavailable

    @property
    def failed(self) -> bool:
        """A model is installed but does not work (not merely missing)."""
        return bool(self.unavailable) and not model_problem(self.model_path) and self.unavailable != "not loaded"

    def find_word(self, word: str) -> int:
        """The model's id of a word looked up by ``prepare``; -1 when it is not in the vocabulary."""
        return self.known.get(word, -1)

    async def load(self) -> None:
        """Start the worker, which loads the model and tests it (vosk never downloads: an explicit path)."""
        problem = model_problem(self.model_path)
        if problem:
            self.unavailable = problem
            log.warning("voice input is unavailable: %s", problem)
            return
        await self._start()

    async def _start(self) -> None:
        """Start a worker and wait for its ready (or its reason, or its death)."""
        self.proc = proc = await spawn(
            sys.executable, "-m", "voice.asr_worker", str(self.model_path.resolve()), str(self.threads),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=str(Path(__file__).resolve().parent.parent))
        self._spawn(self._drain_errors(proc))
        try:
            hello = json.loads(await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT) or b"{}")
        except (asyncio.TimeoutError, ValueError):
            hello = {}
        except BaseException:  # shutdown during start-up: the worker ends with it
            await asyncio.shield(_end(proc))
            raise
        if not hello.get("ready"):
            await _end(proc)
            await asyncio.sleep(0)  # the error reader takes the worker's last words
            why = hello.get("error") or (self._errors[-1] if self._errors else f"exit code {proc.returncode}")
            self.proc, self.unavailable = None, f"model at {self.model_path} failed its test decode: {why}"
            log.warning("voice input is unavailable: %s", self.unavailable)
            return
        self.unavailable = ""
        self._spawn(self._read(proc))

    def _spawn(self, coro: Any) -> None:
        """Run a task of this recognizer (kept referenced until it ends)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain_errors(self, proc: asyncio.subprocess.Process) -> None:
        """Keep the worker's last stderr lines (vosk's reason for an abort) without letting the pipe fill."""
        while line := await proc.stderr.readline():
            text = line.decode("utf-8", "replace").strip()
            if text:
                self._errors.append(text[:300])

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        """Hand each answer to its caller; when the worker dies, fail what was in flight and start another."""
        while line := await proc.stdout.readline():
            answer = json.loads(line)
            future = self.pending.pop(answer.get("id"), None)
            if future is not None and not future.done():
                future.set_result(answer)
        code = await proc.wait()
        if self.closing or self.proc is not proc:
            return
        self.proc = None
        self.deaths += 1
        why = self._errors[-1] if self._errors else f"exit code {code}"
        log.error("speech recognition worker ended (%s); %d in flight failed", why, len(self.pending))
        for future in self.pending.values():
            if not future.done():
                future.set_exception(AsrUnavailable(why))
        self.pending.clear()
        if self.deaths > RESTARTS_ALLOWED:
            self.unavailable = f"speech recognition worker ended {self.deaths} times: {why}"
            return
        self.unavailable = "restarting"
        await self._start()

    async def call(self, req: dict[str, Any], pcm: bytes = b"") -> dict[str, Any]:
        """One request to the worker; AsrUnavailable when it cannot answer."""
        proc = self.proc
        if self.unavailable or proc is None:
            raise AsrUnavailable(self.unavailable or "not loaded")
        self.next_id += 1
        rid = self.next_id
        future = asyncio.get_running_loop().create_future()
        self.pending[rid] = future
        try:
            head = json.dumps({**req, "id": rid, "n": len(pcm)}, ensure_ascii=False).encode("utf-8")
            proc.stdin.write(head + b"\n" + pcm)
            await proc.stdin.drain()
            answer = await asyncio.wait_for(future, CALL_TIMEOUT)
        except (ConnectionError, asyncio.TimeoutError) as exc:
            raise AsrUnavailable(str(exc) or "no answer") from None
        finally:
            self.pending.pop(rid, None)
        if "error" in answer:
            raise AsrUnavailable(answer["error"])
        return answer

    async def prepare(self, phrases: Iterable[str]) -> None:
        """Look up, in one request, every word ``segment`` may try for these phrases."""
        missing = sorted(w for w in substrings(phrases) if w not in self.known)
        if not missing:
            return
        ids = (await self.call({"op": "words", "words": missing}))["ids"]
        if len(self.known) + len(missing) > MAX_KNOWN:
            self.known.clear()
        self.known.update(zip(missing, ids))

    async def page_grammar(self, snapshot: object, choices: Iterable[Choice]) -> Grammar:
        """The grammar of a page: its choices on top of the snapshot's shared phrases."""
        choices = list(choices)
        shared = shared_names(snapshot) if self.grammars.snapshot is not snapshot else []
        await self.prepare([*GLOBAL, *shared, *(c.label for c in choices)])
        return self.grammars.page(snapshot, self.find_word, choices)

    async def close(self) -> None:
        """End the worker (it holds nothing worth saving)."""
        self.closing = True
        if self.proc is not None:
            with contextlib.suppress(Exception):
                self.proc.stdin.close()
            await _end(self.proc, grace=3)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def stream(self, grammar: Grammar) -> Stream:
        """A new utterance with its own recognizer in the worker."""
        return Stream(self, grammar)

    async def recognize(self, pcm: bytes, grammar: Grammar) -> dict[str, Any]:
        """Decode a whole utterance; ``{"text", "action"}``."""
        stream = self.stream(grammar)
        await stream.feed(pcm)
        return await stream.finish()


async def _end(proc: asyncio.subprocess.Process, grace: float = 0) -> None:
    """Wait ``grace`` seconds for a process to end, then kill and reap it."""
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(proc.wait(), grace)
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(proc.wait(), 3)


class Stream:
    """One utterance being decoded in the worker: partial results while audio arrives, a final one at the end."""

    def __init__(self, recognizer: Recognizer, grammar: Grammar) -> None:
        """Nothing is sent before the first audio (a TV may open the socket and never speak)."""
        recognizer.next_id += 1
        self.owner = recognizer
        self.grammar = grammar
        self.uid = recognizer.next_id
        self.opened = False
        self.ended = False
        self.finished = False
        self.lock = asyncio.Lock()  # one request at a time on this utterance

    async def _open(self) -> None:
        """Create the utterance's recognizer with the page's grammar."""
        if not self.opened:
            await self.owner.call({"op": "open", "u": self.uid, "grammar": self.grammar.to_json()})
            self.opened = True

    async def feed(self, pcm: bytes) -> str:
        """Feed audio; the partial text."""
        async with self.lock:
            await self._open()
            answer = await self.owner.call({"op": "feed", "u": self.uid}, pcm)
        self.ended = answer["ended"]
        return answer["partial"]

    async def finish(self) -> dict[str, Any]:
        """The final text and the action it maps to."""
        async with self.lock:
            await self._open()
            self.finished = True
            segments = (await self.owner.call({"op": "finish", "u": self.uid}))["segments"]
        self.owner.deaths = 0
        # the first segment that means something wins: "首页 ... 首页" is one command said twice
        for segment in segments:
            action = self.grammar.action_for(segment)
            if action["do"] != "none":
                return {"text": segment, "action": action}
        text = " ".join(segments)
        return {"text": text, "action": self.grammar.action_for(text)}

    async def drop(self) -> None:
        """Forget an utterance that will not be finished (the TV went away)."""
        if self.opened and not self.finished:
            with contextlib.suppress(AsrUnavailable):
                await self.owner.call({"op": "drop", "u": self.uid})
