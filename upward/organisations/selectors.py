"""Reads of the directory and the taxonomy. Every function is scoped to one organisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from upward.organisations.domains import email_domain
from upward.organisations.importing import DirectorySnapshot, ExistingPerson
from upward.organisations.models import (
    Department,
    Level,
    Organisation,
    OrganisationDomain,
    PeopleImport,
    Person,
    Team,
    Topic,
    Unavailability,
)


def _manager_map(organisation: Organisation | int) -> dict[int, int | None]:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return dict(Person.objects.filter(organisation_id=org_id).values_list("id", "manager_id"))


def _ancestors_map(organisation: Organisation | int, among: Iterable[int]) -> dict[int, int | None]:
    """`_manager_map` for only the people `among` and their managers up to the top of the tree:
    one small query by primary key per level of the tree (its depth, not its size), never the
    whole organisation. By id, so the same people always give the same chains."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    manager_of: dict[int, int | None] = {}
    wanted = {int(i) for i in among}
    while wanted:
        level = dict(
            Person.objects.filter(organisation_id=org_id, pk__in=sorted(wanted))
            .order_by()
            .values_list("id", "manager_id")
        )
        manager_of.update(level)
        # A loop in bad data ends here: its people are read already.
        wanted = {m for m in level.values() if m is not None and m not in manager_of}
    return dict(sorted(manager_of.items()))


def reporting_chain_ids(
    organisation: Organisation | int, *, among: Iterable[int] | None = None
) -> dict[int, tuple[int, ...]]:
    """Each person's line managers, nearest first, up to the top of the tree. One query for
    the whole organisation.

    The matching engine uses it to keep people in the same reporting line apart. A loop in
    bad data stops the chain where it would repeat instead of running for ever. With `among`
    (person ids), only those people and their managers are read and returned (one query per
    level of the tree), not the whole organisation: the chains of a programme's participants
    at any organisation size.
    """
    manager_of = (
        _manager_map(organisation) if among is None else _ancestors_map(organisation, among)
    )
    chains: dict[int, tuple[int, ...]] = {}
    for person_id in manager_of:
        if person_id in chains:
            continue
        # Walk up until a person whose chain is known (or the top), then fill in downwards.
        path: list[int] = []
        on_path: set[int] = set()
        node: int | None = person_id
        while node is not None and node not in chains and node not in on_path:
            on_path.add(node)
            path.append(node)
            parent = manager_of.get(node)
            node = parent if parent in manager_of else None
        tail: tuple[int, ...] = ()
        if node is not None and node in chains:
            tail = (node, *chains[node])
        # else: the top of the tree, or a loop in bad data, cut where it would repeat.
        for member in reversed(path):
            chains[member] = tail
            tail = (member, *tail)
    return chains


def reporting_line(person: Person) -> list[Person]:
    """The person's managers, nearest first, up to the top (two queries however deep)."""
    chain = reporting_chain_ids(person.organisation_id).get(person.pk, ())
    if not chain:
        return []
    by_id = Person.objects.select_related("level").in_bulk(chain)
    return [by_id[pk] for pk in chain if pk in by_id]


def direct_reports(person: Person) -> QuerySet[Person]:
    return person.reports.select_related("level", "department").order_by("full_name", "id")


def people_directory(
    organisation: Organisation,
    *,
    search: str = "",
    level: Level | None = None,
    department: Department | None = None,
    status: str = "",
) -> QuerySet[Person]:
    """The directory list with everything a row shows, in one query per page."""
    qs = Person.objects.filter(organisation=organisation).select_related(
        "level", "department", "team", "manager"
    )
    search = search.strip()
    if search:
        qs = qs.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    if level is not None:
        qs = qs.filter(level=level)
    if department is not None:
        qs = qs.filter(department=department)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "left":
        qs = qs.filter(is_active=False)
    return qs.annotate(
        invitation_expires_at=Subquery(_open_invitations().values("expires_at")[:1])
    ).order_by("full_name", "id")


def _open_invitations() -> QuerySet[Any]:
    # The accounts app sits above the directory and declares `Person.account_invitations`;
    # the subquery follows that relation instead of importing the model.
    invitation_model = Person._meta.get_field("account_invitations").related_model
    return invitation_model._default_manager.filter(
        person=OuterRef("pk"), accepted_at__isnull=True, revoked_at__isnull=True
    ).order_by("-expires_at")


