"""The OpenAPI description (drf-spectacular): bearer tokens, and the one error format every
operation may answer with (upward.api.errors)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every answer that is not a success.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer", "description": "The HTTP status, repeated."},
                "code": {
                    "type": "string",
                    "description": (
                        "A stable code: invalid, conflict, not_authenticated, "
                        "authentication_failed, permission_denied, not_found, "
                        "method_not_allowed, throttled, server_error…"
                    ),
                },
                "message": {"type": "string", "description": "For people, in English."},
                "fields": {
                    "type": "object",
                    "description": "For invalid input: the messages of each field.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "rows": {
                    "type": "array",
                    "description": "For a bulk upsert: the rows with errors.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "index": {"type": "integer"},
                            "fields": {
                                "type": "object",
                                "additionalProperties": {
                                    "type": "array",
                                    "items": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
            "required": ["status", "code", "message"],
        }
    },
    "required": ["error"],
}

ERROR_ANSWERS = {
    "400": "Invalid input.",
    "401": "No credentials, or a token that is unknown, revoked or expired.",
    "403": "The token lacks the scope, or the caller may not do this.",
    "404": "Not found, or not visible to the caller.",
    "405": "The method is not allowed here.",
    "409": "A conflict with the current data (a duplicate email, say).",
    "429": "Too many requests: wait the seconds in Retry-After.",
    "500": "An unexpected error on our side.",
}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "upward.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "upw_<prefix>_<secret>",
            "description": (
                "A personal or organisation service token: Authorization: Bearer upw_…. "
                "Each operation needs the scope named in its description."
            ),
        }


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the `Error` component, answered by every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_ANSWERS.items():
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result
