"""Panels (upward/core/panels.py): the higher apps' parts of a lower app's page are there, for
the right people, escaped, and registering twice (ready() again) is harmless."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.panels import panels_for
from upward.programmes.models import State

pytestmark = pytest.mark.django_db


def test_the_pair_page_carries_every_pair_apps_panel(pairs):
    page = pairs.world.client_for(pairs.mentee).get(
        reverse("journey:pairing", args=[pairs.pairing.pk])
    )
    # One visible mark of each registered panel: goals, notes, resources, safety.
    assertContains(page, reverse("goals:goals", args=[pairs.pairing.pk]), status_code=200)
    assertContains(page, reverse("notes:shared_notes", args=[pairs.pairing.pk]), status_code=200)
    assertContains(page, reverse("resources:saved", args=[pairs.pairing.pk]), status_code=200)
    assertContains(page, "Raise a concern privately", status_code=200)
    assertContains(page, "End this pairing", status_code=200)


def test_the_pairing_page_carries_the_safety_panel_for_the_pair_only(pairs):
    url = reverse("pairing:pairing", args=[pairs.pairing.pk])
    assertContains(
        pairs.world.client_for(pairs.mentee).get(url), "Raise a concern privately", status_code=200
    )
    other_mentor = pairs.other.mentor
    assert pairs.world.client_for(other_mentor).get(url).status_code == 404


def test_the_needs_attention_tab_is_for_the_programmes_safety_readers(pairs):
    programme = pairs.world.programme
    programme.state = State.ACTIVE
    programme.save(update_fields=["state"])
    url = reverse("programmes:detail", args=[programme.pk])
    tab = reverse("safety:attention", args=[programme.pk])
    assertContains(pairs.world.client_for(pairs.world.manager).get(url), tab, status_code=200)
    # The org admin manages programmes but is not a safety reader of this one.
    assertNotContains(pairs.world.client_for(pairs.world.admin).get(url), tab, status_code=200)


def test_a_programme_name_with_markup_is_escaped_in_the_panels(pairs):
    programme = pairs.world.programme
    programme.name = "<script>alert('x')</script>"
    programme.state = State.ACTIVE
    programme.save(update_fields=["name", "state"])
    page = pairs.world.client_for(pairs.world.manager).get(
        reverse("programmes:detail", args=[programme.pk])
    )
    assertNotContains(page, "<script>alert", status_code=200)
    assertContains(page, "&lt;script&gt;alert", status_code=200)


def test_running_ready_again_registers_the_same_panels_without_error():
    before = [(p.slot, p.name) for p in panels_for("pair")]
    for label in ("goals", "notes", "resources", "impact", "safety", "surveys"):
        apps.get_app_config(label).ready()
    assert [(p.slot, p.name) for p in panels_for("pair")] == before
    assert [p.name for p in panels_for("pair")] == [
        "goals",
        "notes",
        "resources",
        "impact",
        "safety",
    ]
