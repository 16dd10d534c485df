from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "upward.recruitment"
    label = "recruitment"
