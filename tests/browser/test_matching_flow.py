"""The matching workflow in Chromium: the manager runs and publishes, the junior mentor accepts
privately, then the senior mentee confirms. Screenshots of every step; axe-core on each."""

import re

import pytest

from upward.pairing.models import Pairing
from upward.pairing.tests.helpers import build_cohort


@pytest.mark.django_db(transaction=True)
def test_manager_publishes_mentor_accepts_mentee_confirms(visitor_factory, world):
    cohort = build_cohort(world)
    programme = cohort.programme

    manager = visitor_factory("manager")
    manager.sign_in(world.manager.email)
    manager.look("dashboard")
    manager.page.get_by_role("link", name=re.compile("Open matching")).click()
    assert manager.page.url.endswith(f"/programmes/{programme.pk}/matching/")
    manager.look("matching")
    manager.page.get_by_role("button", name="Run matching").click()
    manager.page.wait_for_load_state()
    assert manager.page.get_by_role("heading", name="Matching proposal").is_visible()
    assert manager.page.get_by_role("rowheader", name=re.compile("Sam Senior")).is_visible()
    manager.look("proposal")
    manager.page.get_by_role("link", name="Publish…").click()
    manager.look("publish-confirm")
    manager.page.get_by_role("button", name="Publish and ask the mentors").click()
    manager.page.wait_for_load_state()
    assert manager.page.get_by_text("Published.").is_visible()
    manager.look("pairings")
    assert Pairing.objects.filter(programme=programme, state="proposed").count() == 2

    # The senior mentee has not heard anything yet.
    mentee = visitor_factory("mentee")
    mentee.sign_in(cohort.sam.email)
    assert not mentee.page.get_by_text("Jess Junior").count()
    mentee.look("dashboard-before")

    mentor = visitor_factory("mentor")
    mentor.sign_in(cohort.jess.email)
    assert mentor.page.get_by_role("heading", name="Proposals waiting for you").is_visible()
    mentor.look("dashboard")
    mentor.page.get_by_role("link", name="Would you mentor Sam Senior?").click()
    assert mentor.page.get_by_role("heading", name="Your proposed mentee").is_visible()
    mentor.look("proposal")
    mentor.page.get_by_role("button", name="Accept").click()
    mentor.page.wait_for_load_state()
    assert mentor.page.get_by_text("has been asked to confirm").is_visible()
    mentor.look("accepted")

    mentee.go("/dashboard/")
    mentee.page.get_by_role("link", name=re.compile("Jess Junior has agreed")).click()
    assert mentee.page.get_by_role("heading", name="Your reverse mentor").is_visible()
    mentee.look("confirm")
    mentee.page.get_by_role("button", name="Confirm the pairing").click()
    mentee.page.wait_for_load_state()
    assert mentee.page.get_by_text("Your pairing is active.").is_visible()
    mentee.look("active")

    pairing = Pairing.objects.get(programme=programme, mentee=cohort.sam)
    assert pairing.state == "active" and pairing.mentor == cohort.jess
    manager.go(f"/programmes/{programme.pk}/pairings/")
    manager.look("pairings-after")
