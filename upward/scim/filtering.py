"""The filters Entra ID and Okta send (`userName eq "..."`, `externalId eq "..."`), and a few
more, joined with `and`; anything else is refused with scimType invalidFilter."""

from __future__ import annotations

import re

from django.db.models import Q

from upward.scim.errors import bad
from upward.scim.provisioning import user_name_q

_CLAUSE = re.compile(
    r'^\s*([\w.:$\[\]" ]+?)\s+(eq|sw|co)\s+("(?:[^"\\]|\\.)*"|true|false|\d+)\s*$', re.IGNORECASE
)
_AND = re.compile(r"\s+and\s+(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", re.IGNORECASE)
_EMAIL_PATHS = {"emails", "emails.value", 'emails[type eq "work"].value'}


def _value(raw: str) -> str | bool:
    if raw.startswith('"'):
        return re.sub(r"\\(.)", r"\1", raw[1:-1])
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return raw


def parse(text: str) -> Q:
    if len(text) > 1000:
        raise bad("The filter is too long.", "invalidFilter")
    query = Q()
    for clause in _AND.split(text.strip()):
        match = _CLAUSE.match(clause)
        if not match:
            raise bad(
                f'Unsupported filter “{text}”: use attribute eq "value", joined with and.',
                "invalidFilter",
            )
        attr, op, raw = match.group(1).strip().lower(), match.group(2).lower(), match.group(3)
        value = _value(raw)
        query &= _clause(attr, op, value, text)
    return query


def _clause(attr: str, op: str, value: str | bool, text: str) -> Q:
    if attr.startswith("urn:ietf:params:scim:schemas:core:2.0:user:"):
        attr = attr.rsplit(":", 1)[-1]
    if attr == "active":
        if op != "eq" or not isinstance(value, bool):
            raise bad("Filter active with eq true or eq false.", "invalidFilter")
        return Q(is_active=value)
    if not isinstance(value, str):
        raise bad(f"Compare {attr} with a quoted string.", "invalidFilter")
    lookup = {"eq": "iexact", "sw": "istartswith", "co": "icontains"}[op]
    if attr == "username":
        if op == "eq":
            return user_name_q(value)
        return Q(**{f"scim_identity__user_name__{lookup}": value}) | Q(
            scim_identity__isnull=True, **{f"email__{lookup}": value}
        )
    if attr == "id":
        if op != "eq":
            raise bad("Filter id with eq.", "invalidFilter")
        return Q(pk=int(value)) if value.isdigit() and len(value) < 19 else Q(pk__in=[])
    if attr == "externalid":
        return Q(**{f"external_id__{'exact' if op == 'eq' else lookup}": value})
    if attr in _EMAIL_PATHS:
        return Q(**{f"email__{lookup}": value})
    if attr == "displayname":
        return Q(**{f"full_name__{lookup}": value})
    raise bad(
        f"Filtering on “{attr}” is not supported: use userName, externalId, emails, "
        "displayName, id or active.",
        "invalidFilter",
    )
