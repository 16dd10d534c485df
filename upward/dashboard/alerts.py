"""The daily alert to each programme's team: pairs newly flagged for attention and people who
started waiting for a partner since the last check, as one neutral summary per programme per
day (counts and a link; never a reason, a pulse, a note or a concern). Nothing new, no message.

Each programme team member hears it the way they chose for "programme team" notifications:
straight away, in the weekly summary or in the app only (`programmes.team.notify_team`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.core.audit import record
from upward.dashboard.models import TeamAlert
from upward.pairing.selectors import people_waiting
from upward.programmes.models import Programme, State
from upward.programmes.team import notify_team
from upward.safety.selectors import flagged_pairings

# Programmes where pairs can be flagged or people can wait for a partner.
WATCHED_STATES = (State.MATCHING, State.ACTIVE)


@dataclass
class AlertResult:
    programmes: int = 0
    alerts: int = 0
    people_told: int = 0


def send_team_alerts(*, now: dt.datetime | None = None, dry_run: bool = False) -> AlertResult:
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = AlertResult()
    programmes = (
        Programme.objects.filter(state__in=WATCHED_STATES)
        .exclude(team_alerts__day=today)
        .order_by("pk")
    )
    for programme in programmes:
        result.programmes += 1
        told = alert_team(programme, now=now, dry_run=dry_run)
        if told is not None:
            result.alerts += 1
            result.people_told += told
    return result


def alert_team(programme: Programme, *, now: dt.datetime, dry_run: bool = False) -> int | None:
    """Check one programme for today. Returns how many people were told, or None when there
    was nothing new (or today's check was already done)."""
    today = timezone.localdate(now)
    rows, _settings = flagged_pairings(programme, viewer=None, now=now)
    flagged = sorted({row.pairing.pk for row in rows})
    waiting = sorted(f"{w.person.pk}:{w.role}" for w in people_waiting(programme))
    previous = TeamAlert.objects.filter(programme=programme, day__lt=today).order_by("-day").first()
    # The first check tells about everything there is; later ones only about what is new.
    new_flagged = len(set(flagged) - set(previous.flagged if previous else []))
    new_waiting = len(set(waiting) - set(previous.waiting if previous else []))
    if dry_run:
        return None if not (new_flagged or new_waiting) else 0
    with transaction.atomic():
        try:
            with transaction.atomic():
                alert = TeamAlert.objects.create(
                    programme=programme,
                    day=today,
                    flagged=flagged,
                    waiting=waiting,
                    new_flagged=new_flagged,
                    new_waiting=new_waiting,
                )
        except IntegrityError:
            return None  # another run checked this programme today
        if not (new_flagged or new_waiting):
            return None
        told = notify_team(
            programme,
            subject=_("%(programme)s: %(summary)s")
            % {"programme": programme.name, "summary": summary(new_flagged, new_waiting)},
            template="dashboard/email/team_alert.txt",
            context={
                "new_flagged": new_flagged,
                "new_waiting": new_waiting,
                "summary": summary(new_flagged, new_waiting),
            },
            # The Today page, which every team member may open; the attention queue answers
            # 404 to an admin who is told only because the programme has no managers.
            url=reverse("today"),
            dedupe_key=f"team-alert:{programme.pk}:{today.isoformat()}",
        )
        alert.people_told = len(told)
        alert.save(update_fields=["people_told"])
        record(
            "dashboard.team_alerted",
            programme,
            by=None,
            organisation=programme.organisation,
            data={"new_flagged": new_flagged, "new_waiting": new_waiting, "told": len(told)},
        )
    return len(told)


def summary(new_flagged: int, new_waiting: int) -> str:
    parts = []
    if new_flagged:
        parts.append(
            ngettext(
                "%(n)s pair newly needs attention",
                "%(n)s pairs newly need attention",
                new_flagged,
            )
            % {"n": new_flagged}
        )
    if new_waiting:
        parts.append(
            ngettext(
                "%(n)s person started waiting for a partner",
                "%(n)s people started waiting for a partner",
                new_waiting,
            )
            % {"n": new_waiting}
        )
    return _(" and ").join(parts)
