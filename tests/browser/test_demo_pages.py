"""The demo as `make run` seeds it, in a real browser: the resource library, the active
programme's events (a kick-off held, a session ahead) and a cohort space with posts.
Wide and narrow screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from upward.demo import seed
from upward.programmes.models import Programme


@pytest.mark.django_db(transaction=True)
def test_demo_library_events_and_cohort_space(visitor_factory):  # type: ignore[no-untyped-def]
    call_command("seed_demo", "--no-accounts")
    active = Programme.objects.get(name=seed.ACTIVE_NAME)
    mentor = visitor_factory("mentor")
    mentor.sign_in(seed.ACCOUNTS[2].email, seed.DEMO_PASSWORD)

    mentor.go("/resources/")
    mentor.look("demo-resources")
    for title, *_rest in seed.RESOURCES:
        expect(mentor.page.get_by_role("link", name=title)).to_be_visible()

    mentor.go("/events/")
    expect(mentor.page.get_by_text("Knowledge session: AI tools at work").first).to_be_visible()
    mentor.look("demo-events")

    mentor.go(f"/programmes/{active.pk}/cohort/mentor/")
    expect(mentor.page.get_by_text("Jumping in first").first).to_be_visible()
    mentor.look("demo-cohort-space")
    mentor.page.set_viewport_size({"width": 375, "height": 800})
    mentor.look("demo-cohort-space-narrow")

    manager = visitor_factory("manager")
    manager.sign_in(seed.ACCOUNTS[1].email, seed.DEMO_PASSWORD)
    manager.go(f"/programmes/{active.pk}/events/")
    expect(manager.page.get_by_text("Kick-off for mentors").first).to_be_visible()
    manager.look("demo-programme-events")
