from django.apps import AppConfig


class ConsentConfig(AppConfig):
    """Optional special-category data and consent to each purpose it may serve (docs/privacy.md).

    It stands low, just above organisations: recruitment, matching and reporting ask it."""

    name = "upward.consent"
    label = "consent"
