from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outgoing webhooks for integrators, signed to the Standard Webhooks specification,
    retried through the task queue, with a delivery log (docs/integrations.md)."""

    name = "upward.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from upward.core.models import AuditEvent
        from upward.core.panels import register_panel
        from upward.notifications.scheduled import register_job
        from upward.organisations.signals import person_left
        from upward.pairing.signals import pairing_closed
        from upward.webhooks import events, panels

        pairing_closed.connect(events.on_pairing_closed, dispatch_uid="webhooks.pairing_closed")
        person_left.connect(events.on_person_left, dispatch_uid="webhooks.person_left")
        post_save.connect(
            events.on_audit_event, sender=AuditEvent, dispatch_uid="webhooks.audit_event"
        )
        # Retries that are due, whether or not the task queue can hold a task until later.
        register_job("upward.webhooks.services.send_due_deliveries", order=85)
        register_panel(
            "organisation.setup",
            "webhooks.endpoints",
            template="webhooks/_setup_panel.html",
            data=panels.setup_panel,
            order=80,
        )
