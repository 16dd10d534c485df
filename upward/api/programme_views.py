"""Programmes, applications, participants, pairings and meetings (docs/integrations.md).

Reads follow the pages' access (programme_access); a programme the caller may not see answers
404. Programmes are read-only through the API: their settings change on the pages, where the
lifecycle and its checks are. Applications take decisions through the recruitment services.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from upward.accounts.models import TokenScope
from upward.api import programme_access
from upward.api.access import api_actor, audit_data
from upward.api.permissions import token_of
from upward.api.programme_filters import DateTimeFilter, IdFilter, StrictFilterSet
from upward.api.programme_serializers import (
    ApplicationSerializer,
    DecisionSerializer,
    MeetingSerializer,
    PairingSerializer,
    ParticipantSerializer,
    ProgrammeSerializer,
)
from upward.core import audit
from upward.core.errors import DomainError
from upward.journey.models import Meeting, MeetingStatus
from upward.pairing.models import Pairing, PairingState
from upward.programmes.models import Objective, Programme, State
from upward.recruitment.models import Application, ApplicationStatus, Role
from upward.recruitment.services import decide_application


class ApiConflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"
    default_detail = "The request conflicts with the current state."


def record_api_change(
    request: Request, verb: str, obj: Any, *, organisation: Any, **extra: Any
) -> None:
    """Next to the service's own entry: that the change came through the API, and which token
    made it (the services record who; this records how)."""
    audit.record(
        verb,
        obj,
        by=api_actor(request),
        organisation=organisation,
        data=audit_data(request, **extra),
    )


def domain_error(exc: DomainError) -> exceptions.APIException:
    """A service's refusal, in the API's error format: 409 for a state conflict, else 400."""
    if exc.status_code == 409:
        return ApiConflict(exc.message)
    if exc.field:
        return exceptions.ValidationError({exc.field: [exc.message]})
    return exceptions.ValidationError([exc.message])


class ProgrammeFilter(StrictFilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices)
    objective = django_filters.ChoiceFilter(choices=Objective.choices)
    updated_since = DateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Programme
        fields = ["state", "objective", "updated_since"]


@extend_schema(tags=["programmes"])
class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    """Programmes the caller runs or takes part in (a service token: all of its organisation's).
    Read-only: programmes are set up and moved through their lifecycle on the pages."""

    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    read_scope = TokenScope.PROGRAMMES_READ
    write_scope = TokenScope.PROGRAMMES_WRITE

    def get_queryset(self) -> QuerySet[Programme]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Programme.objects.none()
        return programme_access.visible_programmes(self.request).order_by("-starts_on", "id")


class ApplicationFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)
    role = django_filters.ChoiceFilter(choices=Role.choices)
    updated_since = DateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Application
        fields = ["status", "role", "updated_since"]


class ProgrammeChildMixin:
    """Resources under /programmes/{programme_pk}/."""

    request: Request
    kwargs: dict[str, Any]

    def team_programme(self) -> Programme:
        return programme_access.team_programme(self.request, int(self.kwargs["programme_pk"]))


@extend_schema(tags=["programmes"])
class ApplicationViewSet(ProgrammeChildMixin, viewsets.ReadOnlyModelViewSet):
    """A programme's applications, for its team: who, which role, which status. What applicants
    wrote (motivation, answers, times) and the team's messages and notes are not shown."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    read_scope = TokenScope.PROGRAMMES_READ
    write_scope = TokenScope.PROGRAMMES_WRITE

    def get_queryset(self) -> QuerySet[Application]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Application.objects.none()
        programme = self.team_programme()
        return (
            Application.objects.filter(programme=programme)
            .select_related("person")
            .order_by("-submitted_at", "-id")
        )

    @extend_schema(request=DecisionSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request: Request, programme_pk: int, pk: int) -> Response:
        """Accept, put on the waiting list or decline (with a message for the applicant), as
        the review page does; the applicant is told by email."""
        application = self.get_object()
        form = DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        decision = form.validated_data["decision"]
        try:
            with transaction.atomic():
                decided = decide_application(
                    application,
                    decision=decision,
                    reason=form.validated_data.get("reason", ""),
                    allow_overfill=form.validated_data["allow_overfill"],
                    by=api_actor(request),
                )
                record_api_change(
                    request,
                    "api.application_decided",
                    decided,
                    organisation=decided.programme.organisation,
                    decision=decision,
                )
        except DomainError as exc:
            raise domain_error(exc) from exc
        return Response(ApplicationSerializer(decided).data)


class ParticipantFilter(StrictFilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Application
        fields = ["role"]


@extend_schema(tags=["programmes"])
class ParticipantViewSet(ProgrammeChildMixin, viewsets.ReadOnlyModelViewSet):
    """The people accepted into a programme, for its team."""

    serializer_class = ParticipantSerializer
    filterset_class = ParticipantFilter
    read_scope = TokenScope.PROGRAMMES_READ

    def get_queryset(self) -> QuerySet[Application]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Application.objects.none()
        programme = self.team_programme()
        return (
            Application.objects.filter(programme=programme, status=ApplicationStatus.ACCEPTED)
            .select_related("person")
            .order_by("person__full_name", "id")
        )


class PairingFilter(StrictFilterSet):
    state = django_filters.ChoiceFilter(choices=PairingState.choices)
    updated_since = DateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Pairing
        fields = ["state", "updated_since"]


@extend_schema(tags=["programmes"])
class PairingViewSet(viewsets.ReadOnlyModelViewSet):
    """A programme's pairings (state only): all of them for its team, the caller's own for a
    participant."""

    serializer_class = PairingSerializer
    filterset_class = PairingFilter
    read_scope = TokenScope.PROGRAMMES_READ

    def get_queryset(self) -> QuerySet[Pairing]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Pairing.objects.none()
        programme = programme_access.visible_programme(
            self.request, int(self.kwargs["programme_pk"])
        )
        return programme_access.visible_pairings(self.request, programme).order_by("id")


class MeetingFilter(StrictFilterSet):
    programme = IdFilter(field_name="pairing__programme_id")
    pairing = IdFilter(field_name="pairing_id")
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices)
    starts_after = DateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = DateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Meeting
        fields = ["programme", "pairing", "status", "starts_after", "starts_before"]


@extend_schema(tags=["meetings"])
class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Meetings of the caller's own pairings and of the programmes they run. A token with
    `me:read` but not `programmes:read` sees only the caller's own meetings."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter

    @property
    def read_scope(self) -> str:
        token = token_of(self.request)
        if (
            token is not None
            and not token.has_scope(TokenScope.PROGRAMMES_READ)
            and token.has_scope(TokenScope.ME_READ)
        ):
            return TokenScope.ME_READ
        return TokenScope.PROGRAMMES_READ

    def get_queryset(self) -> QuerySet[Meeting]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Meeting.objects.none()
        own_only = self.read_scope == TokenScope.ME_READ
        return (
            programme_access.visible_meetings(self.request, own_only=own_only)
            .select_related("pairing")
            .order_by("-starts_at", "-id")
        )
