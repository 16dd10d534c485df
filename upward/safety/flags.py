"""Risk flags for a pairing, computed from plain facts. No database here: the selector loads
the facts for a whole programme in a few queries and this module judges each pair, so the rules
are quick to test with a clock and no fixtures.

Each flag comes with a suggested next step for the programme team, in plain words."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.journey.cadence import expected_meetings

NO_MEETING = "no_meeting"
MISSED = "missed"
LOW_PULSE = "low_pulse"
BEHIND = "behind"
PROPOSAL_OVERDUE = "proposal_overdue"

ACTIVE = "active"
WAITING = ("proposed", "mentor_accepted")
# A low pulse older than this no longer raises a flag on its own.
PULSE_MEMORY_DAYS = 60


@dataclass(frozen=True)
class FlagSettings:
    no_meeting_days: int = 30
    missed_in_a_row: int = 2


@dataclass(frozen=True)
class PairingFacts:
    pairing_id: int
    state: str
    mentor_name: str
    mentee_name: str
    organiser_name: str
    # The day the pair started (the mentee's yes), or the proposal's day for a waiting pair.
    started_on: dt.date
    last_held_on: dt.date | None = None
    # The newest meeting whose time has passed but that nobody has recorded yet (still booked).
    last_unrecorded_on: dt.date | None = None
    # The next booked meeting still ahead.
    next_booked_on: dt.date | None = None
    # Statuses of meetings whose time has passed, newest first, cancelled ones left out.
    past_statuses: tuple[str, ...] = ()
    held: int = 0
    booked_ahead: int = 0
    per_month: Decimal = Decimal("1")
    # The newest pulse: its day and whether it was low (an answer ≤ 2 or "would like support").
    last_pulse_on: dt.date | None = None
    last_pulse_low: bool = False
    last_pulse_wants_support: bool = False
    respond_by: dt.date | None = None
    waiting_for: str = ""  # "mentor" or "mentee" for a proposal
    snoozed: dict[str, dt.date] = field(default_factory=dict)


@dataclass(frozen=True)
class Flag:
    kind: str
    label: str
    suggestion: str
    # Bigger is more urgent; the queue sorts pairs by their worst flag.
    weight: int


def flags_for(facts: PairingFacts, today: dt.date, settings: FlagSettings) -> list[Flag]:
    found: list[Flag] = []
    if facts.state in WAITING:
        found += _proposal(facts, today)
    elif facts.state == ACTIVE:
        found += _no_meeting(facts, today, settings)
        found += _missed(facts, settings)
        found += _behind(facts, today, found)
        found += _low_pulse(facts, today)
    return [f for f in found if facts.snoozed.get(f.kind) is None or facts.snoozed[f.kind] < today]


def _proposal(facts: PairingFacts, today: dt.date) -> list[Flag]:
    if facts.respond_by is None or facts.respond_by >= today:
        return []
    days = (today - facts.respond_by).days
    who = facts.mentor_name if facts.waiting_for == "mentor" else facts.mentee_name
    return [
        Flag(
            PROPOSAL_OVERDUE,
            ngettext(
                "Proposal unanswered, %(days)s day past its deadline",
                "Proposal unanswered, %(days)s days past its deadline",
                days,
            )
            % {"days": days},
            _(
                "Ask %(name)s whether they would like more time, or end the proposal and "
                "look for another partner."
            )
            % {"name": who},
            60,
        )
    ]


def rhythm_days(per_month: Decimal) -> int:
    """Days between two meetings at the pair's rhythm (about 31 for once a month)."""
    if per_month <= 0:
        return 31
    return math.ceil(Decimal("30.44") / per_month)


def _no_meeting(facts: PairingFacts, today: dt.date, settings: FlagSettings) -> list[Flag]:
    # A meeting whose time has come but is not recorded yet most likely took place: counting
    # it keeps a pair that met yesterday out of the queue until somebody marks it.
    contact = [d for d in (facts.last_held_on, facts.last_unrecorded_on) if d is not None]
    since = max(contact) if contact else facts.started_on
    days = (today - since).days
    if days <= settings.no_meeting_days:
        return []
    # A meeting in the diary (ahead, not cancelled) means the pair is in touch: however far
    # ahead it is, "no meeting" would be untrue. Falling behind the rhythm is its own flag.
    if facts.next_booked_on is not None or facts.booked_ahead:
        return []
    if not contact:
        label = ngettext(
            "No meeting since the pairing started %(days)s day ago",
            "No meeting since the pairing started %(days)s days ago",
            days,
        ) % {"days": days}
    else:
        label = ngettext("No meeting for %(days)s day", "No meeting for %(days)s days", days) % {
            "days": days
        }
    suggestion = _("Send a friendly check-in to %(name)s (the organiser).") % {
        "name": facts.organiser_name
    }
    return [Flag(NO_MEETING, label, suggestion, 50)]


def _missed(facts: PairingFacts, settings: FlagSettings) -> list[Flag]:
    # Missed meetings in a row, newest first. A later meeting held ends the run; one not yet
    # recorded says nothing either way, so it neither ends nor lengthens it.
    run = 0
    for status in facts.past_statuses:
        if status == "scheduled":
            continue
        if status != "missed":
            break
        run += 1
    if run < settings.missed_in_a_row:
        return []
    return [
        Flag(
            MISSED,
            ngettext(
                "The last meeting did not take place",
                "The last %(n)s meetings did not take place",
                run,
            )
            % {"n": run},
            _(
                "Talk to each person separately: a different time or a shorter meeting may "
                "help, or the pairing may need a change."
            ),
            70,
        )
    ]


def _behind(facts: PairingFacts, today: dt.date, found: list[Flag]) -> list[Flag]:
    if any(f.kind == NO_MEETING for f in found):
        return []  # the same story told twice; "no meeting" is the clearer one
    expected = expected_meetings(per_month=facts.per_month, since=facts.started_on, today=today)
    # A meeting already in the diary counts towards keeping up (as on the pair's own page).
    if facts.held + min(facts.booked_ahead, 1) >= expected:
        return []
    return [
        Flag(
            BEHIND,
            _("%(held)s of %(expected)s expected meetings held")
            % {"held": facts.held, "expected": expected},
            _("Remind %(name)s (the organiser) of the agreed rhythm and offer help booking.")
            % {"name": facts.organiser_name},
            30,
        )
    ]


def _low_pulse(facts: PairingFacts, today: dt.date) -> list[Flag]:
    if facts.last_pulse_on is None or not facts.last_pulse_low:
        return []
    if (today - facts.last_pulse_on).days > PULSE_MEMORY_DAYS:
        return []
    if facts.last_pulse_wants_support:
        label = _("The mentor would like a word with the programme team")
        suggestion = _("Contact %(name)s privately, within a few days.") % {
            "name": facts.mentor_name
        }
        weight = 90
    else:
        label = _("The mentor's latest pulse was low")
        suggestion = _(
            "Offer %(name)s a private conversation; do not mention the pulse to the mentee."
        ) % {"name": facts.mentor_name}
        weight = 80
    return [Flag(LOW_PULSE, label, suggestion, weight)]
