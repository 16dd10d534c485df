"""The caller's own goals and tasks (`/me/goals/`, `/me/tasks/`): those of the pairings they
are in, read with `me:read`, written with `me:write` through the goals services (which check
the pair and that the pairing is still active). A service token has no goals of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import django_filters
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from upward.accounts.models import TokenScope
from upward.api.access import api_person
from upward.api.programme_filters import IdFilter, StrictFilterSet
from upward.api.programme_serializers import (
    GoalCreateSerializer,
    GoalSerializer,
    GoalUpdateSerializer,
    TaskCreateSerializer,
    TaskSerializer,
    TaskUpdateSerializer,
)
from upward.api.programme_views import domain_error, record_api_change
from upward.core.errors import DomainError
from upward.goals import services
from upward.goals.models import Goal, GoalStatus, Task
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.pairing.workspace import WORKSPACE_STATES

T = TypeVar("T")


def _person(request: Request) -> Person:
    person = api_person(request)
    if person is None:
        raise Http404("A service token has no goals or tasks of its own.")
    return person


def own_pairings(person: Person) -> QuerySet[Pairing]:
    """The pairings whose workspace the person opens on the pages."""
    return Pairing.objects.filter(Q(mentor=person) | Q(mentee=person), state__in=WORKSPACE_STATES)


def _pair_person(pairing: Pairing, person_id: int | None, default: Person) -> Person:
    """The owner named in a request: one of the pair, else a field error from the service."""
    if person_id is None:
        return default
    if person_id == pairing.mentor_id:
        return pairing.mentor
    if person_id == pairing.mentee_id:
        return pairing.mentee
    raise domain_error(DomainError("Choose one of the two people in this pairing.", field="owner"))


def _apply(
    request: Request,
    verb: str,
    pairing: Pairing,
    write: Callable[[], T],
    *,
    before: Any = None,
    **extra: Any,
) -> T:
    """Run a goals service and record that it came through the API, in one transaction; the
    service's refusal becomes a 400 or 409. `before`: the object to record, for a deletion."""
    try:
        with transaction.atomic():
            if before is not None:
                record_api_change(
                    request, verb, before, organisation=pairing.programme.organisation, **extra
                )
            result = write()
            if before is None:
                record_api_change(
                    request, verb, result, organisation=pairing.programme.organisation, **extra
                )
    except DomainError as exc:
        raise domain_error(exc) from exc
    return result


class GoalFilter(StrictFilterSet):
    pairing = IdFilter(field_name="pairing_id")
    status = django_filters.ChoiceFilter(choices=GoalStatus.choices)

    class Meta:
        model = Goal
        fields = ["pairing", "status"]


class _MineViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own goals or tasks: read with me:read, change with me:write (no PUT)."""

    read_scope = TokenScope.ME_READ
    write_scope = TokenScope.ME_WRITE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


@extend_schema(tags=["me"])
class MyGoalViewSet(_MineViewSet):
    """Goals of the pairings the caller is in (both people's goals: the pair shares them)."""

    serializer_class = GoalSerializer
    filterset_class = GoalFilter

    def get_queryset(self) -> QuerySet[Goal]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Goal.objects.none()
        person = _person(self.request)
        return (
            Goal.objects.filter(pairing__in=own_pairings(person))
            .select_related(
                "pairing__programme__organisation", "pairing__mentor", "pairing__mentee"
            )
            .order_by("pairing_id", "owner_id", "position", "id")
        )

    @extend_schema(request=GoalCreateSerializer, responses={201: GoalSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = _person(request)
        form = GoalCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        pairing = (
            own_pairings(person)
            .select_related("programme__organisation", "mentor", "mentee")
            .filter(pk=data["pairing"])
            .first()
        )
        if pairing is None:
            raise domain_error(DomainError("Choose one of your own pairings.", field="pairing"))
        owner = _pair_person(pairing, data.get("owner"), person)
        goal = _apply(
            request,
            "api.goal_created",
            pairing,
            lambda: services.create_goal(
                pairing,
                owner=owner,
                statement=data["statement"],
                measure=data["measure"],
                why=data["why"],
                target_date=data["target_date"],
                term=data["term"],
                person=person,
            ),
        )
        return Response(GoalSerializer(goal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GoalUpdateSerializer, responses=GoalSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = _person(request)
        goal = self.get_object()
        form = GoalUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        goal = _apply(
            request,
            "api.goal_updated",
            goal.pairing,
            lambda: services.update_goal(
                goal,
                statement=data.get("statement", goal.statement),
                measure=data.get("measure", goal.measure),
                target_date=data.get("target_date", goal.target_date),
                term=data.get("term", goal.term),
                why=data.get("why", goal.why),
                status=data.get("status", goal.status),
                progress=data.get("progress", goal.progress),
                person=person,
            ),
            fields=sorted(data),
        )
        return Response(GoalSerializer(goal).data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = _person(request)
        goal = self.get_object()
        _apply(
            request,
            "api.goal_deleted",
            goal.pairing,
            lambda: services.delete_goal(goal, person=person),
            before=goal,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskFilter(StrictFilterSet):
    goal = IdFilter(field_name="goal_id")
    pairing = IdFilter(field_name="goal__pairing_id")
    done = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_done"
    )

    class Meta:
        model = Task
        fields = ["goal", "pairing", "done"]

    def filter_done(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return queryset.filter(done_at__isnull=value != "true")


@extend_schema(tags=["me"])
class MyTaskViewSet(_MineViewSet):
    """Tasks under the goals of the pairings the caller is in."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter

    def get_queryset(self) -> QuerySet[Task]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Task.objects.none()
        person = _person(self.request)
        return (
            Task.objects.filter(goal__pairing__in=own_pairings(person))
            .select_related("goal__pairing__programme__organisation")
            .order_by("due_on", "id")
        )

    @extend_schema(request=TaskCreateSerializer, responses={201: TaskSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = _person(request)
        form = TaskCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        goal = (
            Goal.objects.filter(pairing__in=own_pairings(person), pk=data["goal"])
            .select_related(
                "pairing__programme__organisation", "pairing__mentor", "pairing__mentee"
            )
            .first()
        )
        if goal is None:
            raise domain_error(DomainError("Choose one of your own goals.", field="goal"))
        owner = _pair_person(goal.pairing, data.get("owner"), person)
        task = _apply(
            request,
            "api.task_created",
            goal.pairing,
            lambda: services.add_task(
                goal, title=data["title"], due_on=data["due_on"], owner=owner, person=person
            ),
        )
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TaskUpdateSerializer, responses=TaskSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Mark the task done (`{"done": true}`) or open again."""
        person = _person(request)
        task = self.get_object()
        form = TaskUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        done = form.validated_data["done"]
        task = _apply(
            request,
            "api.task_done" if done else "api.task_reopened",
            task.goal.pairing,
            lambda: services.set_task_done(task, done=done, person=person),
        )
        return Response(TaskSerializer(task).data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = _person(request)
        task = self.get_object()
        _apply(
            request,
            "api.task_deleted",
            task.goal.pairing,
            lambda: services.delete_task(task, person=person),
            before=task,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
