"""Recruitment reads: capacity, the review list, invitations and directory searches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from upward.core.validation import valid_ids
from upward.organisations.models import Person
from upward.programmes.models import Programme, Question
from upward.recruitment.models import Answer, Application, Invitation, Role

Status = Application.Status

# Decisions a manager can make, and from which statuses. Declined and withdrawn are final:
# the applicant has been told, so changing course means talking to them first.
DECISION_FROM: dict[str, tuple[str, ...]] = {
    Status.SUBMITTED: (Status.ACCEPTED, Status.WAITLISTED, Status.DECLINED),
    Status.WAITLISTED: (Status.ACCEPTED, Status.DECLINED),
    Status.ACCEPTED: (Status.WAITLISTED, Status.DECLINED),
}


def manager_refusal(programme: Programme, person: Person) -> str:
    """Why a manager of the programme may not apply to it; "" for everyone else.

    Nobody takes part in a programme they run: they would decide on their own application,
    choose their own partner and read what is said about their own pairing. Org admins who
    are not named managers may apply; the programme then leaves the set they manage.
    """
    if not programme.managers.filter(pk=person.pk).exists():
        return ""
    return _(
        "You are one of the managers of this programme, so you cannot also take part in it. "
        "If you would rather take part, ask an organisation admin to remove you from its "
        "managers first; someone else then runs it and decides on your application."
    )


@dataclass(frozen=True)
class RoleCapacity:
    role: str
    label: str
    places: int
    accepted: int
    waitlisted: int
    submitted: int

    @property
    def remaining(self) -> int:
        return max(self.places - self.accepted, 0)

    @property
    def over(self) -> int:
        return max(self.accepted - self.places, 0)

    @property
    def is_full(self) -> bool:
        return self.accepted >= self.places


@dataclass(frozen=True)
class CapacitySummary:
    places: int
    mentors: RoleCapacity
    mentees: RoleCapacity

    def for_role(self, role: str) -> RoleCapacity:
        return self.mentors if role == Role.MENTOR else self.mentees

    @property
    def roles(self) -> tuple[RoleCapacity, RoleCapacity]:
        return (self.mentors, self.mentees)

    @property
    def waitlisted(self) -> int:
        return self.mentors.waitlisted + self.mentees.waitlisted

    @property
    def to_review(self) -> int:
        return self.mentors.submitted + self.mentees.submitted


def capacity_summary(programme: Programme) -> CapacitySummary:
    """Accepted, waiting and unreviewed applications per role against `places`, in one query."""
    counts: dict[str, Any] = {}
    for role in Role.values:
        for status in (Status.ACCEPTED, Status.WAITLISTED, Status.SUBMITTED):
            counts[f"{role}_{status}"] = Count("pk", filter=Q(role=role, status=status))
    row = Application.objects.filter(programme=programme).aggregate(**counts)

    def build(role: Role) -> RoleCapacity:
        return RoleCapacity(
            role=role.value,
            label=str(role.label),
            places=programme.places,
            accepted=row[f"{role.value}_accepted"],
            waitlisted=row[f"{role.value}_waitlisted"],
            submitted=row[f"{role.value}_submitted"],
        )

    return CapacitySummary(
        places=programme.places, mentors=build(Role.MENTOR), mentees=build(Role.MENTEE)
    )


def review_list(
    programme: Programme,
    *,
    role: str | None = None,
    status: str | None = None,
    department: Any = None,
    level: Any = None,
    q: str = "",
) -> QuerySet[Application]:
    """The manager's list: one query per page, everything the rows show joined in."""
    qs = Application.objects.filter(programme=programme).select_related(
        "person__level", "person__department"
    )
    if role:
        qs = qs.filter(role=role)
    if status:
        qs = qs.filter(status=status)
    if department:
        qs = qs.filter(person__department=department)
    if level:
        qs = qs.filter(person__level=level)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(person__full_name__icontains=q)
            | Q(person__email__icontains=q)
            | Q(person__job_title__icontains=q)
        )
    return qs.order_by("status", "-submitted_at", "-id")


def application_detail_queryset() -> QuerySet[Application]:
    """Everything an application page shows, fetched in a fixed number of queries."""
    return Application.objects.select_related(
        "programme__organisation", "person__level", "person__department", "reviewed_by"
    ).prefetch_related(
        "offered_topics",
        "wanted_topics",
        "interests",
        Prefetch("works_with", queryset=Person.objects.select_related("department")),
        Prefetch(
            "answers",
            queryset=Answer.objects.select_related("question").order_by(
                "question__position", "question__id"
            ),
        ),
    )


def live_application(programme: Programme, person: Person) -> Application | None:
    """The person's application to the programme unless they withdrew it."""
    return (
        Application.objects.filter(programme=programme, person=person)
        .exclude(status=Status.WITHDRAWN)
        .first()
    )


def questions_for(programme: Programme, role: str) -> list[Question]:
    return list(Question.objects.filter(programme=programme, audience__in=["both", role]))


def invitations_for(programme: Programme) -> QuerySet[Invitation]:
    applied = Application.objects.filter(programme=programme, person=OuterRef("person")).exclude(
        status=Status.WITHDRAWN
    )
    return (
        Invitation.objects.filter(programme=programme)
        .select_related("person__level", "person__department", "invited_by")
        .annotate(has_applied=Exists(applied))
        .order_by("-created_at", "-id")
    )


