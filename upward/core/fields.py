"""A text field stored encrypted. Python code only ever sees plaintext; the column only ever
holds Fernet tokens, so a database dump or backup does not reveal what people wrote.

The ciphertext differs on every save, so these columns cannot be searched, filtered or
indexed by content: that is the point.
"""

from __future__ import annotations

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


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every encrypted column in the project, for key rotation."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model, field))
    return found
