"""The participant's home in a real browser, wide (1280 px) and narrow (375 px): a mentor in two
programmes sees one card per pairing (next meeting, where they are in the journey, their own
open tasks with the overdue one first), the survey and private check-in waiting for them; a
person invited to apply sees the invitation and its next step. Screenshots go to
artifacts/screenshots/ (test_home_*)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from upward.goals import services as goals
from upward.journey.models import JourneyStep, Meeting, MeetingStatus
from upward.journey.tests.factories import builtin_version
from upward.programmes.models import Programme
from upward.recruitment.models import Invitation
from upward.surveys.tests.helpers import open_template
from upward.testing.factories import level, person_with_account
from upward.testing.pairs import active_pairing, build_pairs


def _meeting(pairing, *, days: float, status: str, step=None, place: str = "") -> Meeting:  # type: ignore[no-untyped-def]
    starts = (timezone.now() + dt.timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return Meeting.objects.create(
        pairing=pairing,
        starts_at=starts,
        duration_minutes=60,
        ends_at=starts + dt.timedelta(minutes=60),
        organiser=pairing.mentee,
        status=status,
        place=place,
        step=step,
        actual_minutes=60 if status == MeetingStatus.HELD else None,
        marked_at=timezone.now() if status == MeetingStatus.HELD else None,
    )


@pytest.mark.django_db(transaction=True)
def test_home_wide_and_narrow(world, visitor_factory):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    for programme in (world.programme, world.other_programme):
        Programme.objects.filter(pk=programme.pk).update(
            state="active",
            starts_on=today - dt.timedelta(days=40),
            ends_on=today + dt.timedelta(days=120),
        )
    version = builtin_version()
    steps = list(JourneyStep.objects.filter(version=version, kind="session").order_by("position"))
    with time_machine.travel(timezone.now() - dt.timedelta(days=20), tick=False):
        pairs = build_pairs(world, since=timezone.now())
        active_pairing(
            world.other_programme, mentor=pairs.mentor, mentee=world.admin, since=timezone.now()
        )
        goal = goals.create_goal(
            pairs.pairing,
            owner=pairs.mentor,
            person=pairs.mentor,
            statement="Help Sam run a meeting on an online whiteboard",
            measure="Sam runs two team meetings on it without help",
            target_date=today + dt.timedelta(days=60),
        )
        goals.add_task(
            goal,
            title="Send Sam the whiteboard guide",
            due_on=today - dt.timedelta(days=2),
            owner=pairs.mentor,
            person=pairs.mentor,
        )
    goals.add_task(
        goal,
        title="Prepare a practice board with three frames",
        due_on=today + dt.timedelta(days=6),
        owner=pairs.mentor,
        person=pairs.mentor,
    )
    _meeting(pairs.pairing, days=-6, status=MeetingStatus.HELD, step=steps[0])
    _meeting(
        pairs.pairing,
        days=5,
        status=MeetingStatus.SCHEDULED,
        step=steps[1],
        place="Meeting room 3, second floor",
    )
    open_template(world.programme, "session-feedback")

    mentor = visitor_factory("mentor")
    mentor.sign_in(pairs.mentor.email)
    page = mentor.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Jess")
    sam = page.get_by_role("region", name="Sam Senior")
    expect(sam.get_by_text("Meeting room 3, second floor")).to_be_visible()
    expect(sam.get_by_text("Step 2 of 6")).to_be_visible()
    expect(sam.get_by_text(steps[1].title, exact=True)).to_be_visible()
    expect(sam.get_by_role("progressbar")).to_have_attribute("value", "1")
    expect(sam.locator(".home-task").first).to_contain_text("Send Sam the whiteboard guide")
    expect(sam.locator(".home-task").first).to_contain_text("Overdue")
    ada = page.get_by_role("region", name="Ada Admin")
    expect(ada.get_by_text("No meeting booked")).to_be_visible()
    expect(ada.get_by_text("Ada Admin books your meetings")).to_be_visible()
    due = page.get_by_role("region", name="Surveys to answer")
    expect(due.get_by_text("How did the session go?").first).to_be_visible()
    expect(due.get_by_text("How did your meeting with Sam Senior feel?").first).to_be_visible()
    mentor.look("mentor-wide")
    page.set_viewport_size({"width": 375, "height": 800})
    mentor.look("mentor-narrow")
    # The card's heading leads to the pairing's own page.
    sam.get_by_role("link", name="Sam Senior", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My pairing with Sam Senior")

    # Two people in no programme yet: one with a programme open for sign-up, one invited.
    Programme.objects.filter(pk=world.programme.pk).update(state="recruiting", signup_open=True)
    Programme.objects.filter(pk=world.other_programme.pk).update(state="recruiting")
    newcomer = person_with_account(
        organisation=world.org,
        full_name="Nia Newcomer",
        level=level(world.org, 3),
        email="nia@northwind.test",
    )
    invitee = person_with_account(
        organisation=world.org,
        full_name="Ike Invited",
        level=level(world.org, 8),
        email="ike@northwind.test",
    )
    Invitation.objects.create(programme=world.other_programme, person=invitee, role="mentee")

    nia = visitor_factory("newcomer")
    nia.sign_in(newcomer.email)
    start = nia.page.get_by_role("region", name="You are not in a programme yet")
    expect(start.get_by_text("apply to one that suits you")).to_be_visible()
    nia.look("no-programme-wide")

    ike = visitor_factory("invited")
    ike.sign_in(invitee.email)
    start = ike.page.get_by_role("region", name="You are invited to take part")
    expect(start.get_by_text(world.other_programme.name).first).to_be_visible()
    expect(start.get_by_role("link", name="Apply")).to_be_visible()
    ike.page.set_viewport_size({"width": 375, "height": 800})
    ike.look("invited-narrow")
