"""Running, reviewing, pinning, excluding, swapping, re-running and publishing."""

import pytest
from django.core import mail

from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.core.models import AuditEvent
from upward.pairing import services
from upward.pairing.models import MatchRule, MatchRun, Pairing
from upward.pairing.tests.helpers import add_participant, pairs_of, run
from upward.programmes.models import State
from upward.programmes.services import transition_programme
from upward.recruitment.models import Application
from upward.testing.factories import level, person_with_account


def test_run_pairs_by_topics_and_explains_each_pair(cohort, world):
    result = run(cohort, by=world.manager.user)
    assert result.status == MatchRun.Status.READY
    assert pairs_of(result) == {(cohort.sam.pk, cohort.jess.pk), (cohort.sofia.pk, cohort.kai.pk)}
    pair = result.results["pairs"][0]
    criteria = {c["criterion"] for c in pair["contributions"]}
    assert {"topics", "department", "timezone"} <= criteria
    assert pair["score"] == pytest.approx(sum(c["points"] for c in pair["contributions"]), abs=1e-3)
    assert result.fingerprint and result.n_mentees == 2 and result.n_mentors == 2
    assert result.weights["topics"] == 4  # digital skills defaults
    report = result.results["report"]
    assert report["matched"] == 2 and report["min_score"] is not None
    assert result.ran_by == world.manager.user
    assert AuditEvent.objects.filter(verb="match_run.started", object_id=str(result.pk)).exists()


def test_groups_smaller_than_ten_are_suppressed_in_the_report(cohort):
    report = run(cohort).results["report"]
    assert report["parity"] == []
    assert report["suppressed_groups"] == 1  # Kai's consented group, a group of one


def test_the_suppression_size_is_the_setting(cohort, settings):
    settings.UPWARD_SPECIAL_CATEGORY_MIN_GROUP_SIZE = 1
    report = run(cohort).results["report"]
    assert report["suppressed_groups"] == 0
    assert len(report["parity"]) == 1  # Kai's group of one is now large enough to show


def test_weights_and_mode_are_stored_per_run(cohort):
    result = run(cohort, mode="fair", weights={"topics": 0, "department": 5})
    assert result.mode == "fair"
    assert result.weights["topics"] == 0 and result.weights["department"] == 5
    # The next run starts from the last weights.
    assert run(cohort).weights["department"] == 5


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"topics": -1}, "Each weight must be a number of 0 or more"),
        ({"topics": "lots"}, "Each weight must be a number of 0 or more"),
        ({"related_credit": 2}, "the related-topic credit between 0 and 1"),
        ({"nonsense": 1}, "Unknown weight"),
        ({"topics": "nan"}, "Each weight must be a number of 0 or more"),
    ],
)
def test_bad_weights_are_refused_with_a_message(cohort, weights, message):
    with pytest.raises(DomainError, match=message):
        run(cohort, weights=weights)
    assert not MatchRun.objects.exists()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"min_level_gap": -1}, "Min level gap must be between 0 and 10"),
        ({"capacity": 0}, "Capacity must be between 1 and 10"),
        ({"capacity": "two"}, "The matching settings must be whole numbers"),
        ({"respond_days": 0}, "Respond days must be between 1 and 60"),
    ],
)
def test_bad_settings_are_refused(cohort, settings, message):
    with pytest.raises(DomainError, match=message):
        run(cohort, settings=settings)


def test_matching_needs_the_matching_stage(world):
    from upward.pairing.tests.helpers import build_cohort

    recruiting = build_cohort(world, state=State.RECRUITING)
    with pytest.raises(InvalidTransition, match="Matching happens while the programme is in its"):
        run(recruiting)


def test_min_level_gap_is_a_hard_rule(cohort):
    result = run(cohort, settings={"min_level_gap": 7})
    # Sam (8) and Jess/Kai (2) are 6 apart; Sofia (9) is 7 apart from both.
    assert {m for m, _ in pairs_of(result)} == {cohort.sofia.pk}
    unmatched = {u["mentee"]: u for u in result.results["unmatched"]}
    assert unmatched[cohort.sam.pk]["reason"] == "no_eligible_partner"
    assert unmatched[cohort.sam.pk]["blocking"] == {"level_gap": 2}


