from django.apps import AppConfig


class JourneyConfig(AppConfig):
    name = "upward.journey"
    label = "journey"

    def ready(self) -> None:
        from upward.notifications.scheduled import register_job

        register_job("upward.journey.services.send_journey_reminders", order=20)

        from upward.journey.receivers import cancel_meetings_of_closed_pairing
        from upward.journey.services.closing import completion_consequences
        from upward.pairing.signals import pairing_closed
        from upward.programmes import lifecycle
        from upward.programmes.models import State

        # Whenever a pairing is over (ended, completed, declined), so are its future meetings.
        pairing_closed.connect(
            cancel_meetings_of_closed_pairing, dispatch_uid="journey.cancel_meetings_of_closed"
        )
        # The meetings themselves are cancelled through pairing_closed; this only counts them.
        lifecycle.register(
            State.COMPLETED, name="journey.meetings", order=20, consequences=completion_consequences
        )
