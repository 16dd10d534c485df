"""Building surveys, answering them, anonymity and pairing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from upward.core.errors import Conflict
from upward.core.models import AuditEvent
from upward.surveys import library, selectors, services
from upward.surveys.models import Answer, Question, Response, Submission, Survey, SurveyState
from upward.surveys.pseudonyms import pseudonym
from upward.surveys.services import SurveyError
from upward.surveys.tests.helpers import (
    END_DAY,
    START_DAY,
    answer,
    full_answers,
    open_template,
    question,
    settle,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- library


def test_start_and_end_templates_share_item_keys_for_every_objective():
    for objective in library.OBJECTIVE_ITEMS:
        slug = objective.replace("_", "-")
        start = library.get_template(f"{slug}-start")
        end = library.get_template(f"{slug}-end")
        assert start and end, objective
        start_keys = {i.key for i in start.items}
        end_likert = {i.key for i in end.items if i.kind == "likert"}
        assert start_keys <= end_likert
        retro = [i for i in end.items if i.kind == "retrospective"]
        assert retro and all(i.key.endswith("-retro") for i in retro)
        # The post-only item never shares a key with a start item.
        assert end_likert - start_keys


def test_race_focused_inclusion_programme_gets_race_items_first(world):
    templates = library.templates_for("inclusion", "race")
    assert templates[0].key == "inclusion-race-start"
    keys = [i.key for i in templates[0].items]
    assert keys == [
        "confidence-race",
        "understanding-inequalities",
        "confidence-ask",
        "confidence-share",
    ]
    assert {"session-feedback", "pulse", "effectiveness", "mentor-gains"} <= {
        t.key for t in templates
    }


# ---------------------------------------------------------------- building


def test_create_from_template_copies_questions_and_audits(world):
    survey = services.create_survey_from_template(
        world.programme, template_key="digital-skills-start", by=world.manager.user
    )
    assert survey.state == SurveyState.DRAFT and survey.is_anonymous
    assert survey.timing == "start" and survey.audience == "mentee"
    assert list(survey.questions.values_list("item_key", flat=True))[:2] == [
        "confidence-digital",
        "digital-tools",
    ]
    assert AuditEvent.objects.filter(verb="survey.created", object_id=str(survey.pk)).exists()


def test_unknown_template_is_refused(world):
    with pytest.raises(SurveyError, match="Choose one of the ready-made surveys") as exc:
        services.create_survey_from_template(world.programme, template_key="nope", by=None)
    assert exc.value.field == "template"


def _draft(world) -> Survey:  # type: ignore[no-untyped-def]
    return services.create_survey(
        world.programme, title="Check", timing="start", audience="both", is_anonymous=True, by=None
    )


def test_question_validation(world):
    survey = _draft(world)
    with pytest.raises(SurveyError, match="Give at least two options, one per line") as exc:
        services.add_question(survey, text="Pick", kind="single", choices=["Only one"], by=None)
    assert exc.value.field == "choices"
    with pytest.raises(SurveyError, match="Give five labels, lowest first, or leave them") as exc:
        services.add_question(survey, text="Rate", kind="likert", labels=["a", "b"], by=None)
    assert exc.value.field == "labels"
    with pytest.raises(SurveyError, match="Write the question") as exc:
        services.add_question(survey, text="  ", kind="likert", by=None)
    assert exc.value.field == "text"
    with pytest.raises(SurveyError, match="Choose an answer type") as exc:
        services.add_question(survey, text="x", kind="bogus", by=None)
    assert exc.value.field == "kind"
    services.add_question(survey, text="Rate", kind="likert", item_key="Confidence Race", by=None)
    assert survey.questions.get().item_key == "confidence-race"
    with pytest.raises(SurveyError, match="Another question in this survey already uses") as exc:
        services.add_question(
            survey, text="Again", kind="likert", item_key="confidence-race", by=None
        )
    assert exc.value.field == "item_key"


def test_open_needs_questions_and_freezes_them(world):
    survey = _draft(world)
    with pytest.raises(SurveyError, match="Add at least one question before opening the survey"):
        services.open_survey(survey, by=None)
    q = services.add_question(survey, text="Rate", kind="likert", by=None)
    services.open_survey(survey, by=None)
    survey.refresh_from_db()
    assert survey.state == "open" and survey.opened_at
    with pytest.raises(SurveyError, match="The survey is open or closed, so its questions are"):
        services.add_question(survey, text="Late", kind="text", by=None)
    q.survey = survey
    with pytest.raises(SurveyError, match="The survey is open or closed, so its questions are"):
        services.delete_question(q, by=None)
    with pytest.raises(SurveyError, match="Only a draft survey can be opened"):
        services.open_survey(survey, by=None)
    services.close_survey(survey, by=None)
    with pytest.raises(SurveyError, match="Only an open survey can be closed"):
        services.close_survey(survey, by=None)


def test_move_question(world):
    survey = _draft(world)
    a = services.add_question(survey, text="A", kind="text", by=None)
    b = services.add_question(survey, text="B", kind="text", by=None)
    services.move_question(b, direction="up", by=None)
    assert [q.text for q in survey.questions.all()] == ["B", "A"]
    a.refresh_from_db()
    with pytest.raises(SurveyError, match="The question cannot move further that way"):
        services.move_question(a, direction="down", by=None)


def test_survey_with_answers_cannot_be_deleted(world, pairs):
    survey = open_template(world.programme, "session-feedback")
    services.close_survey(survey, by=None)
    services.delete_survey(_draft(world), by=None)
    Submission.objects.create(survey=survey, person=world.senior)
    with pytest.raises(SurveyError, match="People have answered this survey, so it is kept with"):
        services.delete_survey(survey, by=None)


# ---------------------------------------------------------------- who is asked, and when


def test_surveys_due_by_role_window_and_state(world, pairs):
    start = open_template(world.programme, "digital-skills-start")  # mentees only
    pulse = open_template(world.programme, "pulse")  # midpoint, both
    services.create_survey_from_template(world.programme, template_key="mentor-gains", by=None)
    # The mentee has the start survey in its window; the mentor does not (audience).
    assert [d.survey for d in selectors.surveys_due(world.senior, today=START_DAY)] == [start]
    assert selectors.surveys_due(world.applicant, today=START_DAY) == []
    # Before the window opens, nothing is due.
    assert selectors.surveys_due(world.senior, today=dt.date(2026, 12, 1)) == []
    # Midpoint of 11 Jan – 9 Jul 2027 is 10 April.
    mid = [d.survey for d in selectors.surveys_due(world.applicant, today=dt.date(2027, 4, 10))]
    assert mid == [pulse]
    # Someone outside the programme, and the draft mentor survey, never show.
    assert selectors.surveys_due(world.other_manager, today=START_DAY) == []
    assert selectors.surveys_due(world.applicant, today=END_DAY) == []


def test_surveys_due_query_budget(world, pairs, django_assert_max_num_queries):
    open_template(world.programme, "digital-skills-start")
    open_template(world.programme, "session-feedback")
    with django_assert_max_num_queries(4):
        selectors.surveys_due(world.senior, today=START_DAY)


def test_session_feedback_is_due_after_each_held_meeting(world, pairs):
    from upward.journey.models import Meeting
    from upward.testing.workspace import make_meeting

    survey = open_template(world.programme, "session-feedback")
    meeting = make_meeting(pairs.pairing, days=-2)
    assert selectors.surveys_due(world.senior) == []
    Meeting.objects.filter(pk=meeting.pk).update(status="held", actual_minutes=60)
    due = selectors.surveys_due(world.senior)
    assert [(d.survey, d.occasion) for d in due] == [(survey, f"meeting-{meeting.pk}")]
    services.submit_response(due[0], person=world.senior, answers=full_answers(survey))
    assert selectors.surveys_due(world.senior) == []
    # The mentor of the same meeting still has their own to answer.
    assert len(selectors.surveys_due(world.applicant)) == 1
    # The anonymous response does not carry the meeting, nor anything per person or occasion.
    settle(survey)
    response = Response.objects.get(survey=survey)
    assert response.occasion_key == ""
    assert response.pseudonym != pseudonym(
        person_id=world.senior.pk, programme_id=world.programme.pk
    )


# ---------------------------------------------------------------- answering


def test_anonymous_response_has_no_person_and_pairs_by_pseudonym(world, pairs):
    start = open_template(world.programme, "digital-skills-start")
    end = open_template(world.programme, "digital-skills-end")
    answer(start, world.senior, today=START_DAY, confidence_digital=2)
    answer(end, world.senior, today=END_DAY, confidence_digital=4)
    settle(start, end)
    responses = Response.objects.filter(survey__in=[start, end])
    assert responses.count() == 2
    assert all(r.person_id is None and r.is_anonymous for r in responses)
    expected = pseudonym(person_id=world.senior.pk, programme_id=world.programme.pk)
    assert {r.pseudonym for r in responses} == {expected}
    assert len(expected) == 64 and expected != str(world.senior.pk)
    # A different programme gives the same person a different pseudonym.
    assert pseudonym(person_id=world.senior.pk, programme_id=world.other_programme.pk) != expected
    # Who answered is recorded apart, with nothing that points at the response.
    submission_fields = {f.name for f in Submission._meta.get_fields()}
    assert not submission_fields & {"response", "pseudonym", "answers"}
    response_fields = {f.name for f in Response._meta.get_fields()}
    assert not response_fields & {"submission", "submitted_at", "created_at", "updated_at"}
    # The audit trail names the submission, not the response.
    event = AuditEvent.objects.filter(verb="survey.answered").first()
    assert event is not None
    assert event.object_type == "surveys.submission"
    assert all(str(r.pk) not in str(event.data) for r in responses)


def test_a_named_survey_cannot_name_the_author_of_an_anonymous_one(world, pairs):
    anonymous = open_template(world.programme, "digital-skills-start")
    named = open_template(world.programme, "digital-skills-end")
    # Test data: the same programme also runs a named survey.
    Survey.objects.filter(pk=named.pk).update(is_anonymous=False)
    named.refresh_from_db()
    answer(anonymous, world.senior, today=START_DAY, confidence_digital=2)
    answer(named, world.senior, today=END_DAY, confidence_digital=4)
    settle(anonymous)
    secret = Response.objects.get(survey=anonymous)
    signed = Response.objects.get(survey=named)
    assert secret.person_id is None and signed.person_id == world.senior.pk
    # No named row shares the anonymous row's pseudonym, so no join can name its author.
    assert not Response.objects.filter(person__isnull=False, pseudonym=secret.pseudonym).exists()


def test_database_refuses_a_person_on_an_anonymous_response(world, pairs):
    survey = open_template(world.programme, "pulse")
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            survey=survey, is_anonymous=True, person=world.senior, pseudonym="x", role="mentee"
        )


def test_identified_survey_keeps_the_person(world, pairs):
    survey = services.create_survey(
        world.programme, title="Named", timing="start", audience="both", is_anonymous=False, by=None
    )
    services.add_question(survey, text="Rate", kind="likert", item_key="rate", by=None)
    services.open_survey(survey, by=None)
    answer(survey, world.applicant, today=START_DAY)
    response = Response.objects.get(survey=survey)
    assert response.person == world.applicant and response.role == "mentor"


def test_double_submission_refused_by_service_and_database(world, pairs):
    survey = open_template(world.programme, "digital-skills-start")
    answer(survey, world.senior, today=START_DAY)
    due = next(d for d in selectors.survey_occasions(world.senior, today=START_DAY))
    assert due.submitted
    with pytest.raises(Conflict, match="You have already answered this survey"):
        services.submit_response(due, person=world.senior, answers=full_answers(survey))
    settle(survey)
    assert Response.objects.filter(survey=survey).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(survey=survey, person=world.senior, occasion="")


def test_required_questions_and_bad_input(world, pairs):
    survey = open_template(world.programme, "effectiveness")
    due = next(d for d in selectors.survey_occasions(world.senior, today=END_DAY))
    recommend = question(survey, "recommend")
    goals = question(survey, "effectiveness-goals")
    changes = question(survey, "effectiveness-changes")
    cases: list[tuple[dict[int, Any], Question, str]] = [
        ({recommend.pk: None}, recommend, "needs an answer"),
        ({recommend.pk: 11}, recommend, "0 to 10"),
        ({recommend.pk: "ten"}, recommend, "0 to 10"),
        ({goals.pk: 0}, goals, "1 to 5"),
        ({changes.pk: ["Something made up"]}, changes, "options given"),
    ]
    for override, q, message in cases:
        answers = full_answers(survey)
        answers.update(override)
        with pytest.raises(SurveyError) as exc:
            services.submit_response(due, person=world.senior, answers=answers)
        assert exc.value.field == f"q{q.pk}"
        assert message in exc.value.message
    assert not Submission.objects.exists() and not Response.objects.exists()
    # Optional questions may be left empty.
    answers = full_answers(survey)
    answers[changes.pk] = []
    services.submit_response(due, person=world.senior, answers=answers)
    settle(survey)
    assert Answer.objects.filter(question=changes).count() == 0
    assert Answer.objects.filter(question=recommend).count() == 1


def test_retrospective_needs_both_halves(world, pairs):
    survey = open_template(world.programme, "digital-skills-end")
    due = next(d for d in selectors.survey_occasions(world.senior, today=END_DAY))
    retro = question(survey, "confidence-digital-retro")
    answers = full_answers(survey)
    answers[retro.pk] = (2, None)
    with pytest.raises(SurveyError, match="both"):
        services.submit_response(due, person=world.senior, answers=answers)
    answers[retro.pk] = (2, 6)
    with pytest.raises(SurveyError, match="1 to 5"):
        services.submit_response(due, person=world.senior, answers=answers)


def test_closed_survey_refuses_answers(world, pairs):
    survey = open_template(world.programme, "digital-skills-start")
    due = next(d for d in selectors.survey_occasions(world.senior, today=START_DAY))
    services.close_survey(survey, by=None)
    with pytest.raises(Conflict, match="This survey has closed"):
        services.submit_response(due, person=world.senior, answers=full_answers(survey))


def test_response_table_has_no_person_column_that_anonymous_rows_fill(world, pairs):
    survey = open_template(world.programme, "pulse")
    answer(survey, world.senior, today=dt.date(2027, 4, 10))
    with connection.cursor() as cursor:
        cursor.execute("SELECT person_id FROM surveys_response WHERE survey_id = %s", [survey.pk])
        assert cursor.fetchall() == []  # still waiting: nothing written yet
        settle(survey)
        cursor.execute("SELECT person_id FROM surveys_response WHERE survey_id = %s", [survey.pk])
        assert cursor.fetchall() == [(None,)]


# ---------------------------------------------------------------- success measure


def test_success_measure_must_be_a_start_item(world, pairs):
    open_template(world.programme, "digital-skills-start")
    with pytest.raises(SurveyError, match="Choose an agreement question that is asked in a start"):
        services.set_success_measure(world.programme, item_key="recommend", by=None)
    measure = services.set_success_measure(
        world.programme, item_key="confidence-digital", by=world.manager.user
    )
    assert measure is not None and measure.item_key == "confidence-digital"
    assert services.set_success_measure(world.programme, item_key="", by=None) is None
