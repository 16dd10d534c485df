from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "upward.safety"
    label = "safety"

    def ready(self) -> None:
        from upward.safety.panels import register_panels

        register_panels()
        from upward.core.roles import register_privileged_role
        from upward.notifications.scheduled import register_job
        from upward.organisations.access import person_for
        from upward.safety.access import is_safeguarding_contact

        # Safeguarding contacts read every programme's concerns, exits and pulses.
        register_privileged_role(
            "safeguarding contact", lambda user: is_safeguarding_contact(person_for(user))
        )
        register_job("upward.safety.services.send_safety_reminders", order=40)
        from upward.programmes import lifecycle
        from upward.programmes.models import State
        from upward.safety.services import close_rematch_requests_at_end

        lifecycle.register(
            State.COMPLETED,
            name="safety.rematch_requests",
            order=40,
            effect=close_rematch_requests_at_end,
        )
