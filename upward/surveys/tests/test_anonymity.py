"""Issue 15, anonymous surveys: the pseudonym secret, the waiting buffer and its batches, the
closing and scheduled writes, coarse groups, session feedback over the whole programme, the
free-text threshold and what happens to pseudonyms written under the old key."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection

from upward.consent import services as consent_services
from upward.consent.purposes import Purpose
from upward.core import crypto
from upward.journey.models import Meeting
from upward.notifications import scheduled
from upward.organisations.models import Person
from upward.surveys import selectors, services
from upward.surveys.fields import unseal
from upward.surveys.models import (
    Answer,
    PendingResponse,
    PseudonymSalt,
    Response,
    Submission,
    Survey,
)
from upward.surveys.pseudonyms import forget_salts, pseudonym
from upward.surveys.tests.helpers import (
    END_DAY,
    START_DAY,
    answer,
    full_answers,
    open_template,
    participants,
    settle,
)
from upward.testing.factories import (
    DepartmentFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TopicFactory,
)
from upward.testing.workspace import make_meeting

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
MIDDLE = dt.date(2027, 4, 10)  # the midpoint survey's window of world.programme


def _active(world: Any) -> None:
    world.programme.state = "active"
    world.programme.save(update_fields=["state"])


def _written_comments(survey: Survey) -> list[str]:
    """The comments in the order their rows sit in the table."""
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.text FROM surveys_answer a JOIN surveys_question q ON q.id = a.question_id "  # noqa: S608 (fixed names)
            f"WHERE q.survey_id = %s AND q.kind = 'text' ORDER BY a.{order}",
            [survey.pk],
        )
        # The column holds tokens under the organisation's key (core.crypto): read them as the
        # app would, in physical order.
        return [crypto.decrypt(row[0]) for row in cursor.fetchall()]


# ---------------------------------------------------------------- the secret


def test_pseudonyms_do_not_come_from_secret_key(world, settings):  # type: ignore[no-untyped-def]
    settings.SURVEY_PSEUDONYM_SECRET = "a" * 40
    before = pseudonym(person_id=world.senior.pk, programme_id=world.programme.pk)
    settings.SECRET_KEY = "a completely different secret key " * 2
    assert pseudonym(person_id=world.senior.pk, programme_id=world.programme.pk) == before
    settings.SURVEY_PSEUDONYM_SECRET = "b" * 40
    assert pseudonym(person_id=world.senior.pk, programme_id=world.programme.pk) != before
    # The development value is a constant of its own, not something made from SECRET_KEY.
    assert settings.SECRET_KEY not in settings.DEV_SURVEY_PSEUDONYM_SECRET


def test_each_organisation_gets_its_own_random_salt(world, settings):  # type: ignore[no-untyped-def]
    settings.SURVEY_PSEUDONYM_SECRET = "a" * 40
    mine = pseudonym(person_id=world.senior.pk, programme_id=world.programme.pk)
    salt = PseudonymSalt.objects.get(organisation=world.org)
    assert len(salt.salt) == 64
    # The salt is part of the key: a new salt gives a new pseudonym for the same person.
    PseudonymSalt.objects.filter(pk=salt.pk).update(salt="0" * 64)
    forget_salts()
    assert pseudonym(person_id=world.senior.pk, programme_id=world.programme.pk) != mine
    other = ProgrammeFactory(organisation=OrganisationFactory())
    pseudonym(person_id=world.senior.pk, programme_id=other.pk)
    salts = list(PseudonymSalt.objects.values_list("salt", flat=True))
    assert len(salts) == 2 and len(set(salts)) == 2


@pytest.mark.slow  # interpreters that load every app
def test_production_refuses_to_start_without_the_pseudonym_secret():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "upward.example",
        "SITE_URL": "https://upward.example",
        "ENCRYPTION_KEYS": "3q2BXhTQdVyW7EIXFiNb8VtDsBMjNKU0kYjXWq8Fv0E=",
    }
    env.pop("SURVEY_PSEUDONYM_SECRET", None)
    code = "import django; django.setup(); print('started')"

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-c", code],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )

    result = run()
    assert result.returncode != 0 and "SURVEY_PSEUDONYM_SECRET must be set" in result.stderr
    env["SURVEY_PSEUDONYM_SECRET"] = env["SECRET_KEY"]
    result = run()
    assert result.returncode != 0 and "must be a secret of its own" in result.stderr
    env["SURVEY_PSEUDONYM_SECRET"] = "s" * 48
    result = run()
    assert result.stdout.strip() == "started", result.stderr[-2000:]


# ---------------------------------------------------------------- batches


def test_answers_wait_and_are_written_in_shuffled_batches_of_the_threshold(world):  # type: ignore[no-untyped-def]
    _active(world)
    survey = open_template(world.programme, "pulse")
    people = participants(world.programme, 12, role="mentor", prefix="Batch")
    said = [f"comment {i:02}" for i in range(12)]
    for person, text in zip(people[:9], said, strict=False):
        answer(survey, person, today=MIDDLE, pulse_comment=text)
    # Nine wait; none is written (a batch forms only from twice the threshold).
    assert Submission.objects.filter(survey=survey).count() == 9
    assert PendingResponse.objects.filter(survey=survey).count() == 9
    assert not Response.objects.filter(survey=survey).exists()
    answer(survey, people[9], today=MIDDLE, pulse_comment=said[9])
    # The tenth: a random five of the ten are written, five stay behind.
    assert Response.objects.filter(survey=survey).count() == 5
    assert PendingResponse.objects.filter(survey=survey).count() == 5
    first_batch = set(_written_comments(survey))
    assert first_batch <= set(said[:10]) and len(first_batch) == 5
    for person, text in zip(people[10:], said[10:], strict=True):
        answer(survey, person, today=MIDDLE, pulse_comment=text)
    assert Response.objects.filter(survey=survey).count() == 5
    # Closing writes the rest (seven: never fewer than the threshold once a batch was written).
    services.close_survey(survey, by=None)
    assert not PendingResponse.objects.filter(survey=survey).exists()
    written = _written_comments(survey)
    assert sorted(written) == said
    # Shuffled: not in the order people answered.
    assert written != said
    # The waiting payload is encrypted and the rows have no time and no sequential key.
    fields = {f.name for f in PendingResponse._meta.concrete_fields}
    assert fields == {"id", "survey", "payload"}
    assert PendingResponse._meta.pk.get_internal_type() == "UUIDField"


def test_waiting_answers_are_encrypted_and_rewritten_on_every_answer(world):  # type: ignore[no-untyped-def]
    _active(world)
    survey = open_template(world.programme, "pulse")
    first, second = participants(world.programme, 2, role="mentor", prefix="Wait")
    answer(survey, first, today=MIDDLE, pulse_comment="a secret worry")
    before = set(PendingResponse.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM surveys_pendingresponse")
        raw = cursor.fetchone()[0]
    assert "secret worry" not in raw and not raw.startswith("o1:")
    # Sealed with a key from SURVEY_PSEUDONYM_SECRET: ENCRYPTION_KEYS (and the organisation's
    # data key) cannot open it, so someone holding them cannot diff the waiting answers.
    with pytest.raises(crypto.DecryptionError, match="could not be decrypted"):
        crypto.decrypt(raw)
    assert "secret worry" in unseal(raw)
    answer(survey, second, today=MIDDLE)
    after = set(PendingResponse.objects.values_list("pk", flat=True))
    # Every row got a new key, so no row's key says it was there first.
    assert len(after) == 2 and not before & after
    payloads = [json.loads(p.payload) for p in PendingResponse.objects.all()]
    assert all(
        "person" not in p and set(p) == {"pseudonym", "role", "department", "groups", "answers"}
        for p in payloads
    )


def test_named_surveys_are_written_at_once(world, pairs):  # type: ignore[no-untyped-def]
    survey = services.create_survey(
        world.programme, title="Named", timing="start", audience="both", is_anonymous=False, by=None
    )
    services.add_question(survey, text="Rate", kind="likert", item_key="rate", by=None)
    services.open_survey(survey, by=None)
    answer(survey, world.applicant, today=START_DAY)
    assert not PendingResponse.objects.exists()
    assert Response.objects.get(survey=survey).person == world.applicant


def test_the_scheduled_job_writes_the_rest_once_the_window_ends(world):  # type: ignore[no-untyped-def]
    _active(world)
    start = open_template(world.programme, "digital-skills-start")
    sessions = open_template(world.programme, "session-feedback")
    for person in participants(world.programme, 3, role="mentee", prefix="Late"):
        answer(start, person, today=START_DAY)
    # Session feedback has no window: its answers wait until the survey closes.
    PendingResponse.objects.create(survey=sessions, payload="{}")
    last_day = selectors.survey_window_of(start, world.programme)[1]  # type: ignore[index]
    noon = dt.datetime.combine(last_day, dt.time(12), tzinfo=dt.UTC)
    assert services.write_finished_surveys(now=noon) == {"surveys": 0, "written": 0}
    assert not Response.objects.filter(survey=start).exists()
    day_after = noon + dt.timedelta(days=1)
    assert services.write_finished_surveys(now=day_after, dry_run=True) == {
        "surveys": 1,
        "written": 3,
    }
    assert not Response.objects.filter(survey=start).exists()
    assert services.write_finished_surveys(now=day_after) == {"surveys": 1, "written": 3}
    assert Response.objects.filter(survey=start).count() == 3
    assert PendingResponse.objects.filter(survey=sessions).count() == 1
    # Once the programme has ended and its last sessions' feedback window has passed, too.
    world.programme.state = "completed"
    world.programme.save(update_fields=["state"])
    after_end = dt.datetime.combine(world.programme.end_date, dt.time(12), tzinfo=dt.UTC)
    assert services.write_finished_surveys(now=after_end, dry_run=True)["surveys"] == 0
    later = after_end + dt.timedelta(days=selectors.SESSION_WINDOW_DAYS + 1)
    assert services.write_finished_surveys(now=later, dry_run=True) == {
        "surveys": 1,
        "written": 1,
    }
    assert "surveys.write_finished_surveys" in [j.name for j in scheduled.registered_jobs()]


# ---------------------------------------------------------------- coarse groups


def test_anonymous_rows_keep_only_groups_big_enough_to_report(world):  # type: ignore[no-untyped-def]
    _active(world)
    programme = world.programme
    big = DepartmentFactory(organisation=world.org, name="Treasury")
    small = DepartmentFactory(organisation=world.org, name="Board Office")
    common = TopicFactory(organisation=world.org, name="Shared topic", kind="experience")
    rare = TopicFactory(organisation=world.org, name="Rare topic", kind="experience")
    many = participants(programme, 10, role="mentee", prefix="Many", department=big)
    few = participants(programme, 1, role="mentee", prefix="Few", department=small)
    programme.special_category_reporting = True
    programme.save(update_fields=["special_category_reporting"])
    for person in many + few:
        topics = [common, rare] if person in few else [common]
        consent_services.save_about_you(person, answers={}, lived_experience=topics, by=None)
        consent_services.record_consent(person, Purpose.REPORTING, granted=True, by=None)
    # Groups are kept only on surveys whose rows can be found again when consent is withdrawn.
    survey = open_template(programme, "generational-start")
    for person in many + few:
        answer(survey, person, today=START_DAY)
    settle(survey)
    rows = {(r.department_id, tuple(r.groups)) for r in Response.objects.filter(survey=survey)}
    # The department of ten stays; the board of one and the topic one person shares do not.
    assert rows == {(big.pk, (common.pk,)), (None, (common.pk,))}


def test_a_department_deleted_while_answers_wait_becomes_not_stated(world):  # type: ignore[no-untyped-def]
    _active(world)
    gone = DepartmentFactory(organisation=world.org, name="Closing down")
    people = participants(world.programme, 5, role="mentee", prefix="Moved", department=gone)
    survey = open_template(world.programme, "pulse")
    answer(survey, people[0], today=MIDDLE)
    Person.objects.filter(department=gone).update(department=None)
    gone.delete()
    settle(survey)
    assert Response.objects.get(survey=survey).department_id is None


# ---------------------------------------------------------------- session feedback


def _held_meetings(pairs: Any, count: int) -> list[Meeting]:
    meetings = []
    for i in range(count):
        meeting = make_meeting(pairs.pairing, days=-(i + 1))
        Meeting.objects.filter(pk=meeting.pk).update(status="held", actual_minutes=60)
        meetings.append(meeting)
    return meetings


def test_session_feedback_is_reported_over_the_programme_never_per_meeting(world, pairs):  # type: ignore[no-untyped-def]
    survey = open_template(world.programme, "session-feedback")
    _held_meetings(pairs, 5)
    for person in (world.senior, world.applicant):
        for due in selectors.surveys_due(person):
            answers = full_answers(survey, session_comment=f"note from {person.pk}")
            services.submit_response(due, person=person, answers=answers)
    assert Submission.objects.filter(survey=survey).count() == 10
    settle(survey)
    responses = list(Response.objects.filter(survey=survey))
    assert len(responses) == 10
    # Nothing on a row says which meeting, pair or person: no occasion, a pseudonym per answer.
    assert {r.occasion_key for r in responses} == {""}
    assert len({r.pseudonym for r in responses}) == 10
    result = selectors.programme_outcomes(world.programme)
    useful = next(p for p in result.post_only if p.item_key == "session-useful")
    assert useful.n == 10 and useful.summary is not None
    # Ten comments from two people: not ten writers, so they stay hidden.
    assert result.comments == [] and result.hidden_comments == 1


def test_free_text_threshold_counts_people_who_wrote(world):  # type: ignore[no-untyped-def]
    _active(world)
    survey = open_template(world.programme, "pulse")
    people = participants(world.programme, 11, role="mentor", prefix="Say")
    # Eleven answer, nine write a comment.
    for i, person in enumerate(people):
        answer(survey, person, today=MIDDLE, pulse_comment=f"view {i}" if i < 9 else "")
    settle(survey)
    result = selectors.programme_outcomes(world.programme)
    assert result.comments == [] and result.hidden_comments == 1
    # A tenth writer is enough.
    more = participants(world.programme, 1, role="mentee", prefix="Tenth")[0]
    answer(survey, more, today=MIDDLE, pulse_comment="view 9")
    settle(survey)
    result = selectors.programme_outcomes(world.programme)
    assert [c.n_respondents for c in result.comments] == [10]


# ---------------------------------------------------------------- old pseudonyms


def _old(programme_id: int, person_id: int, namespace: str = "") -> str:
    from django.conf import settings

    key = hmac.new(
        settings.SECRET_KEY.encode(), b"upward.surveys.pseudonym.v1", hashlib.sha256
    ).digest()
    return hmac.new(
        key, f"{namespace}{programme_id}:{person_id}".encode(), hashlib.sha256
    ).hexdigest()


def _legacy(survey: Survey, alias: str, *, item: str = "", **extra: Any) -> Response:
    response = Response.objects.create(
        survey=survey, is_anonymous=True, pseudonym=alias, role="mentee", **extra
    )
    questions = survey.questions.filter(kind="likert")
    question = (questions.filter(item_key=item) if item else questions).first()
    assert question is not None
    Answer.objects.create(response=response, question=question, number=3)
    return response


def test_old_pseudonyms_are_rekeyed_so_pairs_still_pair(world, pairs):  # type: ignore[no-untyped-def]
    programme = world.programme
    start = open_template(programme, "digital-skills-start")
    end = open_template(programme, "digital-skills-end")
    sessions = open_template(programme, "session-feedback")
    senior: Person = world.senior
    for survey in (start, end):
        Submission.objects.create(survey=survey, person=senior)
        _legacy(survey, _old(programme.pk, senior.pk), item="confidence-digital")
        # Someone since deleted: nobody can be found for their pseudonym.
        _legacy(survey, _old(programme.pk, 999_999), item="confidence-digital")
    _legacy(sessions, _old(programme.pk, senior.pk), occasion_key="x" * 64)
    _legacy(sessions, _old(programme.pk, senior.pk), occasion_key="y" * 64)
    migration = importlib.import_module(
        "upward.surveys.migrations.0003_pseudonym_salt_pending_responses"
    )
    forget_salts()
    migration.rekey(django_apps, None)
    new = pseudonym(person_id=senior.pk, programme_id=programme.pk)
    mine = {r.survey_id for r in Response.objects.filter(pseudonym=new)}
    assert mine == {start.pk, end.pk}  # the start and end answers still pair
    orphans = {
        r.pseudonym for r in Response.objects.filter(survey__in=[start, end]).exclude(pseudonym=new)
    }
    assert len(orphans) == 1  # still pair with each other, under a random name
    assert _old(programme.pk, 999_999) not in orphans
    session_rows = list(Response.objects.filter(survey=sessions))
    assert {r.occasion_key for r in session_rows} == {""} and len(
        {r.pseudonym for r in session_rows}
    ) == 2
    # Nothing is left that SECRET_KEY can recompute, and no answer was lost.
    olds = {_old(programme.pk, p) for p in (senior.pk, 999_999)}
    assert not Response.objects.filter(pseudonym__in=olds).exists()
    assert Answer.objects.count() == 6 and Response.objects.count() == 6
    settle(start, end)
    item = next(
        p
        for p in selectors.programme_outcomes(programme).paired
        if p.item_key == "confidence-digital"
    )
    assert item.n == 2


def test_rows_keep_a_department_only_when_enough_of_it_answered(world):  # type: ignore[no-untyped-def]
    """Five accepted mentees in a department, but only two answer: their rows must not say the
    department, or anyone who can see who answered (Submissions) narrows each row to two."""
    _active(world)
    team = DepartmentFactory(organisation=world.org, name="Data team")
    people = participants(world.programme, 5, role="mentee", prefix="Team", department=team)
    survey = open_template(world.programme, "generational-start")
    for person in people[:2]:
        answer(survey, person, today=START_DAY)
    settle(survey)
    assert list(Response.objects.filter(survey=survey).values_list("department_id", flat=True)) == [
        None,
        None,
    ]

    # When all five have answered, the department is kept (one row in five).
    second = open_template(world.programme, "generational-end")
    for person in people:
        answer(second, person, today=END_DAY)
    settle(second)
    assert set(Response.objects.filter(survey=second).values_list("department_id", flat=True)) == {
        team.pk
    }
