"""SCIM 2.0 endpoints under /scim/v2/ (django-scim2's SCIMView gives the token check, CSRF
exemption and the error answers), and the organisation admins' help page."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_scim.views import SCIMView

from upward.accounts.models import ApiToken, TokenKind
from upward.core.models import AuditEvent
from upward.core.types import AuthenticatedRequest
from upward.organisations.access import require_org_admin
from upward.organisations.models import Level, Person, Team
from upward.scim import filtering, patching, provisioning, schemas
from upward.scim.auth import CONTENT_TYPE, scim_error_response
from upward.scim.errors import ScimError, bad

DEFAULT_COUNT = 100
_ALWAYS = {"id", "schemas"}


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("scim:root"))


def _json(doc: Any, status: int = 200, location: str | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(doc), status=status, content_type=CONTENT_TYPE)
    if location:
        response["Location"] = location
    return response


def _names(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list):
        raise bad("attributes and excludedAttributes are lists of attribute names.")
    return [str(item).strip() for item in raw if str(item).strip()]


def _top(name: str) -> str:
    """The top-level key an attribute path lives under."""
    for urn in schemas.EXTENSIONS:
        if name.lower().startswith(urn.lower()):
            return urn.lower()
    if name.lower().startswith(schemas.USER.lower() + ":"):
        name = name[len(schemas.USER) + 1 :]
    return name.split(".")[0].split("[")[0].lower()


def shape(resource: dict[str, Any], attributes: list[str], excluded: list[str]) -> dict[str, Any]:
    """Honour `attributes` and `excludedAttributes` (RFC 7644 section 3.9), at the level of
    top-level attributes and extensions."""
    if attributes:
        wanted = {_top(name) for name in attributes} | _ALWAYS
        return {k: v for k, v in resource.items() if k.lower() in wanted}
    if excluded:
        dropped = {_top(name) for name in excluded} - _ALWAYS
        return {k: v for k, v in resource.items() if k.lower() not in dropped}
    return resource


def _load(request: HttpRequest) -> Any:
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise ScimError("The body is too large.", status=413) from exc
    try:
        return json.loads(body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad("The body is not valid JSON.", "invalidSyntax") from exc


def _int(raw: Any, name: str, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise bad(f"“{name}” must be a whole number.", "invalidValue") from exc


class ScimView(SCIMView):
    """django-scim2's view: its dispatch checks the token (settings AUTH_CHECK_MIDDLEWARE) and
    turns SCIM exceptions into error answers."""

    http_method_names = ["get"]

    @property
    def organisation(self) -> Any:
        return self.request.scim_organisation  # type: ignore[attr-defined]

    @property
    def token(self) -> ApiToken:
        return self.request.scim_token  # type: ignore[attr-defined]

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = scim_error_response(405, f"{request.method} is not supported here.")
        response["Allow"] = ", ".join(m.upper() for m in self._allowed_methods())
        return response


class ServiceProviderConfigView(ScimView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _json(schemas.service_provider_config(base_url(request)))


class ResourceTypesView(ScimView):
    def get(self, request: HttpRequest, type_id: str | None = None) -> HttpResponse:
        user = schemas.user_resource_type(base_url(request))
        if type_id is not None:
            if type_id != "User":
                raise ScimError(f"No resource type {type_id}.", status=404)
            return _json(user)
        return _json(
            {
                "schemas": [schemas.LIST_RESPONSE],
                "totalResults": 1,
                "itemsPerPage": 1,
                "startIndex": 1,
                "Resources": [user],
            }
        )


class SchemasView(ScimView):
    def get(self, request: HttpRequest, schema_id: str | None = None) -> HttpResponse:
        organisation = self.organisation
        found = schemas.all_schemas(
            base_url(request),
            levels=list(
                Level.objects.filter(organisation=organisation)
                .order_by("rank")
                .values_list("name", flat=True)
            ),
            teams=sorted(
                set(Team.objects.filter(organisation=organisation).values_list("name", flat=True))
            ),
        )
        if schema_id is not None:
            for schema in found:
                if schema["id"] == schema_id:
                    return _json(schema)
            raise ScimError(f"No schema {schema_id}.", status=404)
        return _json(
            {
                "schemas": [schemas.LIST_RESPONSE],
                "totalResults": len(found),
                "itemsPerPage": len(found),
                "startIndex": 1,
                "Resources": found,
            }
        )


class UsersView(ScimView):
    http_method_names = ["get", "post", "put", "patch", "delete"]

    def _list(
        self,
        *,
        filter_text: Any,
        start: int,
        count: int,
        attributes: list[str],
        excluded: list[str],
    ) -> HttpResponse:
        query = Q()
        if filter_text not in (None, ""):
            if not isinstance(filter_text, str):
                raise bad("The filter must be a string.", "invalidFilter")
            query = filtering.parse(filter_text)
        start = max(start, 1)
        count = min(max(count, 0), schemas.MAX_RESULTS)
        found = provisioning.people(self.organisation).filter(query).order_by("pk")
        total = found.count()
        page = list(found[start - 1 : start - 1 + count]) if count else []
        base = base_url(self.request)
        return _json(
            {
                "schemas": [schemas.LIST_RESPONSE],
                "totalResults": total,
                "itemsPerPage": len(page),
                "startIndex": start,
                "Resources": [
                    shape(provisioning.to_resource(p, base), attributes, excluded) for p in page
                ],
            }
        )

    def _one(self, person: Any, status: int = 200) -> HttpResponse:
        resource = provisioning.to_resource(person, base_url(self.request))
        location = resource["meta"]["location"]
        resource = shape(
            resource,
            _names(self.request.GET.get("attributes")),
            _names(self.request.GET.get("excludedAttributes")),
        )
        return _json(resource, status=status, location=location)

    def get(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if uuid is not None:
            return self._one(provisioning.find(self.organisation, uuid))
        return self._list(
            filter_text=request.GET.get("filter"),
            start=_int(request.GET.get("startIndex"), "startIndex", 1),
            count=_int(request.GET.get("count"), "count", DEFAULT_COUNT),
            attributes=_names(request.GET.get("attributes")),
            excluded=_names(request.GET.get("excludedAttributes")),
        )

    def post(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if uuid is not None:
            raise ScimError("Create users by POST to /Users.", status=405)
        person = provisioning.create(self.organisation, _load(request), token=self.token)
        return self._one(person, status=201)

    def put(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if uuid is None:
            raise ScimError("Replace a user at /Users/<id>.", status=405)
        person = provisioning.find(self.organisation, uuid)
        return self._one(provisioning.replace(person, _load(request), token=self.token))

    def patch(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if uuid is None:
            raise ScimError("Patch a user at /Users/<id>.", status=405)
        person = provisioning.find(self.organisation, uuid)
        current = provisioning.to_resource(person, base_url(request))
        changed = patching.apply_operations(current, _load(request))
        return self._one(
            provisioning.replace(person, changed, token=self.token, verb="scim.user_patched")
        )

    def delete(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if uuid is None:
            raise ScimError("Delete a user at /Users/<id>.", status=405)
        provisioning.delete(provisioning.find(self.organisation, uuid), token=self.token)
        return HttpResponse(status=204)


class UsersSearchView(UsersView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        body = _load(request)
        if not isinstance(body, dict) or schemas.SEARCH_REQUEST not in (body.get("schemas") or []):
            raise bad(f"A search names the schema {schemas.SEARCH_REQUEST}.", "invalidSyntax")
        return self._list(
            filter_text=body.get("filter"),
            start=_int(body.get("startIndex"), "startIndex", 1),
            count=_int(body.get("count"), "count", DEFAULT_COUNT),
            attributes=_names(body.get("attributes")),
            excluded=_names(body.get("excludedAttributes")),
        )


class NotImplementedView(ScimView):
    """Searching every resource type at once (/.search), Bulk and Me are not offered."""

    http_method_names = ["get", "post", "put", "patch", "delete"]

    def dispatch_any(self) -> HttpResponse:
        raise ScimError("Not supported by Upward.", status=501)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.dispatch_any()

    post = put = patch = delete = get


class RootView(ScimView):
    http_method_names = ["get", "post", "put", "patch", "delete"]

    def get(self, request: HttpRequest, rest: str = "") -> HttpResponse:
        raise ScimError(f"Nothing at /scim/v2/{rest}.", status=404)

    post = put = patch = delete = get


# ---------------------------------------------------------------------------------------------
# The admins' help page


ACTIVITY = {
    "scim.user_created": _("Added"),
    "scim.user_restored": _("Added again"),
    "scim.user_linked": _("Linked to someone already in the directory"),
    "scim.user_replaced": _("Updated"),
    "scim.user_patched": _("Updated"),
    "scim.user_deleted": _("Deleted (leaver flow)"),
}


@login_required
@require_GET
def scim_settings(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    organisation = admin.organisation
    try:
        tokens_url = reverse("tokens:service")
    except NoReverseMatch:
        tokens_url = "/organisation/tokens/"
    scim_tokens = [
        token
        for token in ApiToken.objects.filter(
            organisation=organisation, kind=TokenKind.SERVICE
        ).order_by("-created_at")
        if "scim" in token.scopes
    ]
    events = AuditEvent.objects.filter(
        organisation=organisation, verb__startswith="scim."
    ).order_by("-pk")
    page = Paginator(events, 25).get_page(request.GET.get("page"))
    names = dict(
        Person.objects.filter(
            organisation=organisation,
            pk__in=[int(e.object_id) for e in page if e.object_id.isdigit()],
        ).values_list("pk", "full_name")
    )
    rows = [
        {
            "event": event,
            "what": ACTIVITY.get(event.verb, event.verb),
            "person": names.get(int(event.object_id)) if event.object_id.isdigit() else None,
            "token": (event.data or {}).get("token", ""),
        }
        for event in page
    ]
    return render(
        request,
        "scim/settings.html",
        {
            "organisation": organisation,
            "base_url": base_url(request),
            "tokens_url": tokens_url,
            "scim_tokens": scim_tokens,
            "page_obj": page,
            "rows": rows,
        },
    )
