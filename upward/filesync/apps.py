from django.apps import AppConfig


class FilesyncConfig(AppConfig):
    """HR file sync: a scheduled or on-demand import of a CSV/XLSX export from a configured
    location, through the people import's dry run (docs/integrations.md)."""

    name = "upward.filesync"
    label = "filesync"

    def ready(self) -> None:
        from upward.notifications.scheduled import register_job

        # After the reminders (10-50), before the alerts (60) and the digest (100): leavers a sync records are
        # already out of the day's reminders.
        register_job("upward.filesync.services.run_due_sources", order=55)
