from django.contrib import admin

from upward.organisations.models import (
    Department,
    Level,
    Organisation,
    OrganisationDomain,
    PeopleImport,
    Person,
    Team,
    Topic,
)


class OrganisationDomainInline(admin.TabularInline):
    # Shown, not edited: domains change through `manage.py organisation_domains`, which checks
    # and audits them (a wrongly claimed domain hands over other people's accounts).
    model = OrganisationDomain
    fields = ["domain", "created_at"]
    readonly_fields = ["domain", "created_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganisationDomainInline]


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["organisation", "rank", "name"]
    list_filter = ["organisation"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "organisation"]
    list_filter = ["organisation", "kind"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "organisation", "level", "is_active", "is_org_admin"]
    list_filter = ["organisation", "is_active", "is_org_admin"]
    search_fields = ["full_name", "email"]
    # Raw ids: a select of every person or user would not load for a large directory.
    raw_id_fields = ["user", "manager", "level", "department", "team"]


@admin.register(PeopleImport)
class PeopleImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "organisation", "status", "created_at", "applied_at"]
    list_filter = ["status", "organisation"]
    # The stored rows are personal data; the admin site shows the summary only.
    exclude = ["rows"]
    readonly_fields = ["organisation", "uploaded_by", "filename", "columns", "preview"]
