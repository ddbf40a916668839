"""Checks on audio sent for recognition: 16 kHz mono 16-bit PCM WAV, not empty, at most 15 s."""

from __future__ import annotations

import io
import wave

RATE = 16000
BYTES_PER_SECOND = RATE * 2
MAX_SECONDS = 15
MAX_BYTES = MAX_SECONDS * BYTES_PER_SECOND + 4096  # a WAV header with extra chunks fits in the margin


class BadAudio(ValueError):
    """Audio the recognizer cannot take; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        """Keep the status and the (Chinese) message for the user."""
        super().__init__(message)
        self.status = status
        self.message = message


def pcm_of_wav(body: bytes) -> bytes:
    """The PCM frames of a WAV body, or BadAudio saying what is wrong with it."""
    if not body:
        raise BadAudio(400, "没有收到声音。")
    if len(body) > MAX_BYTES:
        raise BadAudio(413, f"录音太长了：最多 {MAX_SECONDS} 秒。")
    if body[:4] != b"RIFF" or body[8:12] != b"WAVE":
        raise BadAudio(415, "这不是 WAV 录音。")
    try:
        with wave.open(io.BytesIO(body), "rb") as w:
            rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise BadAudio(415, "WAV 录音已损坏，无法读取。") from exc
    if rate != RATE or channels != 1 or width != 2:
        raise BadAudio(422, f"录音格式不对：需要 16000 Hz、单声道、16 位（收到 {rate} Hz、{channels} 声道、"
                            f"{width * 8} 位）。")
    return check_pcm(frames)


def check_pcm(pcm: bytes) -> bytes:
    """Raw 16 kHz mono PCM: not empty, whole samples, not longer than the limit."""
    if len(pcm) < 2:
        raise BadAudio(400, "录音是空的。")
    if len(pcm) > MAX_SECONDS * BYTES_PER_SECOND:
        raise BadAudio(413, f"录音太长了：最多 {MAX_SECONDS} 秒。")
    return pcm[: len(pcm) - len(pcm) % 2]
