from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "upward.resources"
    label = "resources"
