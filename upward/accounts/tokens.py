"""API tokens: made, checked and revoked here, never elsewhere (docs/integrations.md).

A token reads `upw_<prefix>_<secret>`. Only the SHA-256 of the whole string is stored, so a
database dump cannot be replayed; the prefix is kept in clear to tell tokens apart in lists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone

from upward.accounts.models import ApiToken, TokenKind, TokenScope, User
from upward.core import audit
from upward.core.types import Actor
from upward.organisations.models import Organisation, Person

TOKEN_START = "upw_"  # noqa: S105 (the public start of every token, not a secret)
# Scopes a personal token may carry; SCIM is for the organisation's identity system only.
PERSONAL_SCOPES = frozenset(TokenScope.values) - {TokenScope.SCIM}
SERVICE_SCOPES = frozenset(TokenScope.values) - {TokenScope.ME_READ, TokenScope.ME_WRITE}
# last_used_at is written at most this often, so a busy integration does not write every call.
USE_STAMP_EVERY = dt.timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _clean_scopes(scopes: Iterable[str], allowed: frozenset[str]) -> list[str]:
    chosen = sorted(set(scopes))
    if not chosen:
        raise ValidationError("Choose at least one scope.")
    unknown = [s for s in chosen if s not in allowed]
    if unknown:
        raise ValidationError(
            "This kind of token cannot have the scope %(scopes)s.",
            params={"scopes": ", ".join(unknown)},
        )
    return chosen


def issue_token(
    *,
    kind: str,
    organisation: Organisation,
    name: str,
    scopes: Iterable[str],
    by: Actor,
    user: User | None = None,
    expires_at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Make a token; returns it and its secret, which is never shown again."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the token a name, so you know later what uses it.")
    if kind == TokenKind.PERSONAL:
        if user is None:
            raise ValidationError("A personal token needs its holder.")
        allowed = PERSONAL_SCOPES
    elif kind == TokenKind.SERVICE:
        if user is not None:
            raise ValidationError("An organisation service token has no personal holder.")
        allowed = SERVICE_SCOPES
    else:
        raise ValidationError("Unknown kind of token.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError("The expiry date must be in the future.")
    chosen = _clean_scopes(scopes, allowed)
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        kind=kind,
        organisation=organisation,
        user=user,
        name=name,
        prefix=prefix,
        secret_hash=_digest(raw),
        scopes=chosen,
        created_by=by,
        expires_at=expires_at,
    )
    audit.record(
        "api_token.created",
        token,
        by=by,
        organisation=organisation,
        data={"kind": kind, "name": name, "scopes": chosen},
    )
    return token, raw


def _holder_is_active(user: User, organisation_id: int) -> bool:
    """A personal token works while its holder is an active person of the token's organisation:
    it stops when they leave (marked as left, by a form, an import, SCIM or the API)."""
    if not user.is_active:
        return False
    return Person.objects.filter(
        user=user, organisation_id=organisation_id, is_active=True
    ).exists()


def authenticate_token(raw: str) -> ApiToken | None:
    """The usable token for this secret, or None (unknown, revoked or expired)."""
    if not raw.startswith(TOKEN_START) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("organisation", "user")
        .filter(secret_hash=_digest(raw))
        .first()
    )
    if token is None or not token.is_usable:
        return None
    if token.user is not None and not _holder_is_active(token.user, token.organisation_id):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= USE_STAMP_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke_token(token: ApiToken, *, by: Actor) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            "api_token.revoked",
            token,
            by=by,
            organisation=token.organisation,
            data={"kind": token.kind, "name": token.name},
        )
    return token
