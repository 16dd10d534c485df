from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "upward.notifications"
    label = "notifications"

    def ready(self) -> None:
        from upward.core.panels import register_panel
        from upward.notifications.chat_views import chat_setup_panel
        from upward.notifications.scheduled import register_job

        # Retry what a lost task or a failing mail server left in the outbox, then the digest.
        register_job("upward.notifications.outbox.flush_outbox", order=90)
        register_job("upward.notifications.services.send_weekly_digests", order=100)
        # Chat messages whose back-off has passed, or whose task was lost.
        register_job("upward.notifications.chat.retry_due", order=91)
        register_panel(
            "organisation.setup",
            "notifications.chat",
            template="notifications/chat_setup_panel.html",
            data=chat_setup_panel,
            order=78,
        )
