"""API resources for the caller's organisation, its structure and its people directory.

Access mirrors the pages: the directory and the structure are for the organisation's admins
(and service tokens carrying people:read / people:write); anyone else gets 404, as on
/people/. Writes go through upward.organisations.services, so the same rules hold (the email
domain rule, one directory entry per address, manager loops, the last admin, the leaver flow).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from upward.accounts.models import TokenScope
from upward.api import access
from upward.api.errors import error_body
from upward.api.programme_filters import DateTimeFilter, IdFilter, StrictFilterSet
from upward.api.serializers_people import (
    DepartmentSerializer,
    LevelSerializer,
    MeSerializer,
    OrganisationSerializer,
    PersonSerializer,
    TeamSerializer,
    UpsertResultSerializer,
    UpsertSerializer,
)
from upward.core import audit
from upward.core.errors import DomainError
from upward.organisations import services
from upward.organisations.models import Department, Level, Organisation, Person, Team

WRITE_METHODS = ["get", "post", "patch", "head", "options"]
STRICT_FILTERS = ("updated_since", "department", "level", "team", "is_active")
COMPARED_FIELDS = [
    name
    for name in PersonSerializer.Meta.fields
    if name not in ("id", "created_at", "updated_at", "level", "department", "team", "manager")
] + ["level_id", "department_id", "team_id", "manager_id"]


class OrganisationView(APIView):
    """The caller's organisation. Any token or session may read it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["organisation"], responses=OrganisationSerializer)
    def get(self, request: Request) -> Response:
        return Response(OrganisationSerializer(access.api_organisation(request)).data)


class MeView(APIView):
    """Who is calling: the person (none for a service token), the organisation and the token's
    scopes. Any token or session may read it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["me"], responses=MeSerializer)
    def get(self, request: Request) -> Response:
        organisation = access.api_organisation(request)
        person = access.api_person(request)
        token = access.api_token(request)
        body = {
            "kind": token.kind if token is not None else "session",
            "organisation": OrganisationSerializer(organisation).data,
            "person": None
            if person is None
            else {
                "id": person.pk,
                "full_name": person.full_name,
                "email": person.email,
                "is_org_admin": person.is_org_admin,
            },
            "token": None
            if token is None
            else {
                "name": token.name,
                "prefix": token.prefix,
                "scopes": list(token.scopes),
                "expires_at": token.expires_at,
            },
            "is_org_admin": access.api_is_org_admin(request),
        }
        return Response(MeSerializer(body).data)


class AdminViewSet(viewsets.GenericViewSet):
    """Base: the organisation's admins (and service tokens) only; 404 for anyone else."""

    read_scope = TokenScope.PEOPLE_READ
    write_scope = TokenScope.PEOPLE_WRITE
    http_method_names = WRITE_METHODS
    parser_classes = [JSONParser]
    lookup_value_regex = "[0-9]{1,18}"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.organisation = access.api_organisation(request)
        if not hasattr(self, request.method.lower()):  # type: ignore[union-attr]
            return  # a method this route lacks: 405 for everyone signed in, as on the pages
        if not access.api_is_org_admin(request):
            raise exceptions.NotFound("Only the organisation's admins may use this resource.")

    def get_organisation(self) -> Organisation:
        return self.organisation

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["organisation"] = getattr(self, "organisation", None)
        return context

    def record(self, verb: str, obj: Any, **extra: Any) -> None:
        audit.record(
            verb,
            obj,
            by=access.api_actor(self.request),
            organisation=self.organisation,
            data=access.audit_data(self.request, **extra),
        )


