"""Encryption at rest for what pairs write to each other.

MultiFernet over settings.ENCRYPTION_KEYS: the first key encrypts, every key decrypts. To rotate,
put a new key first, deploy, run `manage.py rotate_encryption_keys`, then drop the old key.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """Stored ciphertext that none of the configured keys opens (a key was dropped too early)."""


@lru_cache(maxsize=4)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    if not keys:
        raise ImproperlyConfigured("ENCRYPTION_KEYS must hold at least one Fernet key.")
    try:
        fernets = [Fernet(k.encode() if isinstance(k, str) else k) for k in keys]
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64 bytes)."
        ) from exc
    return MultiFernet(fernets), fernets[0]


def _keys() -> tuple[str, ...]:
    return tuple(settings.ENCRYPTION_KEYS)


def encrypt(plaintext: str) -> str:
    multi, _first = _fernets(_keys())
    return multi.encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    multi, _first = _fernets(_keys())
    try:
        return multi.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as exc:
        # Never include the token or any plaintext in the message: it may reach the logs.
        raise DecryptionError("Stored text could not be decrypted with ENCRYPTION_KEYS.") from exc


def is_current(token: str) -> bool:
    """True when the token is already encrypted with the first (current) key."""
    _multi, first = _fernets(_keys())
    try:
        first.decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def rotate(token: str) -> str:
    """The same plaintext, re-encrypted with the first key (keeps the original timestamp)."""
    multi, _first = _fernets(_keys())
    try:
        return multi.rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise DecryptionError("Stored text could not be decrypted with ENCRYPTION_KEYS.") from exc
