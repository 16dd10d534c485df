from django.apps import AppConfig


class JourneyConfig(AppConfig):
    name = "upward.journey"
    label = "journey"
