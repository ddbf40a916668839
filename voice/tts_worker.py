"""The text-to-speech worker process: libespeak-ng driven directly, one request at a time.

Run as ``python -m voice.tts_worker``.  Requests arrive as JSON lines on stdin; each answer is one
JSON line on stdout.

Why not pyttsx3: its espeak driver runs property changes through a command queue whose timing depends
on the previous utterance, so of eight fresh workers five said "normal" at the slow rate (issue 10).
Here every utterance sets voice, rate and volume itself, synthesises synchronously in this thread, and
reads the parameters back before and after; a mismatch is an error, never a silently wrong file.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import sys
import wave

SYNCHRONOUS = 2  # AUDIO_OUTPUT_SYNCHRONOUS: Synth returns when every sample went through the callback
RATE, VOLUME = 1, 2  # espeak_PARAMETER
CHARS_UTF8, ENDPAUSE, POS_CHARACTER = 1, 0x1000, 1
# Said before every utterance at its rate: espeak-ng is deterministic, so the probe's length times the
# rate stays within a few per cent of its length at REFERENCE wpm (4 % from 130 to 165 wpm), while a
# wrong rate (165 instead of 130, or back) is 25 % off.
PROBES = {"cmn": "一二三四五六七八九十", "en": "one two three four five six"}
REFERENCE = 130
PROBE_TOLERANCE = 0.12
# Seconds x wpm per character of real text spans 0.7-1.5 of the probe's (demo content); far outside,
# the audio is broken (cut short, or said at a default rate), whatever the parameters say.
TEXT_BAND = (0.25, 4.0)
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class RateError(RuntimeError):
    """The audio is not at the rate asked for (the parent retries on a fresh worker)."""


class _Voice(ctypes.Structure):
    """The start of espeak_VOICE: enough to read which voice is current."""

    _fields_ = [("name", ctypes.c_char_p), ("languages", ctypes.c_char_p), ("identifier", ctypes.c_char_p)]


def library() -> ctypes.CDLL:
    """libespeak-ng with the signatures used here."""
    path = ctypes.util.find_library("espeak-ng")
    if not path:
        raise OSError("libespeak-ng is not installed")
    lib = ctypes.CDLL(path)
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_GetParameter.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.espeak_GetCurrentVoice.restype = ctypes.POINTER(_Voice)
    lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                 ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    lib.espeak_Info.argtypes = [ctypes.c_void_p]
    lib.espeak_Info.restype = ctypes.c_char_p
    return lib


def engine_version(lib: ctypes.CDLL | None = None) -> str:
    """espeak-ng's version (part of every cache key: another engine makes other audio)."""
    return "espeak-ng " + ((lib or library()).espeak_Info(None) or b"?").decode()


