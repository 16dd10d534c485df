"""One error format for every API response that is not a success:

    {"error": {"status": 400, "code": "invalid", "message": "…", "fields": {"email": ["…"]}}}

`fields` appears only for validation errors. Django's own 404 and permission errors and
unexpected exceptions come out in the same shape (a 500 says nothing of its cause).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _message(detail: Any) -> str:
    if isinstance(detail, list):
        return _message(detail[0]) if detail else ""
    if isinstance(detail, dict):
        first = next(iter(detail.values()), "")
        return _message(first)
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django's handler500 logs it; api 500s are shaped in middleware
    assert isinstance(exc, exceptions.APIException)
    body: dict[str, Any] = {"status": response.status_code, "code": "error", "message": ""}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        detail = exc.detail
        if isinstance(detail, dict):
            body["fields"] = {
                k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()
            }
            body["message"] = "The request has errors: see “fields”."
        else:
            body["message"] = _message(detail)
    else:
        codes = exc.get_codes()
        body["code"] = codes if isinstance(codes, str) else "error"
        body["message"] = _message(exc.detail)
    response.data = {"error": body}
    return response
