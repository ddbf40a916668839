"""The speech-recognition worker process: the only place vosk runs.

Run as ``python -m voice.asr_worker MODEL_DIR``.  A damaged model (an empty conf/model.conf, a corrupt
graph) makes vosk abort the whole process with ASSERTION_FAILED, which no Python code can catch: here
that ends this worker only, and the portal reports voice input unavailable (voice/asr.py).

Before saying ``ready`` the worker decodes a second of silence and of noise, with and without a grammar,
so that a model that loads but cannot decode is found at start, not by the first TV.

Protocol: each request is one JSON line on stdin, followed by ``n`` bytes of audio when it has ``n``;
each answer is one JSON line on stdout with the request's ``id``.  Requests of different utterances are
decoded on a few threads; one utterance's requests arrive one after another.
"""

from __future__ import annotations

import json
import random
import struct
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO

RATE = 16000
CHUNK = 8000  # bytes fed per call: 0.25 s
UNK = "[unk]"


def _words(text: str) -> str:
    """Recognised words without [unk] (out-of-grammar speech or noise)."""
    return " ".join(w for w in text.split() if w != UNK)


class Utterance:
    """One utterance's own KaldiRecognizer (recognizers are not thread-safe; the model is shared)."""

    def __init__(self, vosk: Any, model: Any, spec: str | None) -> None:
        """A recognizer with the page's grammar; an empty grammar "[]" crashes vosk, so none decodes freely."""
        self.rec = vosk.KaldiRecognizer(model, RATE, spec) if spec else vosk.KaldiRecognizer(model, RATE)
        self.texts: list[str] = []
        self.ended = False

    def feed(self, pcm: bytes) -> str:
        """Feed audio; the partial text so far."""
        for i in range(0, len(pcm), CHUNK):
            if self.rec.AcceptWaveform(pcm[i:i + CHUNK]):
                text = _words(json.loads(self.rec.Result()).get("text", ""))
                if text:
                    self.texts.append(text)
                    self.ended = True  # trailing silence after words: the listener has finished speaking
        partial = _words(json.loads(self.rec.PartialResult()).get("partial", ""))
        return " ".join([*self.texts, partial]).strip()

    def finish(self) -> list[str]:
        """The utterance's text segments."""
        text = _words(json.loads(self.rec.FinalResult()).get("text", ""))
        if text:
            self.texts.append(text)
        return self.texts


def self_test(vosk: Any, model: Any) -> None:
    """Decode silence and noise freely and with a grammar (an unusable model aborts or raises here)."""
    rnd = random.Random(7)
    noise = struct.pack(f"<{RATE}h", *(rnd.randint(-3000, 3000) for _ in range(RATE)))
    for spec in (None, json.dumps(["首页", UNK], ensure_ascii=False)):
        utterance = Utterance(vosk, model, spec)
        utterance.feed(b"\0\0" * RATE + noise)
        utterance.finish()


class Worker:
    """The loaded model, the open utterances and the pipe back to the portal."""

    def __init__(self, model_dir: str, threads: int, out: BinaryIO) -> None:
        """Load the model (raises when vosk refuses it)."""
        import vosk

        vosk.SetLogLevel(-1)
        self.vosk = vosk
        self.model = vosk.Model(model_dir)
        self.utterances: dict[int, Utterance] = {}
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="vosk")
        self.out = out
        self.lock = threading.Lock()

    def send(self, answer: dict[str, Any]) -> None:
        """Write one answer line (threads take turns)."""
        line = (json.dumps(answer, ensure_ascii=False) + "\n").encode("utf-8")
        with self.lock:
            self.out.write(line)
            self.out.flush()

    def handle(self, req: dict[str, Any], pcm: bytes) -> None:
        """Run one request and answer it; a Python error is an answer, not the end of the worker."""
        rid, op = req.get("id"), req.get("op")
        try:
            if op == "words":
                answer: dict[str, Any] = {"ids": [self.model.vosk_model_find_word(w) for w in req["words"]]}
            elif op == "open":
                self.utterances[req["u"]] = Utterance(self.vosk, self.model, req.get("grammar"))
                answer = {}
            elif op == "feed":
                utterance = self.utterances[req["u"]]
                answer = {"partial": utterance.feed(pcm), "ended": utterance.ended}
            elif op == "finish":
                answer = {"segments": self.utterances.pop(req["u"]).finish()}
            elif op == "drop":
                self.utterances.pop(req["u"], None)
                answer = {}
            else:
                answer = {"error": f"unknown request {op!r}"}
        except Exception as exc:  # noqa: BLE001 - vosk raises bare Exception; the portal gets it as an answer
            answer = {"error": str(exc) or type(exc).__name__}
        self.send({"id": rid, **answer})

    def serve(self, stdin: BinaryIO) -> None:
        """Read requests until the portal closes the pipe."""
        while True:
            line = stdin.readline()
            if not line:
                return
            req = json.loads(line)
            pcm = stdin.read(req.get("n", 0)) if req.get("n") else b""
            self.pool.submit(self.handle, req, pcm)


def main(argv: list[str]) -> int:
    """Load, test, say ready, serve."""
    out = sys.stdout.buffer
    threads = int(argv[1]) if len(argv) > 1 else 2
    try:
        worker = Worker(argv[0], threads, out)
        self_test(worker.vosk, worker.model)
    except Exception as exc:  # noqa: BLE001 - reported to the portal as the reason voice input is off
        out.write((json.dumps({"error": str(exc) or type(exc).__name__}) + "\n").encode("utf-8"))
        out.flush()
        return 1
    worker.send({"ready": True})
    worker.serve(sys.stdin.buffer)
    worker.pool.shutdown(wait=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
