from django.contrib import admin

from upward.recruitment.models import Answer, Application, Invitation


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    raw_id_fields = ("question",)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("person", "programme", "role", "status", "submitted_at")
    list_filter = ("status", "role")
    search_fields = ("person__full_name", "person__email", "programme__name")
    raw_id_fields = ("programme", "person", "reviewed_by")
    # Lived-experience topics are special-category data; keep them out of the admin form.
    exclude = ("lived_experience_topics",)
    filter_horizontal = ("offered_topics", "wanted_topics", "interests", "works_with")
    inlines = [AnswerInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("person", "programme", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("person__full_name", "person__email", "programme__name")
    raw_id_fields = ("programme", "person", "invited_by")
    readonly_fields = ("token",)
