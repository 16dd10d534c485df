from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API under /api/v1/ (docs/integrations.md): tokens, scopes, one error format, and
    resources that follow the same access rules as the pages.

    It stands at the top of the layers: it reads and writes through every app's services."""

    name = "upward.api"
    label = "api"

    def ready(self) -> None:
        # Registers the bearer token scheme with drf-spectacular (an extension registers itself
        # when its module is imported).
        from upward.api import schema  # noqa: F401
        from upward.api.panels import setup_panel
        from upward.core.panels import register_panel

        register_panel(
            "organisation.setup",
            "api.service_tokens",
            template="api/tokens/_setup_panel.html",
            data=setup_panel,
            order=76,
        )
