from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "upward.pairing"
    label = "pairing"

    def ready(self) -> None:
        from upward.notifications.scheduled import register_job
        from upward.pairing.receivers import withdraw_proposals_of_withdrawn_application
        from upward.recruitment.signals import application_withdrawn

        register_job("upward.pairing.services.send_pairing_reminders", order=10)
        application_withdrawn.connect(
            withdraw_proposals_of_withdrawn_application,
            dispatch_uid="pairing.withdraw_proposals_of_withdrawn_application",
        )
