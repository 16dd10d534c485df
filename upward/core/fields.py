"""Text fields stored encrypted. Python code only ever sees plaintext; the column only ever holds
tokens, so a database dump or backup does not reveal what people wrote.

Each value is encrypted with the data key of the organisation it belongs to (see crypto.py). A
model with an encrypted field says how to find that organisation from an instance:

    class Goal(models.Model):
        encryption_organisation = "pairing.programme.organisation_id"

a dotted attribute path (also used, with "__", as an ORM lookup by rotation and migrations). The
field encrypts in `pre_save`, when the instance is at hand: `save()`, `create()`,
`bulk_create()`. `QuerySet.update()`, `bulk_update()` and filters have no instance: given
plaintext for an encrypted field they raise MissingOrganisationKey (an empty value is fine).
Use `sealed(instance, "field")` to build a value they accept.

The ciphertext differs on every save, so these columns cannot be searched, filtered, ordered or
indexed by content: that is the point.
"""

from __future__ import annotations

import base64
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from upward.core import crypto

PATH_ATTRIBUTE = "encryption_organisation"


class Sealed(str):
    """A token already encrypted for its organisation; the field writes it as it is."""

    __slots__ = ()


def organisation_path(model: type[models.Model]) -> str | None:
    path = getattr(model, PATH_ATTRIBUTE, None)
    return path if isinstance(path, str) else None


def organisation_id_for(instance: models.Model) -> int | None:
    """The organisation whose key encrypts the instance's text (None: the master keys).

    Follows the model's declared path through relations already loaded where possible; a
    model with an encrypted field and no declared path is a programming error."""
    path = organisation_path(type(instance))
    if path is None:
        raise crypto.MissingOrganisationKey(
            f"{instance._meta.label} has an encrypted field but no `{PATH_ATTRIBUTE}` path."
        )
    value: Any = instance
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    if isinstance(value, models.Model):
        value = value.pk
    return int(value)


def lookup_for(model: type[models.Model]) -> str | None:
    """The declared path as an ORM lookup (pairing__programme__organisation_id)."""
    path = organisation_path(model)
    return path.replace(".", "__") if path else None


def _refuse(field: models.Field) -> crypto.MissingOrganisationKey:
    model = getattr(field, "model", None)
    label = f"{model._meta.label}.{field.name}" if model is not None else field.name
    return crypto.MissingOrganisationKey(
        f"{label} is encrypted with its organisation's key, so plaintext can only be written by "
        "saving an instance (save(), create(), bulk_create()). QuerySet.update(), bulk_update() "
        "and filters need a value from upward.core.fields.sealed(); encrypted columns cannot be "
        "searched by content."
    )


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest with its organisation's data key"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if value is None or value == "" or isinstance(value, Sealed):
            return value
        return Sealed(crypto.encrypt(str(value), organisation_id_for(model_instance)))

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            return str(value)
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        raise _refuse(self)


class EncryptedCharField(EncryptedTextField):
    """An encrypted column edited in a one-line text box (what was a CharField): forms keep
    the max_length limit and the single-line widget."""

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        defaults: dict[str, Any] = {"max_length": self.max_length}
        if not self.choices:
            defaults["widget"] = forms.TextInput
        defaults.update(kwargs)
        return super().formfield(**defaults)


class EncryptedBinaryField(models.Field):
    """Bytes (an email attachment) stored as a token in a text column.

    The same tokens as EncryptedTextField (of the base64 of the bytes), so key rotation treats
    both alike. Not a TextField subclass on purpose: it holds bytes, never free text.
    """

    description = "Bytes encrypted at rest with its organisation's data key"

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        if value == "":
            return b""
        text = crypto.decrypt(value)
        if text == crypto.ERASED:
            return b""
        return base64.b64decode(text)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, memoryview):
            return bytes(value)
        return value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if value is None or isinstance(value, Sealed):
            return value
        value = bytes(value)
        if not value:
            return ""
        text = base64.b64encode(value).decode("ascii")
        return Sealed(crypto.encrypt(text, organisation_id_for(model_instance)))

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            return str(value)
        value = super().get_prep_value(value)
        if value is None:
            return value
        if isinstance(value, str) and value == "":
            return ""
        if not bytes(value):
            return ""
        raise _refuse(self)


class EncryptedNotEmpty(models.CheckConstraint):
    """`NOT (field = '')` for an encrypted field. The database check is the plain one (an empty
    value is stored as ""); model validation compares the plaintext in Python, since the
    default validation would send the plaintext to the database through the field."""

    def __init__(self, *, field: str, name: str, **kwargs: Any) -> None:
        kwargs.pop("condition", None)
        super().__init__(condition=~models.Q(**{field: ""}), name=name, **kwargs)
        self.field = field

    def validate(self, model: Any, instance: Any, exclude: Any = None, using: Any = None) -> None:
        if exclude and self.field in exclude:
            return
        if getattr(instance, self.field) in ("", None):
            raise ValidationError(
                self.get_violation_error_message(), code=self.violation_error_code
            )

    def deconstruct(self) -> Any:
        path, args, kwargs = super().deconstruct()
        kwargs.pop("condition", None)
        kwargs["field"] = self.field
        return path, args, kwargs


def sealed(instance: models.Model, field_name: str, value: Any = None) -> Sealed | str:
    """The stored form of `value` (default: the instance's current value) for a write that has
    no instance, e.g. `Goal.objects.filter(pk=g.pk).update(why=sealed(g, "why", "new"))`."""
    field = instance._meta.get_field(field_name)
    assert isinstance(field, models.Field)
    if value is None:
        value = getattr(instance, field.attname)
    if value is None or value == "" or value == b"":
        return ""
    if isinstance(field, EncryptedBinaryField):
        value = base64.b64encode(bytes(value)).decode("ascii")
    return Sealed(crypto.encrypt(str(value), organisation_id_for(instance)))


def sealed_for(organisation_id: int | None, value: str) -> Sealed | str:
    """The stored form of text for an organisation, for a set-based update() of many rows of
    that organisation (every row gets the same token)."""
    if not value:
        return ""
    return Sealed(crypto.encrypt(str(value), organisation_id))


def encrypted_fields() -> list[tuple[type[models.Model], models.Field]]:
    """Every encrypted column in the project, for key rotation."""
    from django.apps import apps

    found: list[tuple[type[models.Model], models.Field]] = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, (EncryptedTextField, EncryptedBinaryField)):
                found.append((model, field))
    return found
