"""Back-channel logout: the provider ends a person's Upward sessions, server to server."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from authlib.jose import jwt as authlib_jwt
from django.test import Client
from django.urls import reverse

from upward.core.models import AuditEvent
from upward.sso.models import ProviderSession
from upward.sso.tests.conftest import SsoWorld, provider_signing_key, sign_in_through_provider

EVENT: dict[str, dict[str, str]] = {"http://schemas.openid.net/event/backchannel-logout": {}}


def logout_token(key: Any, issuer: str, **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": issuer,
        "aud": "upward-acme",
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        "events": EVENT,
        **claims,
    }
    payload = {k: v for k, v in payload.items() if v is not None}
    header = {"alg": "RS256", "kid": key.as_dict()["kid"]}
    return authlib_jwt.encode(header, payload, key).decode()


def signed_in(client: Client) -> bool:
    return bool(client.get(reverse("dashboard")).wsgi_request.user.is_authenticated)


@pytest.fixture
def key(oidc_server_handle: Any) -> Any:
    return provider_signing_key(oidc_server_handle)


def _post(slug: str, token: str) -> Any:
    return Client().post(reverse("sso:backchannel_logout", args=[slug]), {"logout_token": token})


def test_provider_ends_the_persons_upward_sessions(sso: SsoWorld, key: Any) -> None:
    sso.provider_says("mo-sub", email="mo@acme.test")
    laptop, phone, other = Client(), Client(), Client()
    for client in (laptop, phone):
        assert sign_in_through_provider(client, "mo@acme.test", sub="mo-sub").status_code == 302
    sso.provider_says("ada-sub", email="ada@acme.test")
    assert sign_in_through_provider(other, "ada@acme.test", sub="ada-sub").status_code == 302
    assert ProviderSession.objects.count() == 3

    response = _post("acme", logout_token(key, sso.base_url, sub="mo-sub"))
    assert response.status_code == 200
    assert not signed_in(laptop)
    assert not signed_in(phone)
    assert signed_in(other)  # someone else's session is untouched
    assert ProviderSession.objects.count() == 1
    assert AuditEvent.objects.filter(verb="sso.backchannel_logout", organisation=sso.org)


@pytest.mark.parametrize(
    "problem",
    ["wrong_audience", "wrong_issuer", "no_event", "nonce", "no_subject", "forged", "expired"],
)
def test_bad_logout_tokens_end_nothing(sso: SsoWorld, key: Any, problem: str) -> None:
    sso.provider_says("mo-sub", email="mo@acme.test")
    client = Client()
    assert sign_in_through_provider(client, "mo@acme.test", sub="mo-sub").status_code == 302
    claims: dict[str, Any] = {"sub": "mo-sub"}
    issuer = sso.base_url
    signing_key = key
    if problem == "wrong_audience":
        claims["aud"] = "someone-else"
    elif problem == "wrong_issuer":
        issuer = "https://evil.example"
    elif problem == "no_event":
        claims["events"] = {"something": {}}
    elif problem == "nonce":
        claims["nonce"] = "n"
    elif problem == "no_subject":
        claims["sub"] = None
    elif problem == "expired":
        claims["exp"] = int(time.time()) - 60
    elif problem == "forged":
        from authlib.jose import JsonWebKey

        signing_key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
        signing_key_dict = signing_key.as_dict(is_private=True)
        signing_key_dict["kid"] = key.as_dict()["kid"]  # claims to be the provider's key
        signing_key = JsonWebKey.import_key(signing_key_dict)
    response = _post("acme", logout_token(signing_key, issuer, **claims))
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request"}
    assert signed_in(client)


def test_unsigned_token_and_unknown_provider_are_refused(sso: SsoWorld) -> None:
    import base64
    import json

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    unsigned = f"{part({'alg': 'none'})}.{part({'sub': 'mo-sub', 'events': EVENT})}."
    assert _post("acme", unsigned).status_code == 400
    assert _post("nobody", "x").status_code == 400
    assert _post("acme", "").status_code == 400
    assert Client().get(reverse("sso:backchannel_logout", args=["acme"])).status_code == 405


def test_signing_out_forgets_the_session(sso: SsoWorld) -> None:
    sso.provider_says("mo-sub", email="mo@acme.test")
    client = Client()
    assert sign_in_through_provider(client, "mo@acme.test", sub="mo-sub").status_code == 302
    assert ProviderSession.objects.count() == 1
    client.post(reverse("account_logout"))
    assert ProviderSession.objects.count() == 0