def test_same_team_is_excluded_by_default_and_can_be_allowed(cohort, world):
    team = world.applicant.department.teams.first()
    for person in (cohort.jess, cohort.sam):
        person.team = team
        person.save(update_fields=["team"])
    assert (cohort.sam.pk, cohort.jess.pk) not in pairs_of(run(cohort))
    allowed = run(cohort, settings={"exclude_same_team": False})
    assert (cohort.sam.pk, cohort.jess.pk) in pairs_of(allowed)


def test_new_run_supersedes_the_previous_one_and_keeps_it(cohort):
    first = run(cohort)
    second = run(cohort)
    first.refresh_from_db()
    assert first.superseded_at is not None and second.superseded_at is None
    assert MatchRun.objects.count() == 2


def test_pin_and_exclude_are_kept_for_the_next_run(cohort, world):
    services.add_match_rule(
        cohort.programme,
        kind="pin",
        mentee_id=cohort.sam.pk,
        mentor_id=cohort.kai.pk,
        by=world.manager.user,
    )
    result = run(cohort)
    assert (cohort.sam.pk, cohort.kai.pk) in pairs_of(result)
    assert any(p["pinned"] for p in result.results["pairs"])
    # Exclusion replaces the pin for the same pair.
    services.add_match_rule(
        cohort.programme, kind="exclude", mentee_id=cohort.sam.pk, mentor_id=cohort.kai.pk, by=None
    )
    assert MatchRule.objects.get().kind == "exclude"
    again = run(cohort)
    assert (cohort.sam.pk, cohort.kai.pk) not in pairs_of(again)
    assert again.results["pairs"]  # others still paired


def test_swap_is_two_pins_that_survive_a_rerun(cohort):
    first = run(cohort)
    services.swap_mentors(first, mentee_a=cohort.sam.pk, mentee_b=cohort.sofia.pk, by=None)
    pins = set(MatchRule.objects.filter(kind="pin").values_list("mentee_id", "mentor_id"))
    assert pins == {(cohort.sam.pk, cohort.kai.pk), (cohort.sofia.pk, cohort.jess.pk)}
    second = run(cohort)
    assert pairs_of(second) == {(cohort.sam.pk, cohort.kai.pk), (cohort.sofia.pk, cohort.jess.pk)}
    third = run(cohort)
    assert pairs_of(third) == pairs_of(second)


def test_pin_that_breaks_a_hard_rule_is_refused_in_plain_words(cohort):
    cohort.jess.manager = cohort.sam
    cohort.jess.save(update_fields=["manager"])
    with pytest.raises(DomainError, match="same reporting line"):
        services.add_match_rule(
            cohort.programme, kind="pin", mentee_id=cohort.sam.pk, mentor_id=cohort.jess.pk, by=None
        )


@pytest.mark.parametrize(
    ("mentee", "mentor"), [("999999", None), ("abc", None), (None, "mentee-as-mentor")]
)
def test_unknown_people_in_rules_are_refused(cohort, mentee, mentor):
    mentee_id = mentee if mentee is not None else cohort.sam.pk
    mentor_id = cohort.sofia.pk if mentor == "mentee-as-mentor" else cohort.jess.pk
    with pytest.raises(DomainError, match="not an accepted"):
        services.add_match_rule(
            cohort.programme, kind="pin", mentee_id=mentee_id, mentor_id=mentor_id, by=None
        )


def test_swap_refuses_people_outside_the_run(cohort):
    first = run(cohort)
    with pytest.raises(DomainError, match="Choose two different mentees to swap"):
        services.swap_mentors(first, mentee_a=cohort.sam.pk, mentee_b=cohort.sam.pk, by=None)
    with pytest.raises(DomainError, match="Choose two mentees from this run"):
        services.swap_mentors(first, mentee_a=cohort.sam.pk, mentee_b="x", by=None)
    with pytest.raises(DomainError, match="Both mentees must have a partner in this run to swap"):
        services.swap_mentors(first, mentee_a=cohort.sam.pk, mentee_b=cohort.jess.pk, by=None)


