"""Deadlines and reminders: answer reminders, expired proposals, choice-round deadlines."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.organisations.selectors import unavailable_person_ids
from upward.pairing.models import ChoiceRound, Chooser, MatchRun, Pairing, PairingState
from upward.pairing.services._shared import MATCHING_STATES
from upward.pairing.services.choice_rounds import cancel_choice_round, close_choice_round
from upward.pairing.services.emails import _email_reminder, _link, _send_later
from upward.pairing.services.moves import _move, _rematch_later

logger = logging.getLogger(__name__)


REMIND_BEFORE = dt.timedelta(days=2)


@dataclass
class ReminderReport:
    reminded_mentors: int = 0
    reminded_mentees: int = 0
    expired: int = 0
    overdue_mentees: int = 0
    reminded_choosers: int = 0
    rounds_closed: int = 0


def send_pairing_reminders(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> ReminderReport:
    """Remind once shortly before the deadline; let unanswered mentor proposals expire.

    A reminder is recorded on the pairing with a conditional UPDATE before its email is
    queued, so running this twice (or twice at once) never sends it twice. An expired mentor
    proposal counts as a decline: the mentee gets another mentor without ever hearing of it.
    An overdue mentee answer is left for the programme team to follow up.
    """
    now = now or timezone.now()
    report = ReminderReport()
    soon = now + REMIND_BEFORE
    # Reminders pause for people who marked themselves away; they are reminded on their return
    # if the deadline has not passed.
    away = unavailable_person_ids(on=timezone.localdate(now))
    for state, stamp, field in (
        (PairingState.PROPOSED, "mentor_reminded_at", "reminded_mentors"),
        (PairingState.MENTOR_ACCEPTED, "mentee_reminded_at", "reminded_mentees"),
    ):
        due = Pairing.objects.filter(
            state=state, respond_by__gt=now, respond_by__lte=soon, **{f"{stamp}__isnull": True}
        ).select_related("programme", "mentor", "mentee")
        for pairing in due:
            if (pairing.mentor_id if state == PairingState.PROPOSED else pairing.mentee_id) in away:
                continue
            if dry_run:
                setattr(report, field, getattr(report, field) + 1)
                continue
            with transaction.atomic():
                won = Pairing.objects.filter(
                    pk=pairing.pk, state=state, **{f"{stamp}__isnull": True}
                ).update(**{stamp: now})
                if won:
                    _email_reminder(pairing, to_mentor=state == PairingState.PROPOSED)
                    setattr(report, field, getattr(report, field) + 1)
    expired = Pairing.objects.filter(
        state=PairingState.PROPOSED, respond_by__lte=now
    ).select_related("programme__organisation")
    for pairing in expired:
        if dry_run:
            report.expired += 1
            continue
        try:
            with transaction.atomic():
                _move(
                    pairing,
                    to=PairingState.DECLINED,
                    by=None,
                    expect=[PairingState.PROPOSED],
                    closed_by=Pairing.ClosedBy.DEADLINE,
                    closed_at=now,
                )
                _rematch_later(pairing)
        except InvalidTransition:
            continue  # Answered in the meantime.
        report.expired += 1
    report.overdue_mentees = Pairing.objects.filter(
        state=PairingState.MENTOR_ACCEPTED, respond_by__lte=now
    ).count()
    _choice_round_deadlines(report, now=now, soon=soon, dry_run=dry_run)
    return report


def _choice_round_deadlines(
    report: ReminderReport, *, now: dt.datetime, soon: dt.datetime, dry_run: bool
) -> None:
    """Remind choosers who have not ranked yet, once; close rounds whose deadline passed."""
    waiting = Chooser.objects.filter(
        round__status=ChoiceRound.Status.OPEN,
        round__closes_at__gt=now,
        round__closes_at__lte=soon,
        ranked_at__isnull=True,
        reminded_at__isnull=True,
    ).select_related("person", "round__programme")
    for chooser in waiting:
        if dry_run:
            report.reminded_choosers += 1
            continue
        with transaction.atomic():
            won = Chooser.objects.filter(
                pk=chooser.pk, ranked_at__isnull=True, reminded_at__isnull=True
            ).update(reminded_at=now)
            if won:
                round_ = chooser.round
                _send_later(
                    _("Reminder: choose your partner by %(date)s")
                    % {"date": date_format(timezone.localtime(round_.closes_at), "j F Y")},
                    "choice_reminder.txt",
                    {
                        "name": chooser.person.full_name,
                        "programme": round_.programme.name,
                        "closes_at": round_.closes_at,
                        "link": _link("pairing:choose", round_.pk),
                    },
                    chooser.person,
                    key=f"choice-reminder:{round_.pk}",
                )
                report.reminded_choosers += 1
    due = ChoiceRound.objects.filter(
        status=ChoiceRound.Status.OPEN, closes_at__lte=now
    ).select_related("programme")
    for round_ in due:
        if dry_run:
            report.rounds_closed += 1
            continue
        if round_.programme.state not in MATCHING_STATES:
            # The programme moved on without the round: nothing left to resolve.
            with contextlib.suppress(Conflict):
                cancel_choice_round(round_, by=None)
            continue
        try:
            run = close_choice_round(round_, by=None, on_deadline=True)
        except DomainError as exc:
            # Closed by the programme team in the meantime, or a run is in progress: the
            # round stays as it is and the next scheduled pass tries again.
            logger.info("Choice round %s not closed on its deadline: %s", round_.pk, exc)
            continue
        _notify_round_closed(round_, run)
        report.rounds_closed += 1


def _notify_round_closed(round_: ChoiceRound, run: MatchRun) -> None:
    programme = round_.programme
    for manager in programme.managers.all():
        _send_later(
            _("The choice round in %(programme)s has closed") % {"programme": programme.name},
            "choice_closed.txt",
            {
                "name": manager.full_name,
                "programme": programme.name,
                "link": _link("pairing:run", programme.pk, run.pk),
            },
            manager,
            key=f"choice-round-closed:{round_.pk}",
        )
