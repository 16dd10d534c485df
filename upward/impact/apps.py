from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "upward.impact"
    label = "impact"
