from django.apps import AppConfig


class FilesyncConfig(AppConfig):
    """HR file sync: a scheduled or on-demand import of a CSV/XLSX export from a configured
    location, through the people import's dry run (docs/integrations.md)."""

    name = "upward.filesync"
    label = "filesync"