class _StructureViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    AdminViewSet,
):
    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()  # type: ignore[union-attr]
        return self.serializer_class.Meta.model.objects.filter(  # type: ignore[union-attr]
            organisation=self.get_organisation()
        )

    def make(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def rename(self, obj: Any, name: str) -> Any:
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            obj = self.make(serializer.validated_data)
            self.record("api.structure_created", obj, name=obj.name)
        return Response(self.get_serializer(obj).data, status=201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        serializer = self.get_serializer(obj, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        name = serializer.validated_data.get("name")
        if name is not None and name != obj.name:
            with transaction.atomic():
                obj = self.rename(obj, name)
                self.record("api.structure_renamed", obj, name=obj.name)
        return Response(self.get_serializer(obj).data)


@extend_schema_view(
    list=extend_schema(tags=["structure"], description="Levels, most junior first."),
    retrieve=extend_schema(tags=["structure"]),
    create=extend_schema(tags=["structure"], description="A new level, most senior so far."),
    partial_update=extend_schema(tags=["structure"], description="Rename a level."),
)
class LevelViewSet(_StructureViewSet):
    serializer_class = LevelSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("rank", "id")

    def make(self, data: dict[str, Any]) -> Level:
        return services.create_level(
            self.get_organisation(), by=access.api_actor(self.request), name=data["name"]
        )

    def rename(self, obj: Level, name: str) -> Level:
        return services.rename_level(obj, by=access.api_actor(self.request), name=name)


@extend_schema_view(
    list=extend_schema(tags=["structure"]),
    retrieve=extend_schema(tags=["structure"]),
    create=extend_schema(tags=["structure"]),
    partial_update=extend_schema(tags=["structure"], description="Rename a department."),
)
class DepartmentViewSet(_StructureViewSet):
    serializer_class = DepartmentSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("name", "id")

    def make(self, data: dict[str, Any]) -> Department:
        return services.create_department(
            self.get_organisation(), by=access.api_actor(self.request), name=data["name"]
        )

    def rename(self, obj: Department, name: str) -> Department:
        return services.rename_department(obj, by=access.api_actor(self.request), name=name)


@extend_schema_view(
    list=extend_schema(tags=["structure"]),
    retrieve=extend_schema(tags=["structure"]),
    create=extend_schema(tags=["structure"]),
    partial_update=extend_schema(tags=["structure"], description="Rename a team."),
)
class TeamViewSet(_StructureViewSet):
    serializer_class = TeamSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("department").order_by("name", "id")

    def make(self, data: dict[str, Any]) -> Team:
        return services.create_team(
            data["department"], by=access.api_actor(self.request), name=data["name"]
        )

    def rename(self, obj: Team, name: str) -> Team:
        return services.rename_team(obj, by=access.api_actor(self.request), name=name)


class PersonFilter(StrictFilterSet):
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact")
    external_id = django_filters.CharFilter(field_name="external_id")
    department = IdFilter(field_name="department_id")
    level = IdFilter(field_name="level_id")
    team = IdFilter(field_name="team_id")
    is_active = django_filters.BooleanFilter(field_name="is_active")
    updated_since = DateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Person
        fields = ["email", "external_id", "department", "level", "team", "is_active"]


def _details(person: Person | None, data: dict[str, Any]) -> services.PersonDetails:
    """The person's details after applying `data` (all given fields; the rest as they are)."""

    def value(name: str, default: Any) -> Any:
        if name in data:
            return data[name]
        return getattr(person, name) if person is not None else default

    return services.PersonDetails(
        email=value("email", ""),
        full_name=value("full_name", ""),
        job_title=value("job_title", "") or "",
        level=value("level", None),
        department=value("department", None),
        team=value("team", None),
        manager=value("manager", None),
        location=value("location", "") or "",
        time_zone=value("time_zone", services.importing.DEFAULT_TIME_ZONE),
        start_date=value("start_date", None),
        is_active=person.is_active if person is not None else value("is_active", True),
        is_org_admin=value("is_org_admin", False),
    )


def write_person(
    request: Request, organisation: Organisation, person: Person | None, data: dict[str, Any]
) -> tuple[Person, str]:
    """Create or update one person through the directory's services. Returns the person and
    "created", "updated" or "unchanged". Leaving (`is_active: false`) runs the leaver flow."""
    by = access.api_actor(request)
    if person is not None and all(getattr(person, k) == v for k, v in data.items()):
        return person, "unchanged"  # nothing to write (most rows of a regular HR sync)
    with transaction.atomic():
        if person is None:
            person = services.create_person(organisation, by=by, details=_details(None, data))
            result = "created"
            before: dict[str, Any] = {}
        else:
            before = {name: getattr(person, name) for name in COMPARED_FIELDS}
            person = services.update_person(person, by=by, details=_details(person, data))
            result = "updated"
        external_id = data.get("external_id")
        if external_id is not None and external_id != person.external_id:
            person.external_id = external_id
            person.save(update_fields=["external_id", "updated_at"])
            audit.record("person.updated", person, by=by, data={"fields": ["external_id"]})
        wanted = data.get("is_active", person.is_active)
        if wanted != person.is_active:
            if wanted:
                person = services.mark_person_back(person, by=by)
            else:
                person = services.mark_person_left(person, by=by)
        if before:
            person.refresh_from_db()
            after = {name: getattr(person, name) for name in before}
            changed = sorted(name for name in before if before[name] != after[name])
            if not changed:
                return person, "unchanged"
            audit.record(
                "api.person_updated",
                person,
                by=by,
                organisation=organisation,
                data=access.audit_data(request, fields=changed),
            )
        else:
            audit.record(
                "api.person_created",
                person,
                by=by,
                organisation=organisation,
                data=access.audit_data(request),
            )
    return person, result


def _row_errors(exc: Exception) -> dict[str, list[str]]:
    if isinstance(exc, DomainError):
        return {exc.field or "non_field_errors": [exc.message]}
    assert isinstance(exc, serializers.ValidationError)
    detail = exc.detail
    if isinstance(detail, dict):
        return {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    return {"non_field_errors": [str(m) for m in detail]}  # type: ignore[union-attr]


@extend_schema_view(
    list=extend_schema(
        tags=["people"],
        description="The directory, paged, with filters. Needs people:read and admin rights.",
    ),
    retrieve=extend_schema(tags=["people"]),
    create=extend_schema(tags=["people"], description="Add a person. Needs people:write."),
    partial_update=extend_schema(
        tags=["people"],
        description=(
            "Change a person. `is_active: false` marks them as left (the leaver flow: their "
            "tokens stop, open invitations are revoked, programmes are told). No delete."
        ),
    ),
)
class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    AdminViewSet,
):
    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Person.objects.none()
        return Person.objects.filter(organisation=self.get_organisation()).order_by(
            "full_name", "id"
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        empty = [name for name in STRICT_FILTERS if request.query_params.get(name) == ""]
        if request.query_params.get("is_active", "true") not in ("true", "false"):
            raise serializers.ValidationError({"is_active": ["Give true or false."]})
        if empty:
            raise serializers.ValidationError(
                {name: ["Give a value, or leave this filter out."] for name in empty}
            )
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person, _result = write_person(
            request, self.get_organisation(), None, serializer.validated_data
        )
        return Response(self.get_serializer(person).data, status=201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        serializer = self.get_serializer(person, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        person, _result = write_person(
            request, self.get_organisation(), person, serializer.validated_data
        )
        return Response(self.get_serializer(person).data)

    @extend_schema(
        tags=["people"],
        request=UpsertSerializer,
        responses=UpsertResultSerializer,
        description=(
            "Create or update up to 500 people at once, matched by external_id, then by email. "
            "All or nothing: if any row has an error nothing is saved, and the 400 answer lists "
            "each row's errors under error.rows. Needs people:write."
        ),
    )
    def upsert(self, request: Request) -> Response:
        envelope = UpsertSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        organisation = self.get_organisation()
        rows: list[dict[str, Any]] = envelope.validated_data["people"]
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        # One row per person: the same address or external id twice would make the second row
        # silently overwrite the first (an outside review's finding).
        seen: dict[tuple[str, str], int] = {}
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                continue
            for key in ("email", "external_id"):
                value = str(row.get(key) or "").strip().lower()
                if not value:
                    continue
                if (key, value) in seen:
                    errors.append(
                        {
                            "index": index,
                            "fields": {
                                key: [f"Also in row {seen[key, value]}: send each person once."]
                            },
                        }
                    )
                else:
                    seen[key, value] = index
        if errors:
            message = f"{len(errors)} of {len(rows)} rows have errors: nothing was saved."
            return Response(error_body(400, "invalid", message, rows=errors), status=400)
        with transaction.atomic():
            for index, row in enumerate(rows):
                match = self._match(organisation, row)
                serializer = self.get_serializer(match, data=row, partial=match is not None)
                try:
                    with transaction.atomic():
                        serializer.is_valid(raise_exception=True)
                        person, result = write_person(
                            request, organisation, match, serializer.validated_data
                        )
                except (serializers.ValidationError, DomainError) as exc:
                    errors.append({"index": index, "fields": _row_errors(exc)})
                    continue
                results.append({"index": index, "id": person.pk, "result": result})
            if errors:
                transaction.set_rollback(True)
        if errors:
            message = f"{len(errors)} of {len(rows)} rows have errors: nothing was saved."
            return Response(error_body(400, "invalid", message, rows=errors), status=400)
        counts = {
            name: sum(1 for r in results if r["result"] == name)
            for name in ("created", "updated", "unchanged")
        }
        return Response(UpsertResultSerializer({**counts, "people": results}).data)

    @staticmethod
    def _match(organisation: Organisation, row: dict[str, Any]) -> Person | None:
        people = Person.objects.filter(organisation=organisation).select_related(
            "level", "department", "team", "manager"
        )
        external_id = str(row.get("external_id") or "").strip()
        if external_id:
            found = people.filter(external_id=external_id).first()
            if found is not None:
                return found
        email = str(row.get("email") or "").strip()
        if email:
            return people.filter(email__iexact=email).first()
        return None
