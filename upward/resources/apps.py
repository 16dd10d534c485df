from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "upward.resources"
    label = "resources"

    def ready(self) -> None:
        from upward.resources.panels import register_panels

        register_panels()
