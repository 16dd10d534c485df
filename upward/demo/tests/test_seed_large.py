"""seed_large at a tiny size: the sizes asked for, consistent states, encrypted text,
repeatable by seed, and careful with an organisation that exists already."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F

from upward.consent.models import AboutYou, ConsentEvent
from upward.core import crypto
from upward.demo import large
from upward.goals.models import Goal
from upward.impact.models import Commitment
from upward.journey.models import Meeting
from upward.organisations.models import Organisation, Person
from upward.pairing.models import MatchRun, Pairing
from upward.programmes.models import Programme
from upward.recruitment.models import Application
from upward.safety.models import PulseResponse
from upward.surveys.models import Answer, Response, Submission

TINY = {"people": 120, "programmes": 5, "pairs": 20, "meetings": 200, "answers": 300}


def seed(slug="large", **options):
    out = io.StringIO()
    call_command(
        "seed_large", slug=slug, quiet=True, stdout=out, stderr=io.StringIO(), **{**TINY, **options}
    )
    return out.getvalue()


def fingerprint(slug="large"):
    pairs = Pairing.objects.filter(programme__organisation__slug=slug)
    return (
        list(
            Person.objects.filter(organisation__slug=slug)
            .order_by("email")
            .values_list("email", "level__rank", "department__name", "is_active")
        ),
        sorted(pairs.values_list("mentor__email", "mentee__email", "state")),
        sorted(
            Meeting.objects.filter(pairing__in=pairs).values_list(
                "pairing__mentee__email", "starts_at", "status"
            )
        ),
        sorted(
            Answer.objects.filter(response__survey__programme__organisation__slug=slug)
            .values_list("question__item_key", "number")
            .distinct()
        ),
    )


def test_makes_the_sizes_asked_for_and_says_what_it_made(db):
    output = seed()
    org = Organisation.objects.get(slug="large")
    assert Person.objects.filter(organisation=org).count() == 120
    assert Programme.objects.filter(organisation=org).count() == 5
    assert Pairing.objects.filter(programme__organisation=org).count() == 20
    assert Meeting.objects.filter(pairing__programme__organisation=org).count() == 200
    assert Answer.objects.filter(response__survey__programme__organisation=org).count() == 300
    # Every programme state, and one matching run to review.
    assert set(Programme.objects.filter(organisation=org).values_list("state", flat=True)) == {
        "draft",
        "recruiting",
        "matching",
        "active",
        "completed",
    }
    assert MatchRun.objects.filter(programme__organisation=org, status="ready").count() == 1
    assert "people                        120" in output
    assert "meetings                      200" in output
    assert "survey answers                300" in output
    assert "Total" in output


def test_states_are_consistent(db):
    seed()
    org = Organisation.objects.get(slug="large")
    accepted = set(
        Application.objects.filter(programme__organisation=org, status="accepted").values_list(
            "programme_id", "person_id", "role"
        )
    )
    pairs = list(Pairing.objects.filter(programme__organisation=org))
    assert {p.state for p in pairs} >= {"active", "completed"}
    for pair in pairs:
        assert (pair.programme_id, pair.mentor_id, "mentor") in accepted
        assert (pair.programme_id, pair.mentee_id, "mentee") in accepted
    # Nobody who has left is in a pair that is still running.
    assert not Pairing.objects.filter(
        programme__organisation=org, state="active", mentee__is_active=False
    ).exists()
    meetings = Meeting.objects.filter(pairing__programme__organisation=org).select_related(
        "pairing"
    )
    for meeting in meetings:
        assert meeting.pairing.state in ("active", "completed", "ended")
        assert meeting.organiser_id == meeting.pairing.mentee_id
        if meeting.status == "held":
            assert meeting.actual_minutes and meeting.settled_at
            assert meeting.starts_at < meeting.settled_at
        if meeting.status == "scheduled":
            assert meeting.pairing.state == "active"
        if meeting.status == "cancelled":
            assert meeting.cancelled_at is not None
    assert {m.status for m in meetings} >= {"held", "missed", "cancelled"}
    assert (
        not PulseResponse.objects.filter(pairing__programme__organisation=org)
        .exclude(meeting__status="held")
        .exists()
    )
    # Answers belong to surveys of a programme with pairs, given by its participants.
    answers = Answer.objects.filter(response__survey__programme__organisation=org)
    assert not answers.exclude(question__survey=F("response__survey")).exists()
    responses = Response.objects.filter(survey__programme__organisation=org)
    assert responses.filter(is_anonymous=True).exists()
    assert responses.filter(is_anonymous=False).exists()
    assert not responses.filter(is_anonymous=True, person__isnull=False).exists()
    paired_programmes = {p.programme_id for p in pairs}
    assert set(responses.values_list("survey__programme_id", flat=True)) <= paired_programmes
    named = responses.filter(is_anonymous=False)
    participants = {(p.programme_id, p.mentor_id) for p in pairs} | {
        (p.programme_id, p.mentee_id) for p in pairs
    }
    for programme_id, person_id in named.values_list("survey__programme_id", "person_id"):
        assert (programme_id, person_id) in participants
    assert Submission.objects.filter(survey__programme__organisation=org).count() == len(responses)
    # Inclusion reporting has something to count, and goals and commitments exist.
    assert AboutYou.objects.filter(person__organisation=org).exists()
    assert ConsentEvent.objects.filter(person__organisation=org, purpose="reporting").exists()
    assert Goal.objects.filter(pairing__programme__organisation=org).exists()
    assert Commitment.objects.filter(programme__organisation=org).exists()


def test_text_is_encrypted_in_the_database(db):
    seed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT motivation FROM recruitment_application")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all(value.startswith(crypto.PREFIX) for value in stored)
    assert crypto.decrypt(stored[0]) in large.MOTIVATIONS
    assert Application.objects.all()[0].motivation in large.MOTIVATIONS


def test_the_same_seed_builds_the_same_organisation(db):
    seed(seed=7)
    first = fingerprint()
    seed(seed=7, replace=True)
    assert fingerprint() == first
    seed(seed=8, replace=True)
    assert fingerprint() != first


def test_refuses_an_organisation_that_exists_unless_told_to_replace_it(db):
    seed()
    with pytest.raises(CommandError, match=r"exists already\. Use --replace"):
        seed()
    assert Organisation.objects.filter(slug="large").count() == 1
    seed(replace=True)
    assert Person.objects.filter(organisation__slug="large").count() == 120


def test_two_large_organisations_live_side_by_side(db):
    seed(slug="large")
    seed(slug="larger")
    assert Person.objects.filter(organisation__slug="larger").count() == 120
    assert Person.objects.filter(organisation__slug="large").count() == 120


def test_refuses_sizes_it_cannot_fill(db):
    with pytest.raises(CommandError, match="Too few people"):
        seed(people=40, pairs=200)


def test_scale_shrinks_every_default():
    sizes = large.Sizes.scaled(0.01)
    assert sizes == large.Sizes(people=500, programmes=5, pairs=200, meetings=5000, answers=10000)
    assert large.Sizes.scaled(0.01, people=900).people == 900
