"""The programme report in a real browser: the page at desktop and phone width, its charts'
table alternative, the print version (screen and print media) and the PDF link.

Every page visited is screenshotted (artifacts/screenshots/) and checked with axe-core and the
Content-Security-Policy watch (see conftest.py): the inline SVG charts must raise no violation.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from upward.goals.models import Goal, GoalStatus
from upward.impact.tests.helpers import meeting
from upward.journey.tests.factories import builtin_version
from upward.recruitment.models import Invitation
from upward.testing.factories import level, person_with_account
from upward.testing.pairs import active_pairing, build_pairs

HOSTILE = "Digital <script>alert(1)</script> cohort"


@pytest.mark.django_db(transaction=True)
def test_programme_report_page_print_and_phone(visitor_factory, world):  # type: ignore[no-untyped-def]
    version = builtin_version()
    steps = list(version.steps.filter(kind="session").order_by("position"))
    today = timezone.localdate()
    programme = world.programme
    programme.name = HOSTILE
    programme.starts_on = today - dt.timedelta(days=100)
    programme.ends_on = today + dt.timedelta(days=80)
    programme.state = "active"
    programme.save()
    pairs = build_pairs(world, since=timezone.now() - dt.timedelta(days=95))
    more = []
    for i in range(4):
        mentor = person_with_account(
            organisation=world.org,
            full_name=f"Mentor {i}",
            level=level(world.org, 2),
            email=f"m{i}@northwind.test",
        )
        mentee = person_with_account(
            organisation=world.org,
            full_name=f"Leader {i}",
            level=level(world.org, 8),
            email=f"l{i}@northwind.test",
        )
        more.append(active_pairing(programme, mentor=mentor, mentee=mentee))
        Invitation.objects.create(programme=programme, person=mentor, role="mentor")
    now = timezone.now()
    for n, pairing in enumerate([pairs.pairing, pairs.other, *more]):
        for k in range(1 + n % 3):
            held = meeting(pairing, now - dt.timedelta(days=85 - 30 * k), minutes=60)
            held.step = steps[k]
            held.save()
    Goal.objects.create(
        pairing=pairs.pairing,
        owner=pairs.mentee,
        statement="Run a meeting on a shared whiteboard",
        measure="Two meetings",
        target_date=today + dt.timedelta(days=30),
        status=GoalStatus.ACHIEVED,
        progress=100,
    )

    manager = visitor_factory("manager")
    manager.sign_in(world.manager.email)
    page = manager.page
    manager.go(f"/programmes/{programme.pk}/")
    page.get_by_role("link", name="Report", exact=True).click()
    expect(page.get_by_role("heading", name="Programme report")).to_be_visible()
    expect(page.get_by_text("Not measurable yet.")).to_be_visible()
    # The hostile name is text, in the page and in the chart's description.
    expect(page.locator("#chart-funnel desc")).to_contain_text("<script>alert(1)</script>")
    assert page.evaluate("() => document.querySelectorAll('main script').length") == 0
    funnel = page.get_by_role("img", name="People at each stage, by role")
    expect(funnel).to_be_visible()
    manager.look("report")

    table_toggle = page.locator("#chart-funnel").locator("..").get_by_text("Show as a table")
    table_toggle.click()
    expect(page.get_by_role("row", name="Invited 4 0")).to_be_visible()
    manager.look("report-table-open")

    page.set_viewport_size({"width": 375, "height": 800})
    manager.go(f"/programmes/{programme.pk}/report/")
    width = page.evaluate(
        "() => document.querySelector('#chart-funnel').getBoundingClientRect().width"
    )
    assert width <= 375
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= 375, "the report scrolls sideways on a phone"
    manager.look("report-phone")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Print version").click()
    expect(page.get_by_role("heading", name=f"Programme report: {HOSTILE}")).to_be_visible()
    manager.look("print")
    page.emulate_media(media="print")
    manager.look("print-media")
    page.emulate_media(media="screen")

    manager.go(f"/programmes/{programme.pk}/report/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename.startswith("upward-report-digital-scriptalert1script")
