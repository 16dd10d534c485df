"""Encryption at rest: envelope keys per organisation, wrapped by the deployment's master keys.

Master keys: settings.ENCRYPTION_KEYS, a MultiFernet (the first encrypts, every key decrypts).
They encrypt only two things: each organisation's data key (an OrganisationKey row holds it
*wrapped*), and the few values that belong to no organisation.

Data keys: one random Fernet key per organisation. A value written for an organisation is stored
as ``o1:<organisation id>:<key id>:<Fernet token under that key>``, so decryption needs only the
token. Tokens written before envelope keys (plain Fernet tokens under the master keys) still
decrypt; `manage.py rotate_encryption_keys` moves them to organisation keys.

Crypto-shredding: `upward.core.keys.shred_organisation_key` destroys an organisation's data key.
Its values then read as ERASED. Unwrapped keys are cached per process for at most
ENCRYPTION_KEY_CACHE_SECONDS, which bounds how long another process can still read them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

#: What a value reads as once its organisation's key has been destroyed.
ERASED = "[erased]"
#: The prefix of a token under an organisation's data key (version 1 of the format).
PREFIX = "o1:"
CACHE_SIZE = 1024


class DecryptionError(Exception):
    """Stored ciphertext that no configured key opens (a key was dropped too early)."""


class MissingOrganisationKey(Exception):
    """Plaintext reached the database without going through a model save, so the organisation
    whose key should encrypt it is unknown."""


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


# --- master keys: wrapping data keys, and values that belong to no organisation ---------------


def master_encrypt(plaintext: str) -> str:
    multi, _first = _fernets(_keys())
    return multi.encrypt(plaintext.encode("utf-8")).decode("ascii")


def master_decrypt(token: str) -> str:
    multi, _first = _fernets(_keys())
    try:
        return multi.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as exc:
        # Never include the token or any plaintext in the message: it may reach the logs.
        raise DecryptionError("Stored text could not be decrypted with ENCRYPTION_KEYS.") from exc


def is_master_current(token: str) -> bool:
    """True when a master-key token is already under the first (current) master key."""
    _multi, first = _fernets(_keys())
    try:
        first.decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def master_rotate(token: str) -> str:
    """The same plaintext, re-encrypted with the first master key (keeps the timestamp)."""
    multi, _first = _fernets(_keys())
    try:
        return multi.rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise DecryptionError("Stored text could not be decrypted with ENCRYPTION_KEYS.") from exc


def wrap_key(raw_key: bytes) -> str:
    """A data key encrypted under the first master key, for an OrganisationKey row."""
    return master_encrypt(raw_key.decode("ascii"))


def unwrap_key(wrapped: str) -> bytes:
    return master_decrypt(wrapped).encode("ascii")


# --- the per-process cache of unwrapped data keys ---------------------------------------------


@dataclass(frozen=True)
class DataKey:
    id: int
    organisation_id: int
    fernet: Fernet | None  # None: the key was destroyed (shredded)


class _KeyCache:
    """Bounded (LRU, CACHE_SIZE entries) and short-lived (ENCRYPTION_KEY_CACHE_SECONDS)."""

    def __init__(self) -> None:
        self._by_key: OrderedDict[int, tuple[float, DataKey]] = OrderedDict()
        self._active: OrderedDict[int, tuple[float, DataKey]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _ttl() -> float:
        return float(getattr(settings, "ENCRYPTION_KEY_CACHE_SECONDS", 60))

    def _get(self, store: OrderedDict[int, tuple[float, DataKey]], ident: int) -> DataKey | None:
        with self._lock:
            hit = store.get(ident)
            if hit is None:
                return None
            expires, key = hit
            if expires < time.monotonic():
                del store[ident]
                return None
            store.move_to_end(ident)
            return key

    def _put(
        self, store: OrderedDict[int, tuple[float, DataKey]], ident: int, key: DataKey
    ) -> None:
        with self._lock:
            store[ident] = (time.monotonic() + self._ttl(), key)
            store.move_to_end(ident)
            while len(store) > CACHE_SIZE:
                store.popitem(last=False)

    def by_id(self, key_id: int) -> DataKey | None:
        return self._get(self._by_key, key_id)

    def active_for(self, organisation_id: int) -> DataKey | None:
        return self._get(self._active, organisation_id)

    def put(self, key: DataKey, *, active: bool) -> None:
        self._put(self._by_key, key.id, key)
        if active:
            self._put(self._active, key.organisation_id, key)

    def forget_organisation(self, organisation_id: int) -> None:
        with self._lock:
            self._active.pop(organisation_id, None)
            for ident in [
                i for i, (_e, k) in self._by_key.items() if k.organisation_id == organisation_id
            ]:
                del self._by_key[ident]

    def clear(self) -> None:
        with self._lock:
            self._by_key.clear()
            self._active.clear()


cache = _KeyCache()


# --- values ------------------------------------------------------------------------------------


def encrypt(plaintext: str, organisation_id: int | None = None) -> str:
    """A token for `plaintext`: under the organisation's data key, or the master keys if the
    value belongs to no organisation."""
    if organisation_id is None:
        return master_encrypt(plaintext)
    from upward.core.keys import active_key

    key = active_key(organisation_id)
    assert key.fernet is not None
    body = key.fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")
    return f"{PREFIX}{organisation_id}:{key.id}:{body}"


def parse(token: str) -> tuple[int, int, str] | None:
    """(organisation id, key id, Fernet token) for an organisation token, None for a legacy one."""
    if not token.startswith(PREFIX):
        return None
    try:
        org, key_id, body = token[len(PREFIX) :].split(":", 2)
        return int(org), int(key_id), body
    except ValueError as exc:
        raise DecryptionError("Stored text is not a well-formed encrypted value.") from exc


def decrypt(token: str) -> str:
    parsed = parse(token)
    if parsed is None:
        return master_decrypt(token)
    organisation_id, key_id, body = parsed
    from upward.core.keys import key_by_id

    key = key_by_id(key_id)
    if key is None or key.organisation_id != organisation_id:
        raise DecryptionError("Stored text names an encryption key that does not exist.")
    if key.fernet is None:
        return ERASED
    try:
        return key.fernet.decrypt(body.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise DecryptionError("Stored text could not be decrypted with its key.") from exc


def token_organisation(token: str) -> int | None:
    """The organisation whose key made the token (None: a master-key token)."""
    parsed = parse(token)
    return parsed[0] if parsed else None


def is_current(token: str, organisation_id: int | None = None) -> bool:
    """Nothing for rotation to do: the token is under an organisation key (rewrapping covers
    those), or it belongs to no organisation and is under the first master key."""
    if parse(token) is not None:
        return True
    return organisation_id is None and is_master_current(token)


def rotate(token: str, organisation_id: int | None = None) -> str:
    """The same plaintext under the organisation's key (or the first master key if none)."""
    if parse(token) is not None:
        return token
    if organisation_id is None:
        return master_rotate(token)
    return encrypt(master_decrypt(token), organisation_id)
