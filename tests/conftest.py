"""The matrix world: one organisation with every persona the authorisation matrix asks as.

Built on the root `world` fixture (its organisation, programmes and people keep their roles)
and grown through services and factories, so each object has the shape a real user would give
it. `tests/test_access_matrix.py` reads the table of routes against this world;
`tests/test_no_server_errors.py` throws arbitrary input at the same routes.

Personas (the keys of `MatrixWorld.people`; "anon" is the signed-out visitor):

- org_admin: organisation admin who takes part in nothing (world.admin, Ada).
- admin_mentee: organisation admin who is the mentee of the second pair in `programme`.
- manager: manages `programme` (world.manager, Mo).
- cross_manager: manages `other_programme` and is the mentor of the second pair in `programme`.
- mentor, mentee: the active pair in `programme` that owns every pair object below
  (world.applicant Jess and world.senior Sam).
- line_manager: the mentor's line manager (`Person.manager`), with no role in any programme.
- safeguarding: a safeguarding contact of the organisation.
- employee: a signed-in employee with no role at all (world.other_applicant, Kai).
- outsider: an admin of another organisation (world.outsider_admin).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from upward.organisations.models import Person
from upward.safety.services import add_safeguarding_contact
from upward.testing.factories import level, person_with_account

# Inside world.programme's dates (11 Jan - 9 Jul 2027) and its start-of-programme survey window.
MATRIX_NOW = dt.datetime(2027, 2, 1, 10, 0, tzinfo=dt.UTC)

PERSONAS = (
    "anon",
    "org_admin",
    "admin_mentee",
    "manager",
    "cross_manager",
    "mentor",
    "mentee",
    "line_manager",
    "safeguarding",
    "employee",
    "outsider",
)


@dataclass
class MatrixWorld:
    world: Any
    people: dict[str, Person | None]
    ids: dict[str, Any]  # named ids and tokens the route table fills parameters from
    texts: dict[str, str] = field(default_factory=dict)  # text each kind of page shows

    def client_for(self, persona: str) -> Client:
        client = Client()
        person = self.people[persona]
        if person is not None:
            client.force_login(person.user)
        return client


@pytest.fixture
def matrix_clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(MATRIX_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def matrix(world, matrix_clock) -> MatrixWorld:  # type: ignore[no-untyped-def]
    return build_matrix_world(world)


def build_matrix_world(world: Any) -> MatrixWorld:
    from upward.accounts.services import invite_person_to_upward
    from upward.announcements.services import send_announcement
    from upward.goals.services import add_task, create_goal, ensure_framework
    from upward.impact.services import add_commitment
    from upward.journey.models import Event, Meeting, MeetingAgendaItem, MeetingStatus
    from upward.journey.services import (
        clone_template,
        regenerate_feed,
        save_step,
        start_draft,
    )
    from upward.journey.tests.factories import accepted, active_pairing, builtin_version
    from upward.notes.services import (
        create_shared_note,
        post_to_cohort,
        save_meeting_note,
        send_message,
    )
    from upward.notifications.models import Notification
    from upward.organisations.services import create_topic, start_people_import
    from upward.pairing.models import ChoiceRound, Chooser, MatchRule, MatchRun
    from upward.programmes.models import Programme
    from upward.programmes.services import add_question
    from upward.recruitment.models import Invitation
    from upward.resources.services import create_resource, save_item
    from upward.safety.models import RematchRequest
    from upward.safety.services import raise_concern, schedule_check_in, submit_pulse
    from upward.surveys.selectors import survey_occasions
    from upward.surveys.services import (
        create_survey_from_template,
        open_survey,
        submit_response,
    )
    from upward.surveys.tests.helpers import full_answers

    org = world.org
    programme = world.programme
    other_programme = world.other_programme
    # Application questions only change while a programme is a draft.
    question = add_question(
        programme,
        fields={"text": "What would you like to learn?", "kind": "text", "required": False},
        by=world.manager.user,
    )
    # `programme` runs (pairs meet); `other_programme` recruits (its sign-up pages answer).
    Programme.objects.filter(pk=programme.pk).update(state="active")
    Programme.objects.filter(pk=other_programme.pk).update(state="recruiting", signup_open=True)
    programme.refresh_from_db()
    other_programme.refresh_from_db()
    version = builtin_version()

    admin_mentee = person_with_account(
        organisation=org,
        full_name="Abe Adminmentee",
        is_org_admin=True,
        level=level(org, 8),
        email="abe@northwind.test",
    )
    line_manager = person_with_account(
        organisation=org,
        full_name="Lin Linemanager",
        level=level(org, 5),
        email="lin@northwind.test",
    )
    Person.objects.filter(pk=world.applicant.pk).update(manager=line_manager)
    world.applicant.refresh_from_db()
    safeguarding = person_with_account(
        organisation=org,
        full_name="Saf Guardian",
        level=level(org, 6),
        email="saf@northwind.test",
    )
    contact = add_safeguarding_contact(org, person=safeguarding, by=world.admin.user)

    mentor, mentee, manager = world.applicant, world.senior, world.manager
    by = manager.user
    since = timezone.now() - dt.timedelta(days=20)
    pairing = active_pairing(programme, mentor=mentor, mentee=mentee, since=since)
    # The second pair: a manager of another programme mentors an org admin.
    other_pair = active_pairing(
        programme, mentor=world.other_manager, mentee=admin_mentee, since=since
    )

    # Meetings: one held last week (for the pulse), one next week (to change or cancel).
    held_start = timezone.now() - dt.timedelta(days=7)
    held = Meeting.objects.create(
        pairing=pairing,
        starts_at=held_start,
        ends_at=held_start + dt.timedelta(hours=1),
        duration_minutes=60,
        organiser=mentee,
        status=MeetingStatus.HELD,
        actual_minutes=60,
        marked_at=timezone.now(),
    )
    next_start = timezone.now() + dt.timedelta(days=7)
    upcoming = Meeting.objects.create(
        pairing=pairing,
        starts_at=next_start,
        ends_at=next_start + dt.timedelta(hours=1),
        duration_minutes=60,
        organiser=mentee,
    )
    agenda_item = MeetingAgendaItem.objects.create(
        meeting=upcoming, position=1, text="Talk about the team's data tools"
    )

    # The pair's own words.
    note = create_shared_note(
        pairing, title="What we agreed on dashboards", body="Start small.", author=mentor
    )
    save_meeting_note(held, body="Private: he listened well.", author=mentor)
    send_message(pairing, body="See you on Tuesday", author=mentee)
    goal = create_goal(
        pairing,
        owner=mentee,
        statement="Read a dashboard without help",
        measure="Explain one chart to the team",
        target_date=dt.date(2027, 5, 1),
        person=mentee,
    )
    task = add_task(
        goal, title="Pick a dashboard", due_on=dt.date(2027, 3, 1), owner=mentee, person=mentee
    )
    commitment = add_commitment(
        pairing, owner=mentor, kind="commitment", text="Share the data glossary", by=mentor
    )
    skills = ensure_framework(programme)
    topic = create_topic(org, by=world.admin.user, name="Data literacy", kind="skill")
    resource = create_resource(
        org,
        title="A field guide to dashboards",
        kind="article",
        file=SimpleUploadedFile("guide.txt", b"Read the axes first.", "text/plain"),
        by=manager.user,
    )
    saved = save_item(pairing, resource=resource, person=mentor)
    post = post_to_cohort(programme, "mentor", body="Hello fellow mentors", author=mentor)

    # Safety data about the first pair, and a concern about the second.
    submit_pulse(
        held,
        person=mentor,
        spoke_openly=2,
        felt_listened_to=2,
        worth_my_time=2,
        wants_support=True,
        comment="I would like a word.",
        by=mentor.user,
    )
    concern = raise_concern(pairing, person=mentor, text="He talks over me.", by=mentor.user)
    other_concern = raise_concern(
        other_pair, person=world.other_manager, text="Meetings keep moving.", by=None
    )
    # The service only takes a request once a pairing has ended; the row is what the page reads.
    rematch = RematchRequest.objects.create(
        programme=programme, pairing=pairing, person=mentee, role="mentee"
    )
    check_in = schedule_check_in(
        programme,
        pairing=pairing,
        person=mentor,
        due_on=dt.date(2027, 2, 8),
        purpose="Follow up the pulse",
        lead=manager,
        by=by,
    )

    # Programme set-up the management pages name.
    survey = open_survey(
        create_survey_from_template(programme, template_key="digital-skills-start", by=by), by=by
    )
    survey_question = survey.questions.order_by("position").first()
    # After each session, for both of the pair; the mentor has answered for the held meeting.
    session_survey = open_survey(
        create_survey_from_template(programme, template_key="session-feedback", by=by), by=by
    )
    occasion = f"meeting-{held.pk}"
    due = next(
        d
        for d in survey_occasions(mentor)
        if d.survey.pk == session_survey.pk and d.occasion == occasion
    )
    submit_response(due, person=mentor, answers=full_answers(session_survey))
    # An announcement to everyone taking part (both pairs), for its reading page.
    announcement = send_announcement(
        programme,
        title="Welcome",
        body="Glad you are here.",
        audience="everyone",
        send_token=uuid.uuid4(),
        by=by,
    )
    # An unconfirmed second address, for the e-mail confirmation link.
    extra_address = EmailAddress.objects.create(
        user=world.other_applicant.user, email="kai.home@northwind.test", verified=False
    )
    email_key = EmailConfirmationHMAC(extra_address).key
    event = Event.objects.create(
        programme=programme,
        title="Kick-off breakfast",
        audience=Event.Audience.ALL,
        starts_at=timezone.now() + dt.timedelta(days=10),
        ends_at=timezone.now() + dt.timedelta(days=10, hours=2),
        organiser=manager,
    )
    template = clone_template(version, organisation=org, name="Our journey", by=by)
    draft = start_draft(template, by=by)
    step = save_step(draft, None, data={"title": "Warm-up"}, agenda="Say hello", by=by)
    run = MatchRun.objects.create(programme=programme, ran_by=by)
    rule = MatchRule.objects.create(
        programme=programme, kind="exclude", mentee=mentee, mentor=world.other_applicant
    )
    # Rows, not services: opening a round or a run needs unpaired applicants in a matching
    # programme, and the routes only need them to exist.
    choice_round = ChoiceRound.objects.create(
        programme=programme,
        who_chooses="mentors",
        shortlist_size=3,
        max_ranked=3,
        closes_at=timezone.now() + dt.timedelta(days=5),
        opened_by=by,
    )
    Chooser.objects.create(round=choice_round, person=mentor, role="mentor")
    invitation = Invitation.objects.create(
        programme=other_programme, person=world.other_applicant, role="mentor", invited_by=by
    )
    newcomer = Person.objects.create(
        organisation=org,
        full_name="Nia Newcomer",
        email="nia@northwind.test",
        level=level(org, 3),
    )
    account_invitation = invite_person_to_upward(newcomer, by=world.admin.user)
    people_import = start_people_import(
        org,
        by=world.admin.user,
        filename="people.csv",
        content=b"email,full_name\nnew.person@northwind.test,New Person\n",
    )
    feed = regenerate_feed(mentor, by=mentor.user)
    notification = Notification.objects.create(
        recipient=mentor, kind="message", subject="A new message from Sam", url="/"
    )
    application = accepted(programme, mentor, "mentor")

    people: dict[str, Person | None] = {
        "anon": None,
        "org_admin": world.admin,
        "admin_mentee": admin_mentee,
        "manager": manager,
        "cross_manager": world.other_manager,
        "mentor": mentor,
        "mentee": mentee,
        "line_manager": line_manager,
        "safeguarding": safeguarding,
        "employee": world.other_applicant,
        "outsider": world.outsider_admin,
    }
    ids = {
        "safeguarding_contact": contact.pk,
        "programme": programme.pk,
        "other_programme": other_programme.pk,
        "pairing": pairing.pk,
        "other_pair": other_pair.pk,
        "held_meeting": held.pk,
        "meeting": upcoming.pk,
        "agenda_item": agenda_item.pk,
        "note": note.pk,
        "goal": goal.pk,
        "task": task.pk,
        "skill": skills[0].pk,
        "commitment": commitment.pk,
        "resource": resource.pk,
        "saved_item": saved.pk,
        "cohort_post": post.pk,
        "concern": concern.pk,
        "other_concern": other_concern.pk,
        "rematch_request": rematch.pk,
        "check_in": check_in.pk,
        "question": question.pk,
        "survey": survey.pk,
        "survey_question": survey_question.pk,
        "session_survey": session_survey.pk,
        "session_occasion": occasion,
        "announcement": announcement.pk,
        "email_key": email_key,
        "event": event.pk,
        "template": template.pk,
        "builtin_template": version.template_id,
        "step": step.pk,
        "run": run.pk,
        "rule": rule.pk,
        "round": choice_round.pk,
        "application": application.pk,
        "invitation_token": invitation.token,
        "account_invitation_token": account_invitation.token,
        "signup_token": other_programme.signup_token,
        "feed_token": feed.token,
        "notification": notification.pk,
        "people_import": people_import.pk,
        "level": level(org, 4).pk,
        "department": world.applicant.department_id,
        "team": org.teams.first().pk,
        "topic": topic.pk,
        "person": mentor.pk,
    }
    texts = {
        "programme": programme.name,
        "other_programme": other_programme.name,
        "mentor": mentor.full_name,
        "mentee": mentee.full_name,
        "note": note.title,
        "message": "See you on Tuesday",
        "goal": goal.statement,
        "event": event.title,
    }
    return MatrixWorld(world=world, people=people, ids=ids, texts=texts)
