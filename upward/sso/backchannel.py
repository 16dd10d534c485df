"""OpenID Connect Back-Channel Logout 1.0: the provider tells Upward, server to server, that a
person's session there has ended, and Upward ends the sessions it signed in through it.

The logout token must be signed with one of the provider's published keys (its jwks_uri),
issued by it, addressed to Upward's client ID, carry the back-channel logout event and no
nonce, and name a `sid` or a `sub`. Anything else gets 400 and ends nothing.
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

import jwt
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.conf import settings
from django.db import transaction

from upward.core import audit
from upward.sso.models import IdentityProvider, Protocol, ProviderSession, slug_from_provider_id

logger = logging.getLogger(__name__)
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
SIGNING_ALGORITHMS = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"}


class InvalidLogoutToken(Exception):
    pass


def remember_session(request: Any, sociallogin: Any) -> None:
    slug = slug_from_provider_id(str(sociallogin.account.provider or ""))
    idp = IdentityProvider.objects.filter(
        organisation__slug=slug or "", protocol=Protocol.OIDC
    ).first()
    session_key = request.session.session_key
    if idp is None or not session_key:
        return
    extra = sociallogin.account.extra_data or {}
    claims = extra.get("id_token") if isinstance(extra, dict) else None
    sid = claims.get("sid", "") if isinstance(claims, dict) else ""
    ProviderSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "identity_provider": idp,
            "sub": str(sociallogin.account.uid)[:255],
            "sid": str(sid or "")[:255],
        },
    )


def _discovery(idp: IdentityProvider) -> dict[str, Any]:
    from allauth.socialaccount.adapter import get_adapter

    from upward.sso.logout import discovery_url

    with get_adapter().get_requests_session() as session:
        response = session.get(discovery_url(idp.server_url))
        response.raise_for_status()
        data = response.json()
    if not isinstance(data, dict):
        raise InvalidLogoutToken("discovery document is not an object")
    return data


def verify_logout_token(idp: IdentityProvider, token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidLogoutToken("not a JWT") from exc
    if header.get("alg") not in SIGNING_ALGORITHMS:
        raise InvalidLogoutToken("unsigned or symmetric-key token")
    try:
        config = _discovery(idp)
        claims = jwtkit.verify_and_decode(
            credential=token,
            keys_url=config["jwks_uri"],
            issuer=config["issuer"],
            audience=idp.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
        )
    except (OAuth2Error, KeyError, ValueError, OSError) as exc:
        raise InvalidLogoutToken(str(exc)) from exc
    events = claims.get("events")
    if not isinstance(events, dict) or LOGOUT_EVENT not in events:
        raise InvalidLogoutToken("no back-channel logout event")
    if "nonce" in claims:
        raise InvalidLogoutToken("a logout token carries no nonce")
    if not claims.get("sid") and not claims.get("sub"):
        raise InvalidLogoutToken("names neither sid nor sub")
    return claims


def end_sessions(idp: IdentityProvider, claims: dict[str, Any]) -> int:
    """End the Upward sessions the logout token names; how many there were."""
    rows = ProviderSession.objects.filter(identity_provider=idp)
    sid, sub = claims.get("sid"), claims.get("sub")
    rows = rows.filter(sid=str(sid)) if sid else rows.filter(sub=str(sub))
    if sid and sub:
        rows = rows.filter(sub=str(sub))
    engine = import_module(settings.SESSION_ENGINE)
    with transaction.atomic():
        keys = list(rows.values_list("session_key", flat=True))
        for key in keys:
            engine.SessionStore(session_key=key).delete()
        rows.delete()
        audit.record(
            "sso.backchannel_logout",
            idp,
            organisation=idp.organisation,
            data={"sessions": len(keys)},
        )
    return len(keys)
