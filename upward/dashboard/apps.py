from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "upward.dashboard"
    label = "dashboard"

    def ready(self) -> None:
        from upward.notifications.scheduled import register_job

        # After the apps' own reminders (up to 50), before the outbox is flushed (90).
        register_job("upward.dashboard.alerts.send_team_alerts", order=60)
