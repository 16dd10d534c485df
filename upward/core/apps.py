from django.apps import AppConfig
from django.urls import register_converter


class CoreConfig(AppConfig):
    name = "upward.core"
    label = "core"

    def ready(self) -> None:
        from upward.core.converters import IdConverter

        # Registered here, before any URL configuration is imported.
        register_converter(IdConverter, "id")
