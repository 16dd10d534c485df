"""Relationship health in a real browser: the junior mentor answers the private pulse, raises a
concern and ends the pairing (with the confirmation step); the partner sees only that it ended
and asks for a new partner; the programme lead works the needs-attention queue. Every page is
screenshotted and checked with axe-core (see conftest.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from upward.journey.models import Meeting
from upward.journey.tests.factories import active_pairing
from upward.safety.models import Concern, PairingExit, PulseResponse, RematchRequest

REASON = "We never find a time that works for both of us."


def _held(pairing, days_ago):  # type: ignore[no-untyped-def]
    # Midday on the local date `days_ago` days back: "now minus 45 days" late in the evening
    # falls on the next local day when a clock change lies between (a CI run at 23:00 UTC in
    # December read "44 days" for a meeting made "45 days ago").
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    return Meeting.objects.create(
        pairing=pairing,
        starts_at=starts,
        duration_minutes=60,
        ends_at=starts + dt.timedelta(minutes=60),
        organiser=pairing.mentee,
        status="held",
        actual_minutes=55,
        marked_at=timezone.now(),
    )


@pytest.mark.django_db(transaction=True)
def test_pulse_concern_exit_and_the_queue(world, visitor_factory):  # type: ignore[no-untyped-def]
    pairing = active_pairing(
        world.programme,
        mentor=world.applicant,
        mentee=world.senior,
        since=timezone.now() - dt.timedelta(days=70),
    )
    held = _held(pairing, 45)

    junior = visitor_factory("mentor")
    junior.sign_in(world.applicant.email)

    # The pulse.
    junior.go(f"/pairings/{pairing.pk}/pulse/{held.pk}/")
    expect(junior.page.get_by_role("heading", name="How did it feel?")).to_be_visible()
    # The mentor is told exactly who reads it: the lead, not the mentee.
    expect(junior.page.locator("#readers")).to_contain_text("Read by: Mo Manager (programme lead)")
    junior.look("pulse")
    junior.page.get_by_role("button", name="Send", exact=True).click()
    expect(junior.page.get_by_text("Choose an answer from 1 to 5.").first).to_be_visible()
    junior.look("pulse-errors")
    for field, value in (("spoke_openly", 2), ("felt_listened_to", 3), ("worth_my_time", 4)):
        junior.page.locator(f'input[name="{field}"][value="{value}"]').check()
    junior.page.get_by_label("I would like a word with someone about this").check()
    junior.page.get_by_label("Anything you would like them to know").fill("He talks over me.")
    junior.page.get_by_role("button", name="Send", exact=True).click()
    junior.page.wait_for_url(re.compile(rf"/pairings/{pairing.pk}/journey/$"))
    assert PulseResponse.objects.get().wants_support

    # A concern.
    junior.go(f"/pairings/{pairing.pk}/concern/")
    junior.look("concern-form")
    junior.page.get_by_label("What is worrying you?").fill("Comments about my age in meetings.")
    junior.page.get_by_role("button", name="Send privately").click()
    junior.page.wait_for_url(re.compile(r"/my-concerns/$"))
    expect(junior.page.get_by_text("Open", exact=True)).to_be_visible()
    junior.look("my-concerns")

    # The manager's queue before the exit.
    lead = visitor_factory("manager")
    lead.sign_in(world.manager.email)
    lead.go(f"/programmes/{world.programme.pk}/attention/")
    expect(
        lead.page.get_by_text("The mentor would like a word with the programme team")
    ).to_be_visible()
    expect(lead.page.get_by_text("No meeting for 45 days")).to_be_visible()
    expect(lead.page.get_by_text("He talks over me.").first).to_be_visible()
    lead.look("queue")
    lead.page.get_by_role("link", name=re.compile("Open the concern from Jess Junior")).click()
    lead.page.get_by_role("button", name="Acknowledge").click()
    expect(lead.page.get_by_text("The concern is now: acknowledged.")).to_be_visible()
    lead.look("concern")
    assert Concern.objects.get().state == "acknowledged"

    # The exit, with its confirmation step.
    junior.go(f"/pairings/{pairing.pk}/end/")
    junior.look("exit")
    junior.page.get_by_label("Finding time has become too hard").check()
    junior.page.get_by_label("Anything they should know").fill(REASON)
    junior.page.get_by_role("button", name="Continue").click()
    expect(
        junior.page.get_by_role("heading", name="End your pairing with Sam Senior?")
    ).to_be_visible()
    junior.look("exit-confirm")
    junior.page.get_by_role("button", name="Yes, end the pairing").click()
    junior.page.wait_for_url(re.compile(r"/new-partner/$"))
    junior.look("after-exit")
    assert PairingExit.objects.get().reason == REASON

    # The partner: only that it ended; they ask for a new partner.
    senior = visitor_factory("mentee")
    senior.sign_in(world.senior.email)
    senior.go(f"/pairings/{pairing.pk}/new-partner/")
    expect(senior.page.get_by_text("has ended")).to_be_visible()
    assert REASON not in senior.page.content()
    assert "Finding time" not in senior.page.content()
    senior.page.get_by_role("button", name="Ask for a new partner").click()
    expect(
        senior.page.get_by_text("The programme team will look for a new partner")
    ).to_be_visible()
    senior.look("rematch-asked")
    assert RematchRequest.objects.get().person == world.senior

    # Back in the queue: the reason, the request with a link to pairing's new-partner action.
    lead.go(f"/programmes/{world.programme.pk}/attention/")
    expect(lead.page.get_by_text(REASON)).to_be_visible()
    expect(lead.page.get_by_role("button", name=re.compile("Find a new partner"))).to_be_visible()
    lead.look("queue-after-exit")
