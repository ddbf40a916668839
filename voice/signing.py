"""Signatures of the sentences the portal reads aloud, so that ``/voice/tts`` speaks only the portal's words.

Every sentence of a page's speech script carries ``sign(text, locale)``; the speech endpoint synthesises a
sentence only when its signature matches.  Nobody can make the TVs' shared speech worker say (or spend its
time on) text of their own.  The key is shared by every instance (the portal keeps it in its database).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_CHARS = 32  # 128 bits of HMAC-SHA256, as hex


def clean(text: str) -> str:
    """The form of a sentence that is signed and spoken: runs of white space as one space."""
    return " ".join(text.split())


class Signer:
    """Signs and checks sentences with one secret key."""

    def __init__(self, key: bytes) -> None:
        """``key``: the shared secret (at least 16 bytes)."""
        if len(key) < 16:
            raise ValueError("the speech signing key must have at least 16 bytes")
        self._key = key

    def sign(self, text: str, locale: str) -> str:
        """The signature of a sentence in a locale (the locale chooses the voice, so it is signed too)."""
        message = locale.encode("ascii") + b"\n" + clean(text).encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]

    def valid(self, text: str, locale: str, signature: str) -> bool:
        """True when ``signature`` is this key's signature of the sentence."""
        if not isinstance(signature, str) or len(signature) != SIGNATURE_CHARS:
            return False
        return hmac.compare_digest(self.sign(text, locale), signature)
