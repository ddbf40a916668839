"""HMAC-SHA256 request signatures between the portal and the central platform.

The signed text is ``METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nSHA256(BODY)``; the signature travels
in ``X-Signature`` next to ``X-App-Id``, ``X-Timestamp`` (Unix seconds) and ``X-Nonce``.  The
verifier rejects unknown apps, timestamps more than ``MAX_SKEW`` away and nonces seen before.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict

MAX_SKEW = 300  # seconds


def string_to_sign(method: str, path_qs: str, timestamp: str, nonce: str, body: bytes, key: str = "") -> bytes:
    """The exact bytes that are signed."""
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join((method.upper(), path_qs, timestamp, nonce, digest, key)).encode()


def sign(secret: str, method: str, path_qs: str, body: bytes, app_id: str,
         now: float | None = None, key: str = "") -> dict[str, str]:
    """The headers that sign one request (with its Idempotency-Key when it has one)."""
    timestamp = str(int(now if now is not None else time.time()))
    nonce = secrets.token_hex(12)
    mac = hmac.new(secret.encode(), string_to_sign(method, path_qs, timestamp, nonce, body, key), hashlib.sha256)
    headers = {"X-App-Id": app_id, "X-Timestamp": timestamp, "X-Nonce": nonce, "X-Signature": mac.hexdigest()}
    if key:
        headers["Idempotency-Key"] = key
    return headers


class Verifier:
    """Checks signatures and remembers recent nonces to reject replays."""

    def __init__(self, secrets_by_app: dict[str, str], max_nonces: int = 200_000) -> None:
        """Accept the given apps; remember up to ``max_nonces`` nonces (older ones are past the skew anyway)."""
        self.secrets = secrets_by_app
        self.max_nonces = max_nonces
        self._seen: OrderedDict[str, float] = OrderedDict()

    def check(self, method: str, path_qs: str, headers: dict[str, str] | object, body: bytes,
              now: float | None = None) -> str | None:
        """None when the request is genuine and fresh, else the reason it is refused."""
        get = headers.get  # type: ignore[attr-defined]
        app_id, ts, nonce, signature = (get("X-App-Id", ""), get("X-Timestamp", ""), get("X-Nonce", ""),
                                        get("X-Signature", ""))
        secret = self.secrets.get(app_id)
        if secret is None:
            return "unknown app"
        if not ts.isdigit() or not nonce or len(nonce) > 64:
            return "missing timestamp or nonce"
        now = time.time() if now is None else now
        if abs(now - int(ts)) > MAX_SKEW:
            return "stale timestamp"
        signed = string_to_sign(method, path_qs, ts, nonce, body, get("Idempotency-Key", ""))
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return "bad signature"
        key = f"{app_id}:{nonce}"
        self._forget_old(now)
        if key in self._seen:
            return "replayed request"
        self._seen[key] = now
        return None

    def _forget_old(self, now: float) -> None:
        """Drop nonces older than the allowed skew (a replay of them fails the timestamp check)."""
        while self._seen:
            key, seen_at = next(iter(self._seen.items()))
            if now - seen_at <= 2 * MAX_SKEW and len(self._seen) < self.max_nonces:
                break
            self._seen.popitem(last=False)
