"""Admin for notes: metadata only. No content field is listed, shown, searchable or editable,
so a superuser browsing the admin cannot read what a pair wrote (docs/notes-and-goals.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from upward.notes.models import (
    CohortPost,
    MeetingNote,
    Message,
    SharedNote,
)


class MetadataOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: Any, obj: Any = None) -> Any:
        return self.list_display

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        return self.list_display


@admin.register(SharedNote)
class SharedNoteAdmin(MetadataOnlyAdmin):
    list_display = ("id", "pairing", "version", "created_at", "updated_at")
    list_select_related = ("pairing",)


@admin.register(MeetingNote)
class MeetingNoteAdmin(MetadataOnlyAdmin):
    list_display = ("id", "meeting", "author", "updated_at")
    list_select_related = ("meeting", "author")


@admin.register(Message)
class MessageAdmin(MetadataOnlyAdmin):
    list_display = ("id", "pairing", "sender", "sent_at", "read_at")
    list_select_related = ("pairing", "sender")


@admin.register(CohortPost)
class CohortPostAdmin(MetadataOnlyAdmin):
    list_display = ("id", "programme", "cohort", "author", "created_at", "hidden_at")
    list_select_related = ("programme", "author")
    list_filter = ("cohort",)
