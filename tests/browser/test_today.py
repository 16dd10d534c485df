"""The programme team's "Today" page in a real browser, wide and narrow: a manager follows the
main navigation to it and sees flags, a person waiting, a survey and what falls due; a
participant has no link. Screenshots go to
artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from upward.dashboard.tests.conftest import waiting_mentor
from upward.pairing.models import MatchRun
from upward.programmes.models import Programme
from upward.safety import services as safety_services
from upward.surveys.models import Submission, Survey
from upward.testing.pairs import build_pairs


@pytest.mark.django_db(transaction=True)
def test_today_page_wide_and_narrow(world, visitor_factory):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    Programme.objects.filter(pk=world.programme.pk).update(
        state="active",
        starts_on=today - dt.timedelta(days=40),
        ends_on=today + dt.timedelta(days=10),
    )
    pairs = build_pairs(world, since=timezone.now() - dt.timedelta(days=45))
    MatchRun.objects.create(
        programme=world.programme, status="ready", published_at=timezone.now() - dt.timedelta(50)
    )
    waiting_mentor(world.programme)
    survey = Survey.objects.create(
        programme=world.programme, title="Halfway check", timing="midpoint", state="open"
    )
    Submission.objects.create(survey=survey, person=pairs.mentor)
    safety_services.raise_concern(
        pairs.other, person=pairs.other_mentee, text="Private worry", by=pairs.other_mentee.user
    )

    manager = visitor_factory("manager")
    manager.sign_in(world.manager.email)
    manager.page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    expect(manager.page.get_by_role("heading", level=1)).to_have_text("Today")
    expect(manager.page.get_by_role("heading", name=world.programme.name)).to_be_visible()
    expect(manager.page.get_by_role("cell", name="Wren Waiting")).to_be_visible()
    expect(manager.page.get_by_role("link", name="Halfway check", exact=True)).to_be_visible()
    expect(manager.page.get_by_text("The programme ends")).to_be_visible()
    expect(manager.page.get_by_text("Private worry")).to_have_count(0)
    manager.look("today-wide")
    manager.page.set_viewport_size({"width": 375, "height": 800})
    manager.look("today-narrow")

    mentor = visitor_factory("mentor")
    mentor.sign_in(pairs.mentor.email)
    expect(
        mentor.page.get_by_role("navigation", name="Main").get_by_role("link")
    ).not_to_contain_text(["Today"])
