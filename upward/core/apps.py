from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "upward.core"
    label = "core"
