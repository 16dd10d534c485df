from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outgoing webhooks for integrators, signed to the Standard Webhooks specification,
    retried through the task queue, with a delivery log (docs/integrations.md)."""

    name = "upward.webhooks"
    label = "webhooks"
