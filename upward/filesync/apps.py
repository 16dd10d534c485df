from django.apps import AppConfig


class FilesyncConfig(AppConfig):
    """HR file sync: a scheduled or on-demand import of a CSV/XLSX export from a configured
    location, through the people import's dry run (docs/integrations.md)."""

    name = "upward.filesync"
    label = "filesync"

    def ready(self) -> None:
        from upward.core.panels import register_panel
        from upward.filesync import panels
        from upward.notifications.scheduled import register_job

        register_panel(
            "organisation.setup",
            "filesync.settings",
            template="filesync/_setup_panel.html",
            data=panels.setup_panel,
            order=74,
        )

        # After the reminders (10-50), before the alerts (60) and the digest (100): leavers a sync records are
        # already out of the day's reminders.
        register_job("upward.filesync.services.run_due_sources", order=55)

        # The audit log names file sync's verbs (it describes unknown verbs by their last word
        # alone, "Settings changed", which does not say which feature).
        from django.utils.translation import gettext_lazy as _

        from upward.organisations.audit_log import DESCRIPTIONS

        DESCRIPTIONS.update(
            {
                "filesync.settings_changed": _("Changed the HR file sync settings"),
                "filesync.disabled": _("Switched off HR file sync"),
                "filesync.run_started": _("Started an HR file sync check"),
                "filesync.run_finished": _("An HR file sync check finished"),
            }
        )
