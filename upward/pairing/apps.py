from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "upward.pairing"
    label = "pairing"

    def ready(self) -> None:
        from upward.notifications.scheduled import register_job
        from upward.organisations.signals import person_left
        from upward.pairing.panels import register_panels
        from upward.pairing.receivers import (
            end_pairings_of_person_who_left,
            withdraw_proposals_of_withdrawn_application,
        )
        from upward.recruitment.signals import application_withdrawn

        register_job("upward.pairing.services.send_pairing_reminders", order=10)
        # Before every reminder job, so a programme that ended sends no more reminders.
        register_job("upward.pairing.services.programme_end.run_programme_endings", order=5)
        from upward.pairing.services import programme_end
        from upward.programmes import lifecycle
        from upward.programmes.models import State

        lifecycle.register(
            State.ACTIVE, name="pairing.waiting", order=10, asks=programme_end.launch_asks
        )
        lifecycle.register(
            State.COMPLETED,
            name="pairing.close",
            order=10,
            consequences=programme_end.completion_consequences,
            effect=programme_end.close_pairings_at_end,
        )
        register_panels()
        application_withdrawn.connect(
            withdraw_proposals_of_withdrawn_application,
            dispatch_uid="pairing.withdraw_proposals_of_withdrawn_application",
        )
        person_left.connect(
            end_pairings_of_person_who_left, dispatch_uid="pairing.end_pairings_of_person_who_left"
        )
