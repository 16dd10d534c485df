"""Bearer-token check for the SCIM endpoints, plugged into django-scim2 as its
AUTH_CHECK_MIDDLEWARE: only an organisation service token with the `scim` scope gets through;
the request then carries the token and its organisation."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from upward.accounts.models import TokenKind, TokenScope
from upward.accounts.tokens import authenticate_token
from upward.scim.schemas import ERROR

CONTENT_TYPE = "application/scim+json"


def scim_error_response(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    body: dict[str, Any] = {"schemas": [ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)


def _denied(detail: str) -> HttpResponse:
    response = scim_error_response(401, detail)
    response["WWW-Authenticate"] = 'Bearer realm="Upward SCIM"'
    return response


class ScimTokenCheck:
    """Wraps a SCIM view's dispatch (django-scim2 applies it with method_decorator)."""

    def __init__(self, get_response: Callable[..., HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            return _denied("Send an organisation service token as a Bearer token.")
        token = authenticate_token(raw.strip())
        if token is None:
            return _denied("The token is unknown, revoked or expired.")
        if token.kind != TokenKind.SERVICE or TokenScope.SCIM not in token.scopes:
            return _denied("This token cannot provision users: it needs the scim scope.")
        request.scim_token = token  # type: ignore[attr-defined]
        request.scim_organisation = token.organisation  # type: ignore[attr-defined]
        return self.get_response(request, *args, **kwargs)
