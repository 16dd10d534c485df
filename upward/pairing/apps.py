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
        register_panels()
        application_withdrawn.connect(
            withdraw_proposals_of_withdrawn_application,
            dispatch_uid="pairing.withdraw_proposals_of_withdrawn_application",
        )
        person_left.connect(
            end_pairings_of_person_who_left, dispatch_uid="pairing.end_pairings_of_person_who_left"
        )
