"""allauth's social account adapter: the apps come from the organisations' IdentityProvider
rows, and a sign-in through a provider reaches only a person of that provider's organisation."""

from __future__ import annotations

import contextlib
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.http import HttpRequest

from upward.sso import linking
from upward.sso.models import IdentityProvider, Protocol, slug_from_provider_id
from upward.sso.saml import saml_app

# allauth's provider class ids
OIDC = "openid_connect"
SAML = "saml"
# An org admin's "Test sign-in" may use its organisation's provider while it is still off.
TEST_SESSION_KEY = linking.TEST_SESSION_KEY


def oidc_app(idp: IdentityProvider) -> SocialApp:
    return SocialApp(
        provider=OIDC,
        provider_id=idp.provider_id,
        name=idp.display_name,
        client_id=idp.client_id,
        secret=idp.client_secret,
        settings={
            "server_url": idp.server_url,
            "oauth_pkce_enabled": True,
            "scope": ["openid", "email", "profile"],
        },
    )


def app_for(idp: IdentityProvider) -> SocialApp:
    return saml_app(idp) if idp.protocol == Protocol.SAML else oidc_app(idp)


def usable_providers(request: HttpRequest | None) -> Any:
    """Enabled providers, plus the one an org admin is testing in this session."""
    from django.db.models import Q

    condition = Q(enabled=True)
    testing = request.session.get(TEST_SESSION_KEY) if request is not None else None
    if testing:
        condition |= Q(pk=testing)
    return IdentityProvider.objects.filter(condition).select_related("organisation")


class SsoAdapter(DefaultSocialAccountAdapter):
    def list_apps(
        self, request: HttpRequest, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        providers = usable_providers(request)
        if provider in (OIDC, SAML):
            providers = providers.filter(
                protocol=Protocol.SAML if provider == SAML else Protocol.OIDC
            )
        elif provider:
            slug = slug_from_provider_id(provider)
            if slug is None:
                return []
            providers = providers.filter(organisation__slug=slug)
        apps = []
        for idp in providers:
            # A SAML provider whose metadata cannot be read is left out, not everyone's sign-in.
            with contextlib.suppress(SocialApp.DoesNotExist):
                apps.append(app_for(idp))
        if client_id:
            apps = [app for app in apps if app.client_id == client_id]
        return apps

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        response = linking.resolve(request, sociallogin)
        if response is not None:
            raise ImmediateHttpResponse(response)

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        raise ImmediateHttpResponse(linking.failed_page(request, provider))
