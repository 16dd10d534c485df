from django.apps import AppConfig


class ScimConfig(AppConfig):
    """SCIM 2.0 provisioning (django-scim2) for Microsoft Entra ID and Okta, scoped to the
    organisation of the calling service token (docs/integrations.md)."""

    name = "upward.scim"
    label = "scim"

    def ready(self) -> None:
        from upward.core.panels import register_panel
        from upward.scim import panels

        register_panel(
            "organisation.setup",
            "scim.settings",
            template="scim/_setup_panel.html",
            data=panels.setup_panel,
            order=72,
        )
