from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "upward.organisations"
    label = "organisations"
