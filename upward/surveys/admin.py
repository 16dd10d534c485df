"""Admin: surveys and their questions only.

Responses and answers are deliberately not registered: the admin must not become a way to read
individual answers, least of all to line up an anonymous answer with the person who gave it.
Outcomes are read through the outcomes page, which applies the small-group rules.
"""

from django.contrib import admin

from upward.surveys.models import Question, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "item_key", "text", "kind", "required"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "timing", "audience", "is_anonymous", "state"]
    list_filter = ["state", "timing", "is_anonymous"]
    search_fields = ["title", "programme__name"]
    inlines = [QuestionInline]
    readonly_fields = ["created_by", "created_at", "opened_at", "closed_at"]
