from django.apps import AppConfig
from django.urls import register_converter


class CoreConfig(AppConfig):
    name = "upward.core"
    label = "core"

    def ready(self) -> None:
        from upward.core.converters import IdConverter

        # Registered here, before any URL configuration is imported.
        register_converter(IdConverter, "id")

        from django.db.models.signals import post_save

        from upward.core.keys import organisation_created

        # By label: core cannot import the organisations app. Every organisation gets a data key.
        post_save.connect(
            organisation_created,
            sender="organisations.Organisation",
            dispatch_uid="core.organisation_key",
        )