def invite_candidates(
    programme: Programme, *, department: Any = None, level: Any = None, q: str = ""
) -> QuerySet[Person]:
    """Active people in the programme's organisation, marked if already invited or applied.

    An expired invitation does not count as invited: inviting again sends a new link.
    """
    invitations = Invitation.objects.filter(programme=programme, person=OuterRef("pk"))
    issued_after = Invitation.issued_after()
    qs = (
        Person.objects.filter(organisation_id=programme.organisation_id, is_active=True)
        .select_related("level", "department")
        .annotate(
            is_invited=Exists(invitations.filter(created_at__gt=issued_after)),
            invitation_expired=Exists(invitations.filter(created_at__lte=issued_after)),
            has_applied=Exists(
                Application.objects.filter(programme=programme, person=OuterRef("pk")).exclude(
                    status=Status.WITHDRAWN
                )
            ),
        )
    )
    if department:
        qs = qs.filter(department=department)
    if level:
        qs = qs.filter(level=level)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(full_name__icontains=q) | Q(email__icontains=q) | Q(job_title__icontains=q)
        )
    return qs.order_by("full_name", "id")


# The picker must help an applicant find the few people they work with, not let anyone who
# holds a sign-up link read or probe the directory: a search needs three letters of a name
# (never an email address, so it cannot answer "does this address exist"), answers with a
# handful of active colleagues, and the ticked ids it echoes back are capped the same way.
COLLEAGUE_MIN_QUERY = 3
COLLEAGUE_RESULTS = 8
COLLEAGUES_TICKED = 30


def _active_colleagues(person: Person) -> Any:
    return (
        Person.objects.filter(organisation_id=person.organisation_id, is_active=True)
        .exclude(pk=person.pk)
        .select_related("department")
    )


def colleagues_matching(person: Person, q: str, *, limit: int = COLLEAGUE_RESULTS) -> list[Person]:
    """Directory search for 'people you work with', by name only: active people of the same
    organisation, never the person, at most `limit`."""
    q = (q or "").strip()
    if len(q) < COLLEAGUE_MIN_QUERY or "@" in q:
        return []
    return list(
        _active_colleagues(person)
        .filter(full_name__icontains=q)
        .order_by("full_name", "id")[: min(limit, COLLEAGUE_RESULTS)]
    )


# Only people the picker has shown this browser session (search results), or already named on
# the person's application to the programme, may be ticked, echoed back with their names, or
# saved. Otherwise posting made-up ids (1, 2, 3, ...) would read the directory by id, a name
# and department at a time, past the three-letter, eight-result search.
SHOWN_SESSION_KEY = "recruitment.colleagues_shown"
SHOWN_LIMIT = 500


def remember_shown_colleagues(session: Any, people: list[Person]) -> None:
    shown = [i for i in session.get(SHOWN_SESSION_KEY, []) if isinstance(i, int)]
    known = set(shown)
    shown += [p.pk for p in people if p.pk not in known]
    session[SHOWN_SESSION_KEY] = shown[-SHOWN_LIMIT:]


def nameable_colleague_ids(session: Any, person: Person, programme: Any) -> set[int]:
    """Ids the person may tick as colleagues on their application to `programme`."""
    ids = {i for i in session.get(SHOWN_SESSION_KEY, []) if isinstance(i, int)}
    saved = Application.objects.filter(programme=programme, person=person).values_list(
        "works_with", flat=True
    )
    ids.update(i for i in saved if i is not None)
    return ids


def colleagues_by_id(person: Person, ids: list[int]) -> list[Person]:
    """The colleagues already ticked, for the picker to keep showing: active people only."""
    ids = valid_ids(ids, limit=COLLEAGUES_TICKED)
    if not ids:
        return []
    return list(_active_colleagues(person).filter(pk__in=ids).order_by("full_name", "id"))


def decidable(
    programme: Programme, candidates: QuerySet[Application], *, decision: str, by: Any
) -> QuerySet[Application]:
    """Which of `candidates` (kept to `programme`) the decision can change now."""
    from_statuses = [s for s, to in DECISION_FROM.items() if decision in to]
    qs = Application.objects.filter(
        programme=programme, pk__in=candidates.values("pk"), status__in=from_statuses
    )
    user_id = getattr(by, "pk", None) if getattr(by, "is_authenticated", False) else None
    if user_id is not None:
        # Nobody decides on their own application (the access rule keeps them out anyway).
        qs = qs.exclude(person__user_id=user_id)
    return qs


@dataclass(frozen=True)
class BulkPreview:
    """What a bulk decision would do, for its confirmation page."""

    matched: int  # ticked, or matching the filter
    ids: list[int]  # those the decision changes
    first: list[Application]  # the first few of them, by name
    new_by_role: dict[str, int]  # accepting: how many are not accepted yet, per role

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def left(self) -> int:
        return self.matched - self.count

    @property
    def more(self) -> int:
        return self.count - len(self.first)


def bulk_preview(
    programme: Programme,
    candidates: QuerySet[Application],
    *,
    decision: str,
    by: Any,
    names: int = 10,
) -> BulkPreview:
    """Counts and a few names for the confirmation, in three queries however many match."""
    matched = Application.objects.filter(
        programme=programme, pk__in=candidates.values("pk")
    ).count()
    changeable = decidable(programme, candidates, decision=decision, by=by)
    rows = list(changeable.values_list("pk", "role", "status"))
    new_by_role: dict[str, int] = {}
    for _pk, role, status in rows:
        if status != Status.ACCEPTED:
            new_by_role[role] = new_by_role.get(role, 0) + 1
    first = list(
        changeable.select_related("person__department").order_by("person__full_name", "id")[
            :names
        ]
    )
    return BulkPreview(
        matched=matched, ids=[r[0] for r in rows], first=first, new_by_role=new_by_role
    )
