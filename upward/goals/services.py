"""Every write of goals, tasks, the skills framework and the assessments.

Goal and task text never goes into audit data: the programme team only ever sees counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from upward.core.audit import record
from upward.core.errors import Conflict, DomainError
from upward.core.types import Actor
from upward.goals.defaults import default_levels, defaults_for
from upward.goals.models import (
    LEVELS,
    Assessment,
    AssessmentKind,
    Goal,
    GoalStatus,
    Rating,
    Skill,
    Task,
    Term,
)
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.pairing.workspace import require_active


def _today() -> dt.date:
    return timezone.localdate()


def _require_in_pair(pairing: Pairing, person: Person | None, *, field: str | None = None) -> None:
    if person is None or person.pk not in (pairing.mentor_id, pairing.mentee_id):
        raise DomainError(_("Choose one of the two people in this pairing."), field=field)


def _org(pairing: Pairing) -> Any:
    return pairing.programme.organisation


def _clean_goal_fields(
    *, statement: str, measure: str, why: str, term: str
) -> tuple[str, str, str]:
    statement = (statement or "").strip()
    measure = (measure or "").strip()
    if not statement:
        raise DomainError(_("Say what the goal is."), field="statement")
    if not measure:
        raise DomainError(
            _(
                "A goal needs a measurable criterion: how will you both know it has been "
                "achieved? For example “I can set up a team channel without help”."
            ),
            field="measure",
        )
    if term not in Term.values:
        raise DomainError(_("Choose short or long term."), field="term")
    return statement, measure, (why or "").strip()


def _clean_progress(progress: Any) -> int:
    try:
        value = int(progress)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Progress is a whole number from 0 to 100."), field="progress") from exc
    if not 0 <= value <= 100:
        raise DomainError(_("Progress is a whole number from 0 to 100."), field="progress")
    return value


@transaction.atomic
def create_goal(
    pairing: Pairing,
    *,
    owner: Person,
    statement: str,
    measure: str,
    target_date: dt.date | None,
    term: str = Term.SHORT,
    why: str = "",
    person: Person,
) -> Goal:
    _require_in_pair(pairing, person)
    _require_in_pair(pairing, owner, field="owner")
    require_active(pairing)
    statement, measure, why = _clean_goal_fields(
        statement=statement, measure=measure, why=why, term=term
    )
    if target_date is None:
        raise DomainError(_("Give a target date."), field="target_date")
    if target_date < _today():
        raise DomainError(_("The target date cannot be in the past."), field="target_date")
    # Lock the pair's goals so two goals added at once do not share a priority.
    last = (
        Goal.objects.select_for_update()
        .filter(pairing=pairing, owner=owner)
        .aggregate(m=Max("position"))["m"]
    )
    goal = Goal.objects.create(
        pairing=pairing,
        owner=owner,
        statement=statement,
        measure=measure,
        why=why,
        target_date=target_date,
        term=term,
        position=(last or 0) + 1,
        created_by=person,
    )
    record("goals.goal_created", goal, by=person.user, organisation=_org(pairing))
    return goal


@transaction.atomic
def update_goal(
    goal: Goal,
    *,
    statement: str,
    measure: str,
    target_date: dt.date | None,
    term: str,
    why: str,
    status: str,
    progress: Any,
    person: Person,
) -> Goal:
    pairing = goal.pairing
    _require_in_pair(pairing, person)
    require_active(pairing)
    statement, measure, why = _clean_goal_fields(
        statement=statement, measure=measure, why=why, term=term
    )
    if target_date is None:
        raise DomainError(_("Give a target date."), field="target_date")
    # A date already passed may stay (the goal is simply late); a new date must be ahead.
    if target_date != goal.target_date and target_date < _today():
        raise DomainError(_("The target date cannot be in the past."), field="target_date")
    if status not in GoalStatus.values:
        raise DomainError(_("Choose a status."), field="status")
    value = _clean_progress(progress)
    if status == GoalStatus.ACHIEVED:
        value = 100
    goal.statement, goal.measure, goal.why = statement, measure, why
    goal.target_date, goal.term, goal.status, goal.progress = target_date, term, status, value
    goal.save()
    record(
        "goals.goal_updated",
        goal,
        by=person.user,
        organisation=_org(pairing),
        data={"status": status, "progress": value},
    )
    return goal


@transaction.atomic
def move_goal(goal: Goal, *, direction: str, person: Person) -> Goal:
    """Swap the goal with its neighbour in its owner's priority order."""
    pairing = goal.pairing
    _require_in_pair(pairing, person)
    require_active(pairing)
    if direction not in ("up", "down"):
        raise DomainError(_("Move a goal up or down."))
    siblings = list(
        Goal.objects.select_for_update()
        .filter(pairing=pairing, owner_id=goal.owner_id)
        .order_by("position", "id")
    )
    index = next(i for i, g in enumerate(siblings) if g.pk == goal.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return goal
    siblings[index], siblings[other] = siblings[other], siblings[index]
    # Renumber 1..n: positions stay dense whatever happened before.
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            Goal.objects.filter(pk=sibling.pk).update(position=position)
    goal.refresh_from_db()
    record(
        "goals.goal_moved",
        goal,
        by=person.user,
        organisation=_org(pairing),
        data={"to": goal.position},
    )
    return goal


@transaction.atomic
def delete_goal(goal: Goal, *, person: Person) -> None:
    pairing = goal.pairing
    _require_in_pair(pairing, person)
    require_active(pairing)
    record("goals.goal_deleted", goal, by=person.user, organisation=_org(pairing))
    goal.delete()


@transaction.atomic
def add_task(
    goal: Goal, *, title: str, due_on: dt.date | None, owner: Person | None, person: Person
) -> Task:
    pairing = goal.pairing
    _require_in_pair(pairing, person)
    require_active(pairing)
    _require_in_pair(pairing, owner, field="owner")
    assert owner is not None  # _require_in_pair refused None
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Say what the task is."), field="title")
    if due_on is None:
        raise DomainError(_("Give a due date."), field="due_on")
    if due_on < _today():
        raise DomainError(_("The due date cannot be in the past."), field="due_on")
    task = Task.objects.create(
        goal=goal, title=title, due_on=due_on, owner=owner, created_by=person
    )
    record("goals.task_created", task, by=person.user, organisation=_org(pairing))
    return task


@transaction.atomic
def set_task_done(task: Task, *, done: bool, person: Person) -> Task:
    pairing = task.goal.pairing
    _require_in_pair(pairing, person)
    require_active(pairing)
    # Locked, so two tabs (or both people) marking it at once cannot both count.
    current = Task.objects.select_for_update().get(pk=task.pk)
    if done and current.done_at is not None:
        raise Conflict(
            _("This task is already done (marked on %(date)s), so nothing has changed.")
            % {"date": date_format(timezone.localtime(current.done_at), "j F")}
        )
    if not done and current.done_at is None:
        raise Conflict(_("This task is already open, so nothing has changed."))
    task.done_at = timezone.now() if done else None
    task.save(update_fields=["done_at"])
    record(
        "goals.task_done" if done else "goals.task_reopened",
        task,
        by=person.user,
        organisation=_org(pairing),
    )
    return task


@transaction.atomic
def delete_task(task: Task, *, person: Person) -> None:
    pairing = task.goal.pairing
    _require_in_pair(pairing, person)
    require_active(pairing)
    record("goals.task_deleted", task, by=person.user, organisation=_org(pairing))
    task.delete()


# ---------------------------------------------------------------------------------------------
# Skills framework


def ensure_framework(programme: Any) -> list[Skill]:
    """The programme's skills, seeded from the defaults for its objective the first time."""
    skills = list(Skill.objects.filter(programme=programme).order_by("position", "id"))
    if skills:
        return skills
    try:
        with transaction.atomic():
            for position, (name, description) in enumerate(
                defaults_for(programme.objective), start=1
            ):
                Skill.objects.create(
                    programme=programme,
                    name=str(name),
                    description=str(description),
                    levels=default_levels(),
                    position=position,
                )
            record("goals.framework_seeded", programme, organisation=programme.organisation)
    except IntegrityError:
        pass  # seeded by a concurrent request: read what it wrote
    return list(Skill.objects.filter(programme=programme).order_by("position", "id"))


def _clean_skill(name: str, description: str, levels: list[str]) -> tuple[str, str, list[str]]:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the skill."), field="name")
    levels = [(text or "").strip() for text in levels]
    if len(levels) != len(LEVELS) or not all(levels):
        raise DomainError(_("Describe each of the five levels."), field="levels")
    return name, (description or "").strip(), levels


@transaction.atomic
def add_skill(
    programme: Any, *, name: str, description: str, levels: list[str], by: Actor
) -> Skill:
    ensure_framework(programme)
    name, description, levels = _clean_skill(name, description, levels)
    if Skill.objects.filter(programme=programme, name__iexact=name).exists():
        raise Conflict(_("The framework already has a skill with this name."), field="name")
    last = Skill.objects.filter(programme=programme).aggregate(m=Max("position"))["m"] or 0
    skill = Skill.objects.create(
        programme=programme, name=name, description=description, levels=levels, position=last + 1
    )
    record("goals.skill_added", skill, by=by, organisation=programme.organisation)
    return skill


@transaction.atomic
def update_skill(
    skill: Skill, *, name: str, description: str, levels: list[str], by: Actor
) -> Skill:
    name, description, levels = _clean_skill(name, description, levels)
    if (
        Skill.objects.filter(programme_id=skill.programme_id, name__iexact=name)
        .exclude(pk=skill.pk)
        .exists()
    ):
        raise Conflict(_("The framework already has a skill with this name."), field="name")
    skill.name, skill.description, skill.levels = name, description, levels
    skill.save()
    record("goals.skill_updated", skill, by=by, organisation=skill.programme.organisation)
    return skill


@transaction.atomic
def remove_skill(skill: Skill, *, by: Actor) -> None:
    if skill.ratings.exists():
        raise Conflict(
            _(
                "Participants have already rated themselves on this skill, so it stays to keep "
                "their progress whole. You can rename or reword it instead."
            )
        )
    record("goals.skill_removed", skill, by=by, organisation=skill.programme.organisation)
    skill.delete()


# ---------------------------------------------------------------------------------------------
# Assessments


@transaction.atomic
def save_assessment(
    pairing: Pairing,
    *,
    subject: Person,
    kind: str,
    ratings: Mapping[int, Any],
    person: Person,
) -> Assessment:
    """`person` rates `subject` (themselves, or their partner) at the start or the end."""
    _require_in_pair(pairing, person)
    _require_in_pair(pairing, subject)
    require_active(pairing)
    if kind not in AssessmentKind.values:
        raise DomainError(_("Choose the start or the end of the programme."))
    skills = {s.pk: s for s in ensure_framework(pairing.programme)}
    clean: dict[int, int] = {}
    for skill_id, raw in ratings.items():
        if skill_id not in skills:
            raise DomainError(_("That skill is not part of this programme's framework."))
        if raw in (None, ""):
            continue
        try:
            level = int(raw)
        except (TypeError, ValueError) as exc:
            raise DomainError(_("Each rating is a level from 1 to 5.")) from exc
        if level not in LEVELS:
            raise DomainError(_("Each rating is a level from 1 to 5."))
        clean[skill_id] = level
    if not clean:
        raise DomainError(_("Rate at least one skill."))
    assessment, _created = Assessment.objects.get_or_create(
        pairing=pairing, subject=subject, rater=person, kind=kind
    )
    Rating.objects.filter(assessment=assessment).exclude(skill_id__in=clean).delete()
    for skill_id, level in clean.items():
        Rating.objects.update_or_create(
            assessment=assessment, skill_id=skill_id, defaults={"level": level}
        )
    assessment.save(update_fields=["updated_at"])
    record(
        "goals.assessment_saved",
        assessment,
        by=person.user,
        organisation=_org(pairing),
        data={"kind": kind, "self": subject.pk == person.pk, "ratings": len(clean)},
    )
    return assessment
