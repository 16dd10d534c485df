from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "upward.safety"
    label = "safety"
