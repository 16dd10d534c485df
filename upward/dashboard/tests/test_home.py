"""The participant's home (the dashboard): for each pairing the next meeting, where the pair is
in the journey and the person's own open tasks; the surveys and private check-ins waiting for
them; and, for someone with no pairing under way, what fits their state.

The clock is the dashboard's (Monday 1 March 2027, 09:00 UTC, Europe/London is on GMT) and both
pairs of the `pairs` fixture held a meeting five days ago (Wednesday 24 February)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from upward.dashboard.home import DUE_SHOWN, TASKS_SHOWN
from upward.goals import services as goals
from upward.goals.models import Goal, Task
from upward.journey.models import JourneyStep, Meeting, MeetingStatus
from upward.journey.tests.factories import builtin_version
from upward.notes import services as notes
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.programmes.models import Programme, SchedulingPolicy
from upward.recruitment.models import Application, Invitation
from upward.safety import services as safety
from upward.surveys.tests.helpers import open_template
from upward.testing.factories import level, person_with_account
from upward.testing.pairs import Pairs, accepted, active_pairing

from .conftest import NOW, meeting

pytestmark = pytest.mark.django_db

HOME = "/dashboard/"
# Queries for a participant's home, whatever the number of pairings, meetings and tasks.
BUDGET = 23


def booked(
    pairing: Pairing,
    *,
    days: float,
    place: str = "",
    step: JourneyStep | None = None,
    status: str = MeetingStatus.SCHEDULED,
) -> Meeting:
    starts = NOW + dt.timedelta(days=days)
    return Meeting.objects.create(
        pairing=pairing,
        starts_at=starts,
        duration_minutes=45,
        ends_at=starts + dt.timedelta(minutes=45),
        organiser=pairing.mentee,
        status=status,
        place=place,
        step=step,
        cancelled_at=timezone.now() if status == MeetingStatus.CANCELLED else None,
    )


def goal_of(pairing: Pairing, owner: Person, statement: str = "Lead a meeting online") -> Goal:
    return goals.create_goal(
        pairing,
        owner=owner,
        person=owner,
        statement=statement,
        measure="Two meetings run without help",
        target_date=dt.date(2027, 6, 30),
    )


def task(goal: Goal, owner: Person, title: str, *, due_in: int) -> Task:
    return goals.add_task(
        goal,
        title=title,
        due_on=timezone.localdate() + dt.timedelta(days=due_in),
        owner=owner,
        person=owner,
    )


def get(world, person: Person):  # type: ignore[no-untyped-def]
    return world.client_for(person).get(HOME)


def text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- next meeting ------------------------------------------------------------------------------


def test_next_meeting_is_the_earliest_future_one_not_cancelled(world, pairs: Pairs) -> None:  # type: ignore[no-untyped-def]
    booked(pairs.pairing, days=-1, place="Yesterday's room")  # over, not yet recorded
    booked(pairs.pairing, days=1, place="Cancelled room", status=MeetingStatus.CANCELLED)
    later = booked(pairs.pairing, days=10, place="Later room")
    soonest = booked(pairs.pairing, days=3, place="Room 4, Ground floor")
    booked(pairs.other, days=2, place="Other pair's room")

    response = get(world, pairs.mentor)
    assertContains(response, "Thursday 4 March, 09:00", status_code=200)
    assertContains(response, "45 minutes with Sam Senior")
    assertContains(response, "Room 4, Ground floor")
    assertContains(response, reverse("journey:meeting", args=[soonest.pk]))
    for hidden in ("Yesterday's room", "Cancelled room", "Later room", "Other pair&#x27;s room"):
        assertNotContains(response, hidden, status_code=200)
    assertNotContains(response, reverse("journey:meeting", args=[later.pk]), status_code=200)
    assertNotContains(response, "No meeting booked", status_code=200)


def test_no_meeting_booked_offers_booking_to_whoever_organises(world, pairs: Pairs) -> None:  # type: ignore[no-untyped-def]
    book = reverse("journey:book", args=[pairs.pairing.pk])
    # The senior mentee organises by default: he gets the action, she is told he books.
    mentee = get(world, pairs.mentee)
    assertContains(mentee, "No meeting booked", status_code=200)
    assertContains(mentee, book)
    assertContains(mentee, "Book the next meeting")
    mentor = get(world, pairs.mentor)
    assertContains(mentor, "No meeting booked", status_code=200)
    assertContains(mentor, "Sam Senior books your meetings; you will get an invitation by email.")
    assertNotContains(mentor, book, status_code=200)

    Programme.objects.filter(pk=world.programme.pk).update(
        scheduling_policy=SchedulingPolicy.MENTOR
    )
    assertContains(get(world, pairs.mentor), book, status_code=200)


# --- where the pair is in the journey ----------------------------------------------------------


def test_journey_position_is_the_first_session_not_held(world, pairs: Pairs) -> None:  # type: ignore[no-untyped-def]
    version = builtin_version()
    steps = list(JourneyStep.objects.filter(version=version, kind="session").order_by("position"))
    assert len(steps) == 6
    first = meeting(pairs.pairing, days_ago=12)
    Meeting.objects.filter(pk=first.pk).update(step=steps[0])
    JourneyStep.objects.filter(pk=steps[1].pk).update(mentee_prepares="Bring <two> questions")

    response = get(world, pairs.mentee)
    body = text(response)
    assert f"Step 2 of 6 {steps[1].title}" in body
    assert "1 of 6 sessions held" in body
    assert "Next: book this session." in body
    assertContains(response, 'max="6" value="1"')

    booked(pairs.pairing, days=4, step=steps[1])
    body = text(get(world, pairs.mentee))
    assert "Next: it is booked. Get ready: Bring &lt;two&gt; questions" in body
    # The other pair has held nothing of the journey yet.
    other = text(get(world, pairs.other_mentor))
    assert f"Step 1 of 6 {steps[0].title}" in other
    assert "0 of 6 sessions held" in other


def test_a_pair_that_held_every_session_is_told_so(world, pairs: Pairs) -> None:  # type: ignore[no-untyped-def]
    version = builtin_version()
    for i, step in enumerate(JourneyStep.objects.filter(version=version, kind="session")):
        held = meeting(pairs.pairing, days_ago=40 - i)
        Meeting.objects.filter(pk=held.pk).update(step=step)
    response = get(world, pairs.mentor)
    assertContains(response, "Every session held (6 of 6)", status_code=200)
    assertContains(response, "6 of 6 sessions held")


# --- surveys and private check-ins -------------------------------------------------------------


def test_due_surveys_and_the_mentors_pulse_with_dates_and_links(world, pairs: Pairs) -> None:  # type: ignore[no-untyped-def]
    survey = open_template(world.programme, "session-feedback")
    held = Meeting.objects.get(pairing=pairs.pairing, status=MeetingStatus.HELD)

    mentor = get(world, pairs.mentor)
    assertContains(mentor, "Surveys to answer", status_code=200)
    # Feedback on the session of 24 February closes fourteen days later.
    assertContains(mentor, "How did the session go?")
    assertContains(mentor, "closes 10 March 2027")
    assertContains(
        mentor, reverse("surveys:answer_occasion", args=[survey.pk, f"meeting-{held.pk}"])
    )
    # Her private check-in about that meeting is open for thirty days.
    assertContains(mentor, "How did your meeting with Sam Senior feel?")
    assertContains(mentor, "answer by 26 March 2027")
    assertContains(mentor, reverse("safety:pulse", args=[pairs.pairing.pk, held.pk]))
    body = text(mentor)
    assert body.index("How did the session go?") < body.index("How did your meeting with")

    # The mentee is never asked the mentor's check-in.
    mentee = get(world, pairs.mentee)
    assertContains(mentee, "How did the session go?", status_code=200)
    assertNotContains(mentee, "How did your meeting with", status_code=200)

    safety.submit_pulse(
        held,
        person=pairs.mentor,
        spoke_openly=4,
        felt_listened_to=4,
        worth_my_time=4,
        by=pairs.mentor.user,
    )
    assertNotContains(get(world, pairs.mentor), "How did your meeting with", status_code=200)


def test_nothing_due_shows_no_surveys_card(world, pairs: Pairs) -> None:  # type: ignore[no-untyped-def]
    response = get(world, pairs.mentee)
    assertNotContains(response, "Surveys to answer", status_code=200)


def test_the_due_list_is_capped_with_a_link_to_all(world, pairs: Pairs) -> None:  # type: ignore[no-untyped-def]
    open_template(world.programme, "session-feedback")
    for days_ago in range(1, DUE_SHOWN + 2):  # more meetings, each with its own feedback
        meeting(pairs.pairing, days_ago=days_ago)
    response = get(world, pairs.mentee)
    # One survey per held meeting (DUE_SHOWN + 2 in all): DUE_SHOWN shown, then "2 more".
    assert len(
        re.findall(r'href="/surveys/\d+/answer/meeting-\d+/"', response.content.decode())
    ) == (DUE_SHOWN)
    assertContains(response, "and 2 more.")
    assertContains(response, reverse("surveys:mine"))


# --- open tasks --------------------------------------------------------------------------------


def test_open_tasks_are_the_persons_own_overdue_first_and_capped(
    world, pairs: Pairs, clock
) -> None:  # type: ignore[no-untyped-def]
    mine = goal_of(pairs.pairing, pairs.mentee)
    task(mine, pairs.mentee, "Third: write the brief", due_in=15)
    task(mine, pairs.mentee, "Fourth: share the draft", due_in=20)
    task(mine, pairs.mentee, "First: read the article", due_in=3)
    done = task(mine, pairs.mentee, "Already done", due_in=5)
    goals.set_task_done(done, done=True, person=pairs.mentee)
    task(mine, pairs.mentee, "Fifth: present it", due_in=25)
    task(mine, pairs.mentee, "Second: book the room", due_in=8)
    theirs = goal_of(pairs.pairing, pairs.mentor, "Present to the board")
    task(theirs, pairs.mentor, "Partner's own task", due_in=2)
    other = goal_of(pairs.other, pairs.other_mentee)
    task(other, pairs.other_mentee, "Another pair's task", due_in=2)

    clock.move_to(NOW + dt.timedelta(days=10))  # the first two are now overdue
    response = get(world, pairs.mentee)
    body = text(response)
    assert TASKS_SHOWN == 3
    assert "2 tasks are past their due date" in body
    first, second, third = (
        body.index("First: read the article"),
        body.index("Second: book the room"),
        body.index("Third: write the brief"),
    )
    assert first < second < third
    assert "Overdue was due 4 Mar" in body and "Overdue was due 9 Mar" in body
    assert "due 16 Mar" in body
    for hidden in ("Fourth: share the draft", "Fifth: present it", "Already done"):
        assertNotContains(response, hidden, status_code=200)
    assertNotContains(response, "Partner&#x27;s own task", status_code=200)
    assertNotContains(response, "Another pair&#x27;s task", status_code=200)
    assertContains(response, "See all 5 open tasks")
    assertContains(response, reverse("goals:goals", args=[pairs.pairing.pk]))


def test_no_open_tasks_says_so(world, pairs: Pairs) -> None:  # type: ignore[no-untyped-def]
    response = get(world, pairs.mentor)
    assertContains(response, "Nothing open.", status_code=200)
    assertContains(response, reverse("goals:goals", args=[pairs.pairing.pk]))
    # Without a journey (no built-in one in this test) the card counts the meetings held.
    assertContains(response, "1 meeting held so far")


def test_a_finished_pairing_is_listed_without_a_card(world, pairs: Pairs) -> None:  # type: ignore[no-untyped-def]
    Pairing.objects.filter(pk=pairs.pairing.pk).update(state="completed")
    response = get(world, pairs.mentor)
    assertContains(response, "Finished pairings", status_code=200)
    assertContains(response, reverse("journey:pairing", args=[pairs.pairing.pk]))
    assertNotContains(response, "Next meeting", status_code=200)
    assertNotContains(response, "Nothing open.", status_code=200)
    assertContains(response, "Your pairing has finished")
    assertNotContains(response, "You are not in a programme yet", status_code=200)


# --- more than one pairing ---------------------------------------------------------------------


def _second_programme(world) -> Programme:  # type: ignore[no-untyped-def]
    Programme.objects.filter(pk=world.other_programme.pk).update(state="active")
    world.other_programme.refresh_from_db()
    return world.other_programme


def test_one_card_per_pairing_for_a_mentor_in_two_programmes(world, pairs: Pairs) -> None:  # type: ignore[no-untyped-def]
    second = active_pairing(_second_programme(world), mentor=pairs.mentor, mentee=world.admin)
    booked(pairs.pairing, days=3, place="Room with Sam")
    booked(second, days=5, place="Room with Ada")
    task(goal_of(second, pairs.mentor), pairs.mentor, "Send Ada the reading list", due_in=4)

    response = get(world, pairs.mentor)
    body = response.content.decode()
    assert response.status_code == 200
    for pairing, partner in ((pairs.pairing, "Sam Senior"), (second, "Ada Admin")):
        assert re.search(
            rf'<h2 id="pair-{pairing.pk}-h"><a href="/pairings/{pairing.pk}/journey/">{partner}</a>',
            body,
        )
    # Each card holds its own meeting and tasks; the newest pairing comes first.
    plain = text(response)
    ada, sam = plain.index("Inclusion pilot"), plain.index("Digital confidence 2027")
    assert ada < sam
    assert "Room with Ada" in plain[ada:sam] and "Send Ada the reading list" in plain[ada:sam]
    assert "Room with Sam" in plain[sam:] and "Send Ada" not in plain[sam:]


def test_a_manager_who_is_also_a_mentee_sees_their_own_pairing(world, pairs: Pairs) -> None:  # type: ignore[no-untyped-def]
    mine = active_pairing(
        _second_programme(world), mentor=world.other_applicant, mentee=world.manager
    )
    booked(mine, days=2, place="Kai's desk")
    response = get(world, world.manager)
    assertContains(response, "Programmes you run", status_code=200)
    assertContains(response, f'<a href="/pairings/{mine.pk}/journey/">Kai Keen</a>', html=False)
    assertContains(response, "Kai&#x27;s desk")
    # Managing the programme never puts its pairs' content on his home.
    assertNotContains(response, f"/pairings/{pairs.pairing.pk}/journey/", status_code=200)


# --- people with no pairing under way ----------------------------------------------------------


def test_a_person_in_no_programme_is_told_so_with_a_next_step(world) -> None:  # type: ignore[no-untyped-def]
    response = get(world, world.applicant)
    assertContains(response, "You are not in a programme yet", status_code=200)
    assertContains(response, "No programme is open for you to join right now.")
    assertContains(response, reverse("consent:about_you"))
    assertNotContains(response, "Next meeting", status_code=200)
    assertNotContains(response, "Surveys to answer", status_code=200)


def test_a_person_invited_to_apply_gets_the_link(world) -> None:  # type: ignore[no-untyped-def]
    Programme.objects.filter(pk=world.programme.pk).update(state="recruiting")
    invitation = Invitation.objects.create(
        programme=world.programme, person=world.applicant, role="mentor"
    )
    Invitation.objects.create(
        programme=world.programme, person=world.other_applicant, role="mentor"
    )
    response = get(world, world.applicant)
    assertContains(response, "You are invited to take part", status_code=200)
    assertContains(response, "as a reverse mentor")
    assertContains(response, reverse("recruitment:invitation_accept", args=[invitation.token]))
    # Someone else's invitation link is theirs alone.
    other = Invitation.objects.get(person=world.other_applicant)
    assertNotContains(response, other.token, status_code=200)


def test_a_person_who_applied_is_told_what_happens_next(world) -> None:  # type: ignore[no-untyped-def]
    Programme.objects.filter(pk=world.programme.pk).update(state="recruiting")
    Application.objects.create(
        programme=world.programme,
        person=world.applicant,
        role="mentor",
        status=Application.Status.SUBMITTED,
        motivation="I want to help.",
        consent_terms=True,
    )
    response = get(world, world.applicant)
    assertContains(response, "You have applied", status_code=200)
    assertContains(response, "the programme team will tell you their decision")
    assertNotContains(response, "You are not in a programme yet", status_code=200)


def test_an_accepted_person_still_waiting_for_a_partner(world) -> None:  # type: ignore[no-untyped-def]
    Programme.objects.filter(pk=world.programme.pk).update(state="active")
    accepted(world.programme, world.applicant, "mentor")
    response = get(world, world.applicant)
    assertContains(response, "You have applied", status_code=200)
    assertContains(response, "you have a place; the programme team is looking for a partner")


def _proposal(world, *, state: str) -> Pairing:  # type: ignore[no-untyped-def]
    Programme.objects.filter(pk=world.programme.pk).update(state="matching")
    accepted(world.programme, world.applicant, "mentor")
    accepted(world.programme, world.senior, "mentee")
    return Pairing.objects.create(
        programme=world.programme,
        mentor=world.applicant,
        mentee=world.senior,
        state=state,
        respond_by=timezone.now() + dt.timedelta(days=7),
        mentor_responded_at=timezone.now() if state == "mentor_accepted" else None,
        mentee_told_at=timezone.now() if state == "mentor_accepted" else None,
    )


def test_a_proposal_waits_for_the_mentors_answer_and_the_mentee_is_not_told_yet(world) -> None:  # type: ignore[no-untyped-def]
    proposal = _proposal(world, state="proposed")
    mentor = get(world, world.applicant)
    assertContains(mentor, "Proposals waiting for you", status_code=200)
    assertContains(mentor, "Would you mentor Sam Senior?")
    assertContains(mentor, reverse("pairing:pairing", args=[proposal.pk]))
    assertNotContains(mentor, "Next meeting", status_code=200)
    # Nobody has told the mentee yet: his home shows no partner.
    mentee = get(world, world.senior)
    assertNotContains(mentee, "Jess Junior", status_code=200)
    assertContains(mentee, "You have applied")


def test_after_the_mentor_says_yes_each_side_is_told_who_answers_next(world) -> None:  # type: ignore[no-untyped-def]
    _proposal(world, state="mentor_accepted")
    mentor = get(world, world.applicant)
    assertContains(mentor, "A partner has been proposed", status_code=200)
    assertContains(mentor, "You said yes to mentoring Sam Senior; waiting for them to confirm.")
    mentee = get(world, world.senior)
    assertContains(mentee, "Proposals waiting for you", status_code=200)
    assertContains(mentee, "Jess Junior has agreed to be your reverse mentor: please confirm")


# --- privacy and escaping ----------------------------------------------------------------------


def test_nothing_of_another_pair_or_of_notes_reaches_the_home(world, pairs: Pairs) -> None:  # type: ignore[no-untyped-def]
    notes.create_shared_note(
        pairs.pairing, title="Our confidential plan", body="Secret words", author=pairs.mentee
    )
    notes.send_message(pairs.pairing, body="A private message", author=pairs.mentee)
    booked(pairs.other, days=1, place="Sofia's office")
    task(goal_of(pairs.other, pairs.other_mentee), pairs.other_mentee, "Sofia's task", due_in=3)

    for person in (pairs.mentor, pairs.mentee):
        response = get(world, person)
        for hidden in (
            "Our confidential plan",
            "Secret words",
            "A private message",
            "Sofia&#x27;s office",
            "Sofia&#x27;s task",
            "Sofia Strand",
            "Kai Keen",
        ):
            assertNotContains(response, hidden, status_code=200)
    # An outsider, a manager of the programme and an admin see no pair's content at all.
    for person in (world.outsider_admin, world.manager, world.admin):
        response = get(world, person)
        assertNotContains(response, "Sofia&#x27;s office", status_code=200)
        assertNotContains(response, "Sofia&#x27;s task", status_code=200)
        assertNotContains(response, "Next meeting", status_code=200)


def test_home_requires_sign_in(db) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    response = Client().get(HOME)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_everything_people_wrote_is_escaped(world, pairs: Pairs) -> None:  # type: ignore[no-untyped-def]
    hostile = '<img src=x onerror="alert(1)">'
    Person.objects.filter(pk=pairs.mentee.pk).update(full_name=f"Sam {hostile}")
    Programme.objects.filter(pk=world.programme.pk).update(name=f"Programme {hostile}")
    booked(pairs.pairing, days=2, place=f"Room {hostile}")
    task(goal_of(pairs.pairing, pairs.mentor), pairs.mentor, f"Task {hostile}", due_in=3)
    response = get(world, pairs.mentor)
    assertNotContains(response, hostile, status_code=200)
    assertContains(response, "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;")


# --- query budget ------------------------------------------------------------------------------


def _fill(pairing: Pairing, owner: Person, *, meetings: int, tasks: int) -> None:
    for days in range(1, meetings + 1):
        booked(pairing, days=days * 3, place=f"Room {days}")
        meeting(pairing, days_ago=days)
    goal = goal_of(pairing, owner)
    for i in range(tasks):
        task(goal, owner, f"Task {i}", due_in=i + 1)


def _count(world, person: Person) -> int:  # type: ignore[no-untyped-def]
    client = world.client_for(person)
    client.get(HOME)  # warm: the organisation's data key is cached per process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.slow
def test_query_budget_is_the_same_for_one_pairing_and_for_many(
    world, pairs: Pairs, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    """Small: one pairing with a meeting booked, one held, one task and a survey due. Large:
    three pairings in two programmes, each with five of each and six tasks."""
    builtin_version()
    open_template(world.programme, "session-feedback")
    _fill(pairs.pairing, pairs.mentor, meetings=1, tasks=1)
    small = _count(world, pairs.mentor)

    second = _second_programme(world)
    open_template(second, "session-feedback")
    _fill(pairs.pairing, pairs.mentor, meetings=4, tasks=5)
    for i in range(2):
        mentee = person_with_account(
            organisation=world.org,
            full_name=f"Senior {i}",
            level=level(world.org, 8),
            email=f"senior{i}@northwind.test",
        )
        pairing = active_pairing(second, mentor=pairs.mentor, mentee=mentee)
        _fill(pairing, pairs.mentor, meetings=5, tasks=6)
    client = world.client_for(pairs.mentor)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(HOME)
    assert response.status_code == 200
    assert text(response).count("Next meeting") == 3
    large = _count(world, pairs.mentor)
    assert large == small, (small, large)
