"""Working at the scale of hundreds (issue 14): bulk decisions on applications, the paged and
filtered needs-attention queue with bulk snooze, and the searched, paged manager lists. Each
page is screenshotted at 1280 and 375 px and checked with axe-core (see conftest.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from upward.journey import services as journey_services
from upward.journey.models import EventResponse
from upward.journey.tests.factories import accepted, active_pairing
from upward.recruitment.models import Application
from upward.recruitment.tests.helpers import apply, open_recruitment
from upward.safety.models import FlagSnooze
from upward.testing.factories import level, person_with_account

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def _press(visitor, name):  # type: ignore[no-untyped-def]
    with visitor.page.expect_navigation():
        visitor.page.get_by_role("button", name=name).first.click()


def _both_widths(visitor, name):  # type: ignore[no-untyped-def]
    visitor.look(f"{name}-1280")
    visitor.page.set_viewport_size(PHONE)
    visitor.look(f"{name}-375")
    # Nothing scrolls sideways at phone width.
    assert visitor.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    visitor.page.set_viewport_size(DESKTOP)


@pytest.mark.django_db(transaction=True)
def test_bulk_decline_of_all_matching_applications(world, visitor_factory):  # type: ignore[no-untyped-def]
    programme = open_recruitment(
        world.programme,
        mentor_level_min=level(world.org, 1),
        mentor_level_max=level(world.org, 4),
        mentee_level_min=level(world.org, 6),
        mentee_level_max=level(world.org, 9),
        places=10,
    )
    for i in range(30):
        person = person_with_account(
            organisation=world.org,
            full_name=f"Applicant {i:02d} With A Rather Long Name",
            level=level(world.org, 2),
        )
        apply(programme, person)
    apply(programme, world.senior, "mentee")

    mo = visitor_factory("manager")
    mo.prefix = "ops-recruitment"
    mo.sign_in(world.manager.email)
    mo.go(f"/programmes/{programme.pk}/applications/?role=mentor")
    expect(mo.page.get_by_text("With all 30 applications matching the filter")).to_be_visible()
    _both_widths(mo, "review")
    _press(mo, "Decline all matching")
    expect(mo.page.get_by_role("heading", name="Decline 30 applications?")).to_be_visible()
    _both_widths(mo, "decline-confirm")
    _press(mo, re.compile("^Decline 30 applications$"))
    expect(mo.page.get_by_role("alert").first).to_contain_text("every applicant declined")
    mo.look("decline-needs-message")
    mo.page.get_by_label("Message to every applicant declined").fill(
        "Thank you for applying. We had far more mentors than places this time."
    )
    _press(mo, re.compile("^Decline 30 applications$"))
    expect(mo.page.get_by_text("30 applications declined.")).to_be_visible()
    mo.look("declined")
    assert Application.objects.filter(status="declined").count() == 30
    assert Application.objects.get(person=world.senior).status == "submitted"


def _silent_pairs(world, n):  # type: ignore[no-untyped-def]
    made = []
    for i in range(n):
        mentor = person_with_account(
            organisation=world.org, full_name=f"Mentor {i:02d}", level=level(world.org, 2)
        )
        mentee = person_with_account(
            organisation=world.org, full_name=f"Mentee {i:02d}", level=level(world.org, 8)
        )
        made.append(
            active_pairing(
                world.programme,
                mentor=mentor,
                mentee=mentee,
                since=timezone.now() - dt.timedelta(days=45),
            )
        )
    return made


@pytest.mark.django_db(transaction=True)
def test_attention_queue_pages_filters_and_snoozes_in_bulk(world, visitor_factory):  # type: ignore[no-untyped-def]
    _silent_pairs(world, 24)
    lead = visitor_factory("lead")
    lead.prefix = "ops-attention"
    lead.sign_in(world.manager.email)
    lead.go(f"/programmes/{world.programme.pk}/attention/")
    expect(lead.page.get_by_text("24 flagged pairs, most urgent first.")).to_be_visible()
    expect(lead.page.get_by_text("Page 1 of 2")).to_be_visible()
    _both_widths(lead, "queue")
    lead.page.get_by_label("Name").fill("Mentee 1")
    _press(lead, "Filter")
    expect(lead.page.get_by_text("10 of 24 flagged pairs match the filter.")).to_be_visible()
    cards = lead.page.get_by_role("checkbox", name=re.compile("^Tick Mentor"))
    cards.nth(0).check()
    cards.nth(1).check()
    lead.page.get_by_label("Hide for", exact=True).select_option("14")
    _press(lead, "Hide the ticked pairs' flags")
    expect(lead.page.get_by_role("heading", name="Hide 2 flags?")).to_be_visible()
    _both_widths(lead, "snooze-confirm")
    _press(lead, "Hide 2 flags for 14 days")
    expect(lead.page.get_by_text("2 flags hidden for 14 days.")).to_be_visible()
    lead.look("snoozed")
    assert FlagSnooze.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_manager_lists_search_and_page(world, visitor_factory):  # type: ignore[no-untyped-def]
    _silent_pairs(world, 24)
    for i in range(55):
        guest = person_with_account(
            organisation=world.org, full_name=f"Guest {i:02d}", level=level(world.org, 2)
        )
        accepted(world.programme, guest, "mentor")
    starts = timezone.now() + dt.timedelta(minutes=2)
    event = journey_services.save_event(
        world.programme,
        None,
        data={"title": "Kick-off for mentors", "kind": "kickoff", "audience": "mentors"},
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        time_zone="Europe/London",
        organiser=world.manager,
        by=None,
    )
    # The event has started: attendance can be recorded.
    type(event).objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5)
    )

    mo = visitor_factory("manager")
    mo.prefix = "ops-lists"
    mo.sign_in(world.manager.email)
    pk = world.programme.pk

    mo.go(f"/programmes/{pk}/journey/pairs/")
    expect(mo.page.get_by_text("Page 1 of 2")).to_be_visible()
    _both_widths(mo, "journey-pairs")
    mo.page.get_by_label("Name of the mentor or mentee").fill("Mentor 07")
    _press(mo, "Search")
    expect(mo.page.locator("caption", has_text="1 pair matches")).to_be_visible()
    # The reloaded page puts focus back in the search box and reads out what it found.
    assert mo.page.evaluate("document.activeElement.id") == "pairs-q"
    expect(mo.page.locator("#announcer")).to_contain_text("1 pair matches")
    mo.look("journey-pairs-search")

    mo.go(f"/programmes/{pk}/mentor-time/")
    _both_widths(mo, "mentor-time")
    mo.page.get_by_label("Mentor's name").fill("Mentor 1")
    _press(mo, "Search")
    expect(mo.page.locator("caption", has_text="Showing 10 of 79 mentors for")).to_be_visible()
    assert mo.page.evaluate("document.activeElement.id") == "mentor-q"
    expect(mo.page.locator("#announcer")).to_contain_text("Showing 10 of 79 mentors")
    mo.look("mentor-time-search")

    mo.go(f"/programmes/{pk}/events/{event.pk}/")
    expect(mo.page.get_by_text("79 people invited · page 1 of 2")).to_be_visible()
    _both_widths(mo, "attendance")
    mo.page.get_by_label("Guest 00 came").check()
    _press(mo, "Save and go to the next page")
    expect(mo.page.get_by_text("Attendance saved for 50 people on this page.")).to_be_visible()
    expect(mo.page.get_by_text("79 people invited · page 2 of 2")).to_be_visible()
    mo.look("attendance-page-2")
    mo.page.get_by_label("Name", exact=True).fill("Guest 4")
    _press(mo, "Search")
    expect(mo.page.locator("caption", has_text="10 people match")).to_be_visible()
    mo.page.get_by_label("Guest 41 came").check()
    _press(mo, "Save attendance")
    mo.look("attendance-search-saved")
    came = set(
        EventResponse.objects.filter(event=event, attended=True).values_list(
            "person__full_name", flat=True
        )
    )
    assert came == {"Guest 00", "Guest 41"}
