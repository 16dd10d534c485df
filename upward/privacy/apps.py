from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """People's rights over their data: access, erasure and retention (docs/privacy.md).

    It stands at the top of the layers: erasure and access reach every app's tables."""

    name = "upward.privacy"
    label = "privacy"
