from django.contrib import admin

from upward.announcements.models import Announcement


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("title", "programme", "audience", "recipient_count", "sent_at")
    list_filter = ("audience",)
    # Sent announcements are a record of what people were told: read-only here.
    readonly_fields = [f.name for f in Announcement._meta.fields] + ["recipients"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
