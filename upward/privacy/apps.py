from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """People's rights over their data: access, erasure and retention (docs/privacy.md).

    It stands at the top of the layers: erasure and access reach every app's tables."""

    name = "upward.privacy"
    label = "privacy"

    def ready(self) -> None:
        from upward.core.panels import register_panel
        from upward.core.restore_hooks import register
        from upward.notifications.scheduled import register_job
        from upward.privacy import panels, restore

        register("privacy.erasures", before=restore.before, after=restore.after)
        # After the reminders and the outbox flush (90), before the weekly summary (100), which
        # stays last; retention removes nothing the summary reads.
        register_job("upward.privacy.retention.apply_retention", order=95)
        register_panel(
            "person.detail",
            "privacy.erase",
            template="privacy/_person_panel.html",
            data=panels.person_panel,
            order=90,
        )
        register_panel(
            "organisation.setup",
            "privacy.retention",
            template="privacy/_setup_panel.html",
            data=panels.setup_panel,
            order=90,
        )
