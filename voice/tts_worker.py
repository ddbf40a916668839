"""The text-to-speech worker process: one pyttsx3 engine (espeak-ng driver), one request at a time.

Run as ``python -m voice.tts_worker``.  Requests arrive as JSON lines on stdin; each answer is one
JSON line on the original stdout.  pyttsx3 prints "Audio saved to ..." on stdout, so fd 1 is
pointed at stderr and the protocol keeps a private duplicate of the real stdout.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import wave

FINISH_TIMEOUT = 20.0


def wav_seconds(path: str) -> float:
    """Duration of a WAV file in seconds; 0 when it is missing, empty or not a WAV."""
    try:
        with wave.open(path, "rb") as w:
            return w.getnframes() / float(w.getframerate() or 1)
    except (OSError, EOFError, wave.Error):
        return 0.0


class Speaker:
    """The process's only pyttsx3 engine, used strictly one call at a time."""

    def __init__(self) -> None:
        """Start the espeak-ng driver and listen for finished utterances."""
        import pyttsx3

        self.engine = pyttsx3.init(driverName="espeak")
        self.done = threading.Event()
        # runAndWait() can return before the WAV is written: finished-utterance is the real end.
        self.engine.connect("finished-utterance", lambda name, completed: self.done.set())

    def _once(self, text: str, voice: str, rate: int, out: str) -> float:
        """One synthesis attempt; the duration of what was written."""
        if os.path.exists(out):
            os.unlink(out)
        self.done.clear()
        # setProperty is queued: it takes effect inside the runAndWait below, before the utterance.
        self.engine.setProperty("voice", voice)
        self.engine.setProperty("rate", rate)
        self.engine.save_to_file(text, out)
        self.engine.runAndWait()
        self.done.wait(FINISH_TIMEOUT)
        return wav_seconds(out)

    def speak(self, text: str, voice: str, rate: int, out: str) -> float:
        """Write ``text`` as a WAV to ``out``; validated, retried once; the duration in seconds."""
        seconds = self._once(text, voice, rate, out)
        if seconds <= 0:
            seconds = self._once(text, voice, rate, out)
        if seconds <= 0:
            raise RuntimeError("no audio produced")
        return seconds


def main() -> None:
    """Serve requests until stdin closes."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        speaker = Speaker()
        proto.write(json.dumps({"ready": True}) + "\n")
    except Exception as exc:  # the parent reports TTS as unavailable and shows why in its log
        proto.write(json.dumps({"ready": False, "error": repr(exc)}) + "\n")
        return
    for line in sys.stdin:
        req = json.loads(line)
        try:
            seconds = speaker.speak(req["text"], req["voice"], int(req["rate"]), req["out"])
            reply = {"id": req["id"], "ok": True, "seconds": seconds}
        except Exception as exc:  # one bad request must not end the worker
            reply = {"id": req["id"], "ok": False, "error": repr(exc)}
        proto.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
