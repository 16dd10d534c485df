"""One-way pseudonyms for survey answers.

A pseudonym is HMAC-SHA256(key, "programme:person") with a key derived from SECRET_KEY for this
purpose only. The same person gets the same pseudonym for every survey of one programme, so
their start and end answers pair up; the database alone cannot be turned back into people (the
key is not in it), and pseudonyms differ between programmes, so answers cannot be followed from
one programme to the next. Rotating SECRET_KEY breaks pairing of answers given before and after.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def _key() -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(), b"upward.surveys.pseudonym.v1", hashlib.sha256
    ).digest()


def pseudonym(*, person_id: int, programme_id: int, anonymous: bool = True) -> str:
    """Named responses get a pseudonym from another namespace. If both kinds shared one, a named
    response (which also stores the person) would name the author of every anonymous response
    with the same pseudonym. So named answers pair with named answers, anonymous with
    anonymous, and never across."""
    namespace = "" if anonymous else "identified:"
    message = f"{namespace}{programme_id}:{person_id}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def anonymous_occasion_key(*, pseudonym: str, occasion: str) -> str:
    """Unique per person and occasion, but says nothing about which meeting it was."""
    if not occasion:
        return ""
    message = f"{pseudonym}:{occasion}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()
