from django.contrib import admin

from upward.programmes.models import Programme, Question, StateChange


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "text", "kind", "choices", "audience", "required"]


class StateChangeInline(admin.TabularInline):
    model = StateChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "by", "at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # Moves go through transition_programme, which checks and audits them.


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "state", "objective", "starts_on", "ends_on"]
    list_filter = ["state", "objective", "is_pilot"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]
    # The state only changes through the lifecycle service, and the token is a secret.
    readonly_fields = ["state", "signup_token", "created_at", "updated_at"]
    autocomplete_fields = ["managers", "previous_cohort"]
    raw_id_fields = ["mentor_level_min", "mentor_level_max", "mentee_level_min", "mentee_level_max"]
    inlines = [QuestionInline, StateChangeInline]
