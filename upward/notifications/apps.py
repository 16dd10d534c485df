from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "upward.notifications"
    label = "notifications"

    def ready(self) -> None:
        from upward.notifications.scheduled import register_job

        register_job("upward.notifications.services.send_weekly_digests", order=100)
