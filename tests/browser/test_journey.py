"""The mentoring journey in a real browser.

A senior mentee and their junior reverse mentor agree how they will work together, the senior
books two sessions (the junior is told who books), downloads the invite and ticks agenda items.
Every page visited is screenshotted and checked with axe-core (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from upward.journey.models import Meeting, PairAgreement
from upward.journey.tests.factories import active_pairing, builtin_version


@pytest.mark.django_db(transaction=True)
def test_pair_agrees_books_two_sessions_and_ticks_the_agenda(world, visitor_factory):
    builtin_version()
    pairing = active_pairing(world.programme, mentor=world.applicant, mentee=world.senior)
    home = f"/pairings/{pairing.pk}/journey/"

    senior = visitor_factory("mentee")
    senior.sign_in(world.senior.email)
    senior.go(home)
    expect(senior.page.get_by_text("You book the next meeting.")).to_be_visible()
    senior.look("pairing-start")

    # The agreement: the senior saves and confirms the suggested wording.
    senior.page.get_by_role("link", name="Write the agreement").first.click()
    senior.page.wait_for_url(re.compile(r"/agreement/$"))
    senior.look("agreement-form")
    senior.page.get_by_label("Minutes a meeting").fill("45")
    senior.page.get_by_role("button", name="Save and confirm").click()
    senior.page.wait_for_url(re.compile(r"/journey/$"))
    expect(senior.page.get_by_text("waiting for Jess Junior to confirm")).to_be_visible()

    junior = visitor_factory("mentor")
    junior.sign_in(world.applicant.email)
    junior.go(home)
    expect(
        junior.page.get_by_text("Waiting for Sam Senior to book the next meeting")
    ).to_be_visible()
    junior.look("pairing-waiting")
    junior.page.get_by_role("link", name="Read the agreement").click()
    junior.look("agreement-confirm")
    junior.page.get_by_role("button", name="I confirm this agreement").click()
    junior.page.wait_for_url(re.compile(r"/journey/$"))
    expect(junior.page.get_by_text("Confirmed by both")).to_be_visible()
    assert PairAgreement.objects.get(pairing=pairing).is_confirmed

    # Two sessions, booked by the senior.
    today = timezone.localdate()
    for n, days in enumerate((7, 28), start=1):
        senior.go(home)
        senior.page.get_by_role("link", name="Book a meeting").first.click()
        senior.page.wait_for_url(re.compile(r"/meetings/new/$"))
        if n == 1:
            senior.look("book-form")
        senior.page.get_by_label("Date").fill((today + dt.timedelta(days=days)).isoformat())
        senior.page.get_by_label("Start time").fill("10:00")
        senior.page.get_by_label("Place").fill("Café on the ground floor")
        senior.page.get_by_role("button", name="Book and send invitations").click()
        senior.page.wait_for_url(re.compile(r"/meetings/\d+/$"))
        expect(senior.page.get_by_text("Meeting booked")).to_be_visible()
        senior.look(f"meeting-{n}")

    first, second = Meeting.objects.filter(pairing=pairing).order_by("starts_at")
    assert first.step.title.startswith("Session 1") and second.step.title.startswith("Session 2")
    assert first.duration_minutes == 45  # from the agreement

    # Download the first invite.
    senior.go(f"/meetings/{first.pk}/")
    with senior.page.expect_download() as info:
        senior.page.get_by_role("link", name="Download invite (.ics)").click()
    content = Path(info.value.path()).read_bytes()
    assert b"METHOD:REQUEST" in content and first.uid.encode() in content

    # The junior ticks the first agenda item without a page load (htmx).
    junior.go(f"/meetings/{first.pk}/")
    tick = junior.page.locator(".agenda__tick").first
    expect(tick).to_have_attribute("aria-pressed", "false")
    tick.click()
    expect(junior.page.locator(".agenda__tick").first).to_have_attribute("aria-pressed", "true")
    junior.look("agenda-ticked")
    assert first.agenda.filter(done_at__isnull=False).count() == 1

    junior.go(home)
    expect(junior.page.get_by_role("heading", name=re.compile("Next meeting"))).to_be_visible()
    junior.look("pairing-booked")
