"""Risk flags: the pure rules, then the selector over a real programme with a moving clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from upward.journey.models import MeetingStatus
from upward.pairing.models import Pairing
from upward.safety import flags, selectors, services
from upward.safety.flags import FlagSettings, PairingFacts, flags_for
from upward.safety.tests.conftest import meeting

TODAY = dt.date(2027, 3, 1)


def facts(**kw):  # type: ignore[no-untyped-def]
    base: dict = dict(
        pairing_id=1,
        state="active",
        mentor_name="Jess Junior",
        mentee_name="Richard Senior",
        organiser_name="Richard Senior",
        started_on=TODAY - dt.timedelta(days=60),
        last_held_on=TODAY - dt.timedelta(days=10),
        past_statuses=("held", "held"),
        held=2,
        per_month=Decimal("1"),
    )
    base.update(kw)
    return PairingFacts(**base)


def kinds(f: PairingFacts, settings: FlagSettings | None = None) -> list[str]:
    return [x.kind for x in flags_for(f, TODAY, settings or FlagSettings())]


def test_healthy_pair_has_no_flag() -> None:
    assert kinds(facts(last_pulse_on=TODAY, last_pulse_low=False)) == []


def test_no_meeting_names_the_organiser() -> None:
    result = flags_for(facts(last_held_on=TODAY - dt.timedelta(days=41)), TODAY, FlagSettings())
    assert [f.kind for f in result] == [flags.NO_MEETING]
    assert "41 days" in result[0].label
    assert "Richard Senior (the organiser)" in result[0].suggestion


def test_no_meeting_uses_the_programme_setting() -> None:
    f = facts(last_held_on=TODAY - dt.timedelta(days=20))
    assert kinds(f) == []
    assert kinds(f, FlagSettings(no_meeting_days=14)) == [flags.NO_MEETING]


def test_no_meeting_since_start_counts_from_the_start() -> None:
    f = facts(last_held_on=None, held=0, past_statuses=(), started_on=TODAY - dt.timedelta(days=35))
    result = flags_for(f, TODAY, FlagSettings())
    assert [x.kind for x in result] == [flags.NO_MEETING]
    assert "started 35 days ago" in result[0].label


def test_two_missed_in_a_row() -> None:
    assert kinds(facts(past_statuses=("missed", "missed", "held"))) == [flags.MISSED]
    assert kinds(facts(past_statuses=("missed", "held", "missed"))) == []
    assert kinds(facts(past_statuses=("missed",)), FlagSettings(missed_in_a_row=1)) == [
        flags.MISSED
    ]


def test_low_pulse_and_wants_support() -> None:
    low = facts(last_pulse_on=TODAY - dt.timedelta(days=3), last_pulse_low=True)
    assert kinds(low) == [flags.LOW_PULSE]
    support = flags_for(
        facts(last_pulse_on=TODAY, last_pulse_low=True, last_pulse_wants_support=True),
        TODAY,
        FlagSettings(),
    )
    assert "would like a word" in support[0].label
    # An old low pulse no longer flags on its own.
    old = facts(last_pulse_on=TODAY - dt.timedelta(days=90), last_pulse_low=True)
    assert kinds(old) == []


def test_behind_the_rhythm() -> None:
    # Two a month for 120 days (less the grace period) → 6 expected; 2 held.
    f = facts(per_month=Decimal("2"), started_on=TODAY - dt.timedelta(days=120))
    result = flags_for(f, TODAY, FlagSettings())
    assert [x.kind for x in result] == [flags.BEHIND]
    assert "2 of 6" in result[0].label
    # A meeting in the diary counts as keeping up with one more.
    assert (
        kinds(
            facts(
                held=5,
                per_month=Decimal("2"),
                booked_ahead=1,
                started_on=TODAY - dt.timedelta(days=120),
            )
        )
        == []
    )


def test_proposal_past_its_deadline() -> None:
    f = facts(state="proposed", respond_by=TODAY - dt.timedelta(days=3), waiting_for="mentor")
    result = flags_for(f, TODAY, FlagSettings())
    assert [x.kind for x in result] == [flags.PROPOSAL_OVERDUE]
    assert "Jess Junior" in result[0].suggestion
    assert kinds(facts(state="proposed", respond_by=TODAY, waiting_for="mentor")) == []


def test_snoozed_flag_stays_hidden_until_the_day_after() -> None:
    f = facts(
        last_held_on=TODAY - dt.timedelta(days=41),
        snoozed={flags.NO_MEETING: TODAY},
    )
    assert kinds(f) == []
    later = flags_for(f, TODAY + dt.timedelta(days=1), FlagSettings())
    assert [x.kind for x in later] == [flags.NO_MEETING]


# --- the selector, over real rows, with the clock moving ---------------------------------------


def _flagged(world) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    rows, _settings = selectors.flagged_pairings(world.programme, viewer=None)
    return {r.pairing.pk: [f.kind for f in r.flags] for r in rows}


def test_selector_each_kind_and_a_healthy_pair(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    world = pairs.world
    meeting(pairs.pairing, days_ago=5)
    meeting(pairs.other, days_ago=5)
    assert _flagged(world) == {}

    # Six weeks on with no further meeting: both pairs flagged for silence.
    clock.shift(dt.timedelta(days=41))
    assert _flagged(world) == {
        pairs.pairing.pk: ["no_meeting"],
        pairs.other.pk: ["no_meeting"],
    }

    # The other pair missed two meetings in a row; the first pair meets again and is fine.
    meeting(pairs.other, days_ago=3, status=MeetingStatus.MISSED)
    meeting(pairs.other, days_ago=1, status=MeetingStatus.MISSED)
    meeting(pairs.pairing, days_ago=2)
    assert _flagged(world) == {pairs.other.pk: ["no_meeting", "missed"]}


def test_selector_low_pulse(pairs) -> None:  # type: ignore[no-untyped-def]
    held = meeting(pairs.pairing, days_ago=2)
    services.submit_pulse(
        held,
        person=pairs.mentor,
        spoke_openly=2,
        felt_listened_to=4,
        worth_my_time=4,
        by=pairs.mentor.user,
    )
    meeting(pairs.other, days_ago=2)
    assert _flagged(pairs.world) == {pairs.pairing.pk: ["low_pulse"]}


def test_selector_overdue_proposal(world, clock) -> None:  # type: ignore[no-untyped-def]
    proposal = Pairing.objects.create(
        programme=world.programme,
        mentor=world.applicant,
        mentee=world.senior,
        state="proposed",
        respond_by=timezone.now() - dt.timedelta(days=2),
    )
    assert _flagged(world) == {proposal.pk: ["proposal_overdue"]}


def test_snooze_through_the_service(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    clock.shift(dt.timedelta(days=45))
    services.snooze_flag(pairs.pairing, kind="no_meeting", days=7, by=pairs.world.manager.user)
    assert pairs.pairing.pk not in _flagged(pairs.world)
    clock.shift(dt.timedelta(days=8))
    assert _flagged(pairs.world)[pairs.pairing.pk] == ["no_meeting"]


def test_facts_load_in_a_few_queries(pairs, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for p in (pairs.pairing, pairs.other):
        meeting(p, days_ago=3)
        meeting(p, days_ago=-3, status=MeetingStatus.SCHEDULED)
    with django_assert_max_num_queries(6):
        facts_list = selectors.programme_facts(pairs.world.programme)
    assert {f.pairing_id for f in facts_list} == {pairs.pairing.pk, pairs.other.pk}
    assert all(f.booked_ahead == 1 and f.held == 1 for f in facts_list)


# --- flags that clear ---------------------------------------------------------------------------


def test_no_meeting_clears_once_a_meeting_is_held() -> None:
    silent = facts(last_held_on=TODAY - dt.timedelta(days=45))
    assert kinds(silent) == [flags.NO_MEETING]
    met = facts(last_held_on=TODAY - dt.timedelta(days=1), held=3)
    assert kinds(met) == []


def test_no_meeting_never_fires_while_a_meeting_is_booked() -> None:
    # Issue 14: 199 of 239 cards said "no meeting" for pairs with a meeting in the diary.
    never_met = facts(
        last_held_on=None,
        held=0,
        past_statuses=(),
        started_on=TODAY - dt.timedelta(days=35),
        booked_ahead=1,
        next_booked_on=TODAY + dt.timedelta(days=3),
    )
    assert flags.NO_MEETING not in kinds(never_met)
    # However far ahead: booked is booked. Only the rhythm can still fall behind.
    far = facts(
        last_held_on=TODAY - dt.timedelta(days=45),
        booked_ahead=1,
        next_booked_on=TODAY + dt.timedelta(days=60),
    )
    assert flags.NO_MEETING not in kinds(far)
    weekly = facts(
        per_month=Decimal("4"),
        last_held_on=TODAY - dt.timedelta(days=45),
        held=2,
        booked_ahead=1,
        next_booked_on=TODAY + dt.timedelta(days=12),
    )
    assert kinds(weekly) == [flags.BEHIND]
    assert flags.rhythm_days(Decimal("4")) == 8
    assert flags.rhythm_days(Decimal("1")) == 31
    # The same pair without the booking is flagged.
    assert flags.NO_MEETING in kinds(facts(last_held_on=TODAY - dt.timedelta(days=45)))


def test_a_cancelled_booking_does_not_count(pairs) -> None:  # type: ignore[no-untyped-def]
    # Twenty days in with no meeting; a limit of 14 days flags them, a booking clears it.
    services.save_settings(pairs.world.programme, no_meeting_days=14, missed_in_a_row=2, by=None)
    booked = meeting(pairs.pairing, days_ago=-5, status=MeetingStatus.SCHEDULED)
    cancelled = meeting(pairs.other, days_ago=-5, status=MeetingStatus.CANCELLED)
    rows, _settings = selectors.flagged_pairings(pairs.world.programme, viewer=None)
    by_pair = {r.pairing.pk: [f.kind for f in r.flags] for r in rows}
    assert flags.NO_MEETING not in by_pair.get(booked.pairing_id, [])
    assert flags.NO_MEETING in by_pair[cancelled.pairing_id]


def test_a_meeting_not_yet_recorded_counts_as_contact() -> None:
    f = facts(
        last_held_on=TODAY - dt.timedelta(days=45),
        last_unrecorded_on=TODAY - dt.timedelta(days=2),
        past_statuses=("scheduled", "held"),
    )
    assert kinds(f) == []


def test_missed_clears_after_a_later_meeting_is_held() -> None:
    assert kinds(facts(past_statuses=("missed", "missed", "held"))) == [flags.MISSED]
    assert kinds(facts(past_statuses=("held", "missed", "missed"))) == []


def test_missed_stays_while_the_next_meeting_is_not_recorded() -> None:
    # A later meeting nobody has marked yet neither clears nor extends the run.
    result = flags_for(
        facts(past_statuses=("scheduled", "missed", "missed", "held")), TODAY, FlagSettings()
    )
    assert [f.kind for f in result] == [flags.MISSED]
    assert "last 2 meetings" in result[0].label


def test_selector_flags_clear_as_the_pair_meets_again(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    world = pairs.world
    meeting(pairs.pairing, days_ago=5)
    meeting(pairs.other, days_ago=5)
    clock.shift(dt.timedelta(days=41))
    assert set(_flagged(world)) == {pairs.pairing.pk, pairs.other.pk}

    # The first pair books a meeting ten days ahead; the other misses two and then meets.
    meeting(pairs.pairing, days_ago=-10, status=MeetingStatus.SCHEDULED)
    meeting(pairs.other, days_ago=4, status=MeetingStatus.MISSED)
    meeting(pairs.other, days_ago=3, status=MeetingStatus.MISSED)
    assert _flagged(world) == {pairs.other.pk: ["no_meeting", "missed"]}

    meeting(pairs.other, days_ago=1)
    assert _flagged(world) == {}
