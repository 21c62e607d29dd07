"""Encryption at rest for people's identity (name, date of birth, contact).

Keys come from `settings.IDENTITY_KEYS` (the `IDENTITY_KEYS` environment variable): a list of
urlsafe-base64 Fernet keys. The first key encrypts; every key in the list decrypts (MultiFernet),
so keys can be rotated without downtime: see docs/people-and-privacy.md.

Without keys: in production (DEBUG off) the first use fails with a clear message; in development
(DEBUG on, `make run`) a stable key is derived from SECRET_KEY. That key is for development only.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEV_KEY_CONTEXT = b"hls.identity.development-only-key:"


def development_key(secret_key: str) -> str:
    """A Fernet key derived from SECRET_KEY: stable across restarts, for development only."""
    digest = hashlib.sha256(DEV_KEY_CONTEXT + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def configured_keys() -> tuple[str, ...]:
    """The keys in force, newest (the one that encrypts) first."""
    keys = tuple(key.strip() for key in settings.IDENTITY_KEYS if key.strip())
    if keys:
        return keys
    if settings.DEBUG:
        return (development_key(settings.SECRET_KEY),)
    raise ImproperlyConfigured(
        "IDENTITY_KEYS is empty. Set the IDENTITY_KEYS environment variable to one or more "
        'comma-separated Fernet keys (make one with: python -c "from cryptography.fernet '
        'import Fernet; print(Fernet.generate_key().decode())"). See docs/people-and-privacy.md.'
    )


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError:
            # Never echo the key itself.
            raise ImproperlyConfigured(
                f"IDENTITY_KEYS: key number {position} is not a valid Fernet key "
                "(32 bytes, urlsafe base64)."
            ) from None
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    return _fernet_for(configured_keys())


def encrypt(text: str) -> bytes:
    return fernet().encrypt(text.encode())


def decrypt(token: bytes | memoryview) -> str:
    try:
        return fernet().decrypt(bytes(token)).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An identity could not be decrypted with any key in IDENTITY_KEYS. Was a key removed "
            "before `manage.py rotate_identity_keys` had re-encrypted everything with the new one?"
        ) from None


def rotate(token: bytes | memoryview) -> bytes:
    """Re-encrypt `token` with the first key (it must decrypt with one of the keys)."""
    try:
        return fernet().rotate(bytes(token))
    except InvalidToken:
        raise ImproperlyConfigured(
            "An identity could not be decrypted with any key in IDENTITY_KEYS: keep the old key "
            "in the list (after the new one) until rotation has finished."
        ) from None
