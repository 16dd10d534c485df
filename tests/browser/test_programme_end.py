"""Completing a programme in a real browser: the manager reads what will happen, with counts,
confirms, and the pairs are completed; launching with people waiting needs the tick.

Every page visited is screenshotted and checked with axe-core (see conftest.py).
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from upward.pairing.models import Pairing, PairingState
from upward.programmes.models import Programme
from upward.programmes.tests.helpers import put_in_state
from upward.surveys import services as survey_services
from upward.testing.pairs import active_pairing, build_pairs
from upward.testing.workspace import make_meeting


@pytest.mark.django_db(transaction=True)
def test_completing_a_programme_shows_what_happens_then_does_it(visitor_factory, world):
    put_in_state(world.programme, "active")
    pairs = build_pairs(world)
    make_meeting(pairs.pairing, days=3)
    survey_services.create_survey_from_template(
        world.programme, template_key="effectiveness", by=None
    )
    manager = visitor_factory("manager")
    manager.sign_in(world.manager.email)
    manager.go(f"/programmes/{world.programme.pk}/")
    manager.page.get_by_role("link", name="Mark as completed").click()
    expect(manager.page.get_by_text("2 active pairings will be completed.")).to_be_visible()
    expect(
        manager.page.get_by_text(re.compile("1 future meeting will be cancelled"))
    ).to_be_visible()
    manager.look("confirm-completion")
    manager.page.get_by_role("button", name=re.compile("Yes, mark as completed")).click()
    expect(manager.page.get_by_text("The programme is now completed.")).to_be_visible()
    manager.look("completed")
    assert Programme.objects.get(pk=world.programme.pk).state == "completed"
    assert not Pairing.objects.filter(state=PairingState.ACTIVE).exists()


@pytest.mark.django_db(transaction=True)
def test_launching_with_people_waiting_needs_the_tick(visitor_factory, world):
    put_in_state(world.programme, "matching")
    pairing = active_pairing(world.programme, mentor=world.applicant, mentee=world.senior)
    Pairing.objects.filter(pk=pairing.pk).update(
        state=PairingState.ENDED, closed_by="manager", closed_at=timezone.now()
    )
    manager = visitor_factory("manager")
    manager.sign_in(world.manager.email)
    manager.go(f"/programmes/{world.programme.pk}/move/active/")
    expect(manager.page.get_by_text(re.compile("2 people are still waiting"))).to_be_visible()
    manager.look("launch-asks")
    manager.page.get_by_label(re.compile("I understand")).check()
    manager.page.get_by_role("button", name=re.compile("Yes, launch the programme")).click()
    expect(manager.page.get_by_text("The programme is now active.")).to_be_visible()
    assert Programme.objects.get(pk=world.programme.pk).state == "active"
