"""Junior first: the mentor answers privately, the mentee hears only after a yes; declines
and expiry rematch without the mentee ever learning; reminders once; the state machine."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from upward.core.errors import DomainError, InvalidTransition
from upward.pairing import services
from upward.pairing.models import MatchRun, Pairing, PairingStateChange
from upward.pairing.selectors import pairings_for_person
from upward.pairing.tests.helpers import add_participant, pairing_of, published, run
from upward.testing.factories import level, person_with_account


@pytest.fixture
def proposals(cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
    mail.outbox.clear()
    return cohort


def spare_mentor(cohort, world):
    lee = person_with_account(
        organisation=world.org,
        full_name="Lee Learner",
        level=level(world.org, 1),
        email="lee@northwind.test",
    )
    add_participant(cohort, lee, "mentor", offered_topics=[cohort.python])
    return lee


def test_mentee_sees_nothing_until_the_mentor_accepts(
    proposals, world, django_capture_on_commit_callbacks
):
    cohort = proposals
    pairing = pairing_of(cohort, cohort.sam)
    assert pairings_for_person(cohort.sam) == []
    assert [p.pk for p in pairings_for_person(cohort.jess)] == [pairing.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_proposal(pairing, person=cohort.jess, accept=True)
    pairing.refresh_from_db()
    assert pairing.state == "mentor_accepted" and pairing.mentee_told_at
    assert [m.to for m in mail.outbox] == [[cohort.sam.email]]
    assert "Jess Junior" in mail.outbox[0].body
    assert [p.pk for p in pairings_for_person(cohort.sam)] == [pairing.pk]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_pairing(pairing, person=cohort.sam, accept=True)
    pairing.refresh_from_db()
    assert pairing.state == "active" and pairing.mentee_responded_at
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cohort.sam.email, cohort.jess.email])
    moves = list(
        PairingStateChange.objects.filter(pairing=pairing).values_list("from_state", "to_state")
    )
    assert moves == [("proposed", "mentor_accepted"), ("mentor_accepted", "active")]


def test_decline_rematches_the_mentee_who_never_learns(
    proposals, world, django_capture_on_commit_callbacks
):
    cohort = proposals
    lee = spare_mentor(cohort, world)
    pairing = pairing_of(cohort, cohort.sam)
    assert pairing.mentor == cohort.jess
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_proposal(pairing, person=cohort.jess, accept=False)
    pairing.refresh_from_db()
    assert pairing.state == "declined" and pairing.closed_by == "mentor"
    # A new proposal went to the free mentor, never to the declining one or a taken one.
    fresh = pairing_of(cohort, cohort.sam)
    assert fresh.pk != pairing.pk and fresh.mentor == lee and fresh.state == "proposed"
    assert fresh.run is not None
    assert fresh.run.kind == MatchRun.Kind.AUTOMATIC and fresh.run.published_at
    # Only the new mentor heard anything; the mentee heard nothing at all.
    assert [m.to for m in mail.outbox] == [[lee.email]]
    assert pairings_for_person(cohort.sam) == []
    # Other pairs are undisturbed.
    assert pairing_of(cohort, cohort.sofia).mentor == cohort.kai
    # When Lee accepts, Sam sees only that pairing, never the declined one.
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_proposal(fresh, person=lee, accept=True)
    assert [p.pk for p in pairings_for_person(cohort.sam)] == [fresh.pk]


def test_decline_with_nobody_free_leaves_the_mentee_for_the_manager(
    proposals, django_capture_on_commit_callbacks
):
    cohort = proposals
    pairing = pairing_of(cohort, cohort.sam)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_proposal(pairing, person=cohort.jess, accept=False)
    assert not Pairing.objects.filter(mentee=cohort.sam, state="proposed").exists()
    automatic = MatchRun.objects.get(kind="automatic")
    assert automatic.results["pairs"] == [] and automatic.published_at
    # Nobody waits unseen: Sam hears, kindly and without a word about the no, that the team is
    # still looking; the programme team hears that the rematch found nobody.
    to_sam = [m for m in mail.outbox if m.to == [cohort.sam.email]]
    assert len(to_sam) == 1
    assert "not been able to find you a partner yet" in to_sam[0].body
    assert "declin" not in to_sam[0].body.lower() and "Jess" not in to_sam[0].body
    to_team = [m for m in mail.outbox if m.to != [cohort.sam.email]]
    assert to_team and all("Nobody found for Sam" in m.subject for m in to_team)


def test_mentee_decline_rematches_the_mentor(proposals, world, django_capture_on_commit_callbacks):
    cohort = proposals
    nia = person_with_account(
        organisation=world.org, full_name="Nia New", level=level(world.org, 7)
    )
    add_participant(cohort, nia, "mentee", wanted_topics=[cohort.python])
    pairing = pairing_of(cohort, cohort.sam)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_proposal(pairing, person=cohort.jess, accept=True)
        services.answer_pairing(pairing, person=cohort.sam, accept=False)
    pairing.refresh_from_db()
    assert pairing.closed_by == "mentee"
    assert pairing_of(cohort, nia).mentor == cohort.jess


def test_only_the_right_person_can_answer(proposals):
    cohort = proposals
    pairing = pairing_of(cohort, cohort.sam)
    with pytest.raises(DomainError, match="Only the proposed mentor can answer this proposal"):
        services.answer_proposal(pairing, person=cohort.sam, accept=True)
    with pytest.raises(DomainError, match="Only the mentee can confirm this pairing"):
        services.answer_pairing(pairing, person=cohort.sam, accept=True)  # not told yet
    with pytest.raises(DomainError, match="Only the proposed mentor can answer this proposal"):
        services.answer_proposal(pairing, person=cohort.kai, accept=True)


def test_invalid_transitions_are_refused(proposals, django_capture_on_commit_callbacks):
    cohort = proposals
    pairing = pairing_of(cohort, cohort.sam)
    with pytest.raises(InvalidTransition, match="This pairing has already moved on"):
        services.complete_pairing(pairing, by=None)  # proposed → completed
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_proposal(pairing, person=cohort.jess, accept=True)
    with pytest.raises(InvalidTransition, match="This pairing has already moved on"):
        services.answer_proposal(pairing, person=cohort.jess, accept=False)  # answered already
    services.end_pairing(pairing, by=None, reason="Moved abroad")
    with pytest.raises(InvalidTransition, match="This pairing has already moved on"):
        services.answer_pairing(pairing, person=cohort.sam, accept=True)
    with pytest.raises(DomainError, match="Note why the pairing ends; only the programme team"):
        services.end_pairing(pairing_of(cohort, cohort.sofia), by=None, reason="  ")


def test_stale_copies_cannot_both_win(proposals, django_capture_on_commit_callbacks):
    """Two answers from two tabs: the conditional UPDATE lets exactly one through."""
    cohort = proposals
    first = pairing_of(cohort, cohort.sam)
    second = Pairing.objects.get(pk=first.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_proposal(first, person=cohort.jess, accept=True)
        with pytest.raises(InvalidTransition, match="already moved on"):
            services.answer_proposal(second, person=cohort.jess, accept=False)
    first.refresh_from_db()
    assert first.state == "mentor_accepted"
    assert PairingStateChange.objects.filter(pairing=first).count() == 1


def test_database_allows_one_live_pairing_per_mentee(proposals):
    cohort = proposals
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(
            programme=cohort.programme,
            mentor=cohort.kai,
            mentee=cohort.sam,
            respond_by=timezone.now(),
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"state": "dating"},
        {"state": "active"},  # nobody answered
        {"state": "declined"},  # without saying who
        {"closed_by": "martians", "state": "declined"},
    ],
)
def test_database_refuses_impossible_rows(cohort, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(
            programme=cohort.programme,
            mentor=cohort.jess,
            mentee=cohort.sam,
            respond_by=timezone.now(),
            **fields,
        )


def test_database_refuses_an_invalid_move_in_the_log(proposals):
    pairing = pairing_of(proposals, proposals.sam)
    with pytest.raises(IntegrityError), transaction.atomic():
        PairingStateChange.objects.create(pairing=pairing, from_state="declined", to_state="active")


def test_capacity_two_lets_one_mentor_take_two_mentees(cohort, world):
    for person in (cohort.kai,):
        from upward.recruitment.models import Application

        Application.objects.filter(person=person).update(status="withdrawn")
    result = run(cohort, settings={"capacity": 2, "min_level_gap": 1})
    assert {
        mentor for _, mentor in {(p["mentee"], p["mentor"]) for p in result.results["pairs"]}
    } == {cohort.jess.pk}
    assert len(services.publish_match_run(result, by=None)) == 2
    # The cross-programme cap (2) now counts both: Jess has no place left anywhere.
    from upward.pairing.selectors import live_pairings_per_mentor

    assert live_pairings_per_mentor([cohort.jess.pk]) == {cohort.jess.pk: 2}


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_only_one_wins(world):
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("Runs on PostgreSQL: the in-memory SQLite test database is per thread.")
    from upward.pairing.tests.helpers import build_cohort

    cohort = build_cohort(world)
    published(cohort)
    pairing = pairing_of(cohort, cohort.sam)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def answer(accept: bool) -> None:
        barrier.wait()
        try:
            services.answer_proposal(
                Pairing.objects.select_related("programme").get(pk=pairing.pk),
                person=cohort.jess,
                accept=accept,
            )
            results.append("won")
        except InvalidTransition:
            results.append("lost")
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(a,)) for a in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["lost", "won"]
    assert PairingStateChange.objects.filter(pairing=pairing).count() == 1


# ------------------------------------------------------------------ deadlines and reminders


def test_reminder_is_sent_once_however_often_the_command_runs(proposals):
    cohort = proposals
    published_at = pairing_of(cohort, cohort.sam).respond_by - dt.timedelta(days=7)
    with time_machine.travel(published_at + dt.timedelta(days=2), tick=False):
        call_command("send_pairing_reminders")
        assert mail.outbox == []  # too early
    with time_machine.travel(published_at + dt.timedelta(days=6), tick=False):
        with_callbacks_run_command()
        with_callbacks_run_command()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cohort.jess.email, cohort.kai.email])
    assert all("Reminder" in m.subject for m in mail.outbox)


def with_callbacks_run_command():
    # Management commands run outside a request; on_commit fires at once in autocommit,
    # but the test wraps everything in a transaction, so run callbacks explicitly.
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_pairing_reminders")


def test_expired_mentor_proposal_counts_as_a_decline(
    proposals, world, django_capture_on_commit_callbacks
):
    cohort = proposals
    lee = spare_mentor(cohort, world)
    pairing = pairing_of(cohort, cohort.sam)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_proposal(pairing_of(cohort, cohort.sofia), person=cohort.kai, accept=True)
    mail.outbox.clear()
    with time_machine.travel(pairing.respond_by + dt.timedelta(hours=1), tick=False):
        with_callbacks_run_command()
        with_callbacks_run_command()
    pairing.refresh_from_db()
    assert pairing.state == "declined" and pairing.closed_by == "deadline"
    fresh = pairing_of(cohort, cohort.sam)
    assert fresh.mentor == lee
    assert [m.to for m in mail.outbox] == [[lee.email]]  # never Sam, never Jess again
    assert Pairing.objects.filter(closed_by="deadline").count() == 1
    assert MatchRun.objects.filter(kind="automatic").count() == 1


def test_automatic_rematch_does_not_ask_a_mentor_who_said_no_again(
    proposals, world, django_capture_on_commit_callbacks
):
    cohort = proposals
    nia = person_with_account(
        organisation=world.org, full_name="Nia New", level=level(world.org, 7)
    )
    add_participant(cohort, nia, "mentee", wanted_topics=[cohort.python])
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_proposal(pairing_of(cohort, cohort.sam), person=cohort.jess, accept=False)
    automatic = MatchRun.objects.get(kind="automatic")
    assert cohort.jess.pk in automatic.left_aside
    assert not Pairing.objects.filter(mentor=cohort.jess, state="proposed").exists()


def test_mentee_gets_one_reminder_and_an_overdue_flag(
    proposals, django_capture_on_commit_callbacks
):
    cohort = proposals
    pairing = pairing_of(cohort, cohort.sam)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_proposal(pairing, person=cohort.jess, accept=True)
    pairing.refresh_from_db()
    mail.outbox.clear()
    with time_machine.travel(pairing.respond_by - dt.timedelta(days=1), tick=False):
        with_callbacks_run_command()
        with_callbacks_run_command()
    assert [m.to for m in mail.outbox if m.to == [cohort.sam.email]] == [[cohort.sam.email]]
    with time_machine.travel(pairing.respond_by + dt.timedelta(days=1), tick=False):
        report = services.send_pairing_reminders()
    assert report.overdue_mentees == 1
    pairing.refresh_from_db()
    assert pairing.state == "mentor_accepted"  # left for the programme team


def test_dry_run_changes_nothing(proposals):
    pairing = pairing_of(proposals, proposals.sam)
    with time_machine.travel(pairing.respond_by + dt.timedelta(hours=1), tick=False):
        call_command("send_pairing_reminders", "--dry-run")
    pairing.refresh_from_db()
    assert pairing.state == "proposed" and mail.outbox == []


def test_end_then_find_a_new_partner_without_disturbing_others(
    proposals, world, django_capture_on_commit_callbacks
):
    cohort = proposals
    lee = spare_mentor(cohort, world)
    pairing = pairing_of(cohort, cohort.sam)
    with pytest.raises(InvalidTransition, match="End this pairing before looking for a new"):
        services.find_new_partner(pairing, for_role="mentee", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.end_pairing(pairing, by=world.manager.user, reason="Not a good fit")
    assert [m.to for m in mail.outbox] == [[cohort.jess.email]]  # Sam never knew of it
    assert "Not a good fit" not in mail.outbox[0].body
    rematch = services.find_new_partner(pairing, for_role="mentee", by=world.manager.user)
    assert rematch.kind == "rematch" and rematch.scope == [cohort.sam.pk]
    assert {(p["mentee"], p["mentor"]) for p in rematch.results["pairs"]} == {
        (cohort.sam.pk, lee.pk)
    }
    services.publish_match_run(rematch, by=world.manager.user)
    assert pairing_of(cohort, cohort.sam).mentor == lee
    assert pairing_of(cohort, cohort.sofia).mentor == cohort.kai
