from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "upward.impact"
    label = "impact"

    def ready(self) -> None:
        from upward.impact.panels import register_panels

        register_panels()
        from upward.notifications.scheduled import register_job

        register_job("upward.impact.services.send_impact_reminders", order=50)

        from upward.impact.programme_end import completion_consequences, send_closing_messages
        from upward.programmes import lifecycle
        from upward.programmes.models import State

        # After the pairing app has completed the pairings and surveys opened the end survey.
        lifecycle.register(
            State.COMPLETED,
            name="impact.closing",
            order=40,
            consequences=completion_consequences,
            effect=send_closing_messages,
        )