def latest_open_invitation(person: Person):  # type: ignore[no-untyped-def]
    """The person's newest invitation not accepted nor revoked (it may have expired), or None."""
    return (
        person.account_invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .order_by("-expires_at")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# Email domains


def organisation_domains(organisation: Organisation) -> list[str]:
    return list(organisation.domains.order_by("domain").values_list("domain", flat=True))


def domain_owner_id(email: str) -> int | None:
    """The organisation owning the address's domain, if the operator gave it to one."""
    domain = email_domain(email)
    if not domain:
        return None
    return (
        OrganisationDomain.objects.filter(domain=domain)
        .values_list("organisation_id", flat=True)
        .first()
    )


def domains_owned_elsewhere(organisation: Organisation) -> frozenset[str]:
    """Every domain another organisation owns (a deployment has few, so one small query)."""
    return frozenset(
        OrganisationDomain.objects.exclude(organisation=organisation).values_list(
            "domain", flat=True
        )
    )


def directory_counts(organisation: Organisation) -> dict[str, int]:
    return Person.objects.filter(organisation=organisation).aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(is_active=True)),
        left=Count("id", filter=Q(is_active=False)),
        with_account=Count("id", filter=Q(user__isnull=False)),
    )


def levels_with_usage(organisation: Organisation) -> QuerySet[Level]:
    return (
        Level.objects.filter(organisation=organisation)
        .annotate(n_people=Count("people"))
        .order_by("rank")
    )


@dataclass(frozen=True)
class DepartmentRow:
    department: Department
    people: int
    teams: list[Team]


def departments_with_teams(organisation: Organisation) -> list[DepartmentRow]:
    """Departments, their people counts and their teams (with people counts): two queries."""
    departments = list(
        Department.objects.filter(organisation=organisation)
        .annotate(n_people=Count("people"))
        .order_by("name")
    )
    teams: dict[int, list[Team]] = {}
    for team in (
        Team.objects.filter(organisation=organisation)
        .annotate(n_people=Count("people"))
        .order_by("name")
    ):
        teams.setdefault(team.department_id, []).append(team)
    return [DepartmentRow(d, d.n_people, teams.get(d.pk, [])) for d in departments]


def topics_by_kind(organisation: Organisation) -> list[tuple[str, list[Topic]]]:
    topics = list(
        Topic.objects.filter(organisation=organisation)
        .select_related("parent")
        .order_by("kind", "name")
    )
    groups: list[tuple[str, list[Topic]]] = []
    for value, label in Topic.Kind.choices:
        groups.append((str(label), [t for t in topics if t.kind == value]))
    return groups


def import_history(organisation: Organisation) -> QuerySet[PeopleImport]:
    return (
        PeopleImport.objects.filter(organisation=organisation)
        .select_related("uploaded_by")
        .defer("rows", "columns")
        .order_by("-created_at", "-id")
    )


def directory_snapshot(organisation: Organisation) -> DirectorySnapshot:
    """The whole directory as plain data for an import: four queries, whatever its size."""
    levels = list(Level.objects.filter(organisation=organisation).values_list("id", "rank", "name"))
    departments = dict(
        Department.objects.filter(organisation=organisation).values_list("id", "name")
    )
    teams = {
        pk: (department_id, name)
        for pk, department_id, name in Team.objects.filter(organisation=organisation).values_list(
            "id", "department_id", "name"
        )
    }
    people = [
        ExistingPerson(*values)
        for values in Person.objects.filter(organisation=organisation).values_list(
            "id",
            "email",
            "full_name",
            "job_title",
            "level_id",
            "department_id",
            "team_id",
            "manager_id",
            "location",
            "time_zone",
            "start_date",
            "is_active",
            "is_org_admin",
            "external_id",
        )
    ]
    return DirectorySnapshot(levels=levels, departments=departments, teams=teams, people=people)


# ---------------------------------------------------------------------------------------------
# Unavailable for a period


def unavailable_person_ids(*, on: dt.date, among: Iterable[int] | None = None) -> set[int]:
    """Who is away on the day `on` (one query). Matching skips them and reminders to them
    pause; `among` narrows the question to some people."""
    qs = Unavailability.objects.filter(starts_on__lte=on, ends_on__gte=on)
    if among is not None:
        qs = qs.filter(person_id__in=list(among))
    return set(qs.values_list("person_id", flat=True))


def unavailability_of(person: Person) -> Unavailability | None:
    return Unavailability.objects.filter(person=person).first()


def unavailabilities(*, among: Iterable[int], on: dt.date) -> dict[int, Unavailability]:
    """Each person's period that has not ended by `on`, by person id (one query)."""
    return {
        u.person_id: u
        for u in Unavailability.objects.filter(person_id__in=list(among), ends_on__gte=on)
    }
