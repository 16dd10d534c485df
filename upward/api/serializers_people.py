"""What the API shows and takes of the directory and the organisation's structure.

Only directory fields: never anything a person told us in confidence (special-category answers,
consents), notes, messages or safety reports.
"""

from __future__ import annotations

import functools
import zoneinfo
from typing import Any

from django.db import models
from rest_framework import serializers

from upward.organisations.models import Department, Level, Organisation, Person, Team


class StrictCharField(serializers.CharField):
    """Text must come as a JSON string: a number or a boolean is an error, not turned into one."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            # Counted as sent, before the spaces around it are trimmed, as the schema says.
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField, StrictCharField):
    pass


class StrictModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
    }


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug"]


class LevelSerializer(StrictModelSerializer):
    class Meta:
        model = Level
        fields = ["id", "name", "rank"]
        read_only_fields = ["id", "rank"]


class DepartmentSerializer(StrictModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name"]
        read_only_fields = ["id"]


class TeamSerializer(StrictModelSerializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.none())

    class Meta:
        model = Team
        fields = ["id", "name", "department"]
        read_only_fields = ["id"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.context.get("organisation")
        department = self.fields["department"]
        assert isinstance(department, serializers.PrimaryKeyRelatedField)
        department.queryset = Department.objects.filter(organisation=organisation)

    def validate_department(self, value: Department) -> Department:
        if self.instance is not None and value.pk != self.instance.department_id:
            raise serializers.ValidationError("A team stays in its department: make a new team.")
        return value


PERSON_FIELDS = [
    "id",
    "email",
    "external_id",
    "full_name",
    "job_title",
    "level",
    "department",
    "team",
    "manager",
    "location",
    "time_zone",
    "start_date",
    "is_active",
    "is_org_admin",
    "left_on",
    "created_at",
    "updated_at",
]


@functools.cache
def _time_zones() -> frozenset[str]:
    # Read once: listing the zones reads the disk each time (~30 ms), which a 500-row upsert
    # would pay per row.
    return frozenset(zoneinfo.available_timezones())


class PersonSerializer(StrictModelSerializer):
    """A directory entry. Level, department, team and manager are ids in the same organisation.
    `is_active: false` marks the person as left (the leaver flow); there is no delete."""

    level = serializers.PrimaryKeyRelatedField(
        queryset=Level.objects.none(), allow_null=True, required=False
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.none(), allow_null=True, required=False
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(), allow_null=True, required=False
    )
    manager = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(), allow_null=True, required=False
    )
    external_id = StrictCharField(max_length=100, required=False, allow_blank=True)
    time_zone = StrictCharField(max_length=64, required=False, help_text="e.g. Europe/London")

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        read_only_fields = ["id", "left_on", "created_at", "updated_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {
            # Uniqueness is checked by the directory's services (with clear messages).
            "email": {"validators": []},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.context.get("organisation")
        for name, model in (
            ("level", Level),
            ("department", Department),
            ("team", Team),
            ("manager", Person),
        ):
            field = self.fields[name]
            assert isinstance(field, serializers.PrimaryKeyRelatedField)
            field.queryset = model.objects.filter(organisation=organisation)  # type: ignore[attr-defined]

    def get_validators(self) -> list[Any]:
        return []  # the services check uniqueness, with messages people can act on

    def validate_time_zone(self, value: str) -> str:
        if value not in _time_zones():
            raise serializers.ValidationError(
                f"“{value[:64]}” is not a known time zone, e.g. Europe/London."
            )
        return value

    def validate_external_id(self, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        clash = Person.objects.filter(
            organisation=self.context.get("organisation"), external_id=value
        )
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("Someone in the directory already has this id.")
        return value


class UpsertSerializer(serializers.Serializer):
    people = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=500, help_text="At most 500 rows."
    )


class UpsertRowResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    id = serializers.IntegerField()
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class UpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    people = UpsertRowResultSerializer(many=True)


class MeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["personal", "service", "session"],
        help_text="How the caller signed in: a personal token, a service token or a session.",
    )
    organisation = OrganisationSerializer()
    person = serializers.DictField(allow_null=True, help_text="null for a service token.")
    token = serializers.DictField(allow_null=True, help_text="null for a browser session.")
    is_org_admin = serializers.BooleanField()
