"""What the programme-side API resources show. Fields are listed one by one: free text that
people write about themselves or each other (application answers and motivation, decision
messages, internal notes, closing reasons, agendas, notes, messages, safety text) is never
among them. Goals and tasks are shown only to the two people of the pair (me_views)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from upward.goals.models import Goal, GoalStatus, Task, Term
from upward.journey.models import Meeting
from upward.pairing.models import Pairing
from upward.programmes.models import Programme
from upward.recruitment.models import Application


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "summary",
            "objective",
            "inclusion_focus",
            "custom_objective",
            "state",
            "selection_mode",
            "places",
            "starts_on",
            "ends_on",
            "ended_on",
            "commitment",
            "is_pilot",
            "previous_cohort",
            "signup_open",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "programme",
            "person",
            "role",
            "status",
            "submitted_at",
            "reviewed_at",
            "updated_at",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[
            (Application.Status.ACCEPTED, "accept"),
            (Application.Status.WAITLISTED, "waiting list"),
            (Application.Status.DECLINED, "decline"),
        ]
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="The message the applicant reads (needed to decline). It is never shown back.",
    )
    allow_overfill = serializers.BooleanField(required=False, default=False)


class ParticipantSerializer(serializers.ModelSerializer):
    """An accepted applicant, and the live or finished pairing they are in, if any."""

    person = PersonRefSerializer(read_only=True)
    application = serializers.IntegerField(source="id", read_only=True)

    class Meta:
        model = Application
        fields = ["application", "person", "role", "submitted_at", "reviewed_at"]
        read_only_fields = fields


class PairingSerializer(serializers.ModelSerializer):
    """State only: who, the state and the dates. No reasons, no scores, no explanation."""

    mentor = serializers.IntegerField(source="mentor_id", read_only=True)
    mentee = serializers.IntegerField(source="mentee_id", read_only=True)
    proposed_at = serializers.DateTimeField(source="created_at", read_only=True)
    started_at = serializers.DateTimeField(
        source="mentee_responded_at", read_only=True, allow_null=True
    )
    ended_at = serializers.DateTimeField(source="closed_at", read_only=True, allow_null=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "programme",
            "mentor",
            "mentee",
            "state",
            "proposed_at",
            "started_at",
            "ended_at",
            "updated_at",
        ]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    """Times, status and length. No place, video link or agenda: those are the pair's."""

    programme = serializers.IntegerField(source="pairing.programme_id", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "programme",
            "pairing",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "time_zone",
            "status",
            "actual_minutes",
            "updated_at",
        ]
        read_only_fields = fields


class GoalSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The person whose goal it is (one of the pair)."
    )

    class Meta:
        model = Goal
        fields = [
            "id",
            "pairing",
            "owner",
            "statement",
            "measure",
            "why",
            "target_date",
            "term",
            "position",
            "status",
            "progress",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class GoalCreateSerializer(serializers.Serializer):
    pairing = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    owner = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Whose goal: you (the default) or your partner.",
    )
    statement = serializers.CharField(max_length=300)
    measure = serializers.CharField(max_length=300)
    why = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    target_date = serializers.DateField()
    term = serializers.ChoiceField(choices=Term.choices, required=False, default=Term.SHORT)


class GoalUpdateSerializer(serializers.Serializer):
    statement = serializers.CharField(max_length=300, required=False)
    measure = serializers.CharField(max_length=300, required=False)
    why = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    target_date = serializers.DateField(required=False)
    term = serializers.ChoiceField(choices=Term.choices, required=False)
    status = serializers.ChoiceField(choices=GoalStatus.choices, required=False)
    progress = serializers.IntegerField(required=False, min_value=0, max_value=100)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Give at least one field to change.")
        return attrs


class TaskSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(read_only=True)
    pairing = serializers.IntegerField(source="goal.pairing_id", read_only=True)
    done = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "goal", "pairing", "owner", "title", "due_on", "done", "done_at"]
        read_only_fields = fields

    def get_done(self, task: Task) -> bool:
        return task.done_at is not None


class TaskCreateSerializer(serializers.Serializer):
    goal = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    title = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    owner = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Who does it: you (the default) or your partner.",
    )


class TaskUpdateSerializer(serializers.Serializer):
    done = serializers.BooleanField()
