"""Bearer tokens for the API (upward.accounts.tokens makes and checks them)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from upward.accounts.models import ApiToken
from upward.accounts.tokens import authenticate_token
from upward.organisations.models import Organisation


class ServicePrincipal:
    """Who calls with an organisation service token: the organisation's integration, not a
    person. It is authenticated but is no `User`: services record `by=None` (the system) and
    the token's name goes in the audit data (`api_actor`, `audit_data`)."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.organisation: Organisation = token.organisation

    def __str__(self) -> str:
        return f"Service token “{self.token.name}”"


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer <token>”.")
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from exc
        token = authenticate_token(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: it is unknown, revoked or expired.")
            )
        if token.kind == ApiToken.Kind.SERVICE:
            return ServicePrincipal(token), token
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
