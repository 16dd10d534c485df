"""What a programme's launch and end mean for its pairings, and the daily job that ends
programmes on time.

Registered with programmes/lifecycle.py from PairingConfig.ready():
- launching asks first when people are still waiting for a partner;
- completing completes every active pairing (an early-completed pair stays completed) and
  withdraws proposals nobody has finished answering, with a neutral word to whoever knew.
Each pairing move sends `pairing_closed`, so the journey cancels future meetings as it does
for any pairing that ends.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.core.errors import DomainError
from upward.core.types import Actor
from upward.notifications.services import notify
from upward.pairing.models import LIVE_STATES, Pairing, PairingState
from upward.pairing.selectors import people_without_partner
from upward.pairing.services.moves import _move
from upward.programmes.models import Programme, State
from upward.programmes.services import transition_programme
from upward.programmes.team import notify_team

logger = logging.getLogger(__name__)

OPEN_PROPOSAL = (PairingState.PROPOSED, PairingState.MENTOR_ACCEPTED)
# The programme team and the pairs hear this many days before the planned end.
END_REMINDER_DAYS = 7


# ---------------------------------------------------------------------------------------------
# Launch


def launch_asks(programme: Programme) -> list[str]:
    # Before any run, everyone accepted is without a partner: launching then leaves them all.
    waiting = people_without_partner(programme, before_any_run=True)
    if not waiting:
        return []
    names = ", ".join(w.person.full_name for w in waiting[:10])
    if len(waiting) > 10:
        names += _(" and %(n)s more") % {"n": len(waiting) - 10}
    return [
        ngettext(
            "%(n)s person is still waiting for a partner: %(names)s. Launch anyway?",
            "%(n)s people are still waiting for a partner: %(names)s. Launch anyway?",
            len(waiting),
        )
        % {"n": len(waiting), "names": names}
    ]


# ---------------------------------------------------------------------------------------------
# Completion


def completion_consequences(programme: Programme) -> list[str]:
    counts = Pairing.objects.filter(programme=programme).aggregate(
        active=Count("pk", filter=Q(state=PairingState.ACTIVE)),
        proposals=Count("pk", filter=Q(state__in=OPEN_PROPOSAL)),
        done=Count("pk", filter=Q(state=PairingState.COMPLETED)),
    )
    lines = [
        ngettext(
            "%(n)s active pairing will be completed.",
            "%(n)s active pairings will be completed.",
            counts["active"],
        )
        % {"n": counts["active"]}
    ]
    if counts["done"]:
        lines.append(
            ngettext(
                "%(n)s pairing that finished early stays completed.",
                "%(n)s pairings that finished early stay completed.",
                counts["done"],
            )
            % {"n": counts["done"]}
        )
    if counts["proposals"]:
        lines.append(
            ngettext(
                "%(n)s proposal still waiting for an answer will be withdrawn; whoever knew of "
                "it is told it will not go ahead.",
                "%(n)s proposals still waiting for an answer will be withdrawn; whoever knew of "
                "them is told they will not go ahead.",
                counts["proposals"],
            )
            % {"n": counts["proposals"]}
        )
    waiting = len(people_without_partner(programme))
    if waiting:
        lines.append(
            ngettext(
                "%(n)s person still waiting for a partner will be told kindly that the programme "
                "has ended without one.",
                "%(n)s people still waiting for a partner will be told kindly that the programme "
                "has ended without one.",
                waiting,
            )
            % {"n": waiting}
        )
    return lines


def _tell_the_unpartnered(programme: Programme, waiting: list[Any]) -> None:
    for person in {w.person.pk: w.person for w in waiting}.values():
        notify(
            person,
            kind="pairing",
            subject=_("%(programme)s has ended") % {"programme": programme.name},
            template="pairing/email/ended_without_partner.txt",
            context={"name": person.full_name, "programme": programme.name},
            url=reverse("dashboard"),
            dedupe_key=f"programme-ended-unpartnered:{programme.pk}",
        )


def close_pairings_at_end(programme: Programme, by: Actor) -> None:
    """Complete the active pairings and withdraw open proposals (inside the transition); tell
    everyone still waiting for a partner that the programme has ended."""
    _tell_the_unpartnered(programme, people_without_partner(programme))
    live = (
        Pairing.objects.select_related("programme__organisation", "mentor", "mentee", "run")
        .filter(programme=programme, state__in=LIVE_STATES)
        .order_by("pk")
    )
    for pairing in live:
        if pairing.state == PairingState.ACTIVE:
            _move(pairing, to=PairingState.COMPLETED, by=by, expect=[PairingState.ACTIVE])
            continue
        told_mentee = pairing.mentee_told_at is not None
        pairing = _move(
            pairing,
            to=PairingState.DECLINED,
            by=by,
            expect=OPEN_PROPOSAL,
            closed_by=Pairing.ClosedBy.MANAGER,
            closed_reason=_("The programme ended before the proposal was answered."),
            closed_at=timezone.now(),
        )
        # No rematch: the programme is over. The mentor always knew of the proposal.
        for person in [pairing.mentor, *([pairing.mentee] if told_mentee else [])]:
            notify(
                person,
                kind="pairing",
                subject=_("Your proposed pairing in %(programme)s") % {"programme": programme.name},
                template="pairing/email/withdrawn_at_end.txt",
                context={
                    "name": person.full_name,
                    "mentor": pairing.mentor.full_name,
                    "mentee": pairing.mentee.full_name,
                    "programme": programme.name,
                },
                url=reverse("pairing:pairing", args=[pairing.pk]),
                dedupe_key=f"pairing-withdrawn-at-end:{pairing.pk}",
            )


# ---------------------------------------------------------------------------------------------
# The daily job


def _remind_end(programme: Programme) -> int:
    """The team and everyone in an active pairing hear once that the end is near."""
    key = f"programme-ending:{programme.pk}"
    ends = date_format(programme.ends_on, "j F Y")
    told = len(
        notify_team(
            programme,
            subject=_("%(programme)s ends on %(date)s")
            % {"programme": programme.name, "date": ends},
            template="pairing/email/programme_ending_team.txt",
            context={"ends_on": ends},
            url=reverse("programmes:detail", args=[programme.pk]),
            dedupe_key=key,
        )
    )
    pairings = Pairing.objects.select_related("mentor", "mentee", "programme").filter(
        programme=programme, state=PairingState.ACTIVE
    )
    for pairing in pairings.order_by("pk"):
        for person, partner in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor)):
            made = notify(
                person,
                kind="pairing",
                subject=_("Your programme ends on %(date)s") % {"date": ends},
                template="pairing/email/programme_ending.txt",
                context={
                    "name": person.full_name,
                    "partner": partner.full_name,
                    "programme": programme.name,
                    "ends_on": ends,
                },
                url=reverse("pairing:pairing", args=[pairing.pk]),
                dedupe_key=key,
            )
            told += made is not None
    return told


def run_programme_endings(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> dict[str, Any]:
    """Complete active programmes whose end date has passed (by the system, with every effect
    of completing by hand) and remind pairs and teams a week before the end. Idempotent: a
    completed programme is no longer active, and reminders carry a dedupe key."""
    today = timezone.localdate(now)
    due = list(Programme.objects.filter(state=State.ACTIVE, ends_on__lt=today).order_by("pk"))
    soon = list(
        Programme.objects.filter(
            state=State.ACTIVE,
            ends_on__gte=today,
            ends_on__lte=today + dt.timedelta(days=END_REMINDER_DAYS),
        ).order_by("pk")
    )
    counts: dict[str, Any] = {"due": len(due), "ending_soon": len(soon)}
    if dry_run:
        return counts
    counts.update(completed=0, failed=0, reminded=0)
    for programme in due:
        try:
            transition_programme(programme, to=State.COMPLETED, by=None, acknowledged=True)
        except DomainError:
            # Someone completed it meanwhile, or a rule refuses: the next run tries again.
            logger.exception("Could not complete programme %s at its end date", programme.pk)
            counts["failed"] += 1
        else:
            counts["completed"] += 1
    for programme in soon:
        counts["reminded"] += _remind_end(programme)
    return counts
