"""Nobody waits unseen, in a real browser: after a decline whose automatic rematch found
nobody, the programme lead sees the waiting list, the run labelled by what it did and the
overview counts; the senior's dashboard says the team is looking; a participant marks themselves
away. Every page is screenshotted and checked with axe-core and the CSP (see conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from upward.organisations.models import Unavailability
from upward.pairing import services
from upward.pairing.tests.helpers import build_cohort, pairing_of, published
from upward.programmes.models import State
from upward.programmes.services import transition_programme


@pytest.mark.django_db(transaction=True)
def test_waiting_people_are_seen(world, visitor_factory):  # type: ignore[no-untyped-def]
    cohort = build_cohort(world)
    published(cohort)
    transition_programme(cohort.programme, to=State.ACTIVE, by=None)
    # Transactional test: the rematch after the no runs on commit, at once.
    services.answer_proposal(pairing_of(cohort, cohort.sam), person=cohort.jess, accept=False)
    pk = cohort.programme.pk

    lead = visitor_factory("lead")
    lead.sign_in(world.manager.email)
    lead.go(f"/programmes/{pk}/attention/")
    expect(lead.page.get_by_role("heading", name="Waiting for a partner")).to_be_visible()
    expect(lead.page.get_by_role("button", name="Find them a partner (Sam Senior)")).to_be_visible()
    lead.look("attention")
    lead.go(f"/programmes/{pk}/matching/runs/")
    expect(lead.page.get_by_text("Found nobody for Sam Senior")).to_be_visible()
    lead.look("runs")
    lead.go(f"/programmes/{pk}/")
    expect(lead.page.get_by_text("pairs formed of 5 places, 1 proposed, 2 waiting")).to_be_visible()
    lead.look("overview")

    senior = visitor_factory("senior")
    senior.sign_in(cohort.sam.email)
    senior.go("/dashboard/")
    # The home card says it first; the application list below repeats it beside the programme.
    expect(senior.page.get_by_text("looking for a partner for you").first).to_be_visible()
    senior.look("dashboard")
    senior.page.get_by_role("link", name="Going away? Tell us your dates").click()
    today = timezone.localdate()
    senior.page.get_by_label("Last day away").fill((today + dt.timedelta(days=14)).isoformat())
    senior.page.get_by_role("button", name="Save").click()
    expect(senior.page.get_by_text("You are marked as away")).to_be_visible()
    senior.look("away")
    assert Unavailability.objects.get(person=cohort.sam).ends_on == today + dt.timedelta(days=14)
