import datetime as dt
import itertools

import pytest
import time_machine
from django.db import IntegrityError, transaction

from upward.core.errors import InvalidTransition
from upward.core.models import AuditEvent
from upward.programmes import selectors
from upward.programmes.models import TRANSITIONS, Programme, State, StateChange
from upward.programmes.services import transition_programme
from upward.programmes.tests.helpers import accept_pair, apply, put_in_state

pytestmark = pytest.mark.django_db

VALID = [(s, t) for s, targets in TRANSITIONS.items() for t in targets]
INVALID = [
    (s, t) for s, t in itertools.product(State.values, State.values) if t not in TRANSITIONS[s]
]


@pytest.fixture(autouse=True)
def _before_the_programme():
    # The world's programmes run January to July 2027.
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0), tick=False):
        yield


def test_the_transition_table_is_what_the_lifecycle_promises():
    assert len(VALID) == 7
    assert (State.DRAFT, State.RECRUITING) in VALID
    assert (State.ACTIVE, State.MATCHING) not in VALID
    assert TRANSITIONS[State.ARCHIVED] == ()


@pytest.mark.parametrize(("source", "target"), VALID)
def test_every_valid_move(world, source, target):
    programme = put_in_state(world.programme, source)
    accept_pair(programme, world)
    if target == State.ACTIVE:
        # Launching asks first while anyone accepted has no partner (tests/test_programme_end.py).
        from upward.testing.pairs import active_pairing

        active_pairing(programme, mentor=world.applicant, mentee=world.senior)
    transition_programme(programme, to=target, by=world.manager.user)

    programme.refresh_from_db()
    assert programme.state == target
    change = StateChange.objects.get(programme=programme)
    assert (change.from_state, change.to_state, change.by) == (source, target, world.manager.user)
    event = AuditEvent.objects.get(verb="programme.state_changed", object_id=str(programme.pk))
    assert event.data == {"from": source, "to": target}
    assert event.actor == world.manager.user
    assert event.organisation == world.org


@pytest.mark.parametrize(("source", "target"), INVALID)
def test_every_invalid_move_is_refused(world, source, target):
    programme = put_in_state(world.programme, source)
    accept_pair(programme, world)
    with pytest.raises(InvalidTransition, match="A programme cannot go from") as info:
        transition_programme(programme, to=target, by=world.manager.user)
    assert "cannot go from" in info.value.message
    programme.refresh_from_db()
    assert programme.state == source
    assert not StateChange.objects.exists()
    assert not AuditEvent.objects.filter(verb="programme.state_changed").exists()


def test_unknown_state_is_refused(world):
    with pytest.raises(InvalidTransition, match="not a programme state"):
        transition_programme(world.programme, to="paused", by=world.manager.user)


