from django.apps import AppConfig


class SsoConfig(AppConfig):
    """Single sign-on per organisation: OpenID Connect and SAML 2.0 through django-allauth's
    providers, configured by the organisation's admin (docs/integrations.md)."""

    name = "upward.sso"
    label = "sso"

    def ready(self) -> None:
        from upward.accounts.policies import register_sign_out, register_single_sign_on
        from upward.core.panels import register_panel
        from upward.sso import logout, panels, policy, signals  # noqa: F401

        register_single_sign_on(policy.find)
        register_sign_out(logout.sign_out_url)
        register_panel(
            "organisation.setup",
            "sso.settings",
            template="sso/_setup_panel.html",
            data=panels.setup_panel,
            order=70,
        )
