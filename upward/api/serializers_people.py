"""What the API shows and takes of the directory and the organisation's structure.

Only directory fields: never anything a person told us in confidence (special-category answers,
consents), notes, messages or safety reports.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from upward.organisations.models import Department, Level, Organisation, Person, Team


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug"]


class LevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = ["id", "name", "rank"]
        read_only_fields = ["id", "rank"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name"]
        read_only_fields = ["id"]


class TeamSerializer(serializers.ModelSerializer):
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
        if self.instance is not None:
            department.read_only = True  # a team stays in its department


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


class PersonSerializer(serializers.ModelSerializer):
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
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True)

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        read_only_fields = ["id", "left_on", "created_at", "updated_at"]
        extra_kwargs = {
            "time_zone": {"required": False},
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
