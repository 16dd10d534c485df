"""The journey's part of the next cohort (see upward/programmes/cohorts.py): which journey
version the programme follows, guided or free, and its meeting rhythm. Meetings, events and
agreements belong to people and dates, so they stay behind."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from upward.core.types import Actor
from upward.journey.models import ProgrammeJourney
from upward.programmes.cohorts import register_cohort_copier
from upward.programmes.models import Programme


def _count(source: Programme) -> int:
    return ProgrammeJourney.objects.filter(programme=source).count()


def _copy(source: Programme, target: Programme, by: Actor) -> int:
    chosen = ProgrammeJourney.objects.filter(programme=source).first()
    if chosen is None:
        # Never chosen: the new cohort follows the same default, nothing to copy.
        return 0
    ProgrammeJourney.objects.create(
        programme=target,
        version=chosen.version,
        mode=chosen.mode,
        meetings_per_month=chosen.meetings_per_month,
        minutes_per_meeting=chosen.minutes_per_meeting,
        updated_by=by if getattr(by, "is_authenticated", False) else None,
    )
    return 1


def register() -> None:
    register_cohort_copier(
        "journey",
        gettext_lazy("Journey and meeting rhythm"),
        count=_count,
        copy=_copy,
        order=20,
    )
