from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "upward.notes"
    label = "notes"
