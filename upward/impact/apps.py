from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "upward.impact"
    label = "impact"

    def ready(self) -> None:
        from upward.impact.panels import register_panels

        register_panels()
        from upward.notifications.scheduled import register_job

        register_job("upward.impact.services.send_impact_reminders", order=50)
