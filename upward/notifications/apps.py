from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "upward.notifications"
    label = "notifications"

    def ready(self) -> None:
        from upward.notifications.scheduled import register_job

        # Retry what a lost task or a failing mail server left in the outbox, then the digest.
        register_job("upward.notifications.outbox.flush_outbox", order=90)
        register_job("upward.notifications.services.send_weekly_digests", order=100)
