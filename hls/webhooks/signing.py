"""Signing webhook requests, and verifying them (for our tests and for partners).

Each request carries

    X-HLS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

and, for a day after the secret is rotated, a second `v1=` made with the previous secret. A
receiver recomputes the HMAC over the raw body it received with the secret shown on the
webhook's page, compares in constant time, and refuses timestamps outside a tolerance (replay
protection). This module has no Django dependency, so partners may copy it as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable

SCHEME = "v1"


def _bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def sign(secret: str, timestamp: int, body: str | bytes) -> str:
    """The hex HMAC-SHA256 of f"{timestamp}.{body}" under `secret`."""
    message = f"{int(timestamp)}.".encode() + _bytes(body)
    return hmac.new(_bytes(secret), message, hashlib.sha256).hexdigest()


def signature_header(secrets: Iterable[str], timestamp: int, body: str | bytes) -> str:
    """The X-HLS-Signature value: the timestamp and one `v1=` per secret."""
    parts = [f"t={int(timestamp)}"]
    parts += [f"{SCHEME}={sign(secret, timestamp, body)}" for secret in secrets if secret]
    return ",".join(parts)


def parse(header: str) -> tuple[int | None, list[str]]:
    """The timestamp and the v1 signatures of a header (None and [] when malformed)."""
    timestamp: int | None = None
    signatures: list[str] = []
    for item in (header or "").split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return None, []
        elif key == SCHEME and value:
            signatures.append(value)
    return timestamp, signatures


def verify(
    secret: str,
    header: str,
    body: str | bytes,
    tolerance: int = 300,
    *,
    now: float | None = None,
) -> bool:
    """Whether `header` signs `body` with `secret`, made within `tolerance` seconds of now."""
    timestamp, signatures = parse(header)
    if timestamp is None or not signatures:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
