"""SCIM error answers (RFC 7644 section 3.12), on django-scim2's exception classes."""

from __future__ import annotations

from typing import Any

from django_scim import exceptions


class ScimError(exceptions.SCIMException):
    def __init__(self, detail: str, *, status: int = 400, scim_type: str | None = None) -> None:
        super().__init__(detail, status=status, scim_type=scim_type)

    def to_dict(self) -> dict[str, Any]:
        body = super().to_dict()
        body["status"] = str(self.status)  # RFC 7644 gives the status as a string
        return body


def bad(detail: str, scim_type: str = "invalidValue") -> ScimError:
    return ScimError(detail, status=400, scim_type=scim_type)
