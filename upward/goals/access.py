"""Goals, tasks and assessments belong to the pair; the skills framework to the programme team.
Every lookup answers 404 for "missing" and "not yours"."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from upward.goals.models import Goal, Skill, Task
from upward.pairing.workspace import Seat, access_pair_workspace
from upward.programmes.access import access_programme_for_manager


def access_goal(user: Any, pairing_id: int, goal_id: int) -> tuple[Seat, Goal]:
    seat = access_pair_workspace(user, pairing_id)
    try:
        goal = Goal.objects.select_related("owner").get(pk=goal_id, pairing=seat.pairing)
    except Goal.DoesNotExist as exc:
        raise Http404("No such goal.") from exc
    goal.pairing = seat.pairing
    return seat, goal


def access_task(user: Any, pairing_id: int, task_id: int) -> tuple[Seat, Task]:
    seat = access_pair_workspace(user, pairing_id)
    try:
        task = Task.objects.select_related("goal", "owner").get(
            pk=task_id, goal__pairing=seat.pairing
        )
    except Task.DoesNotExist as exc:
        raise Http404("No such task.") from exc
    task.goal.pairing = seat.pairing
    return seat, task


def access_skill_for_manager(user: Any, programme_id: int, skill_id: int) -> Skill:
    programme = access_programme_for_manager(user, programme_id)
    try:
        skill = Skill.objects.get(pk=skill_id, programme=programme)
    except Skill.DoesNotExist as exc:
        raise Http404("No such skill.") from exc
    skill.programme = programme
    return skill
