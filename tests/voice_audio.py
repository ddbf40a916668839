"""Audio for the voice tests, made the way the tiny test model was trained: espeak-ng then sox."""

from __future__ import annotations

import io
import random
import struct
import subprocess
import tempfile
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TINY_MODEL = REPO.parent / "shared" / "models" / "tiny-test-model"


def spoken(text: str, speed: int = 150, rate: int = 16000, channels: int = 1, trailing: float = 0.3) -> bytes:
    """A WAV of espeak-ng (voice cmn-latn-pinyin) saying ``text``, padded with 0.3 s of silence before."""
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "raw.wav", Path(tmp) / "out.wav"
        subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-s", str(speed), "-w", str(raw), "--", text],
                       check=True)
        subprocess.run(["sox", "-v", "0.9", str(raw), "-r", str(rate), "-c", str(channels), "-b", "16", str(out),
                        "pad", "0.3", str(trailing)], check=True)
        return out.read_bytes()


def pcm_wav(frames: bytes, rate: int = 16000, channels: int = 1) -> bytes:
    """16-bit PCM frames wrapped in a WAV."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return buf.getvalue()


def silence(seconds: float) -> bytes:
    """Digital silence as a 16 kHz WAV."""
    return pcm_wav(b"\0\0" * int(16000 * seconds))


def noise(seconds: float, level: int = 3000) -> bytes:
    """White noise as a 16 kHz WAV (seeded: the same every run)."""
    rnd = random.Random(7)
    n = int(16000 * seconds)
    return pcm_wav(struct.pack(f"<{n}h", *(rnd.randint(-level, level) for _ in range(n))))


def frames_of(wav_bytes: bytes) -> bytes:
    """The PCM frames of a WAV."""
    with wave.open(io.BytesIO(wav_bytes), "rb") as w:
        return w.readframes(w.getnframes())