def test_invalid_state_change_cannot_be_recorded_even_by_raw_insert(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        StateChange.objects.create(
            programme=world.programme, from_state=State.DRAFT, to_state=State.ACTIVE
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        StateChange.objects.create(
            programme=world.programme, from_state=State.ARCHIVED, to_state=State.DRAFT
        )
    # A valid pair is fine, so the constraint is not simply refusing everything.
    StateChange.objects.create(
        programme=world.programme, from_state=State.DRAFT, to_state=State.RECRUITING
    )


# --- Preconditions ------------------------------------------------------------------------


def test_opening_recruitment_needs_the_success_measure(world):
    programme = world.programme
    Programme.objects.filter(pk=programme.pk).update(success_how="", success_target="  ")
    programme.refresh_from_db()
    with pytest.raises(InvalidTransition, match="Complete the success measure first: how") as info:
        transition_programme(programme, to=State.RECRUITING, by=world.manager.user)
    assert "Complete the success measure first" in info.value.message
    assert "how it will be measured" in info.value.message
    assert "the target" in info.value.message
    programme.refresh_from_db()
    assert programme.state == State.DRAFT


def test_opening_recruitment_needs_dates_not_in_the_past(world):
    with (
        time_machine.travel(dt.datetime(2027, 8, 1, 9, 0), tick=False),
        pytest.raises(InvalidTransition, match=r"end date .* has passed"),
    ):
        transition_programme(world.programme, to=State.RECRUITING, by=world.manager.user)


def test_opening_recruitment_rechecks_the_design(world):
    from upward.testing.factories import level

    programme = world.programme
    programme.mentor_level_max = level(world.org, 8)
    programme.mentee_level_max = level(world.org, 7)
    programme.save()  # Bypassing the service, as a data import might.
    with pytest.raises(InvalidTransition, match="mentor is the more junior person"):
        transition_programme(programme, to=State.RECRUITING, by=world.manager.user)


def test_opening_recruitment_opens_sign_up(world):
    programme = world.programme
    Programme.objects.filter(pk=programme.pk).update(signup_open=False)
    programme.refresh_from_db()
    transition_programme(programme, to=State.RECRUITING, by=world.manager.user)
    programme.refresh_from_db()
    assert programme.signup_open is True


@pytest.mark.parametrize(
    ("mentor_status", "mentee_status"),
    [(None, None), ("accepted", None), (None, "accepted"), ("submitted", "accepted")],
)
def test_matching_needs_an_accepted_mentor_and_mentee(world, mentor_status, mentee_status):
    programme = put_in_state(world.programme, State.RECRUITING)
    if mentor_status:
        apply(programme, world.applicant, "mentor", mentor_status)
    if mentee_status:
        apply(programme, world.senior, "mentee", mentee_status)
    with pytest.raises(InvalidTransition, match="Accept at least one mentor and one mentee"):
        transition_programme(programme, to=State.MATCHING, by=world.manager.user)
    programme.refresh_from_db()
    assert programme.state == State.RECRUITING


def test_accepted_people_in_another_programme_do_not_count(world):
    programme = put_in_state(world.programme, State.RECRUITING)
    accept_pair(world.other_programme, world)
    with pytest.raises(InvalidTransition, match="Accept at least one mentor and one mentee before"):
        transition_programme(programme, to=State.MATCHING, by=world.manager.user)


def test_launching_needs_an_end_date_in_the_future(world):
    programme = put_in_state(world.programme, State.MATCHING)
    with (
        time_machine.travel(dt.datetime(2027, 7, 10, 9, 0), tick=False),
        pytest.raises(InvalidTransition, match="Extend it before launching"),
    ):
        transition_programme(programme, to=State.ACTIVE, by=world.manager.user)


def test_warnings_do_not_block(world):
    programme = put_in_state(world.programme, State.ACTIVE)
    warnings = selectors.transition_warnings(programme, State.COMPLETED)
    assert any("ends the programme early" in w for w in warnings)
    transition_programme(programme, to=State.COMPLETED, by=world.manager.user)
    assert programme.state == State.COMPLETED


def test_back_to_draft_warns_about_applications(world):
    programme = put_in_state(world.programme, State.RECRUITING)
    apply(programme, world.applicant, "mentor")
    move = selectors.move_for(programme, State.DRAFT)
    assert move is not None
    assert move.needs_confirmation
    assert "1 person has applied" in move.warnings[0]


def test_one_way_moves_always_need_confirmation(world):
    for source, target in VALID:
        programme = put_in_state(world.programme, source)
        move = selectors.move_for(programme, target)
        assert move is not None
        if target in (State.ACTIVE, State.COMPLETED, State.ARCHIVED):
            assert move.needs_confirmation, (source, target)


# --- Concurrency ---------------------------------------------------------------------------


def test_two_conditional_updates_only_one_wins(world):
    pk = world.programme.pk
    first = Programme.objects.filter(pk=pk, state=State.DRAFT).update(state=State.RECRUITING)
    second = Programme.objects.filter(pk=pk, state=State.DRAFT).update(state=State.RECRUITING)
    assert (first, second) == (1, 0)


def test_stale_second_move_loses_and_records_nothing(world):
    programme = put_in_state(world.programme, State.RECRUITING)
    accept_pair(programme, world)
    # Two managers loaded the page while the programme was recruiting.
    alice_copy = Programme.objects.get(pk=programme.pk)
    bob_copy = Programme.objects.get(pk=programme.pk)

    transition_programme(alice_copy, to=State.MATCHING, by=world.manager.user)
    with pytest.raises(InvalidTransition, match="Someone else has just changed"):
        transition_programme(bob_copy, to=State.DRAFT, by=world.admin.user)

    programme.refresh_from_db()
    assert programme.state == State.MATCHING
    assert list(StateChange.objects.values_list("from_state", "to_state")) == [
        (State.RECRUITING, State.MATCHING)
    ]
    assert AuditEvent.objects.filter(verb="programme.state_changed").count() == 1


def test_same_move_twice_from_stale_copies_records_one_change(world):
    a = Programme.objects.get(pk=world.programme.pk)
    b = Programme.objects.get(pk=world.programme.pk)
    transition_programme(a, to=State.RECRUITING, by=world.manager.user)
    with pytest.raises(InvalidTransition, match="Someone else has just changed this programme"):
        transition_programme(b, to=State.RECRUITING, by=world.manager.user)
    assert StateChange.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_threads_only_one_wins(world):
    """Real threads on the test database: exactly one of the racing moves succeeds."""
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("Runs on PostgreSQL: the in-memory SQLite test database is per thread.")

    results: list[str] = []
    barrier = threading.Barrier(2)

    def move():
        copy = Programme.objects.get(pk=world.programme.pk)
        barrier.wait()
        try:
            transition_programme(copy, to=State.RECRUITING, by=None)
            results.append("won")
        except InvalidTransition:
            results.append("lost")
        finally:
            connection.close()

    threads = [threading.Thread(target=move) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["lost", "won"]
    assert StateChange.objects.count() == 1
