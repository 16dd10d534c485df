from django.apps import AppConfig


class ScimConfig(AppConfig):
    """SCIM 2.0 provisioning (django-scim2) for Microsoft Entra ID and Okta, scoped to the
    organisation of the calling service token (docs/integrations.md)."""

    name = "upward.scim"
    label = "scim"
