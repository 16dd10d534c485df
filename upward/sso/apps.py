from django.apps import AppConfig


class SsoConfig(AppConfig):
    """Single sign-on per organisation: OpenID Connect and SAML 2.0 through django-allauth's
    providers, configured by the organisation's admin (docs/integrations.md)."""

    name = "upward.sso"
    label = "sso"
