"""What the SCIM endpoints publish about themselves: the service provider configuration, the
User resource type and the schemas of the attributes Upward keeps (RFC 7643 sections 5 to 7).

Only attributes we store and answer back are listed, so a client reading the schemas (or a
conformance checker) never sends something we would drop. The level and team lists are the
organisation's own names, published as canonical values."""

from __future__ import annotations

from typing import Any

from django.conf import settings

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
UPWARD = "urn:upward:params:scim:schemas:extension:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
EXTENSIONS = (ENTERPRISE, UPWARD)

MAX_RESULTS = 200
TIME_ZONE_EXAMPLES = ("Europe/London", "Europe/Paris", "America/New_York", "Asia/Singapore")


def _attr(
    name: str,
    description: str,
    *,
    type_: str = "string",
    required: bool = False,
    mutability: str = "readWrite",
    multi: bool = False,
    uniqueness: str = "none",
    sub: list[dict[str, Any]] | None = None,
    canonical: list[str] | None = None,
    reference_types: list[str] | None = None,
    returned: str = "default",
) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "name": name,
        "type": type_,
        "multiValued": multi,
        "description": description,
        "required": required,
        "caseExact": False,
        "mutability": mutability,
        "returned": returned,
        "uniqueness": uniqueness,
    }
    if sub is not None:
        attribute["subAttributes"] = sub
    if canonical:
        attribute["canonicalValues"] = canonical
    if reference_types:
        attribute["referenceTypes"] = reference_types
    return attribute


def _meta(location: str, resource_type: str) -> dict[str, str]:
    return {"resourceType": resource_type, "location": location}


def user_schema(base: str) -> dict[str, Any]:
    return {
        "schemas": [SCHEMA],
        "id": USER,
        "name": "User",
        "description": "A person in the organisation's Upward directory.",
        "attributes": [
            _attr(
                "userName",
                "How the identity system names the person; an email when no emails are sent.",
                required=True,
                uniqueness="server",
            ),
            _attr(
                "name",
                "Answered from the full name; givenName and familyName build it when no "
                "displayName is sent.",
                type_="complex",
                mutability="readOnly",
                sub=[
                    _attr("formatted", "The full name.", mutability="readOnly"),
                    _attr("givenName", "Given name.", mutability="readOnly"),
                    _attr("familyName", "Family name.", mutability="readOnly"),
                ],
            ),
            _attr("displayName", "The full name shown in Upward.", required=True),
            _attr("title", "Job title."),
            _attr(
                "emails",
                "The work email (type work, else the primary, else the first).",
                type_="complex",
                multi=True,
                required=True,
                sub=[
                    _attr("value", "Email address.", required=True),
                    _attr("type", "Kind of address.", canonical=["work"]),
                ],
            ),
            _attr(
                "timezone",
                "Time zone, such as Europe/London. Checked, kept, and not sent back.",
                mutability="writeOnly",
                returned="never",
                canonical=list(TIME_ZONE_EXAMPLES),
            ),
            _attr(
                "addresses",
                "The work address's locality is the person's location.",
                type_="complex",
                multi=True,
                sub=[
                    _attr("type", "Kind of address.", canonical=["work"]),
                    _attr("locality", "City or site."),
                ],
            ),
            _attr(
                "active",
                "False marks the person as left (the leaver flow); true brings them back.",
                type_="boolean",
                required=True,
            ),
        ],
        "meta": _meta(f"{base}Schemas/{USER}", "Schema"),
    }


def enterprise_schema(base: str) -> dict[str, Any]:
    return {
        "schemas": [SCHEMA],
        "id": ENTERPRISE,
        "name": "EnterpriseUser",
        "description": "Department and line manager.",
        "attributes": [
            _attr("department", "Department name; created in the organisation when new."),
            _attr(
                "manager",
                "The line manager, by their SCIM id.",
                type_="complex",
                sub=[
                    _attr("value", "The manager's SCIM id."),
                    _attr(
                        "$ref",
                        "The manager's SCIM location.",
                        type_="reference",
                        reference_types=["User"],
                    ),
                ],
            ),
        ],
        "meta": _meta(f"{base}Schemas/{ENTERPRISE}", "Schema"),
    }


def upward_schema(base: str, *, levels: list[str], teams: list[str]) -> dict[str, Any]:
    return {
        "schemas": [SCHEMA],
        "id": UPWARD,
        "name": "UpwardUser",
        "description": "Upward's level and team, by the names the organisation uses.",
        "attributes": [
            _attr(
                "level",
                "One of the organisation's levels (set by its admins); an unknown name is refused.",
                canonical=levels,
            ),
            _attr(
                "team",
                "Team name, within the department; created there when new.",
                canonical=teams,
            ),
        ],
        "meta": _meta(f"{base}Schemas/{UPWARD}", "Schema"),
    }


def all_schemas(base: str, *, levels: list[str], teams: list[str]) -> list[dict[str, Any]]:
    return [
        user_schema(base),
        enterprise_schema(base),
        upward_schema(base, levels=levels, teams=teams),
    ]


def user_resource_type(base: str) -> dict[str, Any]:
    return {
        "schemas": [RESOURCE_TYPE],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "People of the organisation.",
        "schema": USER,
        "schemaExtensions": [
            {"schema": ENTERPRISE, "required": False},
            {"schema": UPWARD, "required": False},
        ],
        "meta": _meta(f"{base}ResourceTypes/User", "ResourceType"),
    }


def service_provider_config(base: str) -> dict[str, Any]:
    docs = getattr(settings, "SCIM_DOCUMENTATION_URI", "")
    config: dict[str, Any] = {
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "An Upward organisation service token with the scim scope.",
                "primary": True,
            }
        ],
        "meta": _meta(f"{base}ServiceProviderConfig", "ServiceProviderConfig"),
    }
    if docs:
        config["documentationUri"] = docs
    return config


def no_static_schemas() -> list[dict[str, Any]]:
    """django-scim2's SCHEMAS_GETTER: its own Schemas view is not used (ours lists the
    organisation's levels and teams), so it gets nothing to load."""
    return []
