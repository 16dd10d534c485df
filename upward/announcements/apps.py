from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    name = "upward.announcements"
    label = "announcements"

    def ready(self) -> None:
        from upward.announcements.panels import register_panels

        register_panels()
