"""Participant-choice mode: settings, rounds, rankings, resolving the choices, deadlines."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.notifications.models import Notification
from upward.pairing import selectors, services
from upward.pairing.models import (
    ChoiceOption,
    ChoiceRound,
    Chooser,
    MatchRule,
    MatchRun,
    MatchSetup,
    Pairing,
)
from upward.pairing.tests.helpers import (
    add_participant,
    choice_mode,
    open_round,
    options_of,
    pairs_of,
    rank,
    run,
    seat,
)
from upward.programmes.models import State
from upward.programmes.services import transition_programme
from upward.recruitment.models import Application

# ---------------------------------------------------------------------------------------------
# Settings


def test_participant_choice_is_a_saved_programme_setting(cohort, world):
    assert selectors.settings_for(cohort.programme).matching_mode == "manager"
    choice_mode(cohort, by=world.manager.user, who_chooses="both", shortlist_size=4, max_ranked=2)
    saved = selectors.settings_for(cohort.programme)
    assert saved.participants_choose
    assert (saved.who_chooses, saved.shortlist_size, saved.max_ranked) == ("both", 4, 2)
    # A later manual run records its own settings and becomes the starting point.
    run(cohort, settings={"min_level_gap": 2})
    assert selectors.settings_for(cohort.programme).matching_mode == "manager"


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"matching_mode": "lottery"}, "matching_mode"),
        ({"who_chooses": "everyone"}, "who_chooses"),
        ({"shortlist_size": 1}, "shortlist_size"),
        ({"shortlist_size": 21}, "shortlist_size"),
        ({"max_ranked": 0}, "max_ranked"),
        ({"shortlist_size": 3, "max_ranked": 4}, "max_ranked"),
        ({"max_ranked": "three"}, None),
    ],
)
def test_bad_choice_settings_are_refused(cohort, settings, field):
    with pytest.raises(DomainError) as caught:
        choice_mode(cohort, **settings)
    assert caught.value.field == field
    assert not MatchSetup.objects.exists()


# ---------------------------------------------------------------------------------------------
# Opening a round


def test_opening_asks_each_chooser_with_their_best_allowed_partners(cohort, world):
    round_ = open_round(cohort, by=world.manager.user)
    assert round_.is_open and round_.who_chooses == "mentees"
    assert (round_.shortlist_size, round_.max_ranked) == (5, 3)
    choosers = {c.person_id: c.role for c in Chooser.objects.filter(round=round_)}
    assert choosers == {cohort.sam.pk: "mentee", cohort.sofia.pk: "mentee"}
    # Best score first: Sam wants Python (Jess), Sofia wants data literacy (Kai).
    assert options_of(round_, cohort.sam) == [cohort.jess.pk, cohort.kai.pk]
    assert options_of(round_, cohort.sofia) == [cohort.kai.pk, cohort.jess.pk]
    option = ChoiceOption.objects.get(chooser__person=cohort.sam, partner=cohort.jess)
    points = {c["criterion"]: c["points"] for c in option.contributions}
    assert points["topics"] > 0 and option.score == pytest.approx(sum(points.values()), abs=1e-3)
    # Each chooser is notified once, with a link and no partner's name.
    for person in (cohort.sam, cohort.sofia):
        note = Notification.objects.get(recipient=person, dedupe_key=f"choice-round:{round_.pk}")
        assert note.url == f"/choices/{round_.pk}/"
        assert "Jess" not in note.body and "Kai" not in note.body
    assert not Notification.objects.filter(
        recipient__in=[cohort.jess, cohort.kai], dedupe_key__startswith="choice"
    ).exists()


def test_shortlists_respect_hard_rules_and_size(cohort, world):
    MatchRule.objects.create(
        programme=cohort.programme, kind="exclude", mentee=cohort.sam, mentor=cohort.jess
    )
    round_ = open_round(cohort, shortlist_size=2, max_ranked=1)
    assert options_of(round_, cohort.sam) == [cohort.kai.pk]
    assert round_.max_ranked == 1


def test_mentors_can_be_the_choosers(cohort):
    round_ = open_round(cohort, who_chooses="mentors")
    roles = set(Chooser.objects.filter(round=round_).values_list("person_id", "role"))
    assert roles == {(cohort.jess.pk, "mentor"), (cohort.kai.pk, "mentor")}
    assert options_of(round_, cohort.jess) == [cohort.sam.pk, cohort.sofia.pk]


def test_a_pinned_mentee_is_not_asked(cohort, world):
    services.add_match_rule(
        cohort.programme, kind="pin", mentee_id=cohort.sam.pk, mentor_id=cohort.kai.pk, by=None
    )
    round_ = open_round(cohort)
    assert set(Chooser.objects.filter(round=round_).values_list("person_id", flat=True)) == {
        cohort.sofia.pk
    }
    # Kai's only place is taken by the pin, so only Jess is left to recommend.
    assert options_of(round_, cohort.sofia) == [cohort.jess.pk]
    assert round_.summary["pinned"] == 1


def test_opening_is_refused_when_it_cannot_work(cohort, world):
    deadline = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(DomainError, match="proposes pairs"):
        services.open_choice_round(cohort.programme, by=None, closes_at=deadline)
    choice_mode(cohort)
    for bad in (timezone.now(), timezone.now() + dt.timedelta(days=61)):
        with pytest.raises(DomainError) as caught:
            services.open_choice_round(cohort.programme, by=None, closes_at=bad)
        assert caught.value.field == "closes_at"
    choice_mode(cohort, min_level_gap=9)  # nobody is junior enough to mentor anyone
    with pytest.raises(DomainError, match="Nobody who chooses has a possible partner"):
        services.open_choice_round(cohort.programme, by=None, closes_at=deadline)
    choice_mode(cohort)
    services.open_choice_round(cohort.programme, by=None, closes_at=deadline)
    with pytest.raises(Conflict, match="A choice round is already open for this programme"):
        services.open_choice_round(cohort.programme, by=None, closes_at=deadline)
    assert ChoiceRound.objects.count() == 1


def test_rounds_only_open_in_the_matching_stage(cohort):
    choice_mode(cohort)
    transition_programme(cohort.programme, to=State.ACTIVE, by=None, acknowledged=True)
    with pytest.raises(InvalidTransition, match="Choice rounds happen while the programme is in"):
        services.open_choice_round(
            cohort.programme, by=None, closes_at=timezone.now() + dt.timedelta(days=3)
        )


def test_an_open_round_replaces_manual_runs_until_it_closes(cohort, world):
    draft = run(cohort)
    round_ = open_round(cohort)
    draft.refresh_from_db()
    assert draft.superseded_at is not None
    with pytest.raises(Conflict, match="choice round is open"):
        run(cohort)
    services.close_choice_round(round_, by=world.manager.user)
    assert run(cohort).status == MatchRun.Status.READY


# ---------------------------------------------------------------------------------------------
# Ranking


def test_ranking_is_saved_replaced_and_cleared(cohort):
    round_ = open_round(cohort)
    rank(round_, cohort.sam, cohort.kai, cohort.jess)
    ranks = dict(
        ChoiceOption.objects.filter(chooser__person=cohort.sam).values_list("partner_id", "rank")
    )
    assert ranks == {cohort.kai.pk: 1, cohort.jess.pk: 2}
    rank(round_, cohort.sam, cohort.jess)
    ranks = dict(
        ChoiceOption.objects.filter(chooser__person=cohort.sam).values_list("partner_id", "rank")
    )
    assert ranks == {cohort.jess.pk: 1, cohort.kai.pk: None}
    assert seat(round_, cohort.sam).ranked_at is not None
    rank(round_, cohort.sam)
    assert seat(round_, cohort.sam).ranked_at is None
    assert not ChoiceOption.objects.filter(chooser__person=cohort.sam, rank__isnull=False).exists()


def test_bad_rankings_are_refused_and_change_nothing(cohort, world):
    round_ = open_round(cohort, shortlist_size=2, max_ranked=1)
    chooser = seat(round_, cohort.sam)
    for ranking, message in (
        ([cohort.jess.pk, cohort.kai.pk], "1 person at most"),
        ([world.manager.pk], "recommended to you"),
        ([cohort.jess.pk, cohort.jess.pk], "once"),
        (["someone"], "recommended to you"),
    ):
        with pytest.raises(DomainError, match=message):
            services.save_ranking(chooser, ranking=ranking, by=None)
    assert not ChoiceOption.objects.filter(rank__isnull=False).exists()


def test_rankings_stop_at_the_deadline_and_when_closed(cohort, world):
    round_ = open_round(cohort, days=2)
    with time_machine.travel(round_.closes_at + dt.timedelta(minutes=1), tick=False):
        with pytest.raises(InvalidTransition, match="closed"):
            rank(round_, cohort.sam, cohort.kai)
    services.close_choice_round(round_, by=world.manager.user)
    with pytest.raises(InvalidTransition, match="This round has closed: rankings can no longer"):
        rank(round_, cohort.sofia, cohort.kai)


def test_a_withdrawn_participant_can_no_longer_rank(cohort):
    round_ = open_round(cohort)
    Application.objects.filter(programme=cohort.programme, person=cohort.sam).update(
        status="withdrawn"
    )
    with pytest.raises(DomainError, match="accepted participants"):
        rank(round_, cohort.sam, cohort.kai)


def test_audit_records_how_many_were_ranked_never_whom(cohort):
    from upward.core.models import AuditEvent

    round_ = open_round(cohort)
    rank(round_, cohort.sam, cohort.kai, cohort.jess)
    event = AuditEvent.objects.get(verb="choice.ranked")
    assert event.data == {"round": round_.pk, "ranked": 2}


# ---------------------------------------------------------------------------------------------
# Resolving the choices


def test_closing_resolves_the_choices_into_a_run_to_review(cohort, world):
    round_ = open_round(cohort)
    # Sam's profile fits Jess best, but Sam would rather learn from Kai.
    rank(round_, cohort.sam, cohort.kai)
    run_ = services.close_choice_round(round_, by=world.manager.user)
    round_.refresh_from_db()
    assert round_.status == "closed" and round_.closed_by == world.manager.user
    assert not round_.closed_on_deadline
    assert run_.kind == "choice" and run_.choice_round == round_ and run_.status == "ready"
    assert pairs_of(run_) == {(cohort.sam.pk, cohort.kai.pk), (cohort.sofia.pk, cohort.jess.pk)}
    by_mentee = {p["mentee"]: p["choice"] for p in run_.results["pairs"]}
    assert by_mentee[cohort.sam.pk] == {
        "mentee": 1,
        "mentee_chooses": "ranked",
        "mentor": None,
        "mentor_chooses": "",
    }
    assert by_mentee[cohort.sofia.pk]["mentee_chooses"] == "silent"
    summary = run_.results["choice"]
    assert summary["certified"] is True and summary["dropped"] == 0
    assert summary["mentee"] == {
        "asked": 2,
        "ranked": 1,
        "first": 1,
        "top3": 1,
        "any": 1,
        "none": 0,
        "unmatched": 0,
    }
    assert "mentor" not in summary
    review = selectors.run_review(run_)
    labels = {row.mentee.pk: (row.mentee_choice, row.mentor_choice) for row in review.pairs}
    assert labels[cohort.sam.pk] == ("1st choice", "")
    assert labels[cohort.sofia.pk] == ("did not rank anyone", "")


def test_nobody_is_stranded_when_everyone_wants_the_same_mentor(cohort, world):
    round_ = open_round(cohort)
    rank(round_, cohort.sam, cohort.jess)
    rank(round_, cohort.sofia, cohort.jess)
    run_ = services.close_choice_round(round_, by=None)
    assert len(pairs_of(run_)) == 2  # both matched, one of them not to their choice
    summary = run_.results["choice"]["mentee"]
    assert (summary["first"], summary["none"], summary["unmatched"]) == (1, 1, 0)
    # Jess goes to Sam, whose profile fits better: the score breaks the tie.
    assert (cohort.sam.pk, cohort.jess.pk) in pairs_of(run_)


def test_mentor_choices_and_both_sides(cohort):
    round_ = open_round(cohort, who_chooses="both")
    rank(round_, cohort.jess, cohort.sofia)
    rank(round_, cohort.kai, cohort.sam)
    run_ = services.close_choice_round(round_, by=None)
    assert pairs_of(run_) == {(cohort.sofia.pk, cohort.jess.pk), (cohort.sam.pk, cohort.kai.pk)}
    summary = run_.results["choice"]
    assert summary["mentor"]["first"] == 2 and summary["mentee"]["ranked"] == 0
    labels = {row.mentor.pk: row.mentor_choice for row in selectors.run_review(run_).pairs}
    assert labels == {cohort.jess.pk: "1st choice", cohort.kai.pk: "1st choice"}


def test_pins_hold_in_a_choice_run(cohort):
    round_ = open_round(cohort)
    rank(round_, cohort.sam, cohort.jess)
    services.add_match_rule(
        cohort.programme, kind="pin", mentee_id=cohort.sofia.pk, mentor_id=cohort.jess.pk, by=None
    )
    run_ = services.close_choice_round(round_, by=None)
    assert pairs_of(run_) == {(cohort.sofia.pk, cohort.jess.pk), (cohort.sam.pk, cohort.kai.pk)}
    assert run_.results["choice"]["mentee"]["none"] == 1


def test_choices_that_became_impossible_are_dropped_and_counted(cohort, world):
    round_ = open_round(cohort)
    rank(round_, cohort.sam, cohort.kai, cohort.jess)
    services.add_match_rule(
        cohort.programme, kind="exclude", mentee_id=cohort.sam.pk, mentor_id=cohort.kai.pk, by=None
    )
    run_ = services.close_choice_round(round_, by=None)
    assert (cohort.sam.pk, cohort.jess.pk) in pairs_of(run_)
    assert run_.results["choice"]["dropped"] == 1
    # Reported with the rank Sam gave, not the rank after dropping.
    by_mentee = {p["mentee"]: p["choice"] for p in run_.results["pairs"]}
    assert by_mentee[cohort.sam.pk]["mentee"] == 2


def test_resolve_again_reuses_the_rankings_with_new_rules(cohort, world):
    round_ = open_round(cohort)
    rank(round_, cohort.sam, cohort.kai)
    first = services.close_choice_round(round_, by=None)
    services.add_match_rule(
        cohort.programme, kind="exclude", mentee_id=cohort.sam.pk, mentor_id=cohort.kai.pk, by=None
    )
    first.refresh_from_db()
    first.programme = cohort.programme
    assert selectors.run_is_out_of_date(first)
    with pytest.raises(Conflict, match="changed"):
        services.publish_match_run(first, by=None)
    second = services.resolve_choices_again(first, by=world.manager.user)
    assert second.kind == "choice" and second.choice_round_id == round_.pk
    assert (cohort.sam.pk, cohort.jess.pk) in pairs_of(second)
    first.refresh_from_db()
    assert first.superseded_at is not None
    with pytest.raises(DomainError, match="Only a run from participants' choices can be resolved"):
        services.resolve_choices_again(run(cohort), by=None)


def test_a_choice_run_is_published_junior_first_without_the_rankings(
    cohort, world, django_capture_on_commit_callbacks
):
    round_ = open_round(cohort)
    rank(round_, cohort.sam, cohort.kai)
    run_ = services.close_choice_round(round_, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        pairings = services.publish_match_run(run_, by=world.manager.user)
    assert {p.state for p in pairings} == {"proposed"}
    sam_pairing = Pairing.objects.get(mentee=cohort.sam)
    assert sam_pairing.mentor == cohort.kai and sam_pairing.mentee_told_at is None
    assert "choice" not in sam_pairing.explanation
    # Kai is asked first and is never told that Sam chose them.
    page = world.client_for(cohort.kai).get(f"/pairings/{sam_pairing.pk}/").content.decode()
    assert "Sam Senior" in page
    assert "choice" not in page.lower() and "ranked" not in page.lower()
    assert world.client_for(cohort.sam).get(f"/pairings/{sam_pairing.pk}/").status_code == 404


def test_cancelling_uses_no_rankings_and_tells_the_choosers(cohort, world):
    round_ = open_round(cohort)
    rank(round_, cohort.sam, cohort.kai)
    services.cancel_choice_round(round_, by=world.manager.user)
    round_.refresh_from_db()
    assert round_.status == "cancelled" and round_.closed_at is not None
    assert not MatchRun.objects.filter(kind="choice").exists()
    assert (
        Notification.objects.filter(dedupe_key=f"choice-round-cancelled:{round_.pk}").count() == 2
    )
    with pytest.raises(Conflict, match="This choice round has already been closed"):
        services.close_choice_round(round_, by=None)
    with pytest.raises(InvalidTransition, match="This round has closed: rankings can no longer"):
        rank(round_, cohort.sam, cohort.jess)


def test_a_participant_accepted_after_opening_is_matched_on_their_profile(cohort, world):
    from upward.testing.factories import level, person_with_account

    round_ = open_round(cohort)
    rank(round_, cohort.sofia, cohort.jess)
    late = person_with_account(
        organisation=world.org,
        full_name="Lee Late",
        level=level(world.org, 9),
        email="lee@northwind.test",
    )
    add_participant(cohort, late, "mentee", wanted_topics=[cohort.python])
    assert not Chooser.objects.filter(person=late).exists()
    run_ = services.close_choice_round(round_, by=None)
    assert run_.n_mentees == 3 and run_.results["choice"]["mentee"]["asked"] == 2
    assert (cohort.sofia.pk, cohort.jess.pk) in pairs_of(run_)
    assert len(pairs_of(run_)) == 2


# ---------------------------------------------------------------------------------------------
# Deadline and reminders (run from cron through send_pairing_reminders / run_scheduled)


def test_the_deadline_closes_the_round_once_and_tells_the_managers(cohort, world):
    round_ = open_round(cohort, days=3)
    rank(round_, cohort.sam, cohort.kai)
    with time_machine.travel(round_.closes_at + dt.timedelta(minutes=5), tick=False):
        assert services.send_pairing_reminders(dry_run=True).rounds_closed == 1
        assert ChoiceRound.objects.get().is_open
        report = services.send_pairing_reminders()
        again = services.send_pairing_reminders()
    assert (report.rounds_closed, again.rounds_closed) == (1, 0)
    round_.refresh_from_db()
    assert round_.status == "closed" and round_.closed_on_deadline and round_.closed_by is None
    run_ = MatchRun.objects.get(kind="choice")
    assert (cohort.sam.pk, cohort.kai.pk) in pairs_of(run_)
    note = Notification.objects.get(
        recipient=world.manager, dedupe_key=f"choice-round-closed:{round_.pk}"
    )
    assert note.url == f"/programmes/{cohort.programme.pk}/matching/runs/{run_.pk}/"


def test_choosers_who_have_not_ranked_get_one_reminder(cohort):
    round_ = open_round(cohort, days=5)
    rank(round_, cohort.sam, cohort.kai)
    with time_machine.travel(round_.closes_at - dt.timedelta(days=1), tick=False):
        first = services.send_pairing_reminders()
        second = services.send_pairing_reminders()
    assert (first.reminded_choosers, second.reminded_choosers) == (1, 0)
    reminded = Notification.objects.filter(dedupe_key=f"choice-reminder:{round_.pk}")
    assert [n.recipient_id for n in reminded] == [cohort.sofia.pk]
    assert seat(round_, cohort.sofia).reminded_at is not None


def test_a_round_left_open_when_the_programme_moved_on_is_cancelled(cohort):
    round_ = open_round(cohort, days=2)
    transition_programme(cohort.programme, to=State.ACTIVE, by=None, acknowledged=True)
    Pairing.objects.all().delete()
    cohort.programme.refresh_from_db()
    cohort.programme.state = State.COMPLETED
    cohort.programme.save(update_fields=["state"])
    with time_machine.travel(round_.closes_at + dt.timedelta(hours=1), tick=False):
        report = services.send_pairing_reminders()
    round_.refresh_from_db()
    assert round_.status == "cancelled" and report.rounds_closed == 0
    assert not MatchRun.objects.filter(kind="choice").exists()


def test_database_refuses_impossible_rounds_and_rankings(cohort):
    from django.db import IntegrityError, transaction

    round_ = open_round(cohort)
    with transaction.atomic(), pytest.raises(IntegrityError):
        ChoiceRound.objects.filter(pk=round_.pk).update(max_ranked=9)
    with transaction.atomic(), pytest.raises(IntegrityError):
        ChoiceRound.objects.filter(pk=round_.pk).update(status="closed")  # without closed_at
    options = list(ChoiceOption.objects.filter(chooser__person=cohort.sam))
    ChoiceOption.objects.filter(pk=options[0].pk).update(rank=1)
    with transaction.atomic(), pytest.raises(IntegrityError):
        ChoiceOption.objects.filter(pk=options[1].pk).update(rank=1)
    with transaction.atomic(), pytest.raises(IntegrityError):
        MatchRun.objects.create(programme=cohort.programme, kind="choice")


def test_open_seats_lists_only_the_persons_open_rounds(cohort, world):
    assert selectors.open_seats_for(cohort.sam) == []
    round_ = open_round(cohort)
    assert [s.round_id for s in selectors.open_seats_for(cohort.sam)] == [round_.pk]
    assert selectors.open_seats_for(cohort.jess) == []
    assert selectors.open_seats_for(None) == []
    services.close_choice_round(round_, by=None)
    assert selectors.open_seats_for(cohort.sam) == []
