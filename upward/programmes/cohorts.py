"""Run the next cohort: copy a programme's design and everything hung on it into a new draft.

Programmes sits below journey and surveys, so it cannot copy their rows itself. Each app that
keeps part of a programme's design registers a copier from its `AppConfig.ready()`
(`register_cohort_copier`): a label for the confirmation page, a count of what it would copy,
and the copy itself. `start_next_cohort` copies the design fields, then runs every copier, in
one transaction, and records one audit entry with the counts.

Nothing personal crosses over: no applications, pairings, meetings, answers or invitations,
and of the managers only the person who starts the new cohort (the rest are added by hand, so
nobody finds themselves running a programme they did not agree to).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from upward.core.audit import record
from upward.core.errors import DomainError
from upward.core.types import Actor
from upward.organisations.models import Person
from upward.programmes.design import DESIGN_FIELDS, M2M_FIELDS, design_errors
from upward.programmes.models import Programme, Question, State

# Copied with the design, but set afresh for the new cohort.
NOT_COPIED_FIELDS = frozenset({"name", "starts_on", "ends_on", "previous_cohort", "is_pilot"})


@dataclass(frozen=True)
class CohortCopier:
    key: str
    label: Any  # a (lazy) string people read on the confirmation page
    order: int
    # count(source) -> how many things the copy would take over
    count: Callable[[Programme], int]
    # copy(source, target, by) -> how many were copied
    copy: Callable[[Programme, Programme, Actor], int]


_copiers: dict[str, CohortCopier] = {}


def register_cohort_copier(
    key: str,
    label: Any,
    *,
    count: Callable[[Programme], int],
    copy: Callable[[Programme, Programme, Actor], int],
    order: int = 100,
) -> None:
    """Add a part of the design the next cohort takes over. Call from AppConfig.ready()."""
    existing = _copiers.get(key)
    if existing is not None and (existing.count, existing.copy) != (count, copy):
        raise ValueError(f"Cohort copier {key!r} is registered twice.")
    _copiers[key] = CohortCopier(key, label, order, count, copy)


def cohort_copiers() -> list[CohortCopier]:
    return sorted(_copiers.values(), key=lambda c: (c.order, c.key))


@dataclass(frozen=True)
class CopyLine:
    key: str
    label: str
    count: int


def next_cohort_preview(programme: Programme) -> list[CopyLine]:
    """What the copy takes over, for the confirmation page."""
    return [CopyLine(c.key, str(c.label), c.count(programme)) for c in cohort_copiers()]


def default_dates(programme: Programme) -> tuple[dt.date, dt.date]:
    """The next cohort starts the day after this one ends and lasts as long."""
    length = programme.ends_on - programme.starts_on
    starts_on = programme.ends_on + dt.timedelta(days=1)
    return starts_on, starts_on + length


def default_name(programme: Programme) -> str:
    return (_("%(name)s (next cohort)") % {"name": programme.name})[:150]


def start_next_cohort(
    programme: Programme,
    *,
    person: Person,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    by: Actor,
) -> tuple[Programme, dict[str, int]]:
    """A new draft programme with `programme`'s design, linked as its next cohort.

    `person` (who acts) becomes its only manager. Returns the new programme and, per copier,
    how many things were copied."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the new cohort a name."), field="name")
    if person.organisation_id != programme.organisation_id:
        raise DomainError(_("You can only start a cohort in your own organisation."))
    with transaction.atomic():
        source = Programme.objects.select_for_update().get(pk=programme.pk)
        fields: dict[str, Any] = {
            f: getattr(source, f)
            for f in DESIGN_FIELDS
            if f not in M2M_FIELDS and f not in NOT_COPIED_FIELDS
        }
        fields.update(name=name, starts_on=starts_on, ends_on=ends_on, previous_cohort=source)
        errors = design_errors(fields, organisation=source.organisation)
        if errors:
            field, message = errors[0]
            raise DomainError(message, field=field)
        new = Programme.objects.create(
            organisation=source.organisation, state=State.DRAFT, is_pilot=False, **fields
        )
        for m2m in M2M_FIELDS:
            getattr(new, m2m).set(getattr(source, m2m).all())
        new.managers.add(person)
        copied = {c.key: c.copy(source, new, by) for c in cohort_copiers()}
        record(
            "programme.next_cohort_started",
            new,
            by=by,
            data={"from": source.pk, "copied": copied},
        )
    return new, copied


# ---------------------------------------------------------------------------------------------
# Programmes' own part: the application questions.


def _count_questions(source: Programme) -> int:
    return source.questions.count()


def _copy_questions(source: Programme, target: Programme, by: Actor) -> int:
    questions = [
        Question(
            programme=target,
            text=q.text,
            help_text=q.help_text,
            kind=q.kind,
            choices=list(q.choices or []),
            audience=q.audience,
            required=q.required,
            position=q.position,
        )
        for q in source.questions.all()
    ]
    Question.objects.bulk_create(questions)
    return len(questions)


def register_own_copiers() -> None:
    register_cohort_copier(
        "application_questions",
        gettext_lazy("Application questions"),
        count=_count_questions,
        copy=_copy_questions,
        order=10,
    )
