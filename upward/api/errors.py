"""One error format for every API response that is not a success:

    {"error": {"status": 400, "code": "invalid", "message": "…", "fields": {"email": ["…"]}}}

`fields` appears only for validation errors. Django's own 404 and permission errors and
unexpected exceptions come out in the same shape (a 500 says nothing of its cause).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from upward.core.errors import DomainError

logger = logging.getLogger("django.request")
API_PREFIX = "/api/"
SERVER_ERROR_MESSAGE = (
    "Something went wrong on our side. It has been logged; try again later, and tell your "
    "administrator if it keeps happening."
)


def error_body(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, **extra}}


def _message(detail: Any) -> str:
    if isinstance(detail, list):
        return _message(detail[0]) if detail else ""
    if isinstance(detail, dict):
        first = next(iter(detail.values()), "")
        return _message(first)
    return str(detail)


TOO_BIG_MESSAGE = "The request body is too large; send fewer rows per request."


def _refused_request(exc: Exception) -> tuple[int, str, str] | None:
    """A request Django refuses before reading it through (too big, too many fields, bad
    host...): a 4xx in the error format, never a 500."""
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        return 413, "too_large", TOO_BIG_MESSAGE
    if isinstance(exc, SuspiciousOperation):
        return 400, "bad_request", "The request could not be read."
    return None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    refused = _refused_request(exc)
    if refused is not None:
        status, code, message = refused
        return Response(error_body(status, code, message), status)
    if isinstance(exc, DomainError):
        # A rule of the domain (upward.core.errors): 400, or 409 for a conflict.
        extra: dict[str, Any] = {}
        if exc.field:
            extra["fields"] = {exc.field: [exc.message]}
        code = "conflict" if exc.status_code == 409 else "invalid"
        return Response(error_body(exc.status_code, code, exc.message, **extra), exc.status_code)
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


@csrf_exempt  # answers 404 to every method; a session's missing CSRF token changes nothing
def not_found(request: HttpRequest, unknown: str = "") -> JsonResponse:
    """Any path under /api/v1/ that names no resource."""
    return JsonResponse(
        error_body(404, "not_found", "There is no API resource at this address."), status=404
    )


class ApiErrorMiddleware:
    """An unexpected exception under /api/ answers a JSON 500 in the error format, saying
    nothing of its cause; the exception is logged as Django logs any server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX) or isinstance(
            exception, Http404 | PermissionDenied
        ):
            return None
        refused = _refused_request(exception)
        if refused is not None:
            status, code, message = refused
            return JsonResponse(error_body(status, code, message), status=status)
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        return JsonResponse(error_body(500, "server_error", SERVER_ERROR_MESSAGE), status=500)
