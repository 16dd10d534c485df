"""Signing out of Upward after a sign-in through an OpenID Connect provider also signs out at
the provider (OpenID Connect RP-Initiated Logout 1.0), when its discovery document offers an
end_session_endpoint. SAML single logout goes through allauth's SLS view instead."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import requests
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from upward.core.links import absolute_url
from upward.sso.linking import SESSION_KEY
from upward.sso.models import IdentityProvider, Protocol, slug_from_provider_id

logger = logging.getLogger(__name__)
DISCOVERY_CACHE_SECONDS = 60 * 60
DISCOVERY_TIMEOUT_SECONDS = 5
SIGN_OUT_SALT = "upward.sso.sign-out"
SIGN_OUT_TOKEN_SECONDS = 10 * 60


def discovery_url(server_url: str) -> str:
    if "/.well-known/" in server_url:
        return server_url
    return server_url.rstrip("/") + "/.well-known/openid-configuration"


def end_session_endpoint(idp: IdentityProvider) -> str:
    url = discovery_url(idp.server_url)
    key = f"sso.end_session.{url}"
    cached = cache.get(key)
    if cached is not None:
        return str(cached)
    try:
        response = requests.get(url, timeout=DISCOVERY_TIMEOUT_SECONDS)
        response.raise_for_status()
        endpoint = response.json().get("end_session_endpoint") or ""
    except (requests.RequestException, ValueError, AttributeError):
        logger.warning("SSO discovery failed for %s at sign-out", idp.provider_id)
        return ""  # not cached: try again next time
    endpoint = endpoint if isinstance(endpoint, str) and endpoint.startswith("http") else ""
    cache.set(key, endpoint, DISCOVERY_CACHE_SECONDS)
    return endpoint


def post_logout_redirect_uri() -> str:
    return absolute_url(reverse("account_login"))


def end_session_url(idp: IdentityProvider) -> str:
    """The provider's sign-out address for Upward's client, or "" if it offers none."""
    endpoint = end_session_endpoint(idp)
    if not endpoint:
        return ""
    params = {"client_id": idp.client_id, "post_logout_redirect_uri": post_logout_redirect_uri()}
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(params)}"


def sign_out_url(request: Any) -> str | None:
    """Where allauth sends the browser after signing out of Upward: for a session signed in
    through an OpenID Connect provider, our "signed out" page, which goes on to the provider's
    sign-out. (A form's redirect straight to the provider would break the pages' CSP
    form-action rule; following a link does not.) The page's token names the organisation and
    expires in minutes: it can send a browser to nothing but a configured provider."""
    session = getattr(request, "session", None)
    data = session.get(SESSION_KEY) if session is not None else None
    if not isinstance(data, dict):
        return None
    slug = slug_from_provider_id(str(data.get("provider_id", "")))
    if not slug or not _provider(slug):
        return None
    token = signing.dumps({"slug": slug}, salt=SIGN_OUT_SALT)
    return reverse("sso:signed_out") + "?" + urlencode({"t": token})


def _provider(slug: str) -> IdentityProvider | None:
    return (
        IdentityProvider.objects.filter(
            organisation__slug=slug, enabled=True, protocol=Protocol.OIDC
        )
        .select_related("organisation")
        .first()
    )


def provider_for_token(token: str) -> IdentityProvider | None:
    try:
        data = signing.loads(token, salt=SIGN_OUT_SALT, max_age=SIGN_OUT_TOKEN_SECONDS)
    except signing.BadSignature:
        return None
    slug = data.get("slug") if isinstance(data, dict) else None
    return _provider(slug) if isinstance(slug, str) else None
