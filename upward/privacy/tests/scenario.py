"""A pair with something in every corner: what Jess (the mentor) and Sam (the mentee) wrote,
what the team holds about them, and traces of Jess's name in other people's records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from upward.consent.models import AboutYou, ConsentEvent
from upward.core.models import AuditEvent
from upward.goals.models import Goal, Task
from upward.impact.models import Commitment, ThankYouNote
from upward.journey.models import CalendarFeed, Meeting
from upward.notes.models import CohortPost, MeetingNote, Message, SharedNote
from upward.notifications.models import Notification, OutboundEmail
from upward.organisations.models import PeopleImport, Unavailability
from upward.programmes.models import Question as ApplicationQuestion
from upward.recruitment.models import Answer as ApplicationAnswer
from upward.recruitment.models import Application
from upward.safety.models import Concern, ConcernNote, PulseResponse
from upward.surveys.models import Answer, Question, Response, Submission, Survey
from upward.testing.pairs import Pairs
from upward.testing.workspace import make_meeting


@dataclass
class Scenario:
    pairs: Pairs
    meeting: Meeting
    survey: Survey
    jess_note: MeetingNote
    sam_note: MeetingNote
    sam_message: Message
    jess_message: Message


def build(pairs: Pairs) -> Scenario:
    jess, sam = pairs.mentor, pairs.mentee
    programme, pairing = pairs.world.programme, pairs.pairing
    meeting = make_meeting(pairing, days=-2)
    jess_note = MeetingNote.objects.create(
        meeting=meeting, author=jess, body="Jess private thoughts"
    )
    sam_note = MeetingNote.objects.create(meeting=meeting, author=sam, body="Sam private thoughts")
    jess_message = Message.objects.create(pairing=pairing, sender=jess, body="Jess says hello")
    sam_message = Message.objects.create(pairing=pairing, sender=sam, body="Sam says hello back")
    SharedNote.objects.create(
        pairing=pairing, title="Our plan", body="Written by Jess", created_by=jess, updated_by=jess
    )
    CohortPost.objects.create(programme=programme, cohort="mentor", author=jess, body="Jess posts")
    Goal.objects.create(
        pairing=pairing,
        owner=jess,
        created_by=jess,
        statement="Jess goal statement",
        measure="Jess measure",
        target_date=dt.date.today() + dt.timedelta(days=60),
    )
    sam_goal = Goal.objects.create(
        pairing=pairing,
        owner=sam,
        created_by=sam,
        statement="Sam goal statement",
        measure="Sam measure",
        target_date=dt.date.today() + dt.timedelta(days=60),
    )
    Task.objects.create(
        goal=sam_goal, owner=jess, created_by=jess, title="Jess task", due_on=dt.date.today()
    )
    Commitment.objects.create(pairing=pairing, programme=programme, owner=jess, text="Jess commits")
    Commitment.objects.create(pairing=pairing, programme=programme, owner=sam, text="Sam commits")
    ThankYouNote.objects.create(pairing=pairing, author=sam, text="Thank you from Sam")
    concern = Concern.objects.create(
        programme=programme, pairing=pairing, raised_by=jess, text="Jess raised this"
    )
    ConcernNote.objects.create(concern=concern, author=pairs.world.manager, body="Team note on it")
    PulseResponse.objects.create(
        meeting=meeting,
        pairing=pairing,
        mentor=jess,
        spoke_openly=4,
        felt_listened_to=4,
        worth_my_time=5,
        comment="Jess pulse comment",
    )
    Unavailability.objects.create(
        person=jess,
        starts_on=dt.date.today(),
        ends_on=dt.date.today() + dt.timedelta(days=3),
        note="Jess away",
    )
    CalendarFeed.objects.create(person=jess, token="jess-feed-token")
    AboutYou.objects.create(person=jess, disability="Jess disability answer")
    ConsentEvent.objects.create(person=jess, purpose="matching", granted=True, version="v-test")
    question = ApplicationQuestion.objects.create(programme=programme, text="Why you?", kind="text")
    application = Application.objects.get(programme=programme, person=jess)
    application.motivation = "Jess Junior wants this"
    application.save(update_fields=["motivation"])
    ApplicationAnswer.objects.create(
        application=application, question=question, value="Jess answer"
    )
    # Traces of her name and address in other people's records.
    Notification.objects.create(
        recipient=sam,
        kind="message",
        subject="Jess Junior sent you a message",
        body="Open Upward to read what Jess Junior wrote.",
        dedupe_key="msg-1",
        delivery="immediate",
    )
    Notification.objects.create(
        recipient=jess,
        kind="message",
        subject="For Jess",
        body="x",
        dedupe_key="m2",
        delivery="immediate",
    )
    OutboundEmail.objects.create(to=["jess@northwind.test"], subject="Hello Jess Junior", body="Hi")
    OutboundEmail.objects.create(
        to=["sam@northwind.test"], person=sam, subject="Jess Junior accepted", body="Jess Junior"
    )
    PeopleImport.objects.create(
        organisation=pairs.world.org,
        filename="people.csv",
        columns=["full_name", "email"],
        rows=[["Jess Junior", "jess@northwind.test"], ["Sam Senior", "sam@northwind.test"]],
        preview={"rows": [{"name": "Jess Junior", "email": "JESS@northwind.test"}]},
    )
    AuditEvent.objects.create(
        organisation=pairs.world.org,
        verb="test",
        object_type="organisations.person",
        object_id=str(jess.pk),
        # Audit entries hold ids, never names (upward.core.audit): erasure leaves them alone.
        data={"person_id": jess.pk},
    )
    LogEntry.objects.create(
        user=pairs.world.admin.user,
        content_type=ContentType.objects.get_for_model(jess),
        object_id=str(jess.pk),
        object_repr="Jess Junior",
        action_flag=CHANGE,
        change_message="",
    )
    # Surveys: one identified, one anonymous, both answered by Jess.
    survey = Survey.objects.create(
        programme=programme, title="Start survey", timing="start", is_anonymous=False, state="open"
    )
    text_q = Question.objects.create(
        survey=survey, position=1, item_key="hopes", text="Your hopes?", kind="text"
    )
    Submission.objects.create(survey=survey, person=jess)
    response = Response.objects.create(
        survey=survey, is_anonymous=False, person=jess, pseudonym="p-jess", role="mentor"
    )
    Answer.objects.create(response=response, question=text_q, text="Jess hopes for a lot")
    anonymous = Survey.objects.create(
        programme=programme, title="Anonymous survey", timing="end", is_anonymous=True, state="open"
    )
    anon_q = Question.objects.create(
        survey=anonymous, position=1, item_key="thoughts", text="Thoughts?", kind="text"
    )
    anon_response = Response.objects.create(
        survey=anonymous, is_anonymous=True, pseudonym="anon-1", role="mentor"
    )
    Answer.objects.create(response=anon_response, question=anon_q, text="Anonymous words")
    return Scenario(pairs, meeting, survey, jess_note, sam_note, sam_message, jess_message)


def since(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)
