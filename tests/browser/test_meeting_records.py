"""Meeting records in a real browser: the junior logs a meeting that already happened, the
senior gives a different account, both see the two accounts and the figure that counts, then
they settle it. Every page visited is screenshotted and checked with axe-core."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from upward.journey.models import Meeting
from upward.journey.tests.factories import active_pairing, builtin_version


@pytest.mark.django_db(transaction=True)
def test_junior_logs_a_past_meeting_and_the_pair_settle_its_record(world, visitor_factory):
    builtin_version()
    # The shared programme starts in 2027; this one has been running for a month.
    world.programme.starts_on = timezone.localdate() - dt.timedelta(days=30)
    world.programme.save(update_fields=["starts_on"])
    pairing = active_pairing(world.programme, mentor=world.applicant, mentee=world.senior)
    home = f"/pairings/{pairing.pk}/journey/"

    junior = visitor_factory("mentor")
    junior.sign_in(world.applicant.email)
    junior.go(home)
    junior.page.get_by_role("link", name="Log a past meeting").first.click()
    junior.page.wait_for_url(re.compile(r"/meetings/log/$"))
    junior.look("log-form")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    junior.page.get_by_label("Date").fill(yesterday.isoformat())
    junior.page.get_by_label("Start time").fill("10:00")
    junior.page.get_by_label("How long did you meet, in minutes?").fill("50")
    junior.page.get_by_role("button", name="Log the meeting").click()
    junior.page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    expect(junior.page.get_by_text("Meeting logged")).to_be_visible()
    junior.look("logged-meeting")
    meeting = Meeting.objects.get(pairing=pairing)
    assert meeting.status == "held" and meeting.actual_minutes == 50

    senior = visitor_factory("mentee")
    senior.sign_in(world.senior.email)
    senior.go(f"/meetings/{meeting.pk}/")
    senior.page.get_by_role("link", name="Say whether it happened").click()
    senior.page.wait_for_url(re.compile(r"/record/$"))
    senior.look("record-form")
    senior.page.get_by_label("Yes, we met").check()
    senior.page.get_by_label("How long did you meet, in minutes?").fill("120")
    senior.page.get_by_role("button", name="Save my account").click()
    senior.page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    expect(senior.page.get_by_text("Your accounts differ")).to_be_visible()
    senior.look("disputed")
    meeting.refresh_from_db()
    assert meeting.actual_minutes == 50  # the lower figure counts

    senior.page.get_by_role("link", name="Change my account").click()
    senior.page.get_by_label("How long did you meet, in minutes?").fill("50")
    senior.page.get_by_role("button", name="Save my account").click()
    senior.page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    expect(senior.page.get_by_text("Settled: you both agree")).to_be_visible()
    senior.page.get_by_role("link", name="Propose a change").click()
    senior.look("propose-form")
    assert not senior.csp_violations
