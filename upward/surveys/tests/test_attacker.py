"""The attacker test: someone with the whole database and every setting except
SURVEY_PSEUDONYM_SECRET tries to link anonymous answers to the people who gave them.

They can read every table (decrypting what ENCRYPTION_KEYS decrypts), row ids, the physical order
of rows (SQLite's rowid, PostgreSQL's ctid), the times on Submissions and inside Fernet tokens,
the groups kept on each answer, and they can recompute pseudonyms with every key they can make
from SECRET_KEY, the organisation's salt and the development secret. Against answers written the
way they were before issue 15 (`_old_submit` below) the same attacks link everyone; against
today's they must do no better than chance.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from upward.organisations.models import Person
from upward.programmes.models import Programme
from upward.surveys import selectors, services
from upward.surveys.models import (
    Answer,
    PendingResponse,
    PseudonymSalt,
    Response,
    Submission,
    Survey,
)
from upward.surveys.pseudonyms import derive_key
from upward.surveys.tests.helpers import START_DAY, full_answers, participants
from upward.testing.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

PEOPLE = 20
# With 20 guesses at chance, the number right is about Poisson(1): 7 or more happens about
# once in 10,000 runs. Any real link (order, time, pseudonym) scores 18-20.
CHANCE_BOUND = 6


# ---------------------------------------------------------------- the world


def _survey(programme: Programme) -> Survey:
    survey = services.create_survey(
        programme, title="Start", timing="start", audience="both", is_anonymous=True, by=None
    )
    services.add_question(survey, text="Confidence", kind="likert", item_key="conf", by=None)
    services.add_question(survey, text="Anything else?", kind="text", item_key="words", by=None)
    return services.open_survey(survey, by=None)


def _cohort(world: Any) -> list[Person]:
    """Twenty people; two of them in a department of their own (an attribute that would single
    them out)."""
    programme = world.programme
    programme.state = "active"
    programme.save(update_fields=["state"])
    big = DepartmentFactory(organisation=world.org, name="Operations")
    tiny = DepartmentFactory(organisation=world.org, name="Legal")
    people = participants(programme, PEOPLE - 2, role="mentee", prefix="Quiet", department=big)
    people += participants(programme, 2, role="mentee", prefix="Rare", department=tiny)
    return people


def _due(survey: Survey, person: Person) -> selectors.DueSurvey:
    return next(
        d for d in selectors.survey_occasions(person, today=START_DAY) if d.survey.pk == survey.pk
    )


def _answer_all(survey: Survey, people: list[Person], submit: Callable[..., Any]) -> dict[str, int]:
    """Everyone answers, a minute apart; returns the scoring key (answer text → person id)."""
    truth = {}
    moment = dt.datetime(2027, 1, 12, 9, 0, tzinfo=dt.UTC)
    for i, person in enumerate(people):
        words = f"view-{secrets.token_hex(4)}"
        truth[words] = person.pk
        answers = full_answers(survey, conf=1 + i % 5, words=words)
        with time_machine.travel(moment + dt.timedelta(minutes=i), tick=False):
            submit(_due(survey, person), person=person, answers=answers)
    return truth


def _old_submit(due: selectors.DueSurvey, *, person: Person, answers: dict[int, Any]) -> None:
    """How an anonymous answer was stored before issue 15: the Submission, then at once the
    Response (pseudonym keyed from SECRET_KEY, the person's department) and its Answers."""
    survey = due.survey
    cleaned = services.clean_answers(list(survey.questions.order_by("position", "pk")), answers)
    Submission.objects.create(survey=survey, person=person, occasion=due.occasion)
    key = hmac.new(
        settings.SECRET_KEY.encode(), b"upward.surveys.pseudonym.v1", hashlib.sha256
    ).digest()
    alias = hmac.new(key, f"{survey.programme_id}:{person.pk}".encode(), hashlib.sha256)
    response = Response.objects.create(
        survey=survey,
        is_anonymous=True,
        pseudonym=alias.hexdigest(),
        role=due.role,
        department_id=person.department_id,
    )
    Answer.objects.bulk_create(
        Answer(response=response, question_id=question_id, **values)
        for question_id, values in cleaned.items()
    )


# ---------------------------------------------------------------- the attacker


def _physical(table: str, where: str, params: list[Any]) -> list[Any]:
    """Rows' ids in the order they sit in the table."""
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {where} ORDER BY {order}", params)  # noqa: S608 (fixed names)
        return [row[0] for row in cursor.fetchall()]


def _unordered(table: str, where: str, params: list[Any]) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {where}", params)  # noqa: S608 (fixed names)
        return [row[0] for row in cursor.fetchall()]


def _as_uuid(value: Any) -> str:
    return str(value).replace("-", "")


def _fernet_time(token: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(token.encode())
    except ValueError:
        return None
    if len(raw) < 9 or raw[0] != 0x80:
        return None
    return int.from_bytes(raw[1:9], "big")


def _candidate_keys(survey: Survey) -> list[bytes]:
    salts = [s.salt for s in PseudonymSalt.objects.all()]
    keys = [
        hmac.new(
            settings.SECRET_KEY.encode(), b"upward.surveys.pseudonym.v1", hashlib.sha256
        ).digest(),
        settings.SECRET_KEY.encode(),
        str(settings.DEV_SURVEY_PSEUDONYM_SECRET).encode(),
    ]
    for salt in salts:
        keys += [
            derive_key(settings.SECRET_KEY, salt),
            derive_key(str(settings.DEV_SURVEY_PSEUDONYM_SECRET), salt),
            derive_key("", salt),
            salt.encode(),
            hmac.new(settings.SECRET_KEY.encode(), salt.encode(), hashlib.sha256).digest(),
        ]
    return keys


def attack(survey: Survey) -> dict[str, dict[str, int]]:
    """Every strategy's guess: response id → person id."""
    submissions = list(Submission.objects.filter(survey=survey))
    sub_by_id = {s.pk: s for s in submissions}
    people_by = {
        "submission rowid": [
            sub_by_id[i].person_id
            for i in _physical("surveys_submission", "survey_id = %s", [survey.pk])
        ],
        "submission time": [s.person_id for s in sorted(submissions, key=lambda s: s.submitted_at)],
        "submission id": [s.person_id for s in sorted(submissions, key=lambda s: s.pk)],
    }
    responses = {_as_uuid(r.pk): r for r in Response.objects.filter(survey=survey)}
    answer_order: list[str] = []
    for answer_id in _physical(
        "surveys_answer",
        "question_id IN (SELECT id FROM surveys_question WHERE survey_id = %s)",
        [survey.pk],
    ):
        response_id = _as_uuid(Answer.objects.get(pk=answer_id).response_id)
        if response_id not in answer_order:
            answer_order.append(response_id)
    response_orders = {
        "rowid": [
            _as_uuid(i) for i in _physical("surveys_response", "survey_id = %s", [survey.pk])
        ],
        "no order": [
            _as_uuid(i) for i in _unordered("surveys_response", "survey_id = %s", [survey.pk])
        ],
        "id": sorted(responses),
        "answer rowid": answer_order,
    }
    guesses: dict[str, dict[str, int]] = {}
    for rname, order in response_orders.items():
        for sname, persons in people_by.items():
            guesses[f"{rname} ~ {sname}"] = dict(zip(order, persons, strict=False))
    # Times inside Fernet tokens of the answers' encrypted text, against submission times.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT response_id, text FROM surveys_answer WHERE text != '' AND question_id IN "
            "(SELECT id FROM surveys_question WHERE survey_id = %s)",
            [survey.pk],
        )
        tokens = cursor.fetchall()
    by_time: dict[str, int] = {}
    for response_id, token in tokens:
        stamp = _fernet_time(str(token))
        if stamp is not None:
            nearest = min(submissions, key=lambda s: abs(s.submitted_at.timestamp() - stamp))
            by_time[_as_uuid(response_id)] = nearest.person_id
    guesses["fernet time ~ submission time"] = by_time
    # Groups kept on the answer: among the people with the same role and department, the first
    # one not yet taken, in order of answering.
    people = Person.objects.in_bulk([s.person_id for s in submissions])
    taken: set[int] = set()
    by_group: dict[str, int] = {}
    for rid in response_orders["rowid"]:
        response = responses[rid]
        for person_id in people_by["submission time"]:
            if person_id in taken:
                continue
            if response.department_id in (None, people[person_id].department_id):
                by_group[rid] = person_id
                taken.add(person_id)
                break
    guesses["groups ~ order"] = by_group
    # Recomputed pseudonyms.
    by_alias = {}
    for key in _candidate_keys(survey):
        for person_id in people:
            for namespace in ("", "identified:"):
                message = f"{namespace}{survey.programme_id}:{person_id}".encode()
                by_alias[hmac.new(key, message, hashlib.sha256).hexdigest()] = person_id
    guesses["recomputed pseudonym"] = {
        rid: by_alias[r.pseudonym] for rid, r in responses.items() if r.pseudonym in by_alias
    }
    return guesses


def _truth(survey: Survey, words_to_person: dict[str, int]) -> dict[str, int]:
    found = {}
    for answer in Answer.objects.filter(question__survey=survey, question__kind="text"):
        found[_as_uuid(answer.response_id)] = words_to_person[answer.text]
    return found


def _scores(survey: Survey, words_to_person: dict[str, int]) -> dict[str, int]:
    truth = _truth(survey, words_to_person)
    assert len(truth) == PEOPLE
    return {
        name: sum(1 for rid, person_id in guess.items() if truth.get(rid) == person_id)
        for name, guess in attack(survey).items()
    }


# ---------------------------------------------------------------- the tests


def test_the_attack_links_everyone_stored_the_old_way(world):  # type: ignore[no-untyped-def]
    """The attacker is real: against the pre-issue-15 storage it names every author."""
    people = _cohort(world)
    survey = _survey(world.programme)
    words = _answer_all(survey, people, _old_submit)
    scores = _scores(survey, words)
    assert scores["rowid ~ submission rowid"] == PEOPLE
    assert scores["rowid ~ submission time"] == PEOPLE
    assert scores["recomputed pseudonym"] == PEOPLE
    assert scores["groups ~ order"] == PEOPLE


def test_the_attack_does_no_better_than_chance_on_a_batch_of_twenty(world, settings):  # type: ignore[no-untyped-def]
    # The attacker holds every setting but this one.
    settings.SURVEY_PSEUDONYM_SECRET = secrets.token_urlsafe(48)
    settings.UPWARD_MIN_GROUP_SIZE = PEOPLE
    people = _cohort(world)
    survey = _survey(world.programme)
    words = _answer_all(survey, people, services.submit_response)
    # Nothing is written while they answer: twenty wait, and no batch forms below 2 x 20.
    assert Response.objects.filter(survey=survey).count() == 0
    assert PendingResponse.objects.filter(survey=survey).count() == PEOPLE
    services.close_survey(survey, by=None)
    assert PendingResponse.objects.filter(survey=survey).count() == 0
    scores = _scores(survey, words)
    assert scores["recomputed pseudonym"] == 0
    # "Rare" people's department (2 people) was not kept, so it cannot single them out.
    assert not Response.objects.filter(survey=survey, department__isnull=False).exists()
    for name, right in scores.items():
        assert right <= CHANCE_BOUND, (name, right)
    # The rows are not in the order people answered (a 1 in 20! chance of being so by luck).
    texts = {
        _as_uuid(a.response_id): a.text
        for a in Answer.objects.filter(question__survey=survey, question__kind="text")
    }
    physical = _physical("surveys_response", "survey_id = %s", [survey.pk])
    assert [words[texts[_as_uuid(rid)]] for rid in physical] != [p.pk for p in people]


def test_the_attack_does_no_better_than_chance_on_waiting_answers(world, settings):  # type: ignore[no-untyped-def]
    """A copy taken while answers wait: the attacker decrypts the buffer (they hold
    ENCRYPTION_KEYS) and tries its physical order and ids against the Submissions."""
    settings.SURVEY_PSEUDONYM_SECRET = secrets.token_urlsafe(48)
    settings.UPWARD_MIN_GROUP_SIZE = PEOPLE
    people = _cohort(world)
    survey = _survey(world.programme)
    words = _answer_all(survey, people, services.submit_response)
    submission_order = [
        s.person_id for s in Submission.objects.filter(survey=survey).order_by("pk")
    ]
    word_question = survey.questions.get(item_key="words").pk
    rows = {_as_uuid(pk): row for pk, row in PendingResponse.objects.in_bulk().items()}
    assert len(rows) == PEOPLE
    for order in (
        _physical("surveys_pendingresponse", "survey_id = %s", [survey.pk]),
        _unordered("surveys_pendingresponse", "survey_id = %s", [survey.pk]),
        sorted(rows),
    ):
        authors = []
        for pk in order:
            payload = json.loads(rows[_as_uuid(pk)].payload)
            text = {int(q): v for q, v in payload["answers"]}[word_question]["text"]
            authors.append(words[text])
        right = sum(1 for a, b in zip(authors, submission_order, strict=True) if a == b)
        assert right <= CHANCE_BOUND, right
    # Every token was made in the same moment (the last rewrite), so their times say nothing.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT payload FROM surveys_pendingresponse WHERE survey_id = %s", [survey.pk]
        )
        stamps = {_fernet_time(row[0]) for row in cursor.fetchall()}
    assert len(stamps) == 1
