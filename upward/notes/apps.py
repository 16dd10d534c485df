from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "upward.notes"
    label = "notes"

    def ready(self) -> None:
        from upward.notes.panels import register_panels
        from upward.notes.workbook import notes_section
        from upward.pairing.workspace import register_workbook_section

        register_panels()
        register_workbook_section("notes", notes_section, order=10, private=True)