class Speaker:
    """The process's only espeak-ng instance, used strictly one call at a time."""

    def __init__(self) -> None:
        """Initialise espeak-ng in synchronous mode with a callback that collects the samples."""
        self.lib = library()
        self.sample_rate = self.lib.espeak_Initialize(SYNCHRONOUS, 0, None, 0)
        if self.sample_rate <= 0:
            raise RuntimeError("espeak-ng did not initialise")
        self.engine = engine_version(self.lib)
        self.samples: list[bytes] = []
        self._callback = _CALLBACK(self._collect)  # kept referenced: espeak-ng calls it later
        self.lib.espeak_SetSynthCallback(self._callback)
        self.probe_time: dict[str, float] = {}  # voice -> seconds x wpm of its probe at REFERENCE

    def _collect(self, wav, count: int, _events) -> int:
        """espeak-ng's callback: keep the samples (0 means go on)."""
        if count > 0:
            self.samples.append(ctypes.string_at(wav, count * 2))
        return 0

    def _apply(self, voice: str, rate: int, volume: int) -> None:
        """Set voice, rate and volume, then read them back (raises when espeak-ng did not take them)."""
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise RuntimeError(f"voice {voice} is not installed")
        self.lib.espeak_SetParameter(RATE, rate, 0)
        self.lib.espeak_SetParameter(VOLUME, volume, 0)
        self._check(voice, rate, volume)

    def _check(self, voice: str, rate: int, volume: int) -> None:
        """The current voice, rate and volume must be the requested ones."""
        current = self.lib.espeak_GetCurrentVoice()
        ident = (current.contents.identifier or b"").decode().lower() if current else ""
        got = (self.lib.espeak_GetParameter(RATE, 1), self.lib.espeak_GetParameter(VOLUME, 1))
        if got != (rate, volume) or not ident.endswith(voice.lower()):
            raise RuntimeError(f"espeak-ng has {ident} rate {got[0]} volume {got[1]}, "
                               f"asked {voice} rate {rate} volume {volume}")

    def _synth(self, text: str) -> bytes:
        """The samples of ``text`` with the current parameters."""
        self.samples = []
        data = text.encode("utf-8")
        self.lib.espeak_Synth(data, len(data) + 1, 0, POS_CHARACTER, 0, CHARS_UTF8 | ENDPAUSE, None, None)
        self.lib.espeak_Synchronize()
        return b"".join(self.samples)

    def _seconds(self, pcm: bytes) -> float:
        """Duration of 16-bit mono samples."""
        return len(pcm) / 2 / self.sample_rate

    def _probe(self, voice: str, rate: int, volume: int) -> float:
        """Say the voice's probe at ``rate``; refuse when its length does not match that rate."""
        probe = PROBES["en" if voice.endswith("en") else "cmn"]
        if voice not in self.probe_time:
            self._apply(voice, REFERENCE, volume)
            self.probe_time[voice] = self._seconds(self._synth(probe)) * REFERENCE
        self._apply(voice, rate, volume)
        expected = self.probe_time[voice]
        measured = self._seconds(self._synth(probe)) * rate
        if abs(measured / expected - 1) > PROBE_TOLERANCE:
            raise RateError(f"probe at {rate} wpm lasted {measured / rate:.2f} s, "
                            f"expected {expected / rate:.2f} s: the rate did not apply")
        return expected / len(probe)

    def speak(self, text: str, voice: str, rate: int, volume: int, out: str) -> float:
        """Write ``text`` as a WAV to ``out``; the duration in seconds."""
        per_char = self._probe(voice, rate, volume)
        pcm = self._synth(text)
        self._check(voice, rate, volume)  # nothing changed them while speaking
        if not pcm:
            raise RuntimeError("no audio produced")
        ratio = self._seconds(pcm) * rate / len(text) / per_char
        if not TEXT_BAND[0] <= ratio <= TEXT_BAND[1]:
            raise RateError(f"{len(text)} characters lasted {self._seconds(pcm):.2f} s at {rate} wpm "
                            f"({ratio:.2f} of the probe's pace)")
        with wave.open(out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.sample_rate)
            w.writeframes(pcm)
        return len(pcm) / 2 / self.sample_rate


def main() -> None:
    """Serve requests until stdin closes."""
    # the protocol keeps a private copy of stdout; fd 1 goes to stderr, so that nothing espeak-ng or
    # Python prints can ever land between protocol lines
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        speaker = Speaker()
        proto.write(json.dumps({"ready": True, "engine": speaker.engine}) + "\n")
    except Exception as exc:  # the parent reports TTS as unavailable and shows why in its log
        proto.write(json.dumps({"ready": False, "error": repr(exc)}) + "\n")
        return
    proto.flush()
    for line in sys.stdin:
        req = json.loads(line)
        try:
            seconds = speaker.speak(req["text"], req["voice"], int(req["rate"]), int(req["volume"]), req["out"])
            reply = {"id": req["id"], "ok": True, "seconds": seconds}
        except RateError as exc:
            reply = {"id": req["id"], "ok": False, "error": str(exc), "rate": True}
        except Exception as exc:  # one bad request must not end the worker
            reply = {"id": req["id"], "ok": False, "error": repr(exc)}
        proto.write(json.dumps(reply) + "\n")
        proto.flush()


if __name__ == "__main__":
    main()
