"""Who is calling the API, for every resource view (docs/integrations.md).

A caller is one of three:

- an organisation service token: acts for its organisation, has no person and no user; it counts
  as the organisation's admin for the scopes it carries, in its own organisation only;
- a personal token: acts as its holder, a signed-in person, within the token's scopes;
- a browser session (the API docs page): acts as the signed-in person.

A person or a session without an active directory entry gets a 403 in the API's error format:
a token stops working when its person leaves.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.request import Request

from upward.accounts.models import ApiToken, User
from upward.api.authentication import ServicePrincipal
from upward.organisations.access import person_for
from upward.organisations.models import Organisation, Person

NO_PERSON_MESSAGE = "This account has no active entry in an organisation's directory."


def api_token(request: Request) -> ApiToken | None:
    """The token of this call, or None for a browser session."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def is_service_call(request: Request) -> bool:
    return isinstance(getattr(request, "user", None), ServicePrincipal)


def _require_person(request: Request) -> Person:
    cached = getattr(request, "_api_person", None)
    if cached is not None:
        return cached
    person = person_for(request.user)
    if person is None:
        raise exceptions.PermissionDenied(NO_PERSON_MESSAGE)
    token = api_token(request)
    if token is not None and token.organisation_id != person.organisation_id:
        # A personal token is bound to the organisation it was made in.
        raise exceptions.PermissionDenied(NO_PERSON_MESSAGE)
    request._api_person = person  # type: ignore[attr-defined]
    return person


def api_organisation(request: Request) -> Organisation:
    """The organisation the call acts in: the token's for a service token, else the person's."""
    user = request.user
    if isinstance(user, ServicePrincipal):
        return user.organisation
    if not getattr(user, "is_authenticated", False):
        raise exceptions.NotAuthenticated()
    return _require_person(request).organisation


def api_person(request: Request) -> Person | None:
    """The calling person (personal token or session); None for a service token."""
    if is_service_call(request):
        return None
    if not getattr(request.user, "is_authenticated", False):
        raise exceptions.NotAuthenticated()
    return _require_person(request)


def api_is_org_admin(request: Request) -> bool:
    """A service token is its organisation's admin (for its scopes); a person is one if flagged."""
    if is_service_call(request):
        return True
    person = api_person(request)
    return bool(person and person.is_org_admin)


def require_org_admin(request: Request) -> Organisation:
    """The organisation, if the caller administers it; else 403 in the error format."""
    organisation = api_organisation(request)
    if not api_is_org_admin(request):
        raise exceptions.PermissionDenied("Only the organisation's admins may do this.")
    return organisation


def api_actor(request: Request) -> User | None:
    """Who to record as `by=` in the audit trail: the user, or None (the system) for a service
    token, whose name then goes in `audit_data`."""
    user = request.user
    if isinstance(user, ServicePrincipal):
        return None
    return user if isinstance(user, User) else None


def audit_data(request: Request, **extra: Any) -> dict[str, Any]:
    """Audit data saying the change came through the API, and with which token."""
    data: dict[str, Any] = {"via": "api"}
    token = api_token(request)
    if token is not None:
        data["token"] = {"kind": token.kind, "name": token.name, "prefix": token.prefix}
    else:
        data["via"] = "api-session"
    data.update(extra)
    return data
