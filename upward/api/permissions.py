"""Scopes: a view names the scope each method needs; a token must carry it.

    class PersonViewSet(...):
        read_scope = TokenScope.PEOPLE_READ
        write_scope = TokenScope.PEOPLE_WRITE

A signed-in browser session (the API docs page) has every scope its person's role allows: the
scope narrows what a token may do, and the view's own access rules still apply to everyone.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from upward.accounts.models import ApiToken


def token_of(request: Request) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def is_service(request: Request) -> bool:
    token = token_of(request)
    return token is not None and token.kind == ApiToken.Kind.SERVICE


class HasScope(BasePermission):
    message = "This token does not have the scope this request needs."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        token = token_of(request)
        if token is None:
            return True  # a browser session: the view's access rules decide
        scope = getattr(
            view, "read_scope" if request.method in SAFE_METHODS else "write_scope", None
        )
        if scope is None:
            return False  # a view that names no scope is closed to tokens
        self.message = f"This token needs the “{scope}” scope for this request."
        return token.has_scope(str(scope))
