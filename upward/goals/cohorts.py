"""The goals app's part of the next cohort (see upward/programmes/cohorts.py): the skills
framework, each skill with its description and five level descriptors. Goals, tasks and
assessments belong to pairs and stay behind."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from upward.core.types import Actor
from upward.goals.models import Skill
from upward.programmes.cohorts import register_cohort_copier
from upward.programmes.models import Programme


def _count(source: Programme) -> int:
    return Skill.objects.filter(programme=source).count()


def _copy(source: Programme, target: Programme, by: Actor) -> int:
    skills = [
        Skill(
            programme=target,
            name=skill.name,
            description=skill.description,
            levels=list(skill.levels or []),
            position=skill.position,
        )
        for skill in Skill.objects.filter(programme=source).order_by("position", "id")
    ]
    # None copied (never opened): the new cohort is seeded from its objective's defaults on
    # first use, as any programme is.
    Skill.objects.bulk_create(skills)
    return len(skills)


def register() -> None:
    register_cohort_copier(
        "skills",
        gettext_lazy("Skills framework (skills and their levels)"),
        count=_count,
        copy=_copy,
        order=25,
    )
