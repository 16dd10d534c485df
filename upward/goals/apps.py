from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "upward.goals"
    label = "goals"
