from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "upward.surveys"
    label = "surveys"
