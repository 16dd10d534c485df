"""Anonymous answers waiting to be written are sealed with a key of their own.

The organisation's data key (core.fields) protects against someone holding the database alone.
Waiting answers need more: someone who also holds ENCRYPTION_KEYS could read the waiting rows
before and after a person submits and see which answers are new, so tie them to that person's
Submission. They are therefore sealed with a key derived from SURVEY_PSEUDONYM_SECRET, the one
secret the issue's attacker (the database plus the app's settings, but not this secret) lacks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

PURPOSE = b"upward.surveys.waiting-answers.v1"


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    key = hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str) -> str:
    return _fernet(settings.SURVEY_PSEUDONYM_SECRET).encrypt(text.encode("utf-8")).decode("ascii")


def unseal(token: str) -> str:
    try:
        return _fernet(settings.SURVEY_PSEUDONYM_SECRET).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as exc:
        # Never quote the token: it may reach the logs.
        raise ValueError(
            "A waiting survey answer could not be opened with SURVEY_PSEUDONYM_SECRET."
        ) from exc


class SealedTextField(models.TextField):
    """Text stored as a Fernet token under the key derived from SURVEY_PSEUDONYM_SECRET."""

    description = "Text sealed with a key derived from SURVEY_PSEUDONYM_SECRET"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return unseal(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return seal(str(value))
