"""Which journey version a programme follows, and at what cadence."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from upward.core.audit import record
from upward.core.errors import Conflict, DomainError
from upward.core.types import Actor
from upward.journey.models import (
    MAX_MINUTES,
    MIN_MINUTES,
    JourneyVersion,
    Meeting,
    ProgrammeJourney,
)
from upward.journey.selectors import default_programme_journey
from upward.journey.services._shared import _user
from upward.programmes.models import Programme


def _programme_has_meetings(programme: Programme) -> bool:
    return Meeting.objects.filter(pairing__programme=programme).exists()


def set_programme_journey(
    programme: Programme,
    *,
    version: JourneyVersion,
    mode: str,
    meetings_per_month: Decimal,
    minutes_per_meeting: int,
    by: Actor,
) -> ProgrammeJourney:
    if version.is_draft:
        raise DomainError(_("Choose a published version."), field="version")
    if version.template.organisation_id not in (None, programme.organisation_id):
        raise DomainError(_("Choose one of your organisation's journeys."), field="version")
    if mode not in ProgrammeJourney.Mode.values:
        raise DomainError(_("Choose guided or free flow."), field="mode")
    if not MIN_MINUTES <= int(minutes_per_meeting) <= MAX_MINUTES:
        raise DomainError(
            _("Meetings last between %(min)s and %(max)s minutes.")
            % {"min": MIN_MINUTES, "max": MAX_MINUTES},
            field="minutes_per_meeting",
        )
    if not Decimal(0) < Decimal(meetings_per_month) <= Decimal(8):
        raise DomainError(
            _("Choose between 0.5 and 8 meetings a month."), field="meetings_per_month"
        )
    with transaction.atomic():
        Programme.objects.select_for_update().get(pk=programme.pk)
        current = ProgrammeJourney.objects.filter(programme=programme).first()
        changing_version = current is None or current.version_id != version.pk
        # Pairs who have started keep the sessions they started with (their meetings point at
        # the pinned version's steps), so the version is fixed once anyone has booked.
        if changing_version and current is not None and _programme_has_meetings(programme):
            raise Conflict(
                _(
                    "Pairs have already booked meetings on version %(number)s, so the "
                    "journey version can no longer change for this programme."
                )
                % {"number": current.version.number},
                field="version",
            )
        pj = current or ProgrammeJourney(programme=programme)
        pj.version = version
        pj.mode = mode
        pj.meetings_per_month = Decimal(meetings_per_month)
        pj.minutes_per_meeting = int(minutes_per_meeting)
        pj.updated_by = _user(by)
        pj.save()
        record(
            "journey.programme_journey_set",
            programme,
            by=by,
            data={"version": version.pk, "mode": mode},
        )
    programme.journey = pj
    return pj


def _pinned_journey(programme: Programme) -> ProgrammeJourney:
    """The programme's journey, saved on first use so every pair shares one pinned version."""
    try:
        return ProgrammeJourney.objects.select_related("version").get(programme=programme)
    except ProgrammeJourney.DoesNotExist:
        pj = default_programme_journey(programme)
        if pj.version_id is None:
            return pj
        pj.save()
        return pj
