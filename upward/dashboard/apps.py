from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "upward.dashboard"
    label = "dashboard"
