"""Goals and tasks are private to the pair and not in the admin; the framework is."""

from django.contrib import admin

from upward.goals.models import Skill


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "programme", "position")
    list_select_related = ("programme",)
    search_fields = ("name",)
