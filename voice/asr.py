"""Speech recognition with vosk: the model is loaded once per process, each utterance gets its own
recognizer (recognizers are not thread-safe; the model is shared), decoding runs in threads.
"""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from voice.audio import RATE
from voice.grammar import UNK, Grammar, SnapshotGrammar

log = logging.getLogger(__name__)

# files every vosk model directory has; a partial unpack is refused before vosk sees it
REQUIRED = ("am/final.mdl", "conf/model.conf")
GRAPHS = (("graph/HCLr.fst", "graph/Gr.fst"), ("graph/HCLG.fst",))
CHUNK = 8000  # bytes fed per call: 0.25 s


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
    """One loaded vosk model and the threads that decode with it."""

    def __init__(self, model_path: Path, threads: int = 2) -> None:
        """Configure; ``load`` reads the model."""
        self.model_path = Path(model_path)
        self.model: Any = None
        self.unavailable = "not loaded"
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="vosk")
        self.grammars = SnapshotGrammar()  # the published snapshot's shared phrases, made once per publish

    @property
    def available(self) -> bool:
        """Whether voice input works."""
        return self.model is not None

    def find_word(self, word: str) -> int:
        """The model's id of a word, -1 when it is not in the vocabulary."""
        return self.model.vosk_model_find_word(word)

    async def load(self) -> None:
        """Load the model off the event loop (always from an explicit path: vosk never downloads)."""
        problem = model_problem(self.model_path)
        if problem:
            self.unavailable = problem
            log.warning("voice input is unavailable: %s", problem)
            return
        try:
            self.model = await asyncio.get_running_loop().run_in_executor(self.pool, _load_model, self.model_path)
        except Exception as exc:  # vosk raises a bare Exception for a broken model
            self.unavailable = f"model at {self.model_path} did not load: {exc}"
            log.warning("voice input is unavailable: %s", self.unavailable)
            return
        self.unavailable = ""

    def close(self) -> None:
        """Stop the decoding threads."""
        self.pool.shutdown(wait=True)

    def stream(self, grammar: Grammar) -> Stream:
        """A new utterance with its own recognizer."""
        return Stream(self, grammar)

    async def recognize(self, pcm: bytes, grammar: Grammar) -> dict[str, Any]:
        """Decode a whole utterance; ``{"text", "action"}``."""
        stream = self.stream(grammar)
        await stream.feed(pcm)
        return await stream.finish()


def _words(text: str) -> str:
    """Recognised words without [unk] (out-of-grammar speech or noise)."""
    return " ".join(w for w in text.split() if w != UNK)


def _load_model(path: Path) -> Any:
    """vosk.Model for a path (runs in a thread)."""
    import vosk

    vosk.SetLogLevel(-1)
    return vosk.Model(str(path))


class Stream:
    """One utterance being decoded: partial results while audio arrives, a final one at the end."""

    def __init__(self, recognizer: Recognizer, grammar: Grammar) -> None:
        """Create the utterance's own KaldiRecognizer with the page's grammar."""
        import vosk

        self.owner = recognizer
        self.grammar = grammar
        spec = grammar.to_json()
        # an empty grammar "[]" crashes vosk: without phrases, decode freely
        self.rec = (vosk.KaldiRecognizer(recognizer.model, RATE, spec) if spec
                    else vosk.KaldiRecognizer(recognizer.model, RATE))
        self.texts: list[str] = []
        self.ended = False
        self.lock = asyncio.Lock()  # one decoding call at a time on this recognizer

    def _feed(self, pcm: bytes) -> str:
        """Feed audio (thread); the partial text so far."""
        for i in range(0, len(pcm), CHUNK):
            if self.rec.AcceptWaveform(pcm[i:i + CHUNK]):
                text = json.loads(self.rec.Result()).get("text", "")
                text = _words(text)
                if text:
                    self.texts.append(text)
                    # trailing silence after words: the listener has finished speaking
                    self.ended = True
        partial = _words(json.loads(self.rec.PartialResult()).get("partial", ""))
        return " ".join([*self.texts, partial]).strip()

    def _finish(self) -> str:
        """The whole utterance's text (thread)."""
        text = _words(json.loads(self.rec.FinalResult()).get("text", ""))
        if text:
            self.texts.append(text)
        return self.texts

    async def feed(self, pcm: bytes) -> str:
        """Feed audio off the event loop; the partial text."""
        async with self.lock:
            return await asyncio.get_running_loop().run_in_executor(self.owner.pool, self._feed, pcm)

    async def finish(self) -> dict[str, Any]:
        """The final text and the action it maps to."""
        async with self.lock:
            segments = await asyncio.get_running_loop().run_in_executor(self.owner.pool, self._finish)
        # the first segment that means something wins: "首页 ... 首页" is one command said twice
        for segment in segments:
            action = self.grammar.action_for(segment)
            if action["do"] != "none":
                return {"text": segment, "action": action}
        text = " ".join(segments)
        return {"text": text, "action": self.grammar.action_for(text)}
