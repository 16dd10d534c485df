from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "upward.pairing"
    label = "pairing"

    def ready(self) -> None:
        from upward.notifications.scheduled import register_job

        register_job("upward.pairing.services.send_pairing_reminders", order=10)
