"""A text field stored encrypted. Python code only ever sees plaintext; the column only ever
holds Fernet tokens, so a database dump or backup does not reveal what people wrote.

The ciphertext differs on every save, so these columns cannot be searched, filtered or
indexed by content: that is the point.
"""

from __future__ import annotations

import base64
from typing import Any

from django.db import models

from upward.core import crypto


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest with the ENCRYPTION_KEYS"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)


class EncryptedBinaryField(models.Field):
    """Bytes (an email attachment) stored as a Fernet token in a text column.

    The same tokens as EncryptedTextField (of the base64 of the bytes), so key rotation treats
    both alike. Not a TextField subclass on purpose: it holds bytes, never free text.
    """

    description = "Bytes encrypted at rest with the ENCRYPTION_KEYS"

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        if value == "":
            return b""
        return base64.b64decode(crypto.decrypt(value))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, memoryview):
            return bytes(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        value = bytes(value)
        if not value:
            return ""
        return crypto.encrypt(base64.b64encode(value).decode("ascii"))


def encrypted_fields() -> list[tuple[type[models.Model], models.Field]]:
    """Every encrypted column in the project, for key rotation."""
    from django.apps import apps

    found: list[tuple[type[models.Model], models.Field]] = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, (EncryptedTextField, EncryptedBinaryField)):
                found.append((model, field))
    return found
