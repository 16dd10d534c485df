from django.contrib import admin

from upward.resources.models import ActivityIdea, Resource


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "organisation", "journey_step", "updated_at")
    list_filter = ("kind",)
    list_select_related = ("organisation",)
    search_fields = ("title",)
    filter_horizontal = ("topics",)


@admin.register(ActivityIdea)
class ActivityIdeaAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "journey_step", "position")
    list_select_related = ("organisation",)
