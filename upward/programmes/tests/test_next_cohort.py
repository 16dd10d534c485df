"""Run the next cohort: the design, questions, journey and surveys are copied into a new draft
linked to the old one; nothing about people is; only the programme's team may do it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.errors import DomainError
from upward.core.models import AuditEvent
from upward.goals import services as goal_services
from upward.goals.models import Skill
from upward.journey.models import ProgrammeJourney
from upward.journey.services import set_programme_journey
from upward.journey.tests.factories import builtin_version
from upward.pairing.models import Pairing
from upward.programmes import services
from upward.programmes.cohorts import (
    default_dates,
    next_cohort_preview,
    register_cohort_copier,
    start_next_cohort,
)
from upward.programmes.models import Programme, State
from upward.recruitment.models import Application, Invitation
from upward.surveys import services as survey_services
from upward.surveys.models import Response, Submission, SuccessMeasure, Survey, SurveyState
from upward.testing.pairs import build_pairs

pytestmark = pytest.mark.django_db

NEW_START = dt.date(2027, 9, 1)
NEW_END = dt.date(2028, 2, 28)
# The digital-skills defaults seeded on first use, plus the one the test adds.
SKILLS = 6


def _designed(world):
    """world.programme with two questions, a chosen journey, two surveys and a success measure,
    then two live pairs (applications, pairings) in it."""
    programme = world.programme
    by = world.manager.user
    for text in ("Why do you want to take part?", "What would you like to learn?"):
        services.add_question(programme, fields={"text": text, "kind": "text"}, by=by)
    set_programme_journey(
        programme,
        version=builtin_version(),
        mode=ProgrammeJourney.Mode.FREE,
        meetings_per_month=Decimal("2"),
        minutes_per_meeting=45,
        by=by,
    )
    start = survey_services.create_survey_from_template(
        programme, template_key="digital-skills-start", by=by
    )
    survey_services.create_survey_from_template(programme, template_key="digital-skills-end", by=by)
    survey_services.open_survey(start, by=by)
    item_key = start.questions.exclude(item_key="")[0].item_key
    survey_services.set_success_measure(programme, item_key=item_key, by=by)
    goal_services.add_skill(
        programme,
        name="Asking good questions",
        description="Open questions first.",
        levels=["one", "two", "three", "four", "five"],
        by=by,
    )
    pairs = build_pairs(world)
    programme.refresh_from_db()
    return programme, pairs


def _start(world, programme, **kwargs):
    return start_next_cohort(
        programme,
        person=world.manager,
        name=kwargs.pop("name", "Digital confidence 2028"),
        starts_on=kwargs.pop("starts_on", NEW_START),
        ends_on=kwargs.pop("ends_on", NEW_END),
        by=world.manager.user,
    )


def test_every_part_is_copied_into_a_linked_draft(world):
    source, _pairs = _designed(world)
    new, copied = _start(world, source)

    assert new.state == State.DRAFT
    assert new.previous_cohort == source
    assert (new.name, new.starts_on, new.ends_on) == ("Digital confidence 2028", NEW_START, NEW_END)
    for field in ("objective", "success_what", "success_how", "success_target", "selection_mode"):
        assert getattr(new, field) == getattr(source, field)
    assert (new.places, new.commitment, new.scheduling_policy) == (
        source.places,
        source.commitment,
        source.scheduling_policy,
    )
    assert new.signup_token != source.signup_token
    assert copied == {"application_questions": 2, "journey": 1, "skills": SKILLS, "surveys": 2}

    assert [q.text for q in new.questions.all()] == [q.text for q in source.questions.all()]
    journey = ProgrammeJourney.objects.get(programme=new)
    assert (journey.version, journey.mode, journey.meetings_per_month) == (
        source.journey.version,
        "free",
        Decimal("2"),
    )
    assert journey.minutes_per_meeting == 45
    old_surveys = list(Survey.objects.filter(programme=source).order_by("pk"))
    new_surveys = list(Survey.objects.filter(programme=new).order_by("pk"))
    assert [(s.title, s.timing, s.audience) for s in new_surveys] == [
        (s.title, s.timing, s.audience) for s in old_surveys
    ]
    assert {s.state for s in new_surveys} == {SurveyState.DRAFT}
    for old, copy in zip(old_surveys, new_surveys, strict=True):
        assert [(q.text, q.kind, q.item_key) for q in copy.questions.all()] == [
            (q.text, q.kind, q.item_key) for q in old.questions.all()
        ]
    assert SuccessMeasure.objects.get(programme=new).item_key == source.success_measure.item_key
    old_skills = [(k.name, k.description, k.levels, k.position) for k in source.skills.all()]
    assert len(old_skills) == SKILLS
    assert [(k.name, k.description, k.levels, k.position) for k in new.skills.all()] == old_skills

    event = AuditEvent.objects.get(verb="programme.next_cohort_started")
    assert event.object_id == str(new.pk)
    assert event.actor == world.manager.user
    assert event.data == {"from": source.pk, "copied": copied}


def test_nothing_about_people_is_copied(world):
    source, _pairs = _designed(world)
    world.other_manager.managed_programmes.add(source)
    assert Application.objects.filter(programme=source).exists()
    assert Pairing.objects.filter(programme=source).exists()

    new, _copied = _start(world, source)

    assert list(new.managers.all()) == [world.manager]
    assert not Application.objects.filter(programme=new).exists()
    assert not Pairing.objects.filter(programme=new).exists()
    assert not Invitation.objects.filter(programme=new).exists()
    assert not Submission.objects.filter(survey__programme=new).exists()
    assert not Response.objects.filter(survey__programme=new).exists()
    assert not new.is_pilot


def test_the_copy_is_independent_of_the_original(world):
    source, _pairs = _designed(world)
    new, _copied = _start(world, source)
    by = world.manager.user

    question = new.questions.all()[0]
    services.update_question(question, fields={"text": "Changed", "kind": "text"}, by=by)
    survey = Survey.objects.filter(programme=new)[0]
    survey_services.update_survey(
        survey,
        title="Changed survey",
        timing=survey.timing,
        audience=survey.audience,
        is_anonymous=survey.is_anonymous,
        intro="",
        by=by,
    )
    survey.questions.all()[0].delete()
    ProgrammeJourney.objects.filter(programme=new).update(minutes_per_meeting=90)
    skill = Skill.objects.get(programme=new, name="Asking good questions")
    goal_services.update_skill(
        skill, name="Renamed skill", description="", levels=["a", "b", "c", "d", "e"], by=by
    )
    services.update_programme_design(new, fields={"places": 3}, by=by)

    source.refresh_from_db()
    assert "Changed" not in [q.text for q in source.questions.all()]
    assert not Survey.objects.filter(programme=source, title="Changed survey").exists()
    old_counts = [s.questions.count() for s in Survey.objects.filter(programme=source)]
    assert 0 not in old_counts and len(old_counts) == 2
    assert source.journey.minutes_per_meeting == 45
    assert source.places != 3
    kept = Skill.objects.get(programme=source, name="Asking good questions")
    assert kept.levels == ["one", "two", "three", "four", "five"]
    assert not Skill.objects.filter(programme=source, name="Renamed skill").exists()


def test_default_dates_follow_on_for_the_same_length(world):
    programme = world.programme  # 11 January to 9 July 2027
    assert default_dates(programme) == (dt.date(2027, 7, 10), dt.date(2028, 1, 5))


def test_bad_input_is_refused(world):
    with pytest.raises(DomainError, match="must end on or after its start date"):
        _start(world, world.programme, starts_on=NEW_END, ends_on=NEW_START)
    with pytest.raises(DomainError, match="Give the new cohort a name"):
        _start(world, world.programme, name="  ")
    assert not Programme.objects.filter(previous_cohort=world.programme).exists()


def test_a_failing_copier_leaves_nothing_behind(world):
    def boom(source, target, by):
        raise RuntimeError("copier failed")

    register_cohort_copier("zz-test", "Test part", count=lambda p: 0, copy=boom, order=999)
    try:
        with pytest.raises(RuntimeError, match="copier failed"):
            _start(world, world.programme)
    finally:
        from upward.programmes import cohorts

        cohorts._copiers.pop("zz-test")
    assert not Programme.objects.filter(previous_cohort=world.programme).exists()


def test_preview_lists_every_registered_part(world):
    source, _pairs = _designed(world)
    lines = {line.key: line.count for line in next_cohort_preview(source)}
    assert lines == {"application_questions": 2, "journey": 1, "skills": SKILLS, "surveys": 2}


# ---------------------------------------------------------------------------------------------
# Pages


def _url(programme):
    return reverse("programmes:next_cohort", args=[programme.pk])


def test_confirmation_page_lists_what_will_be_copied(world):
    source, _pairs = _designed(world)
    response = world.client_for(world.manager).get(_url(source))
    assertContains(response, "Run the next cohort")
    assertContains(response, "Application questions: 2")
    assertContains(response, "Journey and meeting rhythm: 1")
    assertContains(response, f"Skills framework (skills and their levels): {SKILLS}")
    assertContains(response, "Surveys (questions, timing and audience; no answers): 2")
    assertContains(response, 'value="2027-07-10"')  # the default start date
    assert not Programme.objects.filter(previous_cohort=source).exists()  # GET changes nothing


def test_posting_starts_the_cohort_and_both_pages_show_the_link(world):
    source = world.programme
    client = world.client_for(world.manager)
    response = client.post(
        _url(source),
        {"name": "Digital confidence 2028", "starts_on": "2027-09-01", "ends_on": "2028-02-28"},
    )
    new = Programme.objects.get(previous_cohort=source)
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:detail", args=[new.pk])
    new_page = client.get(response["Location"])
    assertContains(new_page, "Follows")
    assertContains(new_page, source.name)
    old_page = client.get(reverse("programmes:detail", args=[source.pk]))
    assertContains(old_page, "Next cohort")
    assertContains(old_page, "Digital confidence 2028")


def test_posting_bad_dates_shows_the_form_again(world):
    response = world.client_for(world.manager).post(
        _url(world.programme),
        {"name": "Next", "starts_on": "2028-02-28", "ends_on": "2027-09-01"},
    )
    assertContains(response, "must end on or after its start date")
    assert not Programme.objects.filter(previous_cohort=world.programme).exists()


@pytest.mark.parametrize("who", ["applicant", "other_manager", "outsider_admin"])
def test_only_the_programme_team_may_start_a_cohort(world, who):
    client = world.client_for(getattr(world, who))
    data = {"name": "Sneaky", "starts_on": "2027-09-01", "ends_on": "2028-02-28"}
    assert client.get(_url(world.programme)).status_code == 404
    assert client.post(_url(world.programme), data).status_code == 404
    assert not Programme.objects.filter(previous_cohort=world.programme).exists()


def test_a_participant_who_is_org_admin_is_refused(world):
    """An org admin manages every programme except one they take part in."""
    build_pairs(world)
    mentor = Pairing.objects.filter(programme=world.programme)[0].mentor
    mentor.is_org_admin = True
    mentor.save(update_fields=["is_org_admin"])
    response = world.client_for(mentor).get(_url(world.programme))
    assertNotContains(response, "Run the next cohort", status_code=404)


def test_signed_out_visitors_are_sent_to_sign_in(world):
    from django.test import Client

    response = Client().get(_url(world.programme))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