def test_publish_creates_proposals_and_tells_only_mentors(
    cohort, world, django_capture_on_commit_callbacks
):
    result = run(cohort)
    with django_capture_on_commit_callbacks(execute=True):
        pairings = services.publish_match_run(result, by=world.manager.user)
    assert {(p.mentee_id, p.mentor_id) for p in pairings} == pairs_of(result)
    assert all(p.state == "proposed" and p.mentee_told_at is None for p in pairings)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cohort.jess.email, cohort.kai.email])
    assert all("Race" not in m.body for m in mail.outbox)
    result.refresh_from_db()
    assert result.published_by == world.manager.user and result.published_at
    with pytest.raises(Conflict, match="This run has already been published"):
        services.publish_match_run(result, by=None)


def test_publish_refuses_a_run_whose_inputs_changed(cohort):
    result = run(cohort)
    Application.objects.filter(person=cohort.sam).update(status="withdrawn")
    with pytest.raises(Conflict, match="changed since this run"):
        services.publish_match_run(result, by=None)
    assert not Pairing.objects.exists()


def test_publish_refuses_a_superseded_run(cohort):
    first = run(cohort)
    run(cohort)
    first.refresh_from_db()
    with pytest.raises(Conflict, match="A newer run has replaced this one"):
        services.publish_match_run(first, by=None)


def test_after_publishing_a_run_matches_only_the_free_people(cohort, world):
    services.publish_match_run(run(cohort), by=None)
    extra = person_with_account(
        organisation=world.org, full_name="Nia New", level=level(world.org, 7)
    )
    extra_mentor = person_with_account(
        organisation=world.org, full_name="Max Mentor", level=level(world.org, 1)
    )
    add_participant(cohort, extra, "mentee")
    add_participant(cohort, extra_mentor, "mentor")
    second = run(cohort)
    assert second.n_mentees == 1 and second.n_mentors == 1
    assert pairs_of(second) == {(extra.pk, extra_mentor.pk)}


def test_large_cohorts_run_as_a_background_task(
    cohort, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("upward.pairing.services.runs.BACKGROUND_THRESHOLD", 2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = run(cohort)
    assert queued.status == MatchRun.Status.QUEUED and len(callbacks) == 1
    with pytest.raises(Conflict, match="in progress"):
        run(cohort)
    callbacks[0]()  # the ImmediateBackend runs the task now
    queued.refresh_from_db()
    assert queued.status == MatchRun.Status.READY and queued.results["pairs"]
    again = services.compute_match_run(queued.pk)  # a second call is harmless
    assert again is not None and again.status == "ready"


def test_engine_refusal_marks_the_run_failed_with_a_message(cohort, monkeypatch):
    def boom(*args, **kwargs):
        raise ValueError(f"pin ('{cohort.sam.pk}', 'x') breaks hard rule(s)")

    MatchRule.objects.create(
        programme=cohort.programme, kind="exclude", mentee=cohort.sam, mentor=cohort.jess
    )
    monkeypatch.setattr("upward.pairing.services.runs.match_profiles", boom)
    result = run(cohort)
    assert result.status == "failed"
    assert "Sam Senior" in result.error


def test_programme_can_move_back_and_forth_without_losing_runs(cohort):
    run(cohort)
    transition_programme(cohort.programme, to=State.RECRUITING, by=None)
    cohort.programme.refresh_from_db()
    assert MatchRun.objects.count() == 1


def test_concurrent_pairings_cap_counts_other_programmes(cohort, world):
    from django.utils import timezone

    # Jess already mentors two people in another programme (the default cap is 2).
    for mentee in (world.admin, world.manager):
        Pairing.objects.create(
            programme=world.other_programme,
            mentor=cohort.jess,
            mentee=mentee,
            respond_by=timezone.now(),
        )
    result = run(cohort)
    assert cohort.jess.pk not in {mentor for _, mentor in pairs_of(result)}
    unmatched = {u["mentee"]: u for u in result.results["unmatched"]}
    assert unmatched  # one mentee is left without Jess
    assert cohort.jess.pk in result.results["unmatched_mentors"]
    raised = run(cohort, settings={"max_concurrent": 3})
    assert cohort.jess.pk in {mentor for _, mentor in pairs_of(raised)}
