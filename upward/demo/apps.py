from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "upward.demo"
    label = "demo"
