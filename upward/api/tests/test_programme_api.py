"""The programme-side API with real tokens: who sees which programme, application, pairing,
meeting, goal and task; scopes; filters and paging; decisions through the recruitment service;
goals and tasks written through the goals services; survey results suppressed as on the page;
and private text (notes, messages, concerns, pulse text, application text, closing reasons,
agendas) in no answer at all."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from upward.accounts.models import ApiToken, TokenScope
from upward.accounts.tokens import PERSONAL_SCOPES, SERVICE_SCOPES, issue_token
from upward.core.models import AuditEvent
from upward.goals import services as goal_services
from upward.goals.models import Goal, Task
from upward.journey.models import Meeting, MeetingAgendaItem, MeetingStatus
from upward.notes import services as note_services
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.recruitment.models import Application
from upward.safety import services as safety_services
from upward.surveys.tests.helpers import (
    END_DAY,
    START_DAY,
    answer,
    open_template,
    participants,
    settle,
)
from upward.testing.factories import person_with_account
from upward.testing.pairs import accepted, active_pairing, build_pairs

pytestmark = pytest.mark.django_db

MARKER = "PRIVATE-MARKER-api-9c1e"
NOW = dt.datetime(2027, 3, 15, 12, 0, tzinfo=dt.UTC)
BEGAN = dt.datetime(2027, 1, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pairs(world, clock):  # type: ignore[no-untyped-def]
    world.programme.state = "active"
    world.programme.save(update_fields=["state"])
    return build_pairs(world, since=BEGAN)


def personal(person: Person, scopes: Any = PERSONAL_SCOPES) -> Client:
    _token, secret = issue_token(
        kind=ApiToken.Kind.PERSONAL,
        organisation=person.organisation,
        name="test",
        scopes=list(scopes),
        by=person.user,
        user=person.user,
    )
    return Client(headers={"Authorization": f"Bearer {secret}"})


def service(organisation: Any, scopes: Any = SERVICE_SCOPES) -> Client:
    _token, secret = issue_token(
        kind=ApiToken.Kind.SERVICE,
        organisation=organisation,
        name="HR sync",
        scopes=list(scopes),
        by=None,
    )
    return Client(headers={"Authorization": f"Bearer {secret}"})


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def url(name: str, *args: Any) -> str:
    return reverse(f"api:{name}", args=args)


# ---------------------------------------------------------------------------------------------
# Programmes


def test_programmes_each_caller_sees(world, pairs):
    both = {world.programme.pk, world.other_programme.pk}
    assert ids(personal(world.admin).get(url("programme-list"))) == both
    assert ids(service(world.org).get(url("programme-list"))) == both
    assert ids(personal(world.manager).get(url("programme-list"))) == {world.programme.pk}
    # A participant sees the programme they take part in; someone with no role sees none.
    assert ids(personal(world.applicant).get(url("programme-list"))) == {world.programme.pk}
    loner = person_with_account(organisation=world.org, full_name="Nia Nobody")
    assert ids(personal(loner).get(url("programme-list"))) == set()
    assert ids(service(world.outsider_admin.organisation).get(url("programme-list"))) == set()


def test_programme_detail_is_404_outside_access(world, pairs):
    detail = url("programme-detail", world.programme.pk)
    response = personal(world.manager).get(detail)
    assert response.status_code == 200
    assert response.json()["name"] == world.programme.name
    assert "signup_token" not in response.json()
    other = url("programme-detail", world.other_programme.pk)
    answer_ = personal(world.manager).get(other)
    assert answer_.status_code == 404
    assert answer_.json()["error"]["code"] == "not_found"
    assert personal(world.outsider_admin).get(detail).status_code == 404
    assert service(world.outsider_admin.organisation).get(detail).status_code == 404
    assert Client().get(detail).status_code == 401


def test_programme_filters_and_paging(world, pairs):
    client = service(world.org)
    assert ids(client.get(url("programme-list"), {"state": "active"})) == {world.programme.pk}
    world.other_programme.refresh_from_db()
    assert ids(client.get(url("programme-list"), {"state": world.other_programme.state})) == {
        world.other_programme.pk
    }
    later = (NOW + dt.timedelta(days=1)).isoformat()
    assert ids(client.get(url("programme-list"), {"updated_since": later})) == set()
    bad = client.get(url("programme-list"), {"state": "flying"})
    assert bad.status_code == 400
    assert "state" in bad.json()["error"]["fields"]
    page = client.get(url("programme-list"), {"page_size": 1})
    body = page.json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    assert client.get(url("programme-list"), {"page": 9}).status_code == 404


def test_programmes_are_read_only(world, pairs):
    client = service(world.org)
    response = client.post(url("programme-list"), {"name": "X"}, content_type="application/json")
    assert response.status_code == 405
    response = client.patch(
        url("programme-detail", world.programme.pk), {"name": "X"}, content_type="application/json"
    )
    assert response.status_code == 405
    world.programme.refresh_from_db()
    assert world.programme.name != "X"


def test_scopes_are_required(world, pairs):
    client = personal(world.admin, scopes=[TokenScope.ME_READ])
    response = client.get(url("programme-list"))
    assert response.status_code == 403
    assert "programmes:read" in response.json()["error"]["message"]
    reports = personal(world.admin, scopes=[TokenScope.PROGRAMMES_READ])
    assert reports.get(url("programme-survey-results", world.programme.pk)).status_code == 403
    refused = reports.get(url("programme-report", world.programme.pk))
    assert refused.status_code == 403
    assert "reports:read" in refused.json()["error"]["message"]
    scoped = personal(world.admin, scopes=[TokenScope.REPORTS_READ])
    assert scoped.get(url("programme-report", world.programme.pk)).status_code == 200
    me = personal(world.applicant, scopes=[TokenScope.PROGRAMMES_READ])
    assert me.get(url("my-goal-list")).status_code == 403


# ---------------------------------------------------------------------------------------------
# Applications, participants


def test_applications_for_the_team_only(world, pairs):
    listing = url("application-list", world.programme.pk)
    expected = set(
        Application.objects.filter(programme=world.programme).values_list("pk", flat=True)
    )
    assert ids(personal(world.manager).get(listing)) == expected
    assert ids(personal(world.admin).get(listing)) == expected
    assert ids(service(world.org).get(listing)) == expected
    # A participant, the manager of another programme and another organisation: 404.
    assert personal(world.applicant).get(listing).status_code == 404
    assert personal(world.other_manager).get(listing).status_code == 404
    assert service(world.outsider_admin.organisation).get(listing).status_code == 404
    one = personal(world.manager).get(listing, {"role": "mentor"}).json()["results"][0]
    assert set(one) == {
        "id",
        "programme",
        "person",
        "role",
        "status",
        "submitted_at",
        "reviewed_at",
        "updated_at",
    }


def test_decision_through_the_recruitment_service(world, clock, django_capture_on_commit_callbacks):
    programme = world.programme
    programme.state = "recruiting"
    programme.save(update_fields=["state"])
    application = Application.objects.create(
        programme=programme,
        person=world.other_applicant,
        role="mentor",
        motivation="Me",
        consent_terms=True,
    )
    path = url("application-decision", programme.pk, application.pk)
    client = service(world.org)
    refused = client.post(path, {"decision": "declined"}, content_type="application/json")
    assert refused.status_code == 400
    assert "reason" in refused.json()["error"]["fields"]
    bad = client.post(path, {"decision": "maybe"}, content_type="application/json")
    assert bad.status_code == 400 and "decision" in bad.json()["error"]["fields"]
    read_only = service(world.org, scopes=[TokenScope.PROGRAMMES_READ])
    assert (
        read_only.post(path, {"decision": "accepted"}, content_type="application/json").status_code
        == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            path, {"decision": "declined", "reason": MARKER}, content_type="application/json"
        )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "declined"
    assertNotContains(done, MARKER)
    application.refresh_from_db()
    assert application.status == "declined"
    assert AuditEvent.objects.filter(verb="application.decided").exists()
    via = AuditEvent.objects.get(verb="api.application_decided")
    assert via.data["via"] == "api" and via.data["token"]["name"] == "HR sync"
    assert MARKER not in str(via.data)
    assert len(mail.outbox) == 1
    again = client.post(path, {"decision": "accepted"}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    # Another programme's manager cannot decide: 404, and nothing changes.
    other = personal(world.other_manager).post(
        path, {"decision": "accepted"}, content_type="application/json"
    )
    assert other.status_code == 404


def test_participants(world, pairs):
    listing = url("participant-list", world.programme.pk)
    names = {
        p["person"]["full_name"] for p in personal(world.manager).get(listing).json()["results"]
    }
    assert names == {"Jess Junior", "Sam Senior", "Kai Keen", "Sofia Strand"}
    assert personal(world.senior).get(listing).status_code == 404
    roles = personal(world.manager).get(listing, {"role": "mentee"}).json()["results"]
    assert {p["role"] for p in roles} == {"mentee"}


# ---------------------------------------------------------------------------------------------
# Pairings and meetings


def test_pairings_state_only_and_own_for_participants(world, pairs):
    listing = url("pairing-list", world.programme.pk)
    both = {pairs.pairing.pk, pairs.other.pk}
    assert ids(personal(world.manager).get(listing)) == both
    assert ids(service(world.org).get(listing)) == both
    assert ids(personal(world.applicant).get(listing)) == {pairs.pairing.pk}
    assert ids(personal(world.senior).get(listing)) == {pairs.pairing.pk}
    assert (
        personal(world.applicant)
        .get(url("pairing-detail", world.programme.pk, pairs.other.pk))
        .status_code
        == 404
    )
    assert personal(world.other_manager).get(listing).status_code == 404
    item = personal(world.manager).get(url("pairing-detail", world.programme.pk, pairs.pairing.pk))
    assert set(item.json()) == {
        "id",
        "programme",
        "mentor",
        "mentee",
        "state",
        "proposed_at",
        "started_at",
        "ended_at",
        "updated_at",
    }
    assert item.json()["mentor"] == world.applicant.pk


def test_a_proposal_is_hidden_from_the_mentee_until_told(world, clock):
    world.programme.state = "matching"
    world.programme.save(update_fields=["state"])
    accepted(world.programme, world.applicant, "mentor")
    accepted(world.programme, world.senior, "mentee")
    proposal = Pairing.objects.create(
        programme=world.programme,
        mentor=world.applicant,
        mentee=world.senior,
        respond_by=NOW + dt.timedelta(days=7),
    )
    listing = url("pairing-list", world.programme.pk)
    assert ids(personal(world.applicant).get(listing)) == {proposal.pk}
    assert ids(personal(world.senior).get(listing)) == set()


def _meeting(pairing: Pairing, when: dt.datetime, **extra: Any) -> Meeting:
    return Meeting.objects.create(
        pairing=pairing,
        starts_at=when,
        ends_at=when + dt.timedelta(hours=1),
        duration_minutes=60,
        organiser=pairing.mentee,
        **extra,
    )


def test_meetings(world, pairs):
    mine = _meeting(
        pairs.pairing, NOW - dt.timedelta(days=3), status=MeetingStatus.HELD, actual_minutes=60
    )
    theirs = _meeting(pairs.other, NOW + dt.timedelta(days=3))
    assert ids(personal(world.applicant).get(url("meeting-list"))) == {mine.pk}
    assert ids(personal(world.manager).get(url("meeting-list"))) == {mine.pk, theirs.pk}
    assert ids(service(world.org).get(url("meeting-list"))) == {mine.pk, theirs.pk}
    assert ids(personal(world.other_manager).get(url("meeting-list"))) == set()
    assert personal(world.applicant).get(url("meeting-detail", theirs.pk)).status_code == 404
    assert ids(personal(world.manager).get(url("meeting-list"), {"status": "held"})) == {mine.pk}
    assert ids(
        personal(world.manager).get(url("meeting-list"), {"starts_after": NOW.isoformat()})
    ) == {theirs.pk}
    # me:read alone: the caller's own meetings, also for a programme's manager.
    own = personal(world.manager, scopes=[TokenScope.ME_READ])
    assert ids(own.get(url("meeting-list"))) == set()
    assert ids(personal(world.applicant, [TokenScope.ME_READ]).get(url("meeting-list"))) == {
        mine.pk
    }
    assert (
        personal(world.applicant, [TokenScope.ME_WRITE]).get(url("meeting-list")).status_code == 403
    )


# ---------------------------------------------------------------------------------------------
# The caller's own goals and tasks


def test_goals_are_the_pairs_own(world, pairs):
    goal = goal_services.create_goal(
        pairs.pairing,
        owner=world.senior,
        statement="Run a retro with a whiteboard",
        measure="Two retros done",
        target_date=NOW.date() + dt.timedelta(days=30),
        person=world.senior,
    )
    other_goal = goal_services.create_goal(
        pairs.other,
        owner=pairs.other.mentee,
        statement="Other pair's goal",
        measure="Done",
        target_date=NOW.date() + dt.timedelta(days=30),
        person=pairs.other.mentee,
    )
    assert ids(personal(world.applicant).get(url("my-goal-list"))) == {goal.pk}
    assert ids(personal(world.senior).get(url("my-goal-list"))) == {goal.pk}
    # The programme team never reads goal text, through the API neither.
    assert ids(personal(world.manager).get(url("my-goal-list"))) == set()
    assert ids(personal(world.admin).get(url("my-goal-list"))) == set()
    assert personal(world.applicant).get(url("my-goal-detail", other_goal.pk)).status_code == 404
    assert (
        service(world.org, scopes=[TokenScope.PROGRAMMES_READ]).get(url("my-goal-list")).status_code
        == 403
    )


def test_goal_and_task_writes(world, pairs):
    client = personal(world.applicant)
    due = (NOW.date() + dt.timedelta(days=14)).isoformat()
    made = client.post(
        url("my-goal-list"),
        {
            "pairing": pairs.pairing.pk,
            "statement": "Lead a stand-up",
            "measure": "Led three",
            "target_date": due,
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    goal = Goal.objects.get(pk=made.json()["id"])
    assert goal.owner == world.applicant and goal.statement == "Lead a stand-up"
    assert AuditEvent.objects.filter(verb="goals.goal_created").exists()
    assert AuditEvent.objects.get(verb="api.goal_created").data["via"] == "api"
    # Bad input: a clear 400, nothing written.
    no_measure = client.post(
        url("my-goal-list"),
        {"pairing": pairs.pairing.pk, "statement": "x", "measure": " ", "target_date": due},
        content_type="application/json",
    )
    assert no_measure.status_code == 400 and "measure" in no_measure.json()["error"]["fields"]
    past = client.post(
        url("my-goal-list"),
        {
            "pairing": pairs.pairing.pk,
            "statement": "x",
            "measure": "y",
            "target_date": "2020-01-01",
        },
        content_type="application/json",
    )
    assert past.status_code == 400 and "target_date" in past.json()["error"]["fields"]
    others = client.post(
        url("my-goal-list"),
        {"pairing": pairs.other.pk, "statement": "x", "measure": "y", "target_date": due},
        content_type="application/json",
    )
    assert others.status_code == 400 and "pairing" in others.json()["error"]["fields"]
    stranger = client.post(
        url("my-goal-list"),
        {
            "pairing": pairs.pairing.pk,
            "owner": world.manager.pk,
            "statement": "x",
            "measure": "y",
            "target_date": due,
        },
        content_type="application/json",
    )
    assert stranger.status_code == 400 and "owner" in stranger.json()["error"]["fields"]
    assert Goal.objects.count() == 1
    # me:read cannot write.
    read_only = personal(world.applicant, [TokenScope.ME_READ])
    assert (
        read_only.patch(
            url("my-goal-detail", goal.pk), {"progress": 50}, content_type="application/json"
        ).status_code
        == 403
    )
    updated = client.patch(
        url("my-goal-detail", goal.pk),
        {"progress": 40, "status": "in_progress"},
        content_type="application/json",
    )
    assert updated.status_code == 200 and updated.json()["progress"] == 40
    too_far = client.patch(
        url("my-goal-detail", goal.pk), {"progress": 140}, content_type="application/json"
    )
    assert too_far.status_code == 400
    nothing = client.patch(url("my-goal-detail", goal.pk), {}, content_type="application/json")
    assert nothing.status_code == 400
    assert "at least one field" in str(nothing.json()["error"]["fields"])
    # Tasks: the partner adds one for themselves, then marks it done, twice.
    partner = personal(world.senior)
    task = partner.post(
        url("my-task-list"),
        {"goal": goal.pk, "title": "Book a room", "due_on": due},
        content_type="application/json",
    )
    assert task.status_code == 201, task.content
    task_id = task.json()["id"]
    assert Task.objects.get(pk=task_id).owner == world.senior
    assert ids(client.get(url("my-task-list"), {"done": "false"})) == {task_id}
    done = partner.patch(
        url("my-task-detail", task_id), {"done": True}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["done"] is True
    twice = partner.patch(
        url("my-task-detail", task_id), {"done": True}, content_type="application/json"
    )
    assert twice.status_code == 409
    assert ids(client.get(url("my-task-list"), {"done": "true"})) == {task_id}
    # Another pair's person: 404 on the task, and it stays.
    kai = personal(world.other_applicant)
    assert kai.delete(url("my-task-detail", task_id)).status_code == 404
    assert partner.delete(url("my-task-detail", task_id)).status_code == 204
    assert client.delete(url("my-goal-detail", goal.pk)).status_code == 204
    assert AuditEvent.objects.filter(verb="api.goal_deleted", object_id=str(goal.pk)).exists()
    assert not Goal.objects.exists()


def test_a_finished_pairing_is_read_only(world, pairs):
    goal = goal_services.create_goal(
        pairs.pairing,
        owner=world.senior,
        statement="Goal",
        measure="Measure",
        target_date=NOW.date() + dt.timedelta(days=30),
        person=world.senior,
    )
    Pairing.objects.filter(pk=pairs.pairing.pk).update(state="completed")
    client = personal(world.senior)
    assert ids(client.get(url("my-goal-list"))) == {goal.pk}
    response = client.patch(
        url("my-goal-detail", goal.pk), {"progress": 10}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "finished" in response.json()["error"]["message"]


# ---------------------------------------------------------------------------------------------
# Survey results, suppressed as on the outcomes page

SIX = [(2, 4), (3, 3), (1, 3), (4, 5), (2, 2), (3, 4)]


def test_survey_results_suppress_small_groups(world):
    programme = world.programme
    programme.state = "active"
    programme.save(update_fields=["state"])
    mentees = participants(programme, 6, role="mentee", prefix="Lead")
    mentors = participants(programme, 2, role="mentor", prefix="Junior")
    start = open_template(programme, "generational-start")
    end = open_template(programme, "generational-end")
    for person, (before, after) in zip(mentees + mentors, [*SIX, (1, 5), (2, 5)], strict=True):
        answer(start, person, today=START_DAY, understanding_generations=before)
        answer(end, person, today=END_DAY, understanding_generations=after)
    settle(start, end)
    path = url("programme-survey-results", programme.pk)
    response = personal(world.manager).get(path)
    assert response.status_code == 200, response.content
    body = response.json()
    item = next(
        p
        for p in body["paired"]
        if p["item_key"] == "understanding-generations" and p["timing"] == "end"
    )
    assert item["n"] == 8 and item["suppressed"] is False
    assert item["change"]["improved_percent"] == 75
    by_role = next(b for b in item["breakdowns"] if "role" in b["title"].lower())
    # Two mentors are too few, and six mentees would give them away: both hidden.
    assert [c["suppressed"] for c in by_role["cells"]] == [True, True]
    assert all(c["n"] is None and c["change"] is None for c in by_role["cells"])
    assert service(world.org).get(path).status_code == 200
    assert personal(mentees[0]).get(path).status_code == 404
    assert personal(world.other_manager).get(path).status_code == 404


def test_survey_results_of_a_small_programme_are_hidden(world):
    programme = world.programme
    programme.state = "active"
    programme.save(update_fields=["state"])
    few = participants(programme, 3, role="mentee", prefix="Few")
    start = open_template(programme, "generational-start")
    end = open_template(programme, "generational-end")
    for person in few:
        answer(start, person, today=START_DAY, understanding_generations=2)
        answer(end, person, today=END_DAY, understanding_generations=4)
    settle(start, end)
    body = personal(world.manager).get(url("programme-survey-results", programme.pk)).json()
    assert body["respondents"] is None and body["respondents_suppressed"] is True
    item = next(p for p in body["paired"] if p["item_key"] == "understanding-generations")
    assert item["suppressed"] is True and item["n"] is None and item["change"] is None


# ---------------------------------------------------------------------------------------------
# The programme report


def test_programme_report_for_the_report_pages_readers(world, pairs):
    path = url("programme-report", world.programme.pk)
    response = personal(world.manager).get(path)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["programme"] == world.programme.pk
    assert body["engagement"]["pairs"] >= 1
    assert {row["stage"] for row in body["funnel"]} >= {"invited", "applied", "matched"}
    assertNotContains(response, "<svg")
    assert "<" not in body["verdict"]["reason"]
    assert personal(world.admin).get(path).status_code == 200
    assert service(world.org).get(path).status_code == 200
    # Not of their programme, taking part only, or another organisation: no such programme.
    for client in (
        personal(world.other_manager),
        personal(pairs.mentor),
        personal(pairs.mentee),
        service(world.outsider_admin.organisation),
        personal(world.outsider_admin),
    ):
        refused = client.get(path)
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "not_found"
    assert Client().get(path).status_code == 401


def test_programme_report_hides_small_groups(world, pairs):
    safety_services.submit_pulse(
        _meeting(
            pairs.pairing,
            NOW - dt.timedelta(days=2),
            status=MeetingStatus.HELD,
            actual_minutes=60,
        ),
        person=pairs.mentor,
        spoke_openly=1,
        felt_listened_to=1,
        worth_my_time=1,
        wants_support=False,
        comment="",
        by=pairs.mentor.user,
    )
    few = participants(world.programme, 3, role="mentee", prefix="Few")
    start = open_template(world.programme, "generational-start")
    end = open_template(world.programme, "generational-end")
    for person in few:
        answer(start, person, today=START_DAY, understanding_generations=2)
        answer(end, person, today=END_DAY, understanding_generations=4)
    settle(start, end)
    for client in (personal(world.manager), service(world.org)):
        body = client.get(url("programme-report", world.programme.pk)).json()
        rows = body["outcomes"]["rows"]
        assert rows and all(r["suppressed"] and r["n"] is None and not r["change"] for r in rows)
        assert body["outcomes"]["respondents"] is None
        assert body["outcomes"]["respondents_suppressed"] is True
        pulse = body["pulse"]
        assert pulse["suppressed"] is True
        assert pulse["responses"] is None and pulse["spoke_openly"] is None
        assert body["verdict"]["change"] is None
        engagement = body["engagement"]
        # Fewer than five pairs at risk, for a reader without safety access: hidden.
        assert engagement["at_risk_judged"] is True
    service_body = service(world.org).get(url("programme-report", world.programme.pk)).json()
    assert service_body["engagement"]["at_risk"] is None
    assert service_body["engagement"]["at_risk_suppressed"] is True
    assert service_body["engagement"]["at_risk_kinds"] == []


def test_programme_report_shows_a_large_enough_group(world):
    programme = world.programme
    programme.state = "active"
    programme.save(update_fields=["state"])
    mentees = participants(programme, 6, role="mentee", prefix="Lead")
    start = open_template(programme, "generational-start")
    end = open_template(programme, "generational-end")
    for person, (before, after) in zip(mentees, SIX, strict=True):
        answer(start, person, today=START_DAY, understanding_generations=before)
        answer(end, person, today=END_DAY, understanding_generations=after)
    settle(start, end)
    body = personal(world.manager).get(url("programme-report", programme.pk)).json()
    assert body["outcomes"]["respondents"] == 6
    shown = [r for r in body["outcomes"]["rows"] if not r["suppressed"]]
    assert shown and shown[0]["n"] == 6 and shown[0]["change"]["n"] == 6


# ---------------------------------------------------------------------------------------------
# Private text never comes out


def _plant_private_text(world: Any, pairs: Any) -> None:
    for application in Application.objects.filter(programme=world.programme):
        application.internal_note = MARKER
        application.motivation = MARKER
        application.decision_reason = MARKER
        application.preferred_times = MARKER
        application.save()
    note_services.create_shared_note(pairs.pairing, title=MARKER, body=MARKER, author=pairs.mentor)
    note_services.send_message(pairs.pairing, body=MARKER, author=pairs.mentee)
    safety_services.raise_concern(
        pairs.pairing, person=pairs.mentor, text=MARKER, by=pairs.mentor.user
    )
    held = _meeting(
        pairs.pairing,
        NOW - dt.timedelta(days=2),
        status=MeetingStatus.HELD,
        actual_minutes=60,
        place=MARKER,
    )
    MeetingAgendaItem.objects.create(meeting=held, position=1, text=MARKER)
    safety_services.submit_pulse(
        held,
        person=pairs.mentor,
        spoke_openly=2,
        felt_listened_to=2,
        worth_my_time=2,
        wants_support=True,
        comment=MARKER,
        by=pairs.mentor.user,
    )
    ended = active_pairing(
        world.programme,
        mentor=person_with_account(organisation=world.org, full_name="Lee Left"),
        mentee=person_with_account(organisation=world.org, full_name="Ria Left"),
        since=BEGAN,
    )
    ended.state, ended.closed_at, ended.closed_reason = "ended", NOW, MARKER
    ended.closed_by = "manager"
    ended.save()


def test_private_text_is_in_no_answer(world, pairs):
    _plant_private_text(world, pairs)
    programme = world.programme.pk
    application = Application.objects.filter(programme=world.programme).first()
    assert application is not None
    paths = [
        url("programme-list"),
        url("programme-detail", programme),
        url("application-list", programme),
        url("application-detail", programme, application.pk),
        url("participant-list", programme),
        url("pairing-list", programme),
        url("pairing-detail", programme, pairs.pairing.pk),
        url("meeting-list"),
        url("programme-survey-results", programme),
        url("programme-report", programme),
        url("my-goal-list"),
        url("my-task-list"),
    ]
    seen = 0
    for client in (service(world.org), personal(world.admin), personal(world.manager)):
        for path in paths:
            response = client.get(path)
            if response.status_code == 200:
                seen += 1
            # Any answer, a refusal included, must be free of the marker.
            assertNotContains(response, MARKER, status_code=response.status_code, msg_prefix=path)
    for person in (world.applicant, world.senior):
        for path in paths:
            response = personal(person).get(path)
            assertNotContains(response, MARKER, status_code=response.status_code, msg_prefix=path)
    assert seen >= 27
    # The planted rows are there to be found: the ended pairing is listed, state only.
    listed = personal(world.manager).get(url("pairing-list", programme), {"state": "ended"})
    assert len(listed.json()["results"]) == 1
    assert json.dumps(listed.json()).count("ended") >= 1


@pytest.mark.parametrize(
    "query",
    [
        {"starts_after": "2027-03-01"},
        {"starts_after": "yesterday"},
        {"starts_before": "2027-02-30T10:00:00Z"},
        {"programme": "-1.179762921693321e+32"},
        {"pairing": "99999999999999999999999"},
        {"status": "maybe"},
        {"starts_after": ""},
        {"pairing": ""},
    ],
)
def test_bad_filters_are_a_400(world, pairs, query):
    response = service(world.org).get(url("meeting-list"), query)
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == set(query)


def test_good_date_time_filters(world, pairs):
    client = service(world.org)
    for value in ("2027-03-01T10:00:00Z", "2027-03-01T10:00:00+01:00", "2027-03-01T10:00Z"):
        assert client.get(url("programme-list"), {"updated_since": value}).status_code == 200
    assert personal(world.applicant).get(url("my-task-list"), {"done": "yes"}).status_code == 400
